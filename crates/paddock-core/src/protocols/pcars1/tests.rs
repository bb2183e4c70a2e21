//! Unit tests of the Project CARS 1 codec: hand-built datagrams with known values at the spec's
//! offsets (§3.2–3.6), dispatch and error cases, and the canonical mapping.

use super::*;
use crate::arrow::FrameBuilder;
use crate::protocols::FrameDecoder;

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

/// A telemetry datagram with values at the spec's offsets.
fn sample_telemetry() -> Vec<u8> {
    let mut buf = datagram(0, 1367);
    put(&mut buf, 0, &1200u16.to_le_bytes());
    buf[2] = 37 << 2;
    buf[3] = 0x52;
    buf[4] = 2;
    buf[5] = 20;
    put(&mut buf, 12, &95.5f32.to_le_bytes());
    put(&mut buf, 16, &97.25f32.to_le_bytes());
    put(&mut buf, 20, &44.94f32.to_le_bytes());
    put(&mut buf, 48, &43.91f32.to_le_bytes());
    put(&mut buf, 52, &1.03f32.to_le_bytes());
    put(&mut buf, 56, &(-1.0f32).to_le_bytes());
    put(&mut buf, 100, &(-12i16).to_le_bytes());
    put(&mut buf, 104, &91i16.to_le_bytes());
    buf[110] = 0x20;
    buf[111] = 50;
    buf[112] = 51;
    buf[113] = 255;
    buf[115] = (-127i8).to_le_bytes()[0];
    put(&mut buf, 116, &0.5f32.to_le_bytes());
    put(&mut buf, 120, &25.0f32.to_le_bytes());
    put(&mut buf, 124, &6_500u16.to_le_bytes());
    put(&mut buf, 126, &7_200u16.to_le_bytes());
    buf[128] = 0x6F;
    put(&mut buf, 140, &std::f32::consts::FRAC_PI_2.to_le_bytes());
    put(&mut buf, 184, &9.806_65f32.to_le_bytes());
    put(&mut buf, 188, &(-9.806_65f32).to_le_bytes());
    put(&mut buf, 192, &(-19.6133f32).to_le_bytes());
    buf[276] = 80;
    buf[279] = 83;
    put(&mut buf, 328, &400i16.to_le_bytes());
    put(&mut buf, 448, &310.0f32.to_le_bytes());
    buf[458] = (-5i8).to_le_bytes()[0];
    buf[459] = 31;
    // Participant 2: position, lap distance, lap, sector 2.
    let p = 464 + 2 * 16;
    put(&mut buf, p, &(-1200i16).to_le_bytes());
    put(&mut buf, p + 2, &15i16.to_le_bytes());
    put(&mut buf, p + 4, &300i16.to_le_bytes());
    put(&mut buf, p + 6, &1234u16.to_le_bytes());
    buf[p + 8] = 0x83;
    buf[p + 9] = 0x81;
    buf[p + 10] = 2;
    buf[p + 11] = 0x0A;
    put(&mut buf, p + 12, &43.91f32.to_le_bytes());
    put(&mut buf, 1360, &5390.0f32.to_le_bytes());
    put(&mut buf, 1364, &[4, 5]);
    buf[1366] = 9;
    buf
}

