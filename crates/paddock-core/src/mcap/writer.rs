//! `McapWriter`: frame batches and raw datagrams into one chunked, compressed, indexed MCAP file.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;
use mcap::records::{MessageHeader, Metadata};

use super::json::{check_frame_schema, frame_json_schema, RowEncoder};
use crate::channels::TS_NS;
use crate::error::{CoreError, Result};

/// Buffer between the MCAP writer and the file, in bytes.
const FILE_BUFFER_BYTES: usize = 256 << 10;

/// How chunks are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Zstandard at its default level: the smallest files (the default).
    #[default]
    Zstd,
    /// LZ4 frames: faster, larger.
    Lz4,
    /// Uncompressed chunks.
    None,
}

impl Compression {
    /// Parses `zstd`, `lz4` or `none` (also the empty string).
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for any other name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "zstd" => Ok(Self::Zstd),
            "lz4" => Ok(Self::Lz4),
            "none" | "" => Ok(Self::None),
            other => Err(CoreError::InvalidArgument(format!(
                "unknown compression {other:?}; use \"zstd\", \"lz4\" or \"none\""
            ))),
        }
    }

    /// The name as written in chunk records (`zstd`, `lz4`, or empty for none).
    #[must_use]
    pub fn mcap_name(self) -> &'static str {
        match self {
            Self::Zstd => "zstd",
            Self::Lz4 => "lz4",
            Self::None => "",
        }
    }

    fn to_mcap(self) -> Option<mcap::Compression> {
        match self {
            Self::Zstd => Some(mcap::Compression::Zstd),
            Self::Lz4 => Some(mcap::Compression::Lz4),
            Self::None => None,
        }
    }
}

/// Options of an [`McapWriter`], built with the `with_*` methods from [`McapOptions::default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McapOptions {
    /// Chunk compression (default zstd).
    pub compression: Compression,
    /// Target uncompressed chunk size in bytes (default 1 MiB); a chunk is closed once it passes it.
    pub chunk_size: u64,
    /// The header's profile (default empty: no ROS-style profile applies).
    pub profile: String,
    /// The header's library (default `paddock <version>`).
    pub library: String,
}

