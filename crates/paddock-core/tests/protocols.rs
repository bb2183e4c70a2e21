//! Integration and property tests of the wire formats: encode/decode round trips, robustness
//! against arbitrary bytes, batch decoding against single decoding, canonical frames.

// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type, UInt8Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use paddock_core::arrow::FrameBuilder;
use paddock_core::channels;
use paddock_core::proptest::{pcars2_packet, pcars2_packet_of};
use paddock_core::protocols::pcars2::{
    self, batch_from_packets, decode, decode_batch, encode, GameState, Packet, PacketKind,
    ParticipantInfo, ParticipantStats, Pcars2Frames, Telemetry, TimeStats, Timings,
    TELEMETRY_LEN_FIRST_RELEASE,
};
use paddock_core::protocols::{frame_decoder, FrameDecoder};
use paddock_core::DecodeError;
use proptest::prelude::*;

fn kinds() -> impl Strategy<Value = PacketKind> {
    proptest::sample::select(PacketKind::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn encode_then_decode_is_the_identity(packet in pcars2_packet()) {
        let bytes = encode(&packet);
        prop_assert_eq!(bytes.len(), packet.kind().wire_len());
        let back = decode(&bytes).unwrap();
        prop_assert_eq!(&back, &packet);
        // Bitwise too: -0.0 == 0.0 would hide a lost sign.
        prop_assert_eq!(encode(&back), bytes);
    }

    #[test]
    fn json_round_trip_is_the_identity(packet in pcars2_packet()) {
        let json = pcars2::to_json(&packet).unwrap();
        let back = pcars2::from_json(&json).unwrap();
        // JSON has no infinities: they are written as null and read back as NaN, which is
        // written as null again. So the JSON text is stable, and finite packets are equal.
        prop_assert_eq!(pcars2::to_json(&back).unwrap(), json.clone());
        if !json.contains("null") {
            prop_assert_eq!(back, packet);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1600)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn random_bodies_of_valid_sizes_decode(kind in kinds(), seed in any::<u64>()) {
        let mut bytes = vec![0u8; kind.wire_len()];
        let mut state = seed;
        for byte in &mut bytes {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            *byte = state.to_le_bytes()[7];
        }
        bytes[10] = kind.packet_type();
        let packet = decode(&bytes).unwrap();
        prop_assert_eq!(packet.kind(), kind);
        // Strings lose their stale tails and pads are zeroed, so compare re-encodings.
        let once = encode(&packet);
        prop_assert_eq!(encode(&decode(&once).unwrap()), once);
    }

    #[test]
    fn truncated_packets_are_rejected(packet in pcars2_packet(), cut in any::<prop::sample::Index>()) {
        let bytes = encode(&packet);
        let len = cut.index(bytes.len());
        let result = decode(&bytes[..len]);
        if packet.kind() == PacketKind::Telemetry && len == TELEMETRY_LEN_FIRST_RELEASE {
            prop_assert!(result.is_ok());
        } else {
            prop_assert!(result.is_err(), "{} of {} bytes accepted", len, bytes.len());
        }
    }

    #[test]
    fn batch_decode_agrees_with_decode(
        packets in proptest::collection::vec(pcars2_packet(), 1..12),
        telemetry in pcars2_packet_of(PacketKind::Telemetry),
        garbage in proptest::collection::vec(any::<u8>(), 0..700),
    ) {
        let mut datagrams: Vec<Vec<u8>> = packets.iter().map(encode).collect();
        // A first-release telemetry packet and a rejected datagram in the middle.
        let mut short = encode(&telemetry);
        short.truncate(TELEMETRY_LEN_FIRST_RELEASE);
        datagrams.insert(datagrams.len() / 2, short);
        let garbage_at = datagrams.len() / 3;
        let garbage_rejected = decode(&garbage).is_err();
        datagrams.insert(garbage_at, garbage);

        let pairs: Vec<(i64, &[u8])> = datagrams
            .iter()
            .enumerate()
            .map(|(i, d)| (i64::try_from(i).unwrap() * 1_000, d.as_slice()))
            .collect();
        let decoded: Vec<(i64, Packet)> = pairs
            .iter()
            .filter_map(|&(ts, d)| decode(d).ok().map(|p| (ts, p)))
            .collect();
        let got = decode_batch(pairs.iter().copied()).unwrap();
        let expected = batch_from_packets(decoded.iter().map(|(ts, p)| (*ts, p))).unwrap();

        prop_assert_eq!(got.decoded, u64::try_from(decoded.len()).unwrap());
        prop_assert_eq!(got.errors, u64::from(garbage_rejected));
        if garbage_rejected {
            prop_assert_eq!(got.first_errors.first().map(|e| e.0), Some(garbage_at));
        }
        prop_assert_eq!(got.batches.len(), expected.len());
        for ((name, batch), (expected_name, expected_batch)) in got.batches.iter().zip(&expected) {
            prop_assert_eq!(name, expected_name);
            prop_assert_eq!(batch, expected_batch);
        }
        let rows: usize = got.batches.iter().map(|(_, b)| b.num_rows()).sum();
        prop_assert_eq!(rows, decoded.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Long runs cross the batch decoder's block boundaries (128 datagrams of a type).
    #[test]
    fn long_batches_agree_with_decode(
        packets in proptest::collection::vec(pcars2_packet(), 200..400),
        telemetry in proptest::collection::vec(pcars2_packet_of(PacketKind::Telemetry), 150..300),
    ) {
        let mut datagrams: Vec<Vec<u8>> = packets.iter().chain(&telemetry).map(encode).collect();
        for (i, d) in datagrams.iter_mut().enumerate().step_by(7) {
            if d.len() == 559 {
                d.truncate(TELEMETRY_LEN_FIRST_RELEASE);
            } else if i % 3 == 0 {
                d.truncate(d.len() / 2);
            }
        }
        let pairs: Vec<(i64, &[u8])> = datagrams.iter().zip(0..).map(|(d, i)| (i, d.as_slice())).collect();
        let decoded: Vec<(i64, Packet)> = pairs
            .iter()
            .filter_map(|&(ts, d)| decode(d).ok().map(|p| (ts, p)))
            .collect();
        let got = decode_batch(pairs.iter().copied()).unwrap();
        let expected = batch_from_packets(decoded.iter().map(|(ts, p)| (*ts, p))).unwrap();
        prop_assert_eq!(got.decoded, u64::try_from(decoded.len()).unwrap());
        prop_assert_eq!(got.batches, expected);
    }
}

/// Asserts two arrays hold the same values, comparing floats by their bits (NaN == NaN).
fn assert_same_values(got: &dyn Array, expected: &dyn Array, name: &str) {
    assert_eq!(got.data_type(), expected.data_type(), "{name}");
    assert_eq!(got.len(), expected.len(), "{name}");
    match got.data_type() {
        DataType::Float32 => {
            let bits = |a: &dyn Array| -> Vec<u32> {
                a.as_primitive::<Float32Type>()
                    .values()
                    .iter()
                    .map(|v| v.to_bits())
                    .collect()
            };
            assert_eq!(bits(got), bits(expected), "{name}");
        }
        DataType::List(_) => {
            let (g, e) = (got.as_list::<i32>(), expected.as_list::<i32>());
            assert_eq!(g.offsets(), e.offsets(), "{name}");
            assert_same_values(g.values(), e.values(), name);
        }
        DataType::Struct(fields) => {
            let (g, e) = (got.as_struct(), expected.as_struct());
            for (i, field) in fields.iter().enumerate() {
                assert_same_values(g.column(i), e.column(i), field.name());
            }
        }
        _ => assert_eq!(got.to_data(), expected.to_data(), "{name}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Arbitrary bodies: NaN payloads, invalid UTF-8 and stale bytes after NULs in the strings.
    #[test]
    fn batches_of_random_bodies_agree_with_decode(
        bodies in proptest::collection::vec(
            (kinds(), proptest::collection::vec(any::<u8>(), 1452)), 1..160),
    ) {
        let datagrams: Vec<Vec<u8>> = bodies
            .into_iter()
            .map(|(kind, mut bytes)| {
                bytes.truncate(kind.wire_len());
                bytes[10] = kind.packet_type();
                bytes
            })
            .collect();
        let pairs: Vec<(i64, &[u8])> = datagrams.iter().zip(0..).map(|(d, i)| (i, d.as_slice())).collect();
        let decoded: Vec<(i64, Packet)> = pairs.iter().map(|&(ts, d)| (ts, decode(d).unwrap())).collect();
        let got = decode_batch(pairs.iter().copied()).unwrap();
        let expected = batch_from_packets(decoded.iter().map(|(ts, p)| (*ts, p))).unwrap();
        prop_assert_eq!(got.batches.len(), expected.len());
        for ((name, batch), (expected_name, expected_batch)) in got.batches.iter().zip(&expected) {
            prop_assert_eq!(name, expected_name);
            prop_assert_eq!(batch.schema(), expected_batch.schema());
            for (i, field) in batch.schema().fields().iter().enumerate() {
                assert_same_values(batch.column(i).as_ref(), expected_batch.column(i).as_ref(), field.name());
            }
        }
    }
}

fn batch<'a>(batches: &'a [(&str, RecordBatch)], name: &str) -> &'a RecordBatch {
    &batches.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn batch_columns_are_flattened_and_typed() {
    let t = Telemetry {
        speed: 33.5,
        tyre_temp: [80, 81, 82, 83],
        tyre_compound: ["S", "M", "H", "W"].map(String::from),
        full_position: [1.0, 2.0, 3.0],
        ..Telemetry::default()
    };
    let mut timings = Timings::default();
    timings.participants[3].current_lap = 7;
    let participants = pcars2::Participants {
        name: std::array::from_fn(|i| format!("driver {i}")),
        ..Default::default()
    };
    let datagrams = [
        encode(&Packet::Telemetry(t)),
        encode(&Packet::Timings(timings)),
        encode(&Packet::Participants(participants)),
        vec![1, 2, 3],
    ];
    let out = decode_batch(datagrams.iter().map(|d| (42, d.as_slice()))).unwrap();
    assert_eq!((out.decoded, out.errors), (3, 1));
    assert_eq!(
        out.first_errors,
        vec![(
            3,
            DecodeError::TooShort {
                protocol: "pcars2",
                packet: "header",
                expected: 12,
                got: 3
            }
        )]
    );
    let names: Vec<_> = out.batches.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["telemetry", "participants", "timings"]);

    let tel = batch(&out.batches, "telemetry");
    let schema = tel.schema();
    let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        &columns[..7],
        [
            "ts_ns",
            "packet_number",
            "category_packet_number",
            "partial_packet_index",
            "partial_packet_number",
            "packet_version",
            "viewed_participant_index"
        ]
    );
    assert_eq!(columns.len(), 166);
    assert_eq!(schema.metadata()["packet"], "telemetry");
    let speed = tel
        .column_by_name("speed")
        .unwrap()
        .as_primitive::<Float32Type>();
    assert_eq!(speed.value(0), 33.5);
    let rr = tel
        .column_by_name("tyre_temp_rr")
        .unwrap()
        .as_primitive::<UInt8Type>();
    assert_eq!(rr.value(0), 83);
    assert_eq!(
        tel.column_by_name("tyre_compound_rl")
            .unwrap()
            .as_string::<i32>()
            .value(0),
        "H"
    );
    let z = tel
        .column_by_name("full_position_z")
        .unwrap()
        .as_primitive::<Float32Type>();
    assert_eq!(z.value(0), 3.0);
    assert!(tel.column_by_name("wings_1").is_some());
    assert!(tel.column_by_name("tyre_compound").is_none());

    let timings = batch(&out.batches, "timings");
    let list = timings
        .column_by_name("participants")
        .unwrap()
        .as_list::<i32>();
    assert_eq!(list.value_length(0), 32);
    let items = list.values().as_struct();
    assert!(items.column_by_name("world_position_x").is_some());
    let lap = items
        .column_by_name("current_lap")
        .unwrap()
        .as_primitive::<UInt8Type>();
    assert_eq!(lap.value(3), 7);

    let parts = batch(&out.batches, "participants");
    let field = parts
        .schema()
        .field_with_name("participants")
        .unwrap()
        .clone();
    let DataType::List(item) = field.data_type() else {
        panic!("participants is not a list")
    };
    let DataType::Struct(children) = item.data_type() else {
        panic!("participants items are not structs")
    };
    let child_names: Vec<_> = children.iter().map(|f| f.name().as_str()).collect();
    assert_eq!(child_names, ["name", "nationality", "index"]);
    let list = parts
        .column_by_name("participants")
        .unwrap()
        .as_list::<i32>();
    let names = list.values().as_struct().column(0).as_string::<i32>();
    assert_eq!(names.value(15), "driver 15");
}

fn row_value(batch: &RecordBatch, name: &str, row: usize) -> Option<f64> {
    let column = batch.column_by_name(name).unwrap();
    if column.is_null(row) {
        return None;
    }
    Some(match column.data_type() {
        DataType::Int32 => f64::from(column.as_primitive::<Int32Type>().value(row)),
        _ => column.as_primitive::<Float64Type>().value(row),
    })
}

fn close(got: Option<f64>, expected: f64) -> bool {
    got.is_some_and(|g| (g - expected).abs() < 1e-4)
}

#[test]
fn canonical_mapping() {
    let mut frames = Pcars2Frames::default();
    let mut out = FrameBuilder::new(frames.channels());

    let mut t = Telemetry {
        speed: 50.0,
        rpm: 6_500,
        max_rpm: 8_000,
        gear_num_gears: 0x6F, // reverse, 6 gears
        throttle: 255,
        brake: 51,
        steering: -127,
        local_acceleration: [4.903_325, -9.806_65, -19.6133],
        orientation: [0.0, -std::f32::consts::FRAC_PI_2, 0.0],
        full_position: [10.0, 20.0, 30.0],
        fuel_level: 0.5,
        fuel_capacity: 80,
        odometer_km: 100.0,
        tyre_temp: [70, 71, 72, 73],
        brake_temp_celsius: [300, 301, 302, 303],
        viewed_participant_index: 2,
        engine_torque: 420.0,
        ..Telemetry::default()
    };
    t.header.packet_number = 9;

    // Telemetry before any timings: lap fields null.
    assert_eq!(
        frames.push(1_000, &encode(&Packet::Telemetry(t.clone())), &mut out),
        Ok(1)
    );

    let mut timings = Timings {
        local_participant_index: 3,
        ..Timings::default()
    };
    timings.participants[3] = ParticipantInfo {
        current_lap: 4,
        current_time: 12.5,
        current_lap_distance: 850,
        sector: 0x21, // sector bits 1 → sector 2
        race_position: 0x85,
        ..ParticipantInfo::default()
    };
    let mut stats = TimeStats::default();
    stats.stats[3] = ParticipantStats {
        last_lap_time: 91.25,
        fastest_lap_time: -1.0,
        ..ParticipantStats::default()
    };
    let game = GameState {
        ambient_temperature: 22,
        track_temperature: 31,
        ..GameState::default()
    };
    for p in [
        Packet::Timings(timings),
        Packet::TimeStats(stats),
        Packet::GameState(game),
    ] {
        assert_eq!(frames.push(2_000, &encode(&p), &mut out), Ok(0));
    }
    // A bad datagram is an error and changes nothing.
    assert!(frames.push(2_500, &[0; 30], &mut out).is_err());
    t.odometer_km = 100.25;
    t.gear_num_gears = 0x63;
    assert_eq!(
        frames.push(3_000, &encode(&Packet::Telemetry(t)), &mut out),
        Ok(1)
    );

    let b = out.finish().unwrap();
    assert_eq!(b.num_rows(), 2);
    for row in 0..2 {
        assert!(close(row_value(&b, "speed_kmh", row), 180.0));
        assert!(close(row_value(&b, "rpm", row), 6_500.0));
        assert!(close(row_value(&b, "rpm_max", row), 8_000.0));
        assert!(close(row_value(&b, "throttle", row), 1.0));
        assert!(close(row_value(&b, "brake", row), 0.2));
        assert!(close(row_value(&b, "steer", row), -1.0));
        assert!(close(row_value(&b, "g_lat", row), 0.5));
        assert!(close(row_value(&b, "g_vert", row), -1.0));
        assert!(
            close(row_value(&b, "g_long", row), 2.0),
            "braking is negative z: g_long > 0"
        );
        assert!(close(row_value(&b, "heading_deg", row), 270.0));
        assert!(close(row_value(&b, "pos_z_m", row), 30.0));
        assert!(close(row_value(&b, "fuel_l", row), 40.0));
        assert!(close(row_value(&b, "tyre_temp_rl_c", row), 72.0));
        assert!(close(row_value(&b, "brake_temp_fr_c", row), 301.0));
        assert!(close(row_value(&b, "pcars2.engine_torque_nm", row), 420.0));
        assert!(close(row_value(&b, "pcars2.packet_number", row), 9.0));
    }
    assert!(close(row_value(&b, "gear", 0), -1.0));
    assert!(close(row_value(&b, "gear", 1), 3.0));
    assert!(close(row_value(&b, "distance_m", 0), 0.0));
    assert!(close(row_value(&b, "distance_m", 1), 250.0));
    for name in [
        "lap",
        "lap_time_s",
        "lap_distance_m",
        "sector",
        "last_lap_s",
        "best_lap_s",
        "air_temp_c",
        "track_temp_c",
        "pcars2.race_position",
    ] {
        assert_eq!(row_value(&b, name, 0), None, "{name} before its packet");
    }
    assert!(close(row_value(&b, "lap", 1), 4.0));
    assert!(close(row_value(&b, "lap_time_s", 1), 12.5));
    assert!(close(row_value(&b, "lap_distance_m", 1), 850.0));
    assert!(close(row_value(&b, "sector", 1), 2.0));
    assert!(close(row_value(&b, "last_lap_s", 1), 91.25));
    assert_eq!(row_value(&b, "best_lap_s", 1), None, "no best lap yet (-1)");
    assert!(close(row_value(&b, "air_temp_c", 1), 22.0));
    assert!(close(row_value(&b, "track_temp_c", 1), 31.0));
    assert!(close(row_value(&b, "pcars2.race_position", 1), 5.0));
}

#[test]
fn tracked_car_falls_back_to_the_viewed_participant() {
    let mut frames = Pcars2Frames::default();
    let mut out = FrameBuilder::new(frames.channels());
    let mut timings = Timings {
        local_participant_index: 255,
        ..Timings::default()
    };
    timings.participants[6].current_lap = 2;
    frames
        .push(0, &encode(&Packet::Timings(timings)), &mut out)
        .unwrap();
    let t = Telemetry {
        viewed_participant_index: 6,
        ..Telemetry::default()
    };
    frames
        .push(1, &encode(&Packet::Telemetry(t)), &mut out)
        .unwrap();
    let b = out.finish().unwrap();
    assert!(close(row_value(&b, "lap", 0), 2.0));
}

#[test]
fn channels_are_registered() {
    let decoder = frame_decoder(pcars2::PROTOCOL).unwrap();
    assert_eq!(decoder.channels(), pcars2::CHANNEL_NAMES);
    for name in pcars2::CHANNEL_NAMES {
        assert!(channels::lookup(name).is_some(), "{name} is not registered");
    }
    for channel in pcars2::NAMESPACED {
        assert!(channel.name.starts_with("pcars2."), "{}", channel.name);
        assert!(!channel.description.is_empty());
        assert!(pcars2::CHANNEL_NAMES.contains(&channel.name));
    }
    let canonical = pcars2::CHANNEL_NAMES.len() - pcars2::NAMESPACED.len();
    for name in &pcars2::CHANNEL_NAMES[..canonical] {
        assert!(channels::CHANNELS.iter().any(|c| c.name == *name), "{name}");
    }
    let b = FrameBuilder::new(decoder.channels()).finish().unwrap();
    let gear = b
        .schema()
        .field_with_name("gear")
        .unwrap()
        .data_type()
        .clone();
    assert_eq!(gear, DataType::Int32);
}