#[test]
fn telemetry_offsets() {
    let t = telemetry(&sample_telemetry());
    assert_eq!(t.header.build_version_number, 1200);
    assert_eq!(t.header.packet_type_sequence >> 2, 37);
    assert_eq!(t.game_session_state, 0x52);
    assert_eq!(t.viewed_participant_index, 2);
    assert_eq!(t.num_participants, 20);
    assert_eq!(t.best_lap_time, 95.5);
    assert_eq!(t.last_lap_time, 97.25);
    assert_eq!(t.current_time, 44.94);
    assert_eq!(t.current_sector1_time, 43.91);
    assert_eq!(t.oil_temp_celsius, -12);
    assert_eq!(t.water_temp_celsius, 91);
    assert_eq!(t.fuel_capacity, 50);
    assert_eq!(t.throttle, 255);
    assert_eq!(t.steering, -127);
    assert_eq!(t.speed, 25.0);
    assert_eq!(t.rpm, 6_500);
    assert_eq!(t.max_rpm, 7_200);
    assert_eq!(t.gear_num_gears, 0x6F);
    assert_eq!(t.tyre_temp, [80, 0, 0, 83]);
    assert_eq!(t.brake_temp_celsius[0], 400);
    assert_eq!(t.engine_speed, 310.0);
    assert_eq!(t.ambient_temperature, -5);
    assert_eq!(t.track_temperature, 31);
    assert_eq!(t.participants.len(), 56);
    let p = &t.participants[2];
    assert_eq!(p.world_position, [-1200, 15, 300]);
    assert_eq!(p.current_lap_distance, 1234);
    assert_eq!(
        (p.race_position, p.laps_completed, p.current_lap),
        (0x83, 0x81, 2)
    );
    assert_eq!(p.sector, 0x0A);
    assert_eq!(p.last_sector_time, 43.91);
    assert_eq!(t.track_length, 5390.0);
    assert_eq!(t.wings, [4, 5]);
    assert_eq!(t.d_pad, 9);
}

#[test]
fn strings_offsets() {
    let mut buf = datagram(1, 1347);
    put(&mut buf, 3, b"Audi A1 quattro\0stale");
    put(&mut buf, 67, b"Road C2");
    put(&mut buf, 131, b"Dubai Autodrome");
    put(&mut buf, 195, b"International");
    put(&mut buf, 259 + 64, b"St\xc3\xa9phane");
    put(&mut buf, 1283 + 4, &101.5f32.to_le_bytes());
    let Packet::ParticipantStrings(s) = decode(&buf).unwrap() else {
        panic!("expected strings");
    };
    assert_eq!(s.car_name, "Audi A1 quattro");
    assert_eq!(s.car_class_name, "Road C2");
    assert_eq!(s.track_location, "Dubai Autodrome");
    assert_eq!(s.track_variation, "International");
    assert_eq!(s.name[1], "Stéphane");
    assert_eq!(s.fastest_lap_time[1], 101.5);

    let mut buf = datagram(2 | (5 << 2), 1028);
    buf[3] = 16;
    put(&mut buf, 4 + 64 * 15, b"q-aa57635d-GB-en");
    let packet = decode(&buf).unwrap();
    assert_eq!(packet.sequence(), 5);
    let Packet::ParticipantStringsAdditional(a) = packet else {
        panic!("expected additional strings");
    };
    assert_eq!(a.offset, 16);
    assert_eq!(a.name[15], "q-aa57635d-GB-en");
}

#[test]
fn dispatch_and_errors() {
    for kind in PacketKind::ALL {
        let buf = datagram(kind.packet_type() | 0xFC, kind.wire_len());
        assert_eq!(decode(&buf).unwrap().kind(), kind);
        assert!(matches!(
            decode(&buf[..kind.wire_len() - 1]),
            Err(DecodeError::LengthMismatch { .. })
        ));
    }
    assert!(matches!(
        decode(&[1, 2]),
        Err(DecodeError::TooShort { got: 2, .. })
    ));
    assert!(matches!(
        decode(&datagram(3, 1367)),
        Err(DecodeError::UnknownType { packet_type: 3, .. })
    ));
    // A telemetry-sized datagram typed as strings.
    assert!(matches!(
        decode(&datagram(1, 1367)),
        Err(DecodeError::LengthMismatch {
            expected: 1347,
            got: 1367,
            ..
        })
    ));
}

#[test]
fn encode_keeps_the_sequence_and_sets_the_type() {
    let mut t = Telemetry::default();
    t.header.packet_type_sequence = (9 << 2) | 3;
    let bytes = encode(&Packet::Telemetry(t));
    assert_eq!(bytes.len(), 1367);
    assert_eq!(bytes[2], 9 << 2);
}