impl Default for McapOptions {
    fn default() -> Self {
        Self {
            compression: Compression::Zstd,
            chunk_size: mcap::WriteOptions::DEFAULT_CHUNK_SIZE,
            profile: String::new(),
            library: concat!("paddock ", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

impl McapOptions {
    /// Sets the chunk compression.
    #[must_use]
    pub fn with_compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Sets the target uncompressed chunk size in bytes.
    #[must_use]
    pub fn with_chunk_size(mut self, chunk_size: u64) -> Self {
        self.chunk_size = chunk_size;
        self
    }

    /// Sets the header's profile.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = profile.into();
        self
    }

    /// Sets the header's library.
    #[must_use]
    pub fn with_library(mut self, library: impl Into<String>) -> Self {
        self.library = library.into();
        self
    }
}

/// What a finished file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct McapStats {
    /// Messages written, all channels.
    pub messages: u64,
    /// Channels (a topic has one per schema or protocol it was written with).
    pub channels: u32,
    /// Distinct schemas.
    pub schemas: u32,
    /// Chunks written.
    pub chunks: u32,
    /// Metadata records written.
    pub metadata: u32,
    /// Earliest message log time, ns since the epoch (0 without messages).
    pub start_ns: u64,
    /// Latest message log time, ns since the epoch (0 without messages).
    pub end_ns: u64,
    /// File size in bytes.
    pub bytes: u64,
}

/// Opens `path` fresh (truncating it) as an MCAP writer with `options`.
pub(super) fn open_mcap(
    path: &Path,
    options: &McapOptions,
) -> Result<mcap::Writer<BufWriter<File>>> {
    let file = File::create(path)?;
    let mcap_options = mcap::WriteOptions::new()
        .compression(options.compression.to_mcap())
        .chunk_size(Some(options.chunk_size))
        .profile(options.profile.clone())
        .library(options.library.clone())
        // Compress on the calling thread: several writers share a small machine, and a 1 MiB
        // chunk gains little from zstd's worker threads.
        .compression_threads(0);
    Ok(mcap_options.create(BufWriter::with_capacity(FILE_BUFFER_BYTES, file))?)
}

/// Writes the summary and footer, flushes and syncs the file, and returns what it holds.
pub(super) fn close_mcap(mut writer: mcap::Writer<BufWriter<File>>) -> Result<McapStats> {
    let summary = writer.finish()?;
    let file = writer
        .into_inner()
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    file.sync_all()?;
    let bytes = file.metadata()?.len();
    let stats = summary.stats.unwrap_or_default();
    Ok(McapStats {
        messages: stats.message_count,
        channels: stats.channel_count,
        schemas: u32::from(stats.schema_count),
        chunks: stats.chunk_count,
        metadata: stats.metadata_count,
        start_ns: stats.message_start_time,
        end_ns: stats.message_end_time,
        bytes,
    })
}

/// A frame channel: one topic written with one Arrow schema.
struct FrameChannel {
    schema: SchemaRef,
    channel_id: u16,
    sequence: u32,
    encoder: RowEncoder,
}

/// A raw channel: one topic written with one protocol.
struct RawChannel {
    channel_id: u16,
    sequence: u32,
}

/// `ts_ns` as an MCAP log time: negative times clamp to 0.
fn log_time(ts_ns: i64) -> u64 {
    u64::try_from(ts_ns).unwrap_or(0)
}

/// Writes frames and raw datagrams into a new MCAP file.
///
/// Call [`McapWriter::finish`] to write the summary and learn of errors. A writer dropped
/// without `finish` still finishes the file (ignoring errors); a process killed mid-write leaves
/// a file [`super::recover`] salvages. Rotation (by size or duration) is the caller's business:
/// finish one writer and create the next.
pub struct McapWriter {
    writer: mcap::Writer<BufWriter<File>>,
    path: PathBuf,
    frames: HashMap<String, Vec<FrameChannel>>,
    raw: HashMap<(String, String), RawChannel>,
    buf: Vec<u8>,
    messages: u64,
}

impl McapWriter {
    /// Creates (or truncates) `path` and writes the MCAP header.
    ///
    /// # Errors
    /// [`CoreError::Io`] if the file cannot be created, [`CoreError::Mcap`] if the header
    /// cannot be written.
    pub fn create(path: impl AsRef<Path>, options: McapOptions) -> Result<Self> {
        let path = path.as_ref();
        Ok(Self {
            writer: open_mcap(path, &options)?,
            path: path.to_path_buf(),
            frames: HashMap::new(),
            raw: HashMap::new(),
            buf: Vec::with_capacity(4096),
            messages: 0,
        })
    }

    /// The file being written.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Messages written so far.
    #[must_use]
    pub fn messages(&self) -> u64 {
        self.messages
    }

    fn frame_channel(&mut self, topic: &str, schema: &SchemaRef) -> Result<usize> {
        let known = self.frames.get(topic).and_then(|channels| {
            channels
                .iter()
                .position(|c| Arc::ptr_eq(&c.schema, schema) || c.schema == *schema)
        });
        if let Some(idx) = known {
            return Ok(idx);
        }
        check_frame_schema(schema)?;
        let doc = frame_json_schema(schema)?;
        let schema_id =
            self.writer
                .add_schema(super::FRAME_SCHEMA_NAME, super::FRAME_SCHEMA_ENCODING, &doc)?;
        let channel_id = self.writer.add_channel(
            schema_id,
            topic,
            super::FRAME_MESSAGE_ENCODING,
            &BTreeMap::new(),
        )?;
        let channels = self.frames.entry(topic.to_string()).or_default();
        channels.push(FrameChannel {
            schema: schema.clone(),
            channel_id,
            sequence: 0,
            encoder: RowEncoder::new(schema)?,
        });
        Ok(channels.len() - 1)
    }

    /// Writes every row of a frame batch as one JSON message on `topic`; returns the rows written.
    ///
    /// The first batch of a topic (and the first with a different schema) registers a
    /// `paddock.Frame` JSON Schema and a `json` channel. Each row's `ts_ns` is its log and publish
    /// time (negative times clamp to 0); nulls and non-finite floats are written as `null`.
    /// An empty batch registers the channel and writes nothing.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an empty topic, a batch without an Int64 `ts_ns` column,
    /// a null `ts_ns`, or a column that is not Int64, Int32 or Float64 (nothing is written then);
    /// [`CoreError::Mcap`] / [`CoreError::Io`] if writing fails.
    pub fn write_frames(&mut self, topic: &str, batch: &RecordBatch) -> Result<usize> {
        if topic.is_empty() {
            return Err(CoreError::InvalidArgument("frame topic is empty".into()));
        }
        let schema = batch.schema();
        check_frame_schema(&schema)?;
        let ts = batch
            .column_by_name(TS_NS)
            .and_then(|c| c.as_primitive_opt::<Int64Type>())
            .ok_or_else(|| {
                CoreError::InvalidArgument(format!("frame batch has no Int64 {TS_NS}"))
            })?;
        if ts.null_count() > 0 {
            return Err(CoreError::InvalidArgument(format!(
                "frame batch has {} null {TS_NS} values",
                ts.null_count()
            )));
        }
        let idx = self.frame_channel(topic, &schema)?;
        let Some(channel) = self.frames.get_mut(topic).and_then(|c| c.get_mut(idx)) else {
            return Err(CoreError::InvalidArgument(format!(
                "frame channel {idx} of {topic:?} vanished"
            )));
        };
        let writer = &mut self.writer;
        let mut written = 0;
        channel
            .encoder
            .encode_rows(batch, &mut self.buf, |row, json| {
                let time = log_time(ts.value(row));
                writer.write_to_known_channel(
                    &MessageHeader {
                        channel_id: channel.channel_id,
                        sequence: channel.sequence,
                        log_time: time,
                        publish_time: time,
                    },
                    json,
                )?;
                channel.sequence = channel.sequence.wrapping_add(1);
                written += 1;
                Ok(())
            })?;
        self.messages += written as u64;
        Ok(written)
    }

    /// Writes every datagram of a raw batch (`ts_ns` Int64, `payload` Binary, LargeBinary or
    /// BinaryView) as one message on `topic`, bytes unchanged; returns the datagrams written.
    ///
    /// The channel has no schema, message encoding `application/octet-stream` and metadata
    /// `{"protocol": protocol, "framing": "udp-datagram"}`. Log and publish time are `ts_ns`
    /// (negative times clamp to 0).
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an empty topic, missing or mistyped columns, or nulls in
    /// them (nothing is written then); [`CoreError::Mcap`] / [`CoreError::Io`] if writing fails.
    pub fn write_raw(&mut self, topic: &str, protocol: &str, batch: &RecordBatch) -> Result<usize> {
        if topic.is_empty() {
            return Err(CoreError::InvalidArgument("raw topic is empty".into()));
        }
        let (ts, payloads) = super::raw::raw_columns(batch)?;
        let key = (topic.to_string(), protocol.to_string());
        let channel = match self.raw.get_mut(&key) {
            Some(channel) => channel,
            None => {
                let metadata = BTreeMap::from([
                    (super::RAW_PROTOCOL_KEY.to_string(), protocol.to_string()),
                    (
                        super::RAW_FRAMING_KEY.to_string(),
                        super::RAW_FRAMING_UDP.to_string(),
                    ),
                ]);
                let channel_id =
                    self.writer
                        .add_channel(0, topic, super::RAW_MESSAGE_ENCODING, &metadata)?;
                self.raw.entry(key).or_insert(RawChannel {
                    channel_id,
                    sequence: 0,
                })
            }
        };
        for (row, ts_ns) in ts.values().iter().enumerate() {
            let time = log_time(*ts_ns);
            self.writer.write_to_known_channel(
                &MessageHeader {
                    channel_id: channel.channel_id,
                    sequence: channel.sequence,
                    log_time: time,
                    publish_time: time,
                },
                payloads.value(row),
            )?;
            channel.sequence = channel.sequence.wrapping_add(1);
        }
        self.messages += ts.len() as u64;
        Ok(ts.len())
    }

    /// Writes a metadata record (recording name, game, track, car, `started_at` …). It closes
    /// the current chunk, so write metadata at the start or the end of a recording.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an empty name; [`CoreError::Mcap`] if writing fails.
    pub fn add_metadata(&mut self, name: &str, metadata: BTreeMap<String, String>) -> Result<()> {
        if name.is_empty() {
            return Err(CoreError::InvalidArgument("metadata name is empty".into()));
        }
        self.writer.write_metadata(&Metadata {
            name: name.to_string(),
            metadata,
        })?;
        Ok(())
    }

    /// Closes the current chunk and hands everything written so far to the OS, so a crash after
    /// this loses nothing before it (and [`super::recover`] gets it back).
    ///
    /// # Errors
    /// [`CoreError::Mcap`] if writing fails.
    pub fn flush(&mut self) -> Result<()> {
        self.writer.flush()?;
        Ok(())
    }

    /// Writes the last chunk, the summary (schemas, channels, statistics, chunk and metadata
    /// indexes), the footer with its CRCs, syncs the file and returns what it holds.
    ///
    /// # Errors
    /// [`CoreError::Mcap`] / [`CoreError::Io`] if writing or syncing fails.
    pub fn finish(self) -> Result<McapStats> {
        close_mcap(self.writer)
    }
}
