//! paddock-core: decoding, buffering and recording of telemetry, with no Python in sight.
//!
//! Bytes arrive as datagrams, are decoded once by a protocol's [`protocols::FrameDecoder`] into
//! canonical channel rows ([`arrow::FrameBuilder`]), kept in a [`ring::RingBuffer`] while live and
//! written to disk by [`mcap`].
//!
//! ```
//! use paddock_core::arrow::FrameBuilder;
//! let mut frames = FrameBuilder::new(&["speed_kmh", "gear"]);
//! frames.push_row(1_000_000_000, &[Some(123.4), Some(3.0)]);
//! let batch = frames.finish().unwrap();
//! assert_eq!(batch.num_rows(), 1);
//! assert_eq!(batch.schema().field(0).name(), "ts_ns");
//! ```

pub mod arrow;
pub mod can;
pub mod channels;
pub mod error;
pub mod mcap;
pub mod protocols;
pub mod ring;
pub mod udp;

#[cfg(feature = "proptest")]
pub mod proptest;

pub use error::{CoreError, DecodeError};
