//! Property tests of the CAN decoder: arbitrary specs compile or are rejected, never panic;
//! arbitrary frames decode without panicking, and every frame is counted exactly once.

#![allow(clippy::unwrap_used)]

use paddock_core::can::{CanDecoder, Frames};
use paddock_core::proptest::can::{decoder_spec, frames_for};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_frames_never_panic(spec in decoder_spec(), seed in any::<u64>()) {
        let Ok(decoder) = CanDecoder::new(&spec) else { return Ok(()) };
        let (ids, ext, data) = frames_for(&spec, seed);
        let ts: Vec<i64> = (0..ids.len() as i64).collect();
        let out = decoder.decode(&Frames::new(&ts, &ids, ext.as_deref(), &data[..])).unwrap();
        let s = &out.stats;
        prop_assert_eq!(s.frames, ids.len() as u64);
        prop_assert_eq!(s.decoded + s.unknown_id + s.short, s.frames);
        prop_assert!(s.mux_unknown <= s.decoded);
        let rows: usize = out.batches.iter().map(|(_, b)| b.num_rows()).sum();
        prop_assert_eq!(rows as u64, s.decoded);
        prop_assert_eq!(s.unknown_ids.values().sum::<u64>(), s.unknown_id);
    }

    #[test]
    fn arbitrary_json_never_panics(text in ".{0,200}") {
        let _ = CanDecoder::from_json(&text);
    }

    #[test]
    fn spec_json_round_trips(spec in decoder_spec()) {
        let json = serde_json::to_string(&spec).unwrap();
        let back: paddock_core::can::DecoderSpec = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, spec);
    }
}
