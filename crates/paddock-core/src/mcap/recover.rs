//! Linear scans of MCAP files: the salvage of unfinished files (`recover`), full CRC checks
//! (`verify`), and the record stream the reader falls back to when a file has no summary.
//!
//! A scan streams the file through the crate's sans-io `LinearReader` with chunks emitted whole:
//! a chunk's records are handed on only after the whole chunk was read and its CRC matched, so a
//! chunk cut short by a crash contributes nothing. The scan stops at the first record that is
//! truncated or damaged and reports why.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use mcap::read::ChunkReader;
use mcap::records::{op, MessageHeader, Record};
use mcap::sans_io::{LinearReadEvent, LinearReader, LinearReaderOptions};
use mcap::{Attachment, McapError};

use super::corrupt;
use super::writer::{close_mcap, open_mcap, Compression, McapOptions, Sink};
use crate::error::{CoreError, Result};

/// Bytes before a record's body: the opcode and the length.
const RECORD_PREFIX: u64 = 9;
/// Bytes of the magic at the start of a file.
const MAGIC_BYTES: u64 = 8;

/// Most bytes handed to the linear reader per read, so its buffer grows only with real data.
pub(super) const READ_STEP: usize = 1 << 20;

/// How a scan ended.
#[derive(Debug, Default)]
pub(super) struct ScanEnd {
    /// The end magic was reached: the file is whole.
    pub(super) complete: bool,
    /// The data end record was reached: every message the file holds was seen.
    pub(super) data_end: bool,
    /// Chunks read whole and CRC-checked.
    pub(super) chunks: u64,
    /// The format error that stopped the scan early.
    pub(super) error: Option<McapError>,
    /// The reason the callback gave for stopping early.
    pub(super) stopped: Option<String>,
    /// Size of the file in bytes.
    pub(super) bytes: u64,
    /// Bytes from the file's start to the end of the last record read whole (and, for a chunk,
    /// CRC-checked); the whole size for a complete file.
    pub(super) valid_bytes: u64,
}

