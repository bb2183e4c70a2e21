//! Unit tests of the Project CARS 2 codec: hand-built datagrams with known values at the spec's
//! offsets (§4.2–4.5), the dispatch rules (§4.6–4.7), strings and the JSON form.

use super::*;

/// A zeroed datagram of `len` bytes with type byte `packet_type`.
fn datagram(packet_type: u8, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    buf[PACKET_TYPE_OFFSET] = packet_type;
    buf
}

fn put(buf: &mut [u8], offset: usize, bytes: &[u8]) {
    buf[offset..offset + bytes.len()].copy_from_slice(bytes);
}

fn telemetry(buf: &[u8]) -> Telemetry {
    match decode(buf).unwrap() {
        Packet::Telemetry(t) => t,
        other => panic!("expected telemetry, got {other:?}"),
    }
}

#[test]
fn header_offsets() {
    let mut buf = datagram(4, 24);
    put(&mut buf, 0, &0x0102_0304u32.to_le_bytes());
    put(&mut buf, 4, &77u32.to_le_bytes());
    buf[8] = 2;
    buf[9] = 3;
    buf[11] = 9;
    let header = decode(&buf).unwrap().header().clone();
    assert_eq!(
        header,
        Header {
            packet_number: 0x0102_0304,
            category_packet_number: 77,
            partial_packet_index: 2,
            partial_packet_number: 3,
            packet_version: 9,
        }
    );
}

#[test]
fn telemetry_offsets() {
    let mut buf = datagram(0, 559);
    buf[12] = (-3i8).to_le_bytes()[0];
    put(&mut buf, 18, &(-12i16).to_le_bytes());
    buf[28] = 60;
    put(&mut buf, 32, &0.75f32.to_le_bytes());
    put(&mut buf, 36, &52.25f32.to_le_bytes());
    put(&mut buf, 40, &7_250u16.to_le_bytes());
    buf[45] = 0x6F;
    put(&mut buf, 48, &1234.5f32.to_le_bytes());
    put(&mut buf, 108, &(-9.5f32).to_le_bytes());
    buf[179] = 88;
    put(&mut buf, 214, &(-40i16).to_le_bytes());
    put(&mut buf, 352, &180u16.to_le_bytes());
    put(&mut buf, 364, &410.0f32.to_le_bytes());
    put(&mut buf, 368, &[4, 5]);
    buf[372] = 17;
    put(&mut buf, 373, &0xDEAD_BEEFu32.to_le_bytes());
    buf[377] = 0x0A;
    put(&mut buf, 378, b"Soft\0stale");
    put(&mut buf, 378 + 3 * 40, b"Wet");
    put(&mut buf, 538, &150_000.0f32.to_le_bytes());
    put(&mut buf, 542, &1.5f32.to_le_bytes());
    put(&mut buf, 546, &(-2.5f32).to_le_bytes());
    put(&mut buf, 550, &3.5f32.to_le_bytes());
    buf[554] = 140;
    put(&mut buf, 555, &987_654u32.to_le_bytes());

    let t = telemetry(&buf);
    assert_eq!(t.viewed_participant_index, -3);
    assert_eq!(t.oil_temp_celsius, -12);
    assert_eq!(t.fuel_capacity, 60);
    assert_eq!(t.fuel_level, 0.75);
    assert_eq!(t.speed, 52.25);
    assert_eq!(t.rpm, 7_250);
    assert_eq!(t.gear_num_gears, 0x6F);
    assert_eq!(t.odometer_km, 1234.5);
    assert_eq!(t.local_acceleration, [0.0, 0.0, -9.5]);
    assert_eq!(t.tyre_temp, [0, 0, 0, 88]);
    assert_eq!(t.brake_temp_celsius, [0, 0, 0, -40]);
    assert_eq!(t.air_pressure, [180, 0, 0, 0]);
    assert_eq!(t.engine_torque, 410.0);
    assert_eq!(t.wings, [4, 5]);
    assert_eq!(t.engine_damage, 17);
    assert_eq!(t.joy_pad0, 0xDEAD_BEEF);
    assert_eq!(t.d_pad, 0x0A);
    assert_eq!(t.tyre_compound, ["Soft", "", "", "Wet"].map(String::from));
    assert_eq!(t.turbo_boost_pressure, 150_000.0);
    assert_eq!(t.full_position, [1.5, -2.5, 3.5]);
    assert_eq!(t.brake_bias, 140);
    assert_eq!(t.tick_count, 987_654);
}