fn value(out: &mut FrameBuilder, name: &str) -> Option<f64> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    use arrow_array::Array;
    let batch = out.finish().unwrap();
    let col = batch.column_by_name(name).unwrap();
    if col.is_null(0) {
        return None;
    }
    Some(match col.as_primitive_opt::<Float64Type>() {
        Some(c) => c.value(0),
        None => f64::from(col.as_primitive::<Int32Type>().value(0)),
    })
}

#[test]
fn canonical_mapping() {
    let buf = sample_telemetry();
    let mut frames = Pcars1Frames::new();
    let expected: &[(&str, Option<f64>)] = &[
        ("speed_kmh", Some(90.0)),
        ("rpm", Some(6500.0)),
        ("rpm_max", Some(7200.0)),
        ("gear", Some(-1.0)),
        ("throttle", Some(1.0)),
        ("brake", Some(51.0 / 255.0)),
        ("handbrake", Some(1.0)),
        ("steer", Some(-1.0)),
        ("g_lat", Some(1.0)),
        ("g_vert", Some(-1.0)),
        ("g_long", Some(2.0)),
        ("heading_deg", Some(90.0)),
        ("pos_x_m", Some(-1200.0)),
        ("pos_y_m", Some(15.0)),
        ("pos_z_m", Some(300.0)),
        ("lap", Some(2.0)),
        ("lap_time_s", Some(f64::from(44.94f32))),
        ("last_lap_s", Some(97.25)),
        ("best_lap_s", Some(95.5)),
        ("lap_distance_m", Some(1234.0)),
        ("distance_m", Some(0.0)),
        ("sector", Some(2.0)),
        ("sector_time_s", Some(f64::from(1.03f32))),
        ("tyre_temp_fl_c", Some(80.0)),
        ("tyre_temp_rr_c", Some(83.0)),
        ("brake_temp_fl_c", Some(400.0)),
        ("water_temp_c", Some(91.0)),
        ("oil_temp_c", Some(-12.0)),
        ("fuel_l", Some(25.0)),
        ("air_temp_c", Some(-5.0)),
        ("track_temp_c", Some(31.0)),
        ("pcars1.sequence", Some(37.0)),
        ("pcars1.session_state", Some(5.0)),
        ("pcars1.game_state", Some(2.0)),
        ("pcars1.race_position", Some(3.0)),
        ("pcars1.laps_completed", Some(1.0)),
        ("pcars1.num_gears", Some(6.0)),
        ("pcars1.track_length_m", Some(5390.0)),
    ];
    for (name, want) in expected {
        let mut out = FrameBuilder::new(CHANNEL_NAMES);
        assert_eq!(frames.push(7, &buf, &mut out).unwrap(), 1);
        let got = value(&mut out, name);
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-4, "{name}: {g} != {w}"),
            _ => assert_eq!(got, *want, "{name}"),
        }
    }
    // No viewed car: its position and progress are null.
    let mut buf = buf;
    buf[4] = 0xFF;
    let mut out = FrameBuilder::new(CHANNEL_NAMES);
    frames.push(8, &buf, &mut out).unwrap();
    assert_eq!(value(&mut out, "pos_x_m"), None);
    // Strings give no rows.
    let mut out = FrameBuilder::new(CHANNEL_NAMES);
    assert_eq!(frames.push(9, &datagram(1, 1347), &mut out).unwrap(), 0);
}

#[test]
fn json_round_trip_and_tags() {
    let packet = decode(&sample_telemetry()).unwrap();
    let json = to_json(&packet).unwrap();
    assert!(json.starts_with(r#"{"packet":"telemetry","build_version_number":1200"#));
    assert_eq!(from_json(&json).unwrap(), packet);
    let strings = from_json(r#"{"packet":"participant_strings","car_name":"Audi"}"#).unwrap();
    assert_eq!(strings.kind(), PacketKind::ParticipantStrings);
    assert!(from_json(r#"{"packet":"participant_strings_additional","nope":1}"#).is_err());
}