/// One `read`, retried when interrupted.
pub(super) fn read_retrying(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Streams every data-section record of `path` to `visit` (with the compression of the chunk it
/// came from, `None` outside chunks), checking chunk, data-section and summary CRCs. Summary
/// records are skipped. Format errors end the scan and are reported in [`ScanEnd::error`];
/// `visit` ends it with `Break(reason)`.
///
/// # Errors
/// [`CoreError::Io`] if the file cannot be read, or whatever `visit` returns.
pub(super) fn scan(
    path: &Path,
    mut visit: impl FnMut(Record<'_>, Option<&str>) -> Result<ControlFlow<String>>,
) -> Result<ScanEnd> {
    let mut file = File::open(path)?;
    let mut end = ScanEnd {
        bytes: file.metadata()?.len(),
        valid_bytes: MAGIC_BYTES,
        ..ScanEnd::default()
    };
    let mut reader = LinearReader::new_with_options(
        LinearReaderOptions::default()
            .with_emit_chunks(true)
            .with_validate_data_section_crc(true)
            .with_validate_summary_section_crc(true)
            .with_record_length_limit(super::RECORD_LENGTH_LIMIT),
    );
    loop {
        let event = match reader.next_event() {
            None => {
                end.complete = true;
                end.valid_bytes = end.bytes;
                return Ok(end);
            }
            Some(Err(e)) => {
                end.error = Some(e);
                return Ok(end);
            }
            Some(Ok(event)) => event,
        };
        let record_size = match &event {
            LinearReadEvent::Record { data, .. } => Some(RECORD_PREFIX + data.len() as u64),
            LinearReadEvent::ReadRequest(_) => None,
        };
        let flow = match event {
            LinearReadEvent::ReadRequest(need) => {
                let buf = reader.insert(need.clamp(1, READ_STEP));
                let got = read_retrying(&mut file, buf)?;
                reader.notify_read(got);
                ControlFlow::Continue(())
            }
            LinearReadEvent::Record {
                opcode: op::DATA_END,
                data,
            } => {
                end.data_end = true;
                end.valid_bytes += RECORD_PREFIX + data.len() as u64;
                ControlFlow::Continue(())
            }
            // Summary records repeat what the data section said.
            LinearReadEvent::Record { data, .. } if end.data_end => {
                end.valid_bytes += RECORD_PREFIX + data.len() as u64;
                ControlFlow::Continue(())
            }
            LinearReadEvent::Record { opcode, data } => match mcap::parse_record(opcode, data) {
                Err(e) => {
                    end.error = Some(e);
                    return Ok(end);
                }
                Ok(Record::Chunk { header, data }) => {
                    let compression = header.compression.clone();
                    // Collect first: the chunk's CRC is only known to match once it is all read.
                    let records = ChunkReader::new(header, &data)
                        .and_then(|chunk| chunk.collect::<Result<Vec<_>, McapError>>());
                    match records {
                        Err(e) => {
                            end.error = Some(e);
                            return Ok(end);
                        }
                        Ok(records) => {
                            end.chunks += 1;
                            let mut flow = ControlFlow::Continue(());
                            for record in records {
                                flow = visit(record, Some(&compression))?;
                                if flow.is_break() {
                                    break;
                                }
                            }
                            flow
                        }
                    }
                }
                Ok(record) => visit(record, None)?,
            },
        };
        if let Some(size) = record_size {
            end.valid_bytes += size;
        }
        if let ControlFlow::Break(reason) = flow {
            end.stopped = Some(reason);
            return Ok(end);
        }
    }
}

/// What [`recover`] salvaged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecoverStats {
    /// Messages copied.
    pub messages: u64,
    /// Channels copied.
    pub channels: u32,
    /// Schemas copied.
    pub schemas: u32,
    /// Metadata records copied.
    pub metadata: u32,
    /// Attachments copied.
    pub attachments: u32,
    /// Chunks of the input read whole with a matching CRC.
    pub chunks: u64,
    /// The input's data section was whole (its data end record was reached): nothing was lost.
    pub data_intact: bool,
    /// Why the scan stopped before the input's end magic (`None` for a finished input).
    pub stopped_by: Option<String>,
    /// Size of the input in bytes.
    pub input_bytes: u64,
    /// Size of the recovered file in bytes.
    pub output_bytes: u64,
    /// Bytes of the input read whole: from its start to the end of its last intact record (the
    /// last complete chunk of a killed writer's file).
    pub valid_bytes: u64,
    /// Bytes of the input past [`RecoverStats::valid_bytes`], lost: a chunk cut short, or
    /// damaged records and what follows them. 0 for an intact input.
    pub lost_bytes: u64,
}

/// Copies every intact message, schema, channel, metadata record and attachment of an MCAP file
/// (typically one whose writer was killed, so it has no summary or footer) into a new, finished
/// file at `path_out`, stopping cleanly at the first truncated or damaged record.
///
/// Channels and schemas may get new ids; topics, encodings, metadata, log times, sequences and
/// message bytes are kept. The output uses the input's chunk compression, profile and library.
///
/// # Errors
/// [`CoreError::InvalidArgument`] if `path_out` is `path_in`; [`CoreError::Io`] /
/// [`CoreError::Mcap`] if either file cannot be read or written. A damaged input is not an
/// error: what precedes the damage is recovered and [`RecoverStats::stopped_by`] says why.
pub fn recover(path_in: impl AsRef<Path>, path_out: impl AsRef<Path>) -> Result<RecoverStats> {
    copy_filtered(&[path_in.as_ref()], path_out.as_ref(), &mut |_, _| true)
}

/// Which messages [`subset`] keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubsetFilter {
    /// Only these topics (`None`: every topic). Channels of other topics are left out too.
    pub topics: Option<Vec<String>>,
    /// Only messages whose sequence number is at least this.
    pub start_sequence: u32,
    /// Only messages whose sequence number is at most this (`None`: no upper bound).
    pub end_sequence: Option<u32>,
    /// Only messages logged at or after this time, ns since the epoch.
    pub from_ns: Option<u64>,
    /// Only messages logged before this time, ns since the epoch.
    pub to_ns: Option<u64>,
}

impl SubsetFilter {
    fn keeps_topic(&self, topic: &str) -> bool {
        self.topics
            .as_ref()
            .is_none_or(|topics| topics.iter().any(|t| t == topic))
    }

    fn keeps(&self, topic: &str, header: &MessageHeader) -> bool {
        self.keeps_topic(topic)
            && header.sequence >= self.start_sequence
            && self.end_sequence.is_none_or(|end| header.sequence <= end)
            && self.from_ns.is_none_or(|from| header.log_time >= from)
            && self.to_ns.is_none_or(|to| header.log_time < to)
    }
}

/// Writes the messages of `inputs` (the segments of one recording, in order) that `filter` keeps
/// (with their schemas and channels, and the metadata records and attachments) into one new,
/// finished MCAP file at `path_out`. Metadata records repeated by later segments are written
/// once.
///
/// # Errors
/// [`CoreError::InvalidArgument`] if there are no inputs, `path_out` is one of them or a wanted
/// topic is in none of them; [`CoreError::Io`] (`InvalidData`) if an input is damaged;
/// [`CoreError::Io`] if a file cannot be read or written.
pub fn subset<P: AsRef<Path>>(
    inputs: &[P],
    path_out: impl AsRef<Path>,
    filter: &SubsetFilter,
) -> Result<RecoverStats> {
    let inputs: Vec<&Path> = inputs.iter().map(AsRef::as_ref).collect();
    let Some(path_in) = inputs.first().copied() else {
        return Err(CoreError::InvalidArgument(
            "no MCAP file to copy from".into(),
        ));
    };
    let path_out = path_out.as_ref();
    let mut topics = std::collections::HashSet::new();
    let stats = copy_filtered(&inputs, path_out, &mut |topic, header| {
        topics.insert(topic.to_string());
        header.map_or_else(|| filter.keeps_topic(topic), |h| filter.keeps(topic, h))
    });
    let stats = stats?;
    if let Some(reason) = &stats.stopped_by {
        let _ = std::fs::remove_file(path_out);
        return Err(corrupt(format!(
            "{} is damaged: {reason}",
            path_in.display()
        )));
    }
    if let Some(wanted) = &filter.topics {
        if let Some(missing) = wanted.iter().find(|t| !topics.contains(t.as_str())) {
            let _ = std::fs::remove_file(path_out);
            return Err(CoreError::InvalidArgument(format!(
                "{} has no topic {missing:?}",
                path_in.display()
            )));
        }
    }
    Ok(stats)
}

/// Copies the records of `inputs`, one after the other, into a new file at `path_out`: every
/// schema, metadata record (once) and attachment, the channels `keep(topic, None)` accepts and
/// the messages `keep(topic, Some(header))` accepts, stopping at the first truncated or damaged
/// record.
fn copy_filtered(
    inputs: &[&Path],
    path_out: &Path,
    keep: &mut dyn FnMut(&str, Option<&MessageHeader>) -> bool,
) -> Result<RecoverStats> {
    for path_in in inputs {
        if path_out.exists() && std::fs::canonicalize(path_in)? == std::fs::canonicalize(path_out)?
        {
            return Err(CoreError::InvalidArgument(format!(
                "cannot copy {} onto itself",
                path_in.display()
            )));
        }
    }
    let mut header = None;
    let mut writer = None;
    let mut stats = RecoverStats::default();
    let mut seen_metadata: Vec<mcap::records::Metadata> = Vec::new();
    for path_in in inputs {
        let end = copy_one(
            path_in,
            path_out,
            keep,
            &mut header,
            &mut writer,
            &mut stats,
            &mut seen_metadata,
        )?;
        stats.chunks += end.chunks;
        stats.data_intact = end.data_end;
        stats.input_bytes += end.bytes;
        stats.valid_bytes += end.valid_bytes.min(end.bytes);
        stats.stopped_by = end
            .error
            .map(|e| e.to_string())
            .or(end.stopped)
            .or_else(|| (!end.complete).then(|| "file ended early".to_string()));
        if stats.stopped_by.is_some() {
            break;
        }
    }
    let writer = match writer {
        Some(w) => w,
        None => open_mcap(path_out, &copy_options(&header, None))?,
    };
    stats.output_bytes = close_mcap(writer)?.bytes;
    stats.lost_bytes = stats.input_bytes.saturating_sub(stats.valid_bytes);
    Ok(stats)
}

/// Options of a copy: the input's chunk compression (zstd when unknown), profile and library.
fn copy_options(header: &Option<mcap::records::Header>, compression: Option<&str>) -> McapOptions {
    let mut options = McapOptions::default().with_compression(
        compression
            .map_or(Ok(Compression::Zstd), Compression::from_name)
            .unwrap_or(Compression::Zstd),
    );
    if let Some(h) = header {
        options = options.with_profile(h.profile.clone());
        if !h.library.is_empty() {
            options = options.with_library(h.library.clone());
        }
    }
    options
}

/// Copies one input of [`copy_filtered`] into `writer` (opened on the first record).
#[allow(clippy::too_many_arguments)]
fn copy_one(
    path_in: &Path,
    path_out: &Path,
    keep: &mut dyn FnMut(&str, Option<&MessageHeader>) -> bool,
    header: &mut Option<mcap::records::Header>,
    writer: &mut Option<mcap::Writer<Sink>>,
    stats: &mut RecoverStats,
    seen_metadata: &mut Vec<mcap::records::Metadata>,
) -> Result<ScanEnd> {
    let mut schemas: HashMap<u16, u16> = HashMap::new();
    let mut channels: HashMap<u16, u16> = HashMap::new();
    let mut skipped: HashMap<u16, String> = HashMap::new();
    let mut topics: HashMap<u16, String> = HashMap::new();
    let mut metadata_here = Vec::new();
    let end = scan(path_in, |record, compression| {
        if let Record::Header(h) = record {
            if header.is_none() {
                *header = Some(h);
            }
            return Ok(ControlFlow::Continue(()));
        }
        let w = match writer {
            Some(w) => w,
            None => writer.insert(open_mcap(path_out, &copy_options(header, compression))?),
        };
        match record {
            Record::Schema { header, data } => {
                let id = w.add_schema(&header.name, &header.encoding, &data)?;
                if schemas.insert(header.id, id).is_none() {
                    stats.schemas += 1;
                }
            }
            Record::Channel(channel) => {
                if !keep(&channel.topic, None) {
                    skipped.insert(channel.id, channel.topic.clone());
                    return Ok(ControlFlow::Continue(()));
                }
                let schema_id = match channel.schema_id {
                    0 => 0,
                    old => match schemas.get(&old) {
                        Some(id) => *id,
                        None => {
                            return Ok(ControlFlow::Break(format!(
                                "channel {} names unknown schema {old}",
                                channel.id
                            )))
                        }
                    },
                };
                let id = w.add_channel(
                    schema_id,
                    &channel.topic,
                    &channel.message_encoding,
                    &channel.metadata,
                )?;
                if channels.insert(channel.id, id).is_none() {
                    stats.channels += 1;
                }
                topics.insert(channel.id, channel.topic.clone());
            }
            Record::Message { header, data } => {
                if skipped.contains_key(&header.channel_id) {
                    return Ok(ControlFlow::Continue(()));
                }
                let topic = topics.get(&header.channel_id).map_or("", String::as_str);
                if channels.contains_key(&header.channel_id) && !keep(topic, Some(&header)) {
                    return Ok(ControlFlow::Continue(()));
                }
                let Some(channel_id) = channels.get(&header.channel_id) else {
                    return Ok(ControlFlow::Break(format!(
                        "message {} is on unknown channel {}",
                        header.sequence, header.channel_id
                    )));
                };
                w.write_to_known_channel(
                    &MessageHeader {
                        channel_id: *channel_id,
                        ..header
                    },
                    &data,
                )?;
                stats.messages += 1;
            }
            Record::Metadata(metadata) => {
                if !seen_metadata.contains(&metadata) {
                    w.write_metadata(&metadata)?;
                    stats.metadata += 1;
                }
                metadata_here.push(metadata);
            }
            Record::Attachment { header, data, .. } => {
                w.attach(&Attachment {
                    log_time: header.log_time,
                    create_time: header.create_time,
                    name: header.name,
                    media_type: header.media_type,
                    data,
                })?;
                stats.attachments += 1;
            }
            _ => {}
        }
        Ok(ControlFlow::Continue(()))
    })?;
    seen_metadata.extend(metadata_here);
    Ok(end)
}

/// What [`verify`] checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VerifyStats {
    /// Messages read.
    pub messages: u64,
    /// Chunks read, each with a matching CRC.
    pub chunks: u64,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// Reads a whole MCAP file, checking its structure, every chunk CRC, the data-section CRC and
/// the summary CRC.
///
/// # Errors
/// [`CoreError::Mcap`] with the first problem found (a CRC mismatch, a truncated record, a
/// missing end magic); [`CoreError::Io`] if the file cannot be read.
pub fn verify(path: impl AsRef<Path>) -> Result<VerifyStats> {
    let mut messages = 0;
    let end = scan(path.as_ref(), |record, _| {
        if matches!(record, Record::Message { .. }) {
            messages += 1;
        }
        Ok(ControlFlow::Continue(()))
    })?;
    if let Some(e) = end.error {
        return Err(e.into());
    }
    Ok(VerifyStats {
        messages,
        chunks: end.chunks,
        bytes: end.bytes,
    })
}