#[test]
fn first_release_telemetry_has_zero_tail() {
    let mut full = encode(&Packet::Telemetry(Telemetry {
        speed: 10.0,
        turbo_boost_pressure: 5.0,
        full_position: [1.0, 2.0, 3.0],
        brake_bias: 9,
        tick_count: 99,
        tyre_compound: ["A", "B", "C", "D"].map(String::from),
        ..Telemetry::default()
    }));
    full.truncate(TELEMETRY_LEN_FIRST_RELEASE);
    let t = telemetry(&full);
    assert_eq!(t.speed, 10.0);
    assert_eq!(t.tyre_compound[3], "D");
    assert_eq!(t.turbo_boost_pressure, 0.0);
    assert_eq!(t.full_position, [0.0; 3]);
    assert_eq!((t.brake_bias, t.tick_count), (0, 0));
    assert_eq!(encode(&Packet::Telemetry(t)).len(), TELEMETRY_LEN);
}

#[test]
fn race_offsets() {
    let mut buf = datagram(1, 308);
    put(&mut buf, 12, &95.5f32.to_le_bytes());
    put(&mut buf, 40, &33.25f32.to_le_bytes());
    put(&mut buf, 44, &5_891.0f32.to_le_bytes());
    put(&mut buf, 48, b"Spa");
    put(&mut buf, 112, b"GP");
    put(&mut buf, 240, "Großer Preis".as_bytes());
    put(&mut buf, 304, &0x8006u16.to_le_bytes());
    buf[306] = (-1i8).to_le_bytes()[0];
    let Packet::Race(r) = decode(&buf).unwrap() else {
        panic!("not race")
    };
    assert_eq!(r.world_fastest_lap_time, 95.5);
    assert_eq!(r.world_fastest_sector3_time, 33.25);
    assert_eq!(r.track_length, 5_891.0);
    assert_eq!(r.track_location, "Spa");
    assert_eq!(r.track_variation, "GP");
    assert_eq!(r.translated_track_variation, "Großer Preis");
    assert_eq!(r.laps_time_in_event, 0x8006);
    assert_eq!(r.enforced_pit_stop_lap, -1);
}

#[test]
fn participants_offsets() {
    let mut buf = datagram(2, 1136);
    put(&mut buf, 12, &42u32.to_le_bytes());
    put(&mut buf, 16, b"Ayrton");
    put(&mut buf, 16 + 15 * 64, b"Alain");
    put(&mut buf, 1040, &7u32.to_le_bytes());
    put(&mut buf, 1104 + 15 * 2, &513u16.to_le_bytes());
    let Packet::Participants(p) = decode(&buf).unwrap() else {
        panic!("not participants")
    };
    assert_eq!(p.participants_changed_timestamp, 42);
    assert_eq!(p.name[0], "Ayrton");
    assert_eq!(p.name[15], "Alain");
    assert_eq!(p.nationality[0], 7);
    assert_eq!(p.index[15], 513);
}

#[test]
fn timings_offsets() {
    let mut buf = datagram(3, 1063);
    buf[12] = 20;
    put(&mut buf, 13, &42u32.to_le_bytes());
    put(&mut buf, 17, &(-3.0f32).to_le_bytes());
    put(&mut buf, 29, &1.25f32.to_le_bytes());
    let p5 = 33 + 5 * 32;
    put(&mut buf, p5, &(-100i16).to_le_bytes());
    put(&mut buf, p5 + 12, &1_234u16.to_le_bytes());
    buf[p5 + 14] = 0x83;
    buf[p5 + 15] = 0x12;
    put(&mut buf, p5 + 18, &0x8001u16.to_le_bytes());
    buf[p5 + 21] = 4;
    put(&mut buf, p5 + 22, &61.5f32.to_le_bytes());
    put(&mut buf, p5 + 26, &20.5f32.to_le_bytes());
    put(&mut buf, p5 + 30, &9u16.to_le_bytes());
    put(&mut buf, 1057, &5u16.to_le_bytes());
    put(&mut buf, 1059, &31_337u32.to_le_bytes());
    let Packet::Timings(t) = decode(&buf).unwrap() else {
        panic!("not timings")
    };
    assert_eq!(t.num_participants, 20);
    assert_eq!(t.participants_changed_timestamp, 42);
    assert_eq!(t.event_time_remaining, -3.0);
    assert_eq!(t.split_time, 1.25);
    assert_eq!(t.participants.len(), 32);
    let p = &t.participants[5];
    assert_eq!(p.world_position, [-100, 0, 0]);
    assert_eq!(p.current_lap_distance, 1_234);
    assert_eq!((p.race_position, p.sector), (0x83, 0x12));
    assert_eq!(p.car_index, 0x8001);
    assert_eq!(p.current_lap, 4);
    assert_eq!((p.current_time, p.current_sector_time), (61.5, 20.5));
    assert_eq!(p.mp_participant_index, 9);
    assert_eq!(t.participants[4], ParticipantInfo::default());
    assert_eq!(t.local_participant_index, 5);
    assert_eq!(t.tick_count, 31_337);
}

