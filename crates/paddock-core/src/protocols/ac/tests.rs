//! Unit tests of the AC codec: hand-built datagrams with known values at the spec's offsets
//! (§1.2–1.5), dispatch by length, UTF-16 strings, the session hooks and the whole real capture.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::arrow::FrameBuilder;
use crate::protocols::FrameDecoder;

fn put(buf: &mut [u8], offset: usize, bytes: &[u8]) {
    buf[offset..offset + bytes.len()].copy_from_slice(bytes);
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn handshaker_offsets() {
    let mut buf = vec![0u8; 12];
    put(&mut buf, 0, &2i32.to_le_bytes());
    put(&mut buf, 4, &1i32.to_le_bytes());
    put(&mut buf, 8, &3i32.to_le_bytes());
    let Packet::Handshaker(h) = decode(&buf).unwrap() else {
        panic!("not a handshaker")
    };
    assert_eq!((h.identifier, h.version, h.operation_id), (2, 1, 3));
    assert_eq!(Operation::from_id(h.operation_id), Some(Operation::Dismiss));
    assert_eq!(
        Operation::Handshake.datagram(),
        [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn handshake_response_offsets_and_percent_terminator() {
    let mut buf = vec![0u8; 408];
    put(&mut buf, 0, &utf16("ks_audi_r8_lms%garbage"));
    put(&mut buf, 100, &utf16("Jürgen"));
    put(&mut buf, 200, &4242i32.to_le_bytes());
    put(&mut buf, 204, &1i32.to_le_bytes());
    put(&mut buf, 208, &utf16("monza%"));
    put(&mut buf, 308, &utf16("monza%\0xx"));
    let Packet::HandshakeResponse(r) = decode(&buf).unwrap() else {
        panic!("not a response")
    };
    assert_eq!(r.car_name, "ks_audi_r8_lms");
    assert_eq!(r.driver_name, "Jürgen");
    assert_eq!((r.identifier, r.version), (4242, 1));
    assert_eq!(r.track_name, "monza");
    assert_eq!(r.track_config, "monza");
    let again = encode(&Packet::HandshakeResponse(r.clone()));
    assert_eq!(&again[..30], &utf16("ks_audi_r8_lms%")[..]);
    assert_eq!(decode(&again).unwrap(), Packet::HandshakeResponse(r));
}

#[test]
fn car_info_offsets() {
    let mut buf = encode(&Packet::CarInfo(CarInfo::default()));
    put(&mut buf, 8, &180.0f32.to_le_bytes());
    put(&mut buf, 16, &50.0f32.to_le_bytes());
    buf[22] = 1;
    put(&mut buf, 28, &0.5f32.to_le_bytes());
    put(&mut buf, 36, &(-1.25f32).to_le_bytes());
    put(&mut buf, 48, &90_123i32.to_le_bytes());
    put(&mut buf, 52, &2i32.to_le_bytes());
    put(&mut buf, 72, &(-90.0f32).to_le_bytes());
    put(&mut buf, 76, &0i32.to_le_bytes());
    put(&mut buf, 84 + 12, &181.8f32.to_le_bytes());
    put(&mut buf, 260 + 12, &0.34f32.to_le_bytes());
    put(&mut buf, 308, &0.25f32.to_le_bytes());
    put(&mut buf, 316 + 8, &(-77.0f32).to_le_bytes());
    let Packet::CarInfo(c) = decode(&buf).unwrap() else {
        panic!("not car info")
    };
    assert_eq!((c.identifier, c.size), (b'a', 328));
    assert_eq!(c.speed_kmh, 180.0);
    assert_eq!(c.speed_ms, 50.0);
    assert_eq!((c.is_tc_in_action, c.is_tc_enabled), (1, 0));
    assert_eq!(c.acc_g_vertical, 0.5);
    assert_eq!(c.acc_g_frontal, -1.25);
    assert_eq!(c.best_lap, 90_123);
    assert_eq!(c.lap_count, 2);
    assert_eq!(c.steer, -90.0);
    assert_eq!(c.wheel_angular_speed[3], 181.8);
    assert_eq!(c.tyre_radius[3], 0.34);
    assert_eq!(c.car_position_normalized, 0.25);
    assert_eq!(c.car_coordinates[2], -77.0);

    let mut frames = AcFrames::new();
    let mut out = FrameBuilder::new(frames.channels());
    assert_eq!(frames.push(5, &buf, &mut out).unwrap(), 1);
    let batch = out.finish().unwrap();
    let value = |name: &str| {
        use arrow_array::cast::AsArray as _;
        use arrow_array::types::{Float64Type, Int32Type};
        use arrow_array::Array as _;
        let col = batch.column_by_name(name).unwrap();
        col.is_valid(0).then(|| match col.data_type() {
            arrow_schema::DataType::Int32 => f64::from(col.as_primitive::<Int32Type>().value(0)),
            _ => col.as_primitive::<Float64Type>().value(0),
        })
    };
    assert_eq!(value("gear"), Some(-1.0));
    assert_eq!(value("lap"), Some(3.0));
    assert_eq!(value("best_lap_s"), Some(90.123));
    assert_eq!(value("last_lap_s"), None);
    assert_eq!(value("steer"), Some(-0.2));
    assert_eq!(value("g_lat"), Some(0.5));
    assert_eq!(value("g_long"), Some(-1.25));
    assert!((value("wheel_speed_rr_kmh").unwrap() - 181.8 * 0.34 * 3.6).abs() < 1e-3);
    assert_eq!(value("ac.car_position_normalized"), Some(0.25));
}

#[test]
fn lap_offsets() {
    let mut buf = vec![0u8; 212];
    put(&mut buf, 0, &5i32.to_le_bytes());
    put(&mut buf, 4, &12i32.to_le_bytes());
    put(&mut buf, 8, &utf16("Driver%"));
    put(&mut buf, 108, &utf16("ks_ferrari_488_gt3%"));
    put(&mut buf, 208, &101_500i32.to_le_bytes());
    let Packet::Lap(l) = decode(&buf).unwrap() else {
        panic!("not a lap")
    };
    assert_eq!((l.car_identifier_number, l.lap, l.time), (5, 12, 101_500));
    assert_eq!(
        (l.driver_name.as_str(), l.car_name.as_str()),
        ("Driver", "ks_ferrari_488_gt3")
    );
}

#[test]
fn bad_datagrams_are_rejected() {
    assert!(matches!(
        decode(&[]),
        Err(DecodeError::UnknownSize { got: 0, .. })
    ));
    assert!(matches!(
        decode(&[0; 327]),
        Err(DecodeError::UnknownSize { got: 327, .. })
    ));
    let mut buf = encode(&Packet::CarInfo(CarInfo::default()));
    buf[0] = b'b';
    assert!(matches!(
        decode(&buf),
        Err(DecodeError::InvalidField { value: 98, .. })
    ));
    buf[0] = b'a';
    put(&mut buf, 4, &329i32.to_le_bytes());
    assert!(matches!(
        decode(&buf),
        Err(DecodeError::InvalidField { value: 329, .. })
    ));
}

#[test]
fn long_strings_are_cut_to_49_units_plus_percent() {
    let long = "x".repeat(80);
    let bytes = encode(&Packet::Lap(Lap {
        driver_name: long,
        ..Lap::default()
    }));
    let Packet::Lap(l) = decode(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!(l.driver_name, "x".repeat(49));
    assert_eq!(&bytes[8 + 98..8 + 100], &[b'%', 0]);
    // A surrogate pair that would not fit whole is left out.
    let emoji = format!("{}🏁", "y".repeat(48));
    let bytes = encode(&Packet::Lap(Lap {
        car_name: emoji,
        ..Lap::default()
    }));
    let Packet::Lap(l) = decode(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!(l.car_name, "y".repeat(48));
}

#[test]
fn json_is_tagged_and_defaults_are_valid() {
    let p = from_json(r#"{"packet":"car_info","speed_kmh":10.0}"#).unwrap();
    assert_eq!(decode(&encode(&p)).unwrap(), p);
    let json = to_json(&Packet::Handshaker(Handshaker::default())).unwrap();
    assert_eq!(
        json,
        r#"{"packet":"handshaker","identifier":1,"version":1,"operation_id":0}"#
    );
    assert!(from_json(r#"{"packet":"lap","bogus":1}"#).is_err());
}

#[test]
fn session_hooks_handshake_subscribe_retry_dismiss() {
    let mut f = AcFrames::new();
    let op = |d: &Vec<u8>| i32::from_le_bytes(d[8..12].try_into().unwrap());
    let start = f.on_start();
    assert_eq!(start.iter().map(op).collect::<Vec<_>>(), [3, 0]);
    assert!(f.on_idle(Duration::from_millis(1900)).is_empty());
    assert_eq!(
        f.on_idle(Duration::from_secs(2))
            .iter()
            .map(op)
            .collect::<Vec<_>>(),
        [0]
    );
    assert!(f.on_idle(Duration::from_secs(3)).is_empty());
    assert_eq!(f.on_idle(Duration::from_millis(4100)).len(), 1);
    let mut out = FrameBuilder::new(f.channels());
    let response = encode(&Packet::HandshakeResponse(HandshakeResponse::default()));
    assert_eq!(f.push(1, &response, &mut out).unwrap(), 0);
    assert_eq!(f.take_replies().iter().map(op).collect::<Vec<_>>(), [2, 1]);
    assert!(f.take_replies().is_empty());
    assert!(f.on_idle(Duration::from_millis(2900)).is_empty());
    assert_eq!(f.on_idle(Duration::from_secs(3)).len(), 1);
    assert_eq!(f.on_stop().iter().map(op).collect::<Vec<_>>(), [3]);
}

/// The shared test data directory: `$PADDOCK_TESTDATA`, else `<repo>/../shared/testdata`.
fn testdata() -> PathBuf {
    std::env::var_os("PADDOCK_TESTDATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata"),
        PathBuf::from,
    )
}

#[test]
fn whole_real_capture() {
    let path = testdata().join("udp/assetto_corsa/AssettoCorsa_monza_A8LMS.raw");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "skipped: AC capture not found at {} (set PADDOCK_TESTDATA)",
            path.display()
        );
        return;
    };
    assert_eq!(bytes.len(), 2_834_248);
    let records: Vec<&[u8]> = bytes.chunks_exact(328).collect();
    assert_eq!(records.len(), 8_641);
    let cars: Vec<CarInfo> = records
        .iter()
        .map(|r| match decode(r) {
            Ok(Packet::CarInfo(c)) => c,
            other => panic!("not car info: {other:?}"),
        })
        .collect();
    let first_lap = cars.iter().position(|c| c.lap_count == 1).unwrap();
    assert_eq!(first_lap, 7_899);
    assert!(cars[..first_lap].iter().all(|c| c.lap_count == 0));
    let last = cars.last().unwrap();
    assert_eq!((last.last_lap, last.best_lap), (344_684, 344_684));
    let max = cars.iter().map(|c| c.speed_kmh).fold(0.0f32, f32::max);
    assert!((251.5..253.0).contains(&max), "max speed {max}");
    for c in &cars {
        assert!(
            (c.speed_kmh - c.speed_ms * 3.6).abs() < 0.05,
            "{} vs {}",
            c.speed_kmh,
            c.speed_ms
        );
        assert!((0..=8).contains(&c.gear), "gear {}", c.gear);
    }
    // Speed agrees with the change of position over game time (lapTime ms), over 30-packet
    // windows inside the out-lap and the flying lap.
    let mut checked = 0;
    let mut agree = 0;
    for w in cars.windows(31) {
        let (a, b) = (&w[0], &w[30]);
        let dt = f64::from(b.lap_time - a.lap_time) / 1000.0;
        if a.lap_count != b.lap_count || !(0.3..1.0).contains(&dt) {
            continue;
        }
        let d: f64 = (0..3)
            .map(|i| f64::from(b.car_coordinates[i] - a.car_coordinates[i]).powi(2))
            .sum::<f64>()
            .sqrt();
        let mean: f64 = w.iter().map(|c| f64::from(c.speed_ms)).sum::<f64>() / 31.0;
        if mean < 10.0 {
            continue;
        }
        checked += 1;
        if ((d / dt) - mean).abs() / mean < 0.1 {
            agree += 1;
        }
    }
    assert!(checked > 5_000, "{checked} windows");
    assert!(
        agree * 100 >= checked * 95,
        "{agree}/{checked} windows agree"
    );

    // The frame decoder and the batch decoder agree with `decode`, with zero errors.
    let mut frames = AcFrames::new();
    let mut out = FrameBuilder::new(frames.channels());
    for (i, r) in records.iter().enumerate() {
        assert_eq!(frames.push(i as i64, r, &mut out).unwrap(), 1);
    }
    let rows = out.finish().unwrap();
    assert_eq!(rows.num_rows(), 8_641);
    let batches = decode_batch(records.iter().enumerate().map(|(i, r)| (i as i64, *r))).unwrap();
    assert_eq!((batches.decoded, batches.errors), (8_641, 0));
    let (name, batch) = &batches.batches[0];
    assert_eq!((*name, batch.num_rows()), ("car_info", 8_641));
    let packets: Vec<Packet> = cars.into_iter().map(Packet::CarInfo).collect();
    let expected =
        batch_from_packets(packets.iter().enumerate().map(|(i, p)| (i as i64, p))).unwrap();
    assert_eq!(&expected[0].1, batch);
}
