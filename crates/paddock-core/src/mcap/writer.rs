//! `McapWriter`: frame batches and raw datagrams into one chunked, compressed, indexed MCAP file.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;
use mcap::records::{MessageHeader, Metadata};
use mcap::Attachment;

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
    /// Start a new segment once the current one holds this many bytes (default: never).
    pub rotate_bytes: Option<u64>,
    /// Start a new segment once the current one spans this many nanoseconds of log time
    /// (default: never).
    pub rotate_ns: Option<u64>,
}

impl Default for McapOptions {
    fn default() -> Self {
        Self {
            compression: Compression::Zstd,
            chunk_size: mcap::WriteOptions::DEFAULT_CHUNK_SIZE,
            profile: String::new(),
            library: concat!("paddock ", env!("CARGO_PKG_VERSION")).to_string(),
            rotate_bytes: None,
            rotate_ns: None,
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

    /// Rotates to a new segment once the current one holds `bytes` bytes (`None`: never).
    #[must_use]
    pub fn with_rotate_bytes(mut self, bytes: Option<u64>) -> Self {
        self.rotate_bytes = bytes;
        self
    }

    /// Rotates to a new segment once the current one spans `ns` nanoseconds of message log
    /// time (`None`: never).
    #[must_use]
    pub fn with_rotate_ns(mut self, ns: Option<u64>) -> Self {
        self.rotate_ns = ns;
        self
    }

    /// Whether the writer rotates (and so names its files as numbered segments).
    #[must_use]
    pub fn rotates(&self) -> bool {
        self.rotate_bytes.is_some() || self.rotate_ns.is_some()
    }
}

/// The path of segment `index` of a rotating writer created at `base`: `session.mcap` gives
/// `session-00000.mcap`, `session-00001.mcap`, …
#[must_use]
pub fn segment_path(base: &Path, index: u32) -> PathBuf {
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match base.extension() {
        Some(ext) => format!("{stem}-{index:05}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{index:05}"),
    };
    base.with_file_name(name)
}

/// The file under an MCAP writer: counts the bytes written so far (the file's size, buffered
/// bytes included), so a writer knows when to rotate.
pub(super) struct Sink {
    inner: BufWriter<File>,
    pos: u64,
    len: Arc<AtomicU64>,
}

impl Sink {
    fn new(file: File) -> Self {
        Self {
            inner: BufWriter::with_capacity(FILE_BUFFER_BYTES, file),
            pos: 0,
            len: Arc::new(AtomicU64::new(0)),
        }
    }

    fn grew_to(&self, pos: u64) {
        self.len.fetch_max(pos, Ordering::Relaxed);
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        self.grew_to(self.pos);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Seek for Sink {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        self.grew_to(self.pos);
        Ok(self.pos)
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
    /// Attachments written.
    pub attachments: u32,
    /// File size in bytes (all segments of a rotating writer).
    pub bytes: u64,
    /// Files written (1 unless the writer rotates).
    pub segments: u32,
}

impl McapStats {
    /// Adds a later segment's statistics to these.
    fn absorb(&mut self, later: &Self) {
        if later.messages > 0 {
            if self.messages == 0 {
                self.start_ns = later.start_ns;
            }
            self.start_ns = self.start_ns.min(later.start_ns);
            self.end_ns = self.end_ns.max(later.end_ns);
        }
        self.messages += later.messages;
        self.channels = self.channels.max(later.channels);
        self.schemas = self.schemas.max(later.schemas);
        self.chunks += later.chunks;
        self.metadata += later.metadata;
        self.attachments += later.attachments;
        self.bytes += later.bytes;
        self.segments += later.segments;
    }
}

/// Opens `path` fresh (truncating it) as an MCAP writer with `options`.
pub(super) fn open_mcap(path: &Path, options: &McapOptions) -> Result<mcap::Writer<Sink>> {
    Ok(open_counted(path, options)?.0)
}

/// Opens `path` as [`open_mcap`] does; also returns the counter of the bytes in the file.
fn open_counted(
    path: &Path,
    options: &McapOptions,
) -> Result<(mcap::Writer<Sink>, Arc<AtomicU64>)> {
    let file = File::create(path)?;
    let mcap_options = mcap::WriteOptions::new()
        .compression(options.compression.to_mcap())
        .chunk_size(Some(options.chunk_size))
        .profile(options.profile.clone())
        .library(options.library.clone())
        // Compress on the calling thread: several writers share a small machine, and a 1 MiB
        // chunk gains little from zstd's worker threads.
        .compression_threads(0);
    let sink = Sink::new(file);
    let len = sink.len.clone();
    Ok((mcap_options.create(sink)?, len))
}

/// Writes the summary and footer, flushes and syncs the file, and returns what it holds.
pub(super) fn close_mcap(mut writer: mcap::Writer<Sink>) -> Result<McapStats> {
    let summary = writer.finish()?;
    let file = writer
        .into_inner()
        .inner
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
        attachments: stats.attachment_count,
        start_ns: stats.message_start_time,
        end_ns: stats.message_end_time,
        bytes,
        segments: 1,
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

/// Writes frames and raw datagrams into a new MCAP file, or a series of segment files when the
/// options ask for rotation.
///
/// Call [`McapWriter::finish`] to write the summary and learn of errors. A writer dropped
/// without `finish` still finishes the file (ignoring errors); a process killed mid-write leaves
/// a file [`super::recover`] salvages up to its last complete chunk.
///
/// With [`McapOptions::rotate_bytes`] or [`McapOptions::rotate_ns`] set, the writer writes
/// segments named by [`segment_path`] (`session-00000.mcap`, `session-00001.mcap`, …), each a
/// complete MCAP file with its own schemas, channels and summary; every metadata record written
/// so far is repeated at the start of each new segment. Rotation happens between batches: a
/// batch never spans two segments.
pub struct McapWriter {
    writer: mcap::Writer<Sink>,
    len: Arc<AtomicU64>,
    options: McapOptions,
    base: PathBuf,
    path: PathBuf,
    segment: u32,
    /// Log time of the current segment's first message.
    segment_start: Option<u64>,
    /// Statistics of the segments already finished.
    done: Option<McapStats>,
    /// Metadata records written so far, repeated in each new segment.
    metadata: Vec<Metadata>,
    frames: HashMap<String, Vec<FrameChannel>>,
    raw: HashMap<(String, String), RawChannel>,
    /// Next sequence number per frame topic and per raw (topic, protocol), carried over from
    /// the previous segment so sequences keep counting across rotation.
    carried: HashMap<(String, Option<String>), u32>,
    buf: Vec<u8>,
    messages: u64,
}

impl McapWriter {
    /// Creates (or truncates) `path` (segment 0 of `path` when rotating) and writes the MCAP
    /// header.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a rotation size or duration of 0; [`CoreError::Io`]
    /// if the file cannot be created, [`CoreError::Mcap`] if the header cannot be written.
    pub fn create(path: impl AsRef<Path>, options: McapOptions) -> Result<Self> {
        if options.rotate_bytes == Some(0) || options.rotate_ns == Some(0) {
            return Err(CoreError::InvalidArgument(
                "rotation size and duration must be positive".into(),
            ));
        }
        let base = path.as_ref().to_path_buf();
        let path = if options.rotates() {
            segment_path(&base, 0)
        } else {
            base.clone()
        };
        let (writer, len) = open_counted(&path, &options)?;
        Ok(Self {
            writer,
            len,
            options,
            base,
            path,
            segment: 0,
            segment_start: None,
            done: None,
            metadata: Vec::new(),
            frames: HashMap::new(),
            raw: HashMap::new(),
            carried: HashMap::new(),
            buf: Vec::with_capacity(4096),
            messages: 0,
        })
    }

    /// The file being written (the current segment when rotating).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Index of the segment being written (0 without rotation).
    #[must_use]
    pub fn segment(&self) -> u32 {
        self.segment
    }

    /// Messages written so far, all segments.
    #[must_use]
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Finishes the current segment and opens the next when the current one is full (by size)
    /// or long enough (by log time, a batch starting at `next_time` would pass the duration).
    fn rotate_if_due(&mut self, next_time: Option<u64>) -> Result<()> {
        let Some(start) = self.segment_start else {
            return Ok(());
        };
        let full = self
            .options
            .rotate_bytes
            .is_some_and(|max| self.len.load(Ordering::Relaxed) >= max);
        let long = match (self.options.rotate_ns, next_time) {
            (Some(max), Some(t)) => t.saturating_sub(start) >= max,
            _ => false,
        };
        if !(full || long) {
            return Ok(());
        }
        let index = self
            .segment
            .checked_add(1)
            .ok_or_else(|| CoreError::InvalidArgument("too many segments".into()))?;
        let next = segment_path(&self.base, index);
        let (writer, len) = open_counted(&next, &self.options)?;
        let old = std::mem::replace(&mut self.writer, writer);
        self.len = len;
        let stats = close_mcap(old)?;
        match &mut self.done {
            Some(done) => done.absorb(&stats),
            None => self.done = Some(stats),
        }
        self.segment = index;
        self.path = next;
        self.segment_start = None;
        for (topic, channels) in self.frames.drain() {
            if let Some(next) = channels.iter().map(|c| c.sequence).max() {
                self.carried.insert((topic, None), next);
            }
        }
        for ((topic, protocol), channel) in self.raw.drain() {
            self.carried
                .insert((topic, Some(protocol)), channel.sequence);
        }
        for record in &self.metadata {
            self.writer.write_metadata(record)?;
        }
        Ok(())
    }

    /// Records that the current segment now holds a message logged at `time`.
    fn note_time(&mut self, time: Option<u64>) {
        if self.segment_start.is_none() {
            self.segment_start = time;
        }
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
            sequence: self.carried.remove(&(topic.to_string(), None)).unwrap_or(0),
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
        let first = (!ts.is_empty()).then(|| log_time(ts.value(0)));
        self.rotate_if_due(first)?;
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
        self.note_time(first);
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
        let first = ts.values().first().map(|t| log_time(*t));
        self.rotate_if_due(first)?;
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
                let sequence = self
                    .carried
                    .remove(&(key.0.clone(), Some(key.1.clone())))
                    .unwrap_or(0);
                self.raw.entry(key).or_insert(RawChannel {
                    channel_id,
                    sequence,
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
        self.note_time(first);
        Ok(ts.len())
    }

    /// Writes a metadata record (recording name, game, track, car, `started_at` …). It closes
    /// the current chunk, so write metadata at the start or the end of a recording. A rotating
    /// writer repeats it at the start of every later segment.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an empty name; [`CoreError::Mcap`] if writing fails.
    pub fn add_metadata(&mut self, name: &str, metadata: BTreeMap<String, String>) -> Result<()> {
        if name.is_empty() {
            return Err(CoreError::InvalidArgument("metadata name is empty".into()));
        }
        let record = Metadata {
            name: name.to_string(),
            metadata,
        };
        self.writer.write_metadata(&record)?;
        self.metadata.push(record);
        Ok(())
    }

    /// Writes an attachment record (a setup sheet, a track map, a config file) into the current
    /// segment, indexed in its summary. Like metadata, it closes the current chunk. Times are ns
    /// since the epoch.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for an empty name or media type; [`CoreError::Mcap`] if
    /// writing fails.
    pub fn add_attachment(
        &mut self,
        name: &str,
        media_type: &str,
        log_time: u64,
        create_time: u64,
        data: &[u8],
    ) -> Result<()> {
        if name.is_empty() || media_type.is_empty() {
            return Err(CoreError::InvalidArgument(
                "attachment name and media type must not be empty".into(),
            ));
        }
        self.writer.attach(&Attachment {
            log_time,
            create_time,
            name: name.to_string(),
            media_type: media_type.to_string(),
            data: std::borrow::Cow::Borrowed(data),
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

    /// Writes the last chunk, the summary (schemas, channels, statistics, chunk, metadata and
    /// attachment indexes), the footer with its CRCs, syncs the file and returns what it holds
    /// (summed over every segment of a rotating writer).
    ///
    /// # Errors
    /// [`CoreError::Mcap`] / [`CoreError::Io`] if writing or syncing fails.
    pub fn finish(self) -> Result<McapStats> {
        let last = close_mcap(self.writer)?;
        Ok(match self.done {
            Some(mut done) => {
                done.absorb(&last);
                done
            }
            None => last,
        })
    }
}