#[test]
fn game_state_offsets() {
    let mut buf = datagram(4, 24);
    put(&mut buf, 12, &1_234u16.to_le_bytes());
    buf[14] = 0x52;
    buf[15] = 21;
    buf[16] = 35;
    buf[17] = 200;
    buf[19] = (-4i8).to_le_bytes()[0];
    buf[21] = 127;
    let Packet::GameState(g) = decode(&buf).unwrap() else {
        panic!("not game state")
    };
    assert_eq!(g.build_version_number, 1_234);
    assert_eq!((g.game_state & 7, g.game_state >> 4), (2, 5));
    assert_eq!((g.ambient_temperature, g.track_temperature), (21, 35));
    assert_eq!(g.rain_density, 200);
    assert_eq!(g.wind_speed, -4);
    assert_eq!(g.wind_direction_y, 127);
}

#[test]
fn time_stats_offsets() {
    let mut buf = datagram(7, 1040);
    put(&mut buf, 12, &8u32.to_le_bytes());
    put(&mut buf, 16, &92.5f32.to_le_bytes());
    put(&mut buf, 20, &93.0f32.to_le_bytes());
    let last = 16 + 31 * 32;
    put(&mut buf, last + 20, &30.5f32.to_le_bytes());
    put(&mut buf, last + 24, &0x0002_0001u32.to_le_bytes());
    put(&mut buf, last + 28, &77u16.to_le_bytes());
    let Packet::TimeStats(s) = decode(&buf).unwrap() else {
        panic!("not time stats")
    };
    assert_eq!(s.participants_changed_timestamp, 8);
    assert_eq!(
        (s.stats[0].fastest_lap_time, s.stats[0].last_lap_time),
        (92.5, 93.0)
    );
    assert_eq!(s.stats[31].fastest_sector3_time, 30.5);
    assert_eq!(s.stats[31].participant_online_rep, 0x0002_0001);
    assert_eq!(s.stats[31].mp_participant_index, 77);
}

#[test]
fn vehicle_and_class_names_offsets() {
    let mut buf = datagram(8, 1164);
    put(&mut buf, 12, &3u16.to_le_bytes());
    put(&mut buf, 16, &0x0001_0002u32.to_le_bytes());
    put(&mut buf, 20, b"Formula Renault");
    put(&mut buf, 12 + 15 * 72 + 8, b"Last");
    let Packet::VehicleNames(v) = decode(&buf).unwrap() else {
        panic!("not vehicle names")
    };
    assert_eq!(v.vehicles.len(), 16);
    assert_eq!(
        v.vehicles[0],
        VehicleInfo {
            index: 3,
            class: 0x0001_0002,
            name: "Formula Renault".into()
        }
    );
    assert_eq!(v.vehicles[15].name, "Last");

    let mut buf = datagram(8, 1452);
    put(&mut buf, 12, &11u32.to_le_bytes());
    put(&mut buf, 16, b"GT3");
    put(&mut buf, 12 + 59 * 24 + 4, b"nineteen characters");
    let Packet::ClassNames(c) = decode(&buf).unwrap() else {
        panic!("not class names")
    };
    assert_eq!(c.classes.len(), 60);
    assert_eq!(
        (c.classes[0].class_index, c.classes[0].name.as_str()),
        (11, "GT3")
    );
    assert_eq!(c.classes[59].name, "nineteen characters");
}

