//! Tests of the Project CARS 1 codec and the `project_cars` auto-detecting decoder: property
//! tests (round trips, arbitrary bytes, batch against single decoding), every packet of the real
//! capture, and interleaved PCARS1/PCARS2 datagrams through the auto decoder.

// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::RecordBatch;
use paddock_core::arrow::FrameBuilder;
use paddock_core::channels;
use paddock_core::proptest::{pcars1_packet, pcars2_packet_of};
use paddock_core::protocols::pcars1::{
    self, batch_from_packets, decode, decode_batch, encode, Packet, PacketKind,
};
use paddock_core::protocols::{frame_decoder, pcars2, pcars_auto, FrameDecoder, PROTOCOLS};
use paddock_core::DecodeError;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn encode_then_decode_is_the_identity(packet in pcars1_packet()) {
        let bytes = encode(&packet);
        prop_assert_eq!(bytes.len(), packet.kind().wire_len());
        let back = decode(&bytes).unwrap();
        prop_assert_eq!(&back, &packet);
        prop_assert_eq!(encode(&back), bytes);
    }

    #[test]
    fn json_text_is_stable(packet in pcars1_packet()) {
        let json = pcars1::to_json(&packet).unwrap();
        let back = pcars1::from_json(&json).unwrap();
        prop_assert_eq!(pcars1::to_json(&back).unwrap(), json.clone());
        if !json.contains("null") {
            prop_assert_eq!(back, packet);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        let _ = decode(&bytes);
        let mut out = FrameBuilder::new(pcars_auto::channel_names());
        let _ = pcars_auto::PcarsAutoFrames::new().push(0, &bytes, &mut out);
    }

    #[test]
    fn random_bodies_of_valid_sizes_decode(kind in proptest::sample::select(PacketKind::ALL.to_vec()),
                                           seed in any::<u64>()) {
        let mut state = seed;
        let mut bytes: Vec<u8> = (0..kind.wire_len()).map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            state.to_le_bytes()[7]
        }).collect();
        bytes[2] = (bytes[2] & !3) | kind.packet_type();
        let packet = decode(&bytes).unwrap();
        prop_assert_eq!(packet.kind(), kind);
        let once = encode(&packet);
        prop_assert_eq!(encode(&decode(&once).unwrap()), once);
        let mut out = FrameBuilder::new(pcars1::CHANNEL_NAMES);
        let _ = frame_decoder("project_cars_1").unwrap().push(0, &bytes, &mut out).unwrap();
    }

    #[test]
    fn batch_decode_agrees_with_decode(
        packets in proptest::collection::vec(pcars1_packet(), 1..150),
        garbage in proptest::collection::vec(any::<u8>(), 0..1400),
    ) {
        let mut datagrams: Vec<Vec<u8>> = packets.iter().map(encode).collect();
        let garbage_at = datagrams.len() / 2;
        let garbage_rejected = decode(&garbage).is_err();
        datagrams.insert(garbage_at, garbage);
        let pairs: Vec<(i64, &[u8])> =
            datagrams.iter().zip(0..).map(|(d, i)| (i * 1_000, d.as_slice())).collect();
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
        prop_assert_eq!(got.batches, expected);
    }
}

/// `$PADDOCK_TESTDATA`, else `<repo>/../shared/testdata`.
fn testdata() -> PathBuf {
    std::env::var_os("PADDOCK_TESTDATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata"),
        PathBuf::from,
    )
}

/// The datagrams of the real capture (SOURCES.md: concatenated datagrams, each sized by the
/// type bits of its third byte), or `None` (with a note) when the test data is absent.
fn capture() -> Option<Vec<Vec<u8>>> {
    let path = testdata().join("udp/pcars1/pcars.bin.raw");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "note: {} not found (set PADDOCK_TESTDATA); skipping",
            path.display()
        );
        return None;
    };
    let mut out = Vec::new();
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let len = match rest[2] & 3 {
            0 => 1367,
            1 => 1347,
            2 => 1028,
            t => panic!("type {t} at offset {}", bytes.len() - rest.len()),
        };
        let (head, tail) = rest.split_at(len);
        out.push(head.to_vec());
        rest = tail;
    }
    Some(out)
}

