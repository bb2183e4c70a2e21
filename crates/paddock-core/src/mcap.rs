//! Recordings on disk: MCAP files of frames and raw datagrams, and the bare raw-datagram framing.
//!
//! An MCAP recording holds, per feed, a frame topic (one JSON object per row, described by a JSON
//! Schema, which Foxglove opens and plots) and optionally a raw topic (every datagram exactly as
//! received, schemaless). `docs/formats.md` documents the layout; the constants below are its
//! vocabulary. All MCAP encoding and decoding goes through the `mcap` crate.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, BinaryArray, Int64Array, RecordBatch};
//! use paddock_core::arrow::FrameBuilder;
//! use paddock_core::mcap::{read_frames, read_raw, McapOptions, McapWriter};
//!
//! let dir = std::env::temp_dir().join(format!("paddock-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("session.mcap");
//!
//! let mut frames = FrameBuilder::new(&["speed_kmh", "gear"]);
//! frames.push_row(1_700_000_000_000_000_000, &[Some(123.4), Some(3.0)]);
//! let batch = frames.finish().unwrap();
//! let raw = RecordBatch::try_from_iter([
//!     ("ts_ns", Arc::new(Int64Array::from(vec![1_700_000_000_000_000_000])) as ArrayRef),
//!     ("payload", Arc::new(BinaryArray::from_vec(vec![b"\x01\x02"])) as ArrayRef),
//! ]).unwrap();
//!
//! let mut writer = McapWriter::create(&path, McapOptions::default()).unwrap();
//! writer.write_frames("/pcars2/frames", &batch).unwrap();
//! writer.write_raw("/pcars2/raw", "project_cars_2", &raw).unwrap();
//! let stats = writer.finish().unwrap();
//! assert_eq!(stats.messages, 2);
//!
//! let back = read_frames(&path, Some("/pcars2/frames"), None, None).unwrap();
//! assert_eq!(back[0], batch);
//! assert_eq!(read_raw(&path, "/pcars2/raw").unwrap().column(1), raw.column(1));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

mod dump;
mod json;
pub mod raw;
mod reader;
mod recover;
mod writer;

pub use dump::records;
pub use reader::{read_frames, read_raw, ChannelInfo, McapInfo, McapReader, MetadataEntry};
pub use recover::{recover, subset, verify, RecoverStats, SubsetFilter, VerifyStats};
pub use writer::{segment_path, Compression, McapOptions, McapStats, McapWriter};

/// Schema name of frame channels.
pub const FRAME_SCHEMA_NAME: &str = "paddock.Frame";
/// Schema encoding of frame channels: a JSON Schema document.
pub const FRAME_SCHEMA_ENCODING: &str = "jsonschema";
/// Message encoding of frame channels: one UTF-8 JSON object per row.
pub const FRAME_MESSAGE_ENCODING: &str = "json";
/// Message encoding of raw channels: the datagram's bytes, unchanged, with no schema.
pub const RAW_MESSAGE_ENCODING: &str = "application/octet-stream";
/// Channel metadata key of raw channels naming the wire protocol (`project_cars_2`).
pub const RAW_PROTOCOL_KEY: &str = "protocol";
/// Channel metadata key of raw channels naming how messages were cut from the wire.
pub const RAW_FRAMING_KEY: &str = "framing";
/// The framing of raw channels: one message per UDP datagram.
pub const RAW_FRAMING_UDP: &str = "udp-datagram";

/// The largest record (or chunk) the readers load, in bytes (256 MiB). A bigger length is treated
/// as corruption, so a damaged length field cannot make a reader allocate without bound.
pub const RECORD_LENGTH_LIMIT: usize = 256 << 20;

/// An error for file content that does not decode: an `InvalidData` I/O error.
fn corrupt(message: String) -> crate::CoreError {
    crate::CoreError::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        message,
    ))
}
