//! Property tests of the Assetto Corsa codec: encode/decode identity per packet type, random
//! bytes never panic, batch decoding agrees with single decoding, JSON round trips.

// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

use paddock_core::proptest::{ac_packet, ac_packet_of};
use paddock_core::protocols::ac::{
    batch_from_packets, decode, decode_batch, encode, from_json, to_json, Packet, PacketKind,
};
use proptest::prelude::*;

fn kinds() -> impl Strategy<Value = PacketKind> {
    proptest::sample::select(PacketKind::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn encode_then_decode_is_the_identity_per_type(
        handshaker in ac_packet_of(PacketKind::Handshaker),
        response in ac_packet_of(PacketKind::HandshakeResponse),
        car in ac_packet_of(PacketKind::CarInfo),
        lap in ac_packet_of(PacketKind::Lap),
    ) {
        for packet in [handshaker, response, car, lap] {
            let bytes = encode(&packet);
            prop_assert_eq!(bytes.len(), packet.kind().wire_len());
            prop_assert_eq!(decode(&bytes).unwrap(), packet);
        }
    }

    #[test]
    fn every_generated_packet_round_trips(packet in ac_packet()) {
        let bytes = encode(&packet);
        prop_assert_eq!(bytes.len(), packet.kind().wire_len());
        prop_assert_eq!(decode(&bytes).unwrap(), packet.clone());
        // JSON writes infinities as null (NaN), so compare the JSON of the JSON round trip.
        let json = to_json(&packet).unwrap();
        prop_assert_eq!(to_json(&from_json(&json).unwrap()).unwrap(), json);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..500)) {
        let _ = decode(&bytes);
        let _ = decode_batch([(0i64, bytes.as_slice())]).unwrap();
    }

    #[test]
    fn random_bodies_of_valid_sizes_decode(kind in kinds(), body in proptest::collection::vec(any::<u8>(), 408)) {
        let mut bytes = body[..kind.wire_len()].to_vec();
        if kind == PacketKind::CarInfo {
            bytes[0] = b'a';
            bytes[4..8].copy_from_slice(&328i32.to_le_bytes());
        }
        prop_assert_eq!(decode(&bytes).unwrap().kind(), kind);
    }

    #[test]
    fn batch_decode_agrees_with_decode(
        packets in proptest::collection::vec(ac_packet(), 1..40),
        garbage in proptest::collection::vec(any::<u8>(), 0..500),
    ) {
        let mut datagrams: Vec<Vec<u8>> = packets.iter().map(encode).collect();
        let garbage_at = datagrams.len() / 2;
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
        prop_assert_eq!(got.batches.len(), expected.len());
        for ((name, batch), (expected_name, expected_batch)) in got.batches.iter().zip(&expected) {
            prop_assert_eq!(name, expected_name);
            prop_assert_eq!(batch, expected_batch);
            let schema = batch.schema();
            prop_assert_eq!(schema.field(0).name().as_str(), "ts_ns");
        }
    }
}