fn f64_column(batch: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let col = batch.column_by_name(name).unwrap();
    match col.as_primitive_opt::<Float64Type>() {
        Some(c) => c.iter().collect(),
        None => col
            .as_primitive::<Int32Type>()
            .iter()
            .map(|v| v.map(f64::from))
            .collect(),
    }
}

#[test]
fn every_packet_of_the_real_capture_decodes() {
    let Some(datagrams) = capture() else { return };
    assert_eq!(datagrams.len(), 2900);
    let mut counts = [0usize; 3];
    let mut car_names = 0;
    let mut track = 0;
    let mut names = Vec::new();
    for d in &datagrams {
        let packet = decode(d).unwrap();
        assert_eq!(packet.header().build_version_number, 1200);
        match &packet {
            Packet::Telemetry(t) => {
                counts[0] += 1;
                assert!(t.speed >= 0.0 && t.speed * 3.6 < 400.0, "speed {}", t.speed);
                let gear = t.gear_num_gears & 0x0F;
                assert!(gear <= t.gear_num_gears >> 4 || gear == 15, "gear {gear}");
            }
            Packet::ParticipantStrings(s) => {
                counts[1] += 1;
                car_names += usize::from(s.car_name == "Audi A1 quattro");
                track += usize::from(
                    s.track_location.contains("Dubai") && s.track_variation == "International",
                );
                assert!(s.car_class_name == "Road C2" || s.car_name.is_empty());
            }
            Packet::ParticipantStringsAdditional(a) => {
                counts[2] += 1;
                assert_eq!(a.offset, 16);
                names.extend(a.name.iter().cloned());
            }
        }
        // Stale bytes after a string's NUL are dropped, so compare decoded values.
        assert_eq!(decode(&encode(&packet)).unwrap(), packet);
    }
    assert_eq!(counts, [2880, 11, 9]);
    // The last two strings packets have the first byte of every string zeroed (stale tails).
    assert_eq!(car_names, 9);
    assert_eq!(track, 9);
    assert!(names.iter().any(|n| n == "Arnau Verdaguer Vila"));

    // Batch decoding agrees, and the canonical rows are physically consistent.
    let pairs: Vec<(i64, &[u8])> = datagrams
        .iter()
        .zip(0..)
        .map(|(d, i)| (i * 33_000_000, d.as_slice()))
        .collect();
    let batches = decode_batch(pairs.iter().copied()).unwrap();
    assert_eq!(batches.decoded, 2900);
    let rows: Vec<_> = batches
        .batches
        .iter()
        .map(|(n, b)| (*n, b.num_rows()))
        .collect();
    assert_eq!(
        rows,
        [
            ("telemetry", 2880),
            ("participant_strings", 11),
            ("participant_strings_additional", 9)
        ]
    );
    let mut decoder = frame_decoder("project_cars_1").unwrap();
    let mut out = FrameBuilder::new(decoder.channels());
    let mut emitted = 0;
    for (ts, d) in &pairs {
        emitted += decoder.push(*ts, d, &mut out).unwrap();
    }
    assert_eq!(emitted, 2880);
    let frames = out.finish().unwrap();
    let speed = f64_column(&frames, "speed_kmh");
    let gear = f64_column(&frames, "gear");
    let lap = f64_column(&frames, "lap");
    let lap_time = f64_column(&frames, "lap_time_s");
    let sector = f64_column(&frames, "sector");
    let sector_time = f64_column(&frames, "sector_time_s");
    assert!(speed.iter().flatten().all(|&v| (0.0..400.0).contains(&v)));
    assert!(speed.iter().flatten().any(|&v| v > 150.0));
    assert!(gear.iter().flatten().all(|&g| (-1.0..=6.0).contains(&g)));
    let mut last: Option<(f64, f64)> = None;
    let mut timed = 0;
    for (l, t) in lap.iter().zip(&lap_time) {
        if let (Some(l), Some(t)) = (l, t) {
            timed += 1;
            if let Some((pl, pt)) = last {
                if pl == *l {
                    assert!(*t >= pt, "lap time went back from {pt} to {t} in lap {l}");
                }
            }
            last = Some((*l, *t));
        }
    }
    assert!(timed > 2000, "{timed} timed rows");
    // The lap's first sector ends at 43.91 s; sector 2 then runs from zero.
    assert!(sector.contains(&Some(2.0)));
    for ((s, st), lt) in sector.iter().zip(&sector_time).zip(&lap_time) {
        if let (Some(1.0), Some(st), Some(lt)) = (s, st, lt) {
            assert!(
                (st - lt).abs() < 1e-3,
                "sector 1 time {st} vs lap time {lt}"
            );
        }
    }
}

