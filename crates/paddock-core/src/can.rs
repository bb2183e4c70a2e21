//! CAN: a compiled [`CanDecoder`] that turns arrays of frames into one Arrow batch per message.
//!
//! The decoder is built once from a [`DecoderSpec`] — a compact description of the messages and
//! signals of one or more DBC files (Python builds it from cantools' parsed database; see
//! `docs/can.md` for why the DBC text is not parsed here) — and then decodes frames column by
//! column: every frame is routed to its message by `(id, extended)`, and every signal of a message
//! is extracted over all of that message's frames in one loop.
//!
//! Values follow cantools' `decode_message(..., decode_choices=False)` exactly: the same bit
//! numbering (Intel and Motorola as DBC defines them), sign extension, IEEE floats, and the same
//! arithmetic for scale and offset (integer scale and offset stay exact integers; anything else is
//! computed in `f64` in the order cantools computes it). Multiplexed signals are null where their
//! page is not selected. Unknown ids, frames shorter than their message and multiplexer values no
//! page is defined for are counted in [`DecodeStats`], never fatal.
//!
//! ```
//! use paddock_core::can::{CanDecoder, Frames};
//! let spec = r#"{"messages": [{"name": "Speed", "id": 256, "extended": false, "length": 2,
//!   "signals": [{"name": "kmh", "start": 0, "length": 16, "byte_order": "little_endian",
//!                "signed": false, "float": false, "conversion": "float",
//!                "scale": {"float": "0.01"}, "offset": {"int": 0}}]}]}"#;
//! let decoder = CanDecoder::from_json(spec).unwrap();
//! let data: [&[u8]; 2] = [&[0x10, 0x27], &[0x01]];
//! let out = decoder.decode(&Frames::new(&[1, 2], &[256, 256], None, &data[..])).unwrap();
//! assert_eq!(out.stats.decoded, 1);
//! assert_eq!(out.stats.short, 1);
//! assert_eq!(out.batches[0].0, "Speed");
//! ```

mod bits;
mod decoder;
mod spec;
#[cfg(test)]
mod tests;

pub use decoder::{CanDecoder, DecodeStats, Decoded, Frames, Payloads, MAX_STANDARD_ID};
pub use spec::{ByteOrder, Conversion, DecoderSpec, MessageSpec, Multiplexer, Num, SignalSpec};