#[test]
fn every_valid_size_dispatches() {
    let table = [
        (0, 559, PacketKind::Telemetry),
        (0, 538, PacketKind::Telemetry),
        (1, 308, PacketKind::Race),
        (2, 1136, PacketKind::Participants),
        (3, 1063, PacketKind::Timings),
        (4, 24, PacketKind::GameState),
        (7, 1040, PacketKind::TimeStats),
        (8, 1164, PacketKind::VehicleNames),
        (8, 1452, PacketKind::ClassNames),
    ];
    for (packet_type, len, kind) in table {
        let buf = datagram(packet_type, len);
        assert_eq!(classify(&buf), Ok(kind), "type {packet_type}, {len} bytes");
        assert_eq!(decode(&buf).unwrap().kind(), kind);
    }
    for kind in PacketKind::ALL {
        let bytes = encode(&decode(&datagram(kind.packet_type(), kind.wire_len())).unwrap());
        assert_eq!(bytes.len(), kind.wire_len());
        assert_eq!(bytes[PACKET_TYPE_OFFSET], kind.packet_type());
    }
}

#[test]
fn size_1040_is_told_apart_by_type() {
    assert_eq!(classify(&datagram(7, 1040)), Ok(PacketKind::TimeStats));
    // 1040 bytes of type 2 is the first-release participants layout, not supported.
    assert_eq!(
        decode(&datagram(2, 1040)),
        Err(DecodeError::TooShort {
            protocol: "pcars2",
            packet: "participants",
            expected: 1136,
            got: 1040
        })
    );
}

#[test]
fn bad_datagrams_give_distinct_errors() {
    let too_short = |packet, expected, got| DecodeError::TooShort {
        protocol: "pcars2",
        packet,
        expected,
        got,
    };
    assert_eq!(decode(&[]), Err(too_short("header", 12, 0)));
    assert_eq!(decode(&[0; 11]), Err(too_short("header", 12, 11)));
    assert_eq!(
        decode(&datagram(0, 300)),
        Err(too_short("telemetry", 559, 300))
    );
    assert_eq!(
        decode(&datagram(0, 550)),
        Err(too_short("telemetry", 559, 550))
    );
    assert_eq!(
        decode(&datagram(0, 2000)),
        Err(DecodeError::TooLong {
            protocol: "pcars2",
            packet: "telemetry",
            expected: 559,
            got: 2000
        })
    );
    // A telemetry-sized datagram whose type byte says race: too long for a race packet.
    assert_eq!(
        decode(&datagram(1, 559)),
        Err(DecodeError::TooLong {
            protocol: "pcars2",
            packet: "race",
            expected: 308,
            got: 559
        })
    );
    assert_eq!(
        decode(&datagram(5, 559)),
        Err(DecodeError::UnknownType {
            protocol: "pcars2",
            packet_type: 5,
            got: 559
        })
    );
    assert_eq!(
        decode(&datagram(8, 1200)),
        Err(DecodeError::UnknownLength {
            protocol: "pcars2",
            got: 1200,
            packet_type: 8
        })
    );
    assert_eq!(
        decode(&datagram(8, 2000)).unwrap_err().to_string(),
        "pcars2 class_names packet too long: expected 1452 bytes, got 2000"
    );
}

#[test]
fn strings_are_cut_at_a_char_boundary_with_a_nul_kept() {
    let long = "é".repeat(25); // 50 bytes for a 40-byte field
    let t = Telemetry {
        // 4-byte chars: 9 fit in 39 bytes.
        tyre_compound: [long, "x".repeat(40), "🏁".repeat(10), String::new()],
        ..Telemetry::default()
    };
    let bytes = encode(&Packet::Telemetry(t));
    assert_eq!(bytes[378 + 38], 0, "NUL after 19 two-byte chars");
    assert_eq!(bytes[378 + 39], 0);
    assert_eq!(bytes[418 + 39], 0);
    let back = telemetry(&bytes);
    assert_eq!(back.tyre_compound[0], "é".repeat(19));
    assert_eq!(back.tyre_compound[1], "x".repeat(39));
    assert_eq!(back.tyre_compound[2], "🏁".repeat(9));
}

