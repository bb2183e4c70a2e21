//! Unit and property tests of the ACC codec: hand-built messages at the spec's offsets (§2.3–2.5),
//! encode/decode identity, garbage and truncation, batches against row-by-row decoding, and the
//! frame mapping and session hooks of `AccFrames`.

use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::arrow::FrameBuilder;
use crate::proptest::acc::{inbound, outbound};
use crate::protocols::FrameDecoder;

fn s(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&u16::try_from(text.len()).unwrap().to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn lap_bytes(out: &mut Vec<u8>, ms: i32, car: u16, splits: &[i32], flags: [u8; 4]) {
    out.extend_from_slice(&ms.to_le_bytes());
    out.extend_from_slice(&car.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.push(u8::try_from(splits.len()).unwrap());
    for sp in splits {
        out.extend_from_slice(&sp.to_le_bytes());
    }
    out.extend_from_slice(&flags);
}

fn car_update_bytes(car: u16, gear: u8, kmh: u16, spline: f32, laps: u16) -> Vec<u8> {
    let mut b = vec![3];
    b.extend_from_slice(&car.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.push(2);
    b.push(gear);
    b.extend_from_slice(&10.5f32.to_le_bytes());
    b.extend_from_slice(&(-20.25f32).to_le_bytes());
    b.extend_from_slice(&0.5f32.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&kmh.to_le_bytes());
    b.extend_from_slice(&3u16.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&spline.to_le_bytes());
    b.extend_from_slice(&laps.to_le_bytes());
    b.extend_from_slice(&(-350i32).to_le_bytes());
    assert_eq!(b.len(), 38);
    lap_bytes(
        &mut b,
        101_234,
        car,
        &[30_000, 40_000, 31_234],
        [0, 1, 0, 0],
    );
    lap_bytes(&mut b, NO_TIME, car, &[NO_TIME; 3], [0, 0, 1, 0]);
    lap_bytes(&mut b, 12_500, car, &[NO_TIME; 3], [1, 0, 0, 0]);
    b
}

#[test]
fn registration_result_offsets() {
    let mut b = vec![1];
    b.extend_from_slice(&77i32.to_le_bytes());
    b.extend_from_slice(&[1, 0]);
    s(&mut b, "");
    assert_eq!(
        decode(&b).unwrap(),
        Packet::RegistrationResult(RegistrationResult {
            connection_id: 77,
            connection_success: 1,
            writable: 0,
            error_message: String::new(),
        })
    );
}

#[test]
fn register_and_requests_bytes() {
    let reg = Packet::RegisterCommandApplication(RegisterApplication {
        display_name: "ab".into(),
        connection_password: "pw".into(),
        update_interval_ms: 250,
        ..RegisterApplication::default()
    });
    let bytes = encode(&reg);
    assert_eq!(
        bytes,
        [1, 4, 2, 0, b'a', b'b', 2, 0, b'p', b'w', 250, 0, 0, 0, 0, 0]
    );
    assert_eq!(decode_outbound(&bytes).unwrap(), reg);
    let req = Packet::RequestTrackData(ConnectionRequest { connection_id: 9 });
    assert_eq!(encode(&req), [11, 9, 0, 0, 0]);
    assert_eq!(decode(&[11, 9, 0, 0, 0]).unwrap(), req);
    assert_eq!(
        encode(&Packet::RequestEntryList(ConnectionRequest {
            connection_id: 9
        }))[0],
        10
    );
    let un = Packet::UnregisterCommandApplication(Unregister {});
    assert_eq!(encode(&un), [9]);
    assert_eq!(decode(&[9, 1, 0, 0, 0]).unwrap(), un);
}

#[test]
fn realtime_update_with_and_without_replay() {
    for replay in [0u8, 1] {
        let mut b = vec![2];
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&[10, 5]);
        b.extend_from_slice(&1000.0f32.to_le_bytes());
        b.extend_from_slice(&2000.0f32.to_le_bytes());
        b.extend_from_slice(&7i32.to_le_bytes());
        assert_eq!(b.len(), 19);
        s(&mut b, "set");
        s(&mut b, "cam");
        s(&mut b, "Basic HUD");
        b.push(replay);
        if replay != 0 {
            b.extend_from_slice(&5.0f32.to_le_bytes());
            b.extend_from_slice(&6.0f32.to_le_bytes());
        }
        b.extend_from_slice(&43_200.0f32.to_le_bytes());
        b.extend_from_slice(&[22, 31, 3, 0, 1]);
        lap_bytes(&mut b, 99_000, 7, &[1, 2, 3], [0, 1, 0, 0]);
        let Packet::RealtimeUpdate(u) = decode(&b).unwrap() else {
            panic!("not a realtime update")
        };
        assert_eq!(
            (u.event_index, u.session_index, u.session_type, u.phase),
            (1, 2, 10, 5)
        );
        assert_eq!(u.focused_car_index, 7);
        assert_eq!(u.current_hud_page, "Basic HUD");
        assert_eq!(u.replay_session_time, (replay != 0).then_some(5.0));
        assert_eq!(
            (u.ambient_temp, u.track_temp, u.clouds, u.wetness),
            (22, 31, 3, 1)
        );
        assert_eq!(u.best_session_lap.laptime_ms, 99_000);
        assert_eq!(u.best_session_lap.splits, [1, 2, 3]);
        assert_eq!(encode(&Packet::RealtimeUpdate(u)), b);
    }
}

#[test]
fn realtime_car_update_offsets() {
    let b = car_update_bytes(7, 4, 201, 0.25, 3);
    assert_eq!(b.len(), 113);
    let Packet::RealtimeCarUpdate(c) = decode(&b).unwrap() else {
        panic!("not a car update")
    };
    assert_eq!(
        (c.car_index, c.driver_index, c.driver_count, c.gear),
        (7, 1, 2, 4)
    );
    assert_eq!((c.world_pos_x, c.world_pos_y, c.yaw), (10.5, -20.25, 0.5));
    assert_eq!(
        (c.car_location, c.kmh, c.position, c.cup_position),
        (1, 201, 3, 2)
    );
    assert_eq!((c.track_position, c.spline_position, c.laps), (4, 0.25, 3));
    assert_eq!(c.delta_ms, -350);
    assert_eq!(c.best_session_lap.splits, [30_000, 40_000, 31_234]);
    assert_eq!(c.last_lap.laptime_ms, NO_TIME);
    assert_eq!(c.current_lap.is_invalid, 1);
    assert_eq!(encode(&Packet::RealtimeCarUpdate(c)), b);
}

#[test]
fn entry_list_track_data_event() {
    let b = [4, 5, 0, 0, 0, 2, 0, 7, 0, 9, 0];
    assert_eq!(
        decode(&b).unwrap(),
        Packet::EntryList(EntryList {
            connection_id: 5,
            car_indices: vec![7, 9],
        })
    );

    let mut b = vec![6, 7, 0, 30];
    s(&mut b, "Team");
    b.extend_from_slice(&88i32.to_le_bytes());
    b.extend_from_slice(&[1, 0, 3, 0, 1]);
    for name in ["Ann", "Lee", "LEE"] {
        s(&mut b, name);
    }
    b.extend_from_slice(&[2, 9, 0]);
    let Packet::EntryListCar(car) = decode(&b).unwrap() else {
        panic!("not an entry list car")
    };
    assert_eq!(
        (car.car_index, car.car_model_type, car.race_number),
        (7, 30, 88)
    );
    assert_eq!((car.cup_category, car.nationality), (1, 3));
    assert_eq!(car.drivers.len(), 1);
    assert_eq!(
        (car.drivers[0].short_name.as_str(), car.drivers[0].category),
        ("LEE", 2)
    );
    assert_eq!(car.drivers[0].nationality, 9);

    let mut b = vec![5, 5, 0, 0, 0];
    s(&mut b, "monza");
    b.extend_from_slice(&4i32.to_le_bytes());
    b.extend_from_slice(&5793i32.to_le_bytes());
    b.push(1);
    s(&mut b, "Drivable");
    b.push(2);
    s(&mut b, "Chase");
    s(&mut b, "Cockpit");
    b.push(1);
    s(&mut b, "Blank");
    let Packet::TrackData(t) = decode(&b).unwrap() else {
        panic!("not track data")
    };
    assert_eq!(
        (t.track_name.as_str(), t.track_id, t.track_meters),
        ("monza", 4, 5793)
    );
    assert_eq!(t.camera_sets[0].cameras, ["Chase", "Cockpit"]);
    assert_eq!(t.hud_pages, ["Blank"]);

    let mut b = vec![7, 5];
    s(&mut b, "lap");
    b.extend_from_slice(&1234i32.to_le_bytes());
    b.extend_from_slice(&3i32.to_le_bytes());
    let Packet::BroadcastingEvent(e) = decode(&b).unwrap() else {
        panic!("not an event")
    };
    assert_eq!(
        (e.event_type, e.message.as_str(), e.time_ms, e.car_id),
        (5, "lap", 1234, 3)
    );
}

#[test]
fn errors() {
    assert!(matches!(decode(&[]), Err(DecodeError::TooShort { .. })));
    assert!(matches!(
        decode(&[8]),
        Err(DecodeError::UnknownType { packet_type: 8, .. })
    ));
    assert!(matches!(
        decode(&[11, 1, 0, 0, 0, 0]),
        Err(DecodeError::TooLong { .. })
    ));
    // a string of 3 bytes that are not UTF-8
    let b = [7, 0, 3, 0, 0xff, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0];
    assert!(matches!(decode(&b), Err(DecodeError::InvalidField { .. })));
    // a string length past the end
    assert!(matches!(
        decode(&[7, 0, 255, 255, 1]),
        Err(DecodeError::TooShort { .. })
    ));
}

fn feed(f: &mut AccFrames, out: &mut FrameBuilder, packet: &Packet) -> usize {
    f.push(1, &encode(packet), out).unwrap()
}

#[test]
fn frames_mapping() {
    let mut f = AccFrames::new();
    let mut out = FrameBuilder::new(f.channels());
    let car7 = car_update_bytes(7, 4, 201, 0.25, 3);
    assert_eq!(f.push(1, &car7, &mut out).unwrap(), 0, "no focused car yet");
    feed(
        &mut f,
        &mut out,
        &Packet::RealtimeUpdate(RealtimeUpdate {
            focused_car_index: 7,
            ..RealtimeUpdate::default()
        }),
    );
    assert_eq!(f.push(2, &car7, &mut out).unwrap(), 1);
    assert_eq!(
        f.push(3, &car_update_bytes(8, 2, 0, 0.0, 0), &mut out)
            .unwrap(),
        0
    );
    feed(
        &mut f,
        &mut out,
        &Packet::TrackData(TrackData {
            track_meters: 4000,
            ..TrackData::default()
        }),
    );
    assert_eq!(f.push(4, &car7, &mut out).unwrap(), 1);
    let batch = out.finish().unwrap();
    assert_eq!(batch.num_rows(), 2);
    let col = |name: &str| {
        let a = batch.column(batch.schema().index_of(name).unwrap()).clone();
        (0..a.len())
            .map(|r| {
                if arrow_array::Array::is_null(&a, r) {
                    return None;
                }
                let any = a.as_any();
                Some(match any.downcast_ref::<arrow_array::Int32Array>() {
                    Some(ints) => f64::from(ints.value(r)),
                    None => any
                        .downcast_ref::<arrow_array::Float64Array>()
                        .unwrap()
                        .value(r),
                })
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(col("speed_kmh"), [Some(201.0); 2]);
    assert_eq!(col("gear"), [Some(2.0); 2]);
    assert_eq!(col("lap"), [Some(4.0); 2]);
    assert_eq!(col("lap_time_s"), [Some(12.5); 2]);
    assert_eq!(col("best_lap_s"), [Some(101.234); 2]);
    assert_eq!(col("last_lap_s"), [None, None]);
    assert_eq!(col("lap_distance_m"), [None, Some(1000.0)]);
    assert_eq!(col("pos_z_m"), [Some(-20.25); 2]);
    assert_eq!(col("acc.car_index"), [Some(7.0); 2]);
    assert_eq!(col("acc.delta_ms"), [Some(-350.0); 2]);

    let mut all = AccFrames::new().all_cars();
    let mut out = FrameBuilder::new(all.channels());
    assert_eq!(all.push(1, &car7, &mut out).unwrap(), 1);
    assert_eq!(
        all.push(1, &car_update_bytes(8, 2, 0, 0.0, 0), &mut out)
            .unwrap(),
        1
    );
}

#[test]
fn session_hooks() {
    let mut f = AccFrames::with_registration("me", "secret", 250);
    let start = f.on_start();
    assert_eq!(start.len(), 1);
    let Packet::RegisterCommandApplication(reg) = decode_outbound(&start[0]).unwrap() else {
        panic!("not a register")
    };
    assert_eq!(
        (
            reg.protocol_version,
            reg.display_name.as_str(),
            reg.connection_password.as_str()
        ),
        (4, "me", "secret")
    );
    assert_eq!(reg.update_interval_ms, 250);
    assert!(f.on_idle(Duration::from_secs(1)).is_empty());
    assert_eq!(f.on_idle(RETRY_EVERY), start);
    assert!(f.on_idle(RETRY_EVERY + Duration::from_secs(1)).is_empty());
    let mut out = FrameBuilder::new(f.channels());
    let refused = RegistrationResult {
        connection_id: 1,
        connection_success: 0,
        writable: 0,
        error_message: "bad password".into(),
    };
    feed(&mut f, &mut out, &Packet::RegistrationResult(refused));
    assert!(f.take_replies().is_empty());
    assert_eq!(f.last_error(), Some("bad password"));
    let ok = RegistrationResult {
        connection_id: 42,
        connection_success: 1,
        writable: 0,
        error_message: String::new(),
    };
    feed(&mut f, &mut out, &Packet::RegistrationResult(ok));
    assert_eq!(f.connection_id(), Some(42));
    assert_eq!(
        f.take_replies(),
        [vec![10, 42, 0, 0, 0], vec![11, 42, 0, 0, 0]]
    );
    assert!(f.take_replies().is_empty());
    assert!(f.on_idle(Duration::from_secs(4)).is_empty());
    assert_eq!(f.on_idle(QUIET_AFTER).len(), 1);
    assert_eq!(f.on_stop(), [vec![9]]);
    assert!(crate::protocols::PROTOCOLS.contains(&PROTOCOL));
    assert_eq!(
        crate::protocols::frame_decoder(PROTOCOL)
            .unwrap()
            .protocol(),
        PROTOCOL
    );
}

proptest! {
    #[test]
    fn inbound_identity_and_truncation(p in inbound()) {
        let bytes = encode(&p);
        prop_assert_eq!(decode(&bytes), Ok(p.clone()));
        let json = to_json(&p).unwrap();
        prop_assert_eq!(from_json(&json).unwrap(), p);
        for n in 0..bytes.len() {
            prop_assert!(decode(&bytes[..n]).is_err(), "prefix of {} bytes decoded", n);
        }
    }

    #[test]
    fn outbound_identity_and_truncation(p in outbound()) {
        let bytes = encode(&p);
        prop_assert_eq!(decode_outbound(&bytes), Ok(p.clone()));
        for n in 0..bytes.len() {
            prop_assert!(decode_outbound(&bytes[..n]).is_err());
        }
    }

    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode(&bytes);
        let _ = decode_outbound(&bytes);
        let mut f = AccFrames::new().all_cars();
        let mut out = FrameBuilder::new(f.channels());
        let _ = f.push(0, &bytes, &mut out);
    }

    #[test]
    fn batch_equals_row_by_row(packets in prop::collection::vec(inbound(), 0..12)) {
        let mut datagrams: Vec<Vec<u8>> = packets.iter().map(encode).collect();
        datagrams.push(vec![42, 1, 2]);
        let got = decode_batch(datagrams.iter().enumerate().map(|(i, d)| (i as i64, d.as_slice()))).unwrap();
        prop_assert_eq!(got.decoded, packets.len() as u64);
        prop_assert_eq!(got.errors, 1);
        let decoded: Vec<Packet> = datagrams.iter().filter_map(|d| decode(d).ok()).collect();
        let want = batch_from_packets(decoded.iter().enumerate().map(|(i, p)| (i as i64, p))).unwrap();
        prop_assert_eq!(got.batches, want);
    }
}

#[test]
fn batch_columns() {
    let packets = [
        Packet::RealtimeCarUpdate(RealtimeCarUpdate::default()),
        Packet::TrackData(TrackData {
            camera_sets: vec![CameraSet {
                name: "set".into(),
                cameras: vec!["a".into(), "b".into()],
            }],
            ..TrackData::default()
        }),
        Packet::RealtimeCarUpdate(RealtimeCarUpdate {
            kmh: 99,
            ..RealtimeCarUpdate::default()
        }),
    ];
    let bytes: Vec<Vec<u8>> = packets.iter().map(encode).collect();
    let got = decode_batch(bytes.iter().map(|b| (5, b.as_slice()))).unwrap();
    let names: Vec<_> = got.batches.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["realtime_car_update", "track_data"]);
    let (_, cars) = &got.batches[0];
    assert_eq!(cars.num_rows(), 2);
    assert_eq!(cars.schema().field(0).name(), "ts_ns");
    assert!(cars.schema().index_of("current_lap_splits").is_ok());
    let (_, track) = &got.batches[1];
    let cams = track.column(track.schema().index_of("cameras").unwrap());
    let cams = cams
        .as_any()
        .downcast_ref::<arrow_array::ListArray>()
        .unwrap();
    assert_eq!(cams.value_length(0), 2);
}