#[test]
fn auto_detect_tells_the_formats_apart() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let p2 = pcars2_packet_of(pcars2::PacketKind::Telemetry)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    let mut p2_telemetry = match p2 {
        pcars2::Packet::Telemetry(t) => t,
        _ => unreachable!(),
    };
    p2_telemetry.speed = 30.0;
    p2_telemetry.tick_count = 77;
    let p2_bytes = pcars2::encode(&pcars2::Packet::Telemetry(p2_telemetry));
    let p2_stats = pcars2::encode(&pcars2::Packet::TimeStats(pcars2::TimeStats::default()));
    let mut p1_telemetry = pcars1::Telemetry {
        speed: 10.0,
        ..pcars1::Telemetry::default()
    };
    p1_telemetry.header.packet_type_sequence = 5 << 2;
    let p1_bytes = encode(&Packet::Telemetry(p1_telemetry));
    let p1_strings = encode(&Packet::ParticipantStrings(
        pcars1::ParticipantStrings::default(),
    ));

    let mut auto = frame_decoder("project_cars").unwrap();
    assert_eq!(auto.protocol(), "project_cars");
    assert_eq!(auto.detected(), None);
    let channels = auto.channels();
    for name in pcars1::CHANNEL_NAMES.iter().chain(pcars2::CHANNEL_NAMES) {
        assert!(channels.contains(name), "{name} missing from the union");
    }
    let first_ns = channels.iter().position(|c| c.contains('.')).unwrap();
    assert!(
        channels[first_ns..].iter().all(|c| c.contains('.')),
        "canonical first"
    );
    assert_eq!(channels[0], "speed_kmh");

    let mut out = FrameBuilder::new(channels);
    let sequence: [(&[u8], usize, &str); 5] = [
        (&p1_bytes, 1, "project_cars_1"),
        (&p2_bytes, 1, "project_cars_2"),
        (&p1_strings, 0, "project_cars_1"),
        (&p2_stats, 0, "project_cars_2"),
        (&p1_bytes, 1, "project_cars_1"),
    ];
    for (i, (d, rows, format)) in sequence.iter().enumerate() {
        assert_eq!(auto.push(i as i64, d, &mut out).unwrap(), *rows);
        assert_eq!(auto.detected(), Some(*format));
    }
    // Mismatched type bits or bytes, unknown lengths: errors, detection unchanged.
    let mut bad = p1_bytes.clone();
    bad[2] = 1;
    assert!(matches!(
        auto.push(9, &bad, &mut out),
        Err(DecodeError::LengthMismatch { .. })
    ));
    let mut bad = p2_stats.clone();
    bad[10] = 2; // first-release participants, same 1040 bytes
    assert!(auto.push(9, &bad, &mut out).is_err());
    assert!(matches!(
        auto.push(9, &[0u8; 100], &mut out),
        Err(DecodeError::UnknownLength { got: 100, .. })
    ));
    assert_eq!(auto.detected(), Some("project_cars_1"));

    let frames = out.finish().unwrap();
    assert_eq!(frames.num_rows(), 3);
    let speed = f64_column(&frames, "speed_kmh");
    assert!((speed[0].unwrap() - 36.0).abs() < 1e-9);
    assert!((speed[1].unwrap() - 108.0).abs() < 1e-9);
    assert_eq!(
        f64_column(&frames, "pcars1.sequence"),
        [Some(5.0), None, Some(5.0)]
    );
    assert_eq!(
        f64_column(&frames, "pcars2.tick_count"),
        [None, Some(77.0), None]
    );
}

#[test]
fn protocols_and_channels_are_registered() {
    for name in ["project_cars", "project_cars_1", "project_cars_2"] {
        assert!(PROTOCOLS.contains(&name));
        assert_eq!(frame_decoder(name).unwrap().protocol(), name);
    }
    assert_eq!(frame_decoder("project_cars_1").unwrap().detected(), None);
    for name in pcars1::CHANNEL_NAMES {
        assert!(channels::lookup(name).is_some(), "{name} not registered");
    }
    for c in pcars1::NAMESPACED {
        assert!(c.name.starts_with("pcars1."));
    }
}