#[test]
fn invalid_utf8_is_replaced_and_stale_bytes_ignored() {
    let mut buf = datagram(0, 559);
    put(&mut buf, 378, &[b'A', 0xFF, b'B', 0, b'z', b'z']);
    assert_eq!(telemetry(&buf).tyre_compound[0], "A\u{FFFD}B");
}

#[test]
fn json_uses_the_contract_names_and_defaults() {
    let p = from_json(r#"{"packet": "telemetry", "speed": 12.5, "packet_number": 7}"#).unwrap();
    let Packet::Telemetry(t) = &p else {
        panic!("not telemetry")
    };
    assert_eq!((t.speed, t.header.packet_number), (12.5, 7));
    assert_eq!(
        (
            t.header.partial_packet_index,
            t.header.partial_packet_number
        ),
        (1, 1)
    );
    let value: serde_json::Value = serde_json::from_str(&to_json(&p).unwrap()).unwrap();
    assert_eq!(value["packet"], "telemetry");
    assert_eq!(value["packet_number"], 7);
    assert_eq!(value["partial_packet_index"], 1);
    assert_eq!(value["tyre_compound"], serde_json::json!(["", "", "", ""]));
    assert_eq!(value["full_position"], serde_json::json!([0.0, 0.0, 0.0]));
    assert!(value.get("header").is_none());
    assert!(value.get("packet_type").is_none());

    for tag in [
        "race",
        "participants",
        "timings",
        "game_state",
        "time_stats",
        "vehicle_names",
        "class_names",
    ] {
        let p = from_json(&format!(r#"{{"packet": "{tag}"}}"#)).unwrap();
        assert_eq!(p.kind().name(), tag);
    }
}

#[test]
fn json_lists_are_padded_and_bounded() {
    let p = from_json(
        r#"{"packet": "timings", "participants": [{"current_lap": 3, "world_position": [1, 2, 3]}]}"#,
    )
    .unwrap();
    let Packet::Timings(t) = &p else {
        panic!("not timings")
    };
    assert_eq!(t.participants.len(), 32);
    assert_eq!(t.participants[0].current_lap, 3);
    assert_eq!(t.participants[0].world_position, [1, 2, 3]);
    assert_eq!(decode(&encode(&p)).unwrap(), p);

    let too_many = format!(
        r#"{{"packet": "class_names", "classes": [{}]}}"#,
        vec!["{}"; 61].join(",")
    );
    assert!(from_json(&too_many).is_err());
}

#[test]
fn json_rejects_what_the_wire_cannot_hold() {
    for bad in [
        r#"{"packet": "weather"}"#,
        r#"{"speed": 1.0}"#,
        r#"{"packet": "telemetry", "sped": 1.0}"#,
        r#"{"packet": "telemetry", "gear_num_gears": 300}"#,
        r#"{"packet": "telemetry", "orientation": [1.0, 2.0]}"#,
        r#"{"packet": "telemetry", "orientation": [1.0, 2.0, 3.0, 4.0]}"#,
        r#"{"packet": "telemetry", "tyre_compound": "soft"}"#,
        r#"{"packet": "participants", "name": ["a"]}"#,
        r"not json",
    ] {
        assert!(from_json(bad).is_err(), "{bad} should be rejected");
    }
}

#[test]
fn json_null_floats_are_nan() {
    let t = Telemetry {
        speed: f32::NAN,
        orientation: [0.0, f32::NAN, 0.0],
        ..Telemetry::default()
    };
    let json = to_json(&Packet::Telemetry(t)).unwrap();
    assert!(json.contains(r#""speed":null"#));
    let Packet::Telemetry(back) = from_json(&json).unwrap() else {
        panic!("not telemetry")
    };
    assert!(back.speed.is_nan() && back.orientation[1].is_nan());
}

#[test]
fn json_round_trip_of_decoded_packets() {
    for kind in PacketKind::ALL {
        let mut buf = datagram(kind.packet_type(), kind.wire_len());
        for (i, byte) in buf.iter_mut().enumerate().skip(12) {
            // Printable ASCII keeps strings valid and floats finite (exponent bits < 0xFF).
            *byte = b'A' + u8::try_from(i % 26).unwrap();
        }
        let packet = decode(&buf).unwrap();
        assert_eq!(
            from_json(&to_json(&packet).unwrap()).unwrap(),
            packet,
            "{kind:?}"
        );
    }
}
