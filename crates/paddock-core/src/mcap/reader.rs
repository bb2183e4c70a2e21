//! `McapReader`: frames and raw datagrams back out of an MCAP file as Arrow batches, filtered by
//! topic and time.
//!
//! A finished file is read through its summary: the summary section is checked against the
//! footer's CRC, only the chunks whose time range and channels match are loaded, and each chunk's
//! CRC is checked as it is decompressed. A file without a summary (still being written, or left
//! by a killed writer) is scanned linearly instead, up to its first truncated record.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{new_null_array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use mcap::read::ChunkReader;
use mcap::records::{op, ChunkIndex, Record};

mod summary;

use summary::{read_footer, read_record_at, read_summary, ChannelDef, Defs, SummaryDef};

use super::corrupt;
use super::json::{schema_from_json, RowDecoder};
use super::raw::RawBatchBuilder;
use super::recover::scan;
use crate::error::{CoreError, Result};

/// One channel of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInfo {
    /// Channel id in the file.
    pub id: u16,
    /// Topic (`/pcars2/frames`).
    pub topic: String,
    /// `frames`, `raw` or `other`.
    pub kind: &'static str,
    /// Message encoding (`json`, `application/octet-stream`).
    pub message_encoding: String,
    /// Schema name, if the channel has a schema.
    pub schema_name: Option<String>,
    /// Channel metadata (`protocol`, `framing` for raw channels).
    pub metadata: BTreeMap<String, String>,
    /// Messages on the channel.
    pub message_count: u64,
}

/// One metadata record of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataEntry {
    /// Record name (`recording`).
    pub name: String,
    /// Its key-value pairs.
    pub metadata: BTreeMap<String, String>,
}

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McapInfo {
    /// The file has a footer (its writer finished).
    pub finished: bool,
    /// Messages, all channels.
    pub message_count: u64,
    /// Earliest message log time, ns since the epoch (0 without messages).
    pub start_ns: u64,
    /// Latest message log time, ns since the epoch (0 without messages).
    pub end_ns: u64,
    /// Channels in id order.
    pub channels: Vec<ChannelInfo>,
    /// Metadata records in file order.
    pub metadata: Vec<MetadataEntry>,
}

/// Which messages a read wants.
struct Query<'a> {
    channels: &'a dyn Fn(&ChannelDef) -> bool,
    from_ns: Option<i64>,
    to_ns: Option<i64>,
}

impl Query<'_> {
    /// Whether a message logged at `log_time` can be in range. Log time is `max(ts_ns, 0)`.
    fn may_hold(&self, log_time: u64) -> bool {
        let ts = i64::try_from(log_time).unwrap_or(i64::MAX);
        let after_start = self.from_ns.is_none_or(|from| ts >= from || log_time == 0);
        let before_end = self.to_ns.is_none_or(|to| ts < to || log_time == 0);
        after_start && before_end
    }

    /// Whether a chunk spanning `[start, end]` in log time can hold wanted messages.
    fn overlaps(&self, start: u64, end: u64) -> bool {
        let from = self.from_ns.map_or(0, |f| u64::try_from(f).unwrap_or(0));
        let to = self
            .to_ns
            .map_or(u64::MAX, |t| u64::try_from(t).unwrap_or(0));
        end >= from && (start < to || start == 0)
    }
}

/// Reads recordings back as Arrow batches.
#[derive(Debug)]
pub struct McapReader {
    path: PathBuf,
    summary: Option<SummaryDef>,
    finished: bool,
}

impl McapReader {
    /// Opens `path`, reading and CRC-checking its summary if it has one.
    ///
    /// # Errors
    /// [`CoreError::Io`] if the file cannot be read or does not start with the MCAP magic;
    /// [`CoreError::Mcap`] if its summary is damaged (a CRC mismatch, a bad record).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut file = File::open(&path)?;
        let size = file.metadata()?.len();
        let mut magic = [0_u8; 8];
        match file.read_exact(&mut magic) {
            Ok(()) if magic == mcap::MAGIC => {}
            Err(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => return Err(e.into()),
            _ => return Err(corrupt(format!("{} is not an MCAP file", path.display()))),
        }
        let footer = read_footer(&mut file, size)?;
        let summary = match &footer {
            Some(f) if f.summary_start != 0 => Some(read_summary(&mut file, f.summary_start)?),
            _ => None,
        };
        // Messages outside chunks are not indexed, and a summary may leave channels or schemas
        // out: scan such files linearly.
        let summary = summary.filter(|s| {
            s.is_complete()
                && (!s.chunk_indexes.is_empty()
                    || s.stats.as_ref().is_some_and(|st| st.message_count == 0))
        });
        Ok(Self {
            path,
            summary,
            finished: footer.is_some(),
        })
    }

    /// Whether the file has a footer (its writer finished it).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Channels, message counts, time range and metadata records.
    ///
    /// # Errors
    /// [`CoreError::Io`] / [`CoreError::Mcap`] if the file cannot be read.
    pub fn info(&self) -> Result<McapInfo> {
        // Without statistics the summary cannot say how many messages there are, and without a
        // metadata index for each metadata record it cannot find them: read the file instead.
        let Some((summary, stats)) = self
            .summary
            .as_ref()
            .and_then(|s| s.stats.clone().map(|st| (s, st)))
            .filter(|(s, st)| s.metadata_indexes.len() as u64 == u64::from(st.metadata_count))
        else {
            return self.info_by_scan();
        };
        let mut file = File::open(&self.path)?;
        let mut metadata = Vec::with_capacity(summary.metadata_indexes.len());
        for index in &summary.metadata_indexes {
            let body = read_record_at(&mut file, index.offset, index.length, op::METADATA)?;
            if let Record::Metadata(m) = mcap::parse_record(op::METADATA, &body)? {
                metadata.push(MetadataEntry {
                    name: m.name,
                    metadata: m.metadata,
                });
            }
        }
        let channels = summary
            .channels
            .iter()
            .map(|(id, c)| channel_info(*id, c, stats.channel_message_counts.get(id)))
            .collect();
        Ok(McapInfo {
            finished: self.finished,
            message_count: stats.message_count,
            start_ns: stats.message_start_time,
            end_ns: stats.message_end_time,
            channels,
            metadata,
        })
    }

    fn info_by_scan(&self) -> Result<McapInfo> {
        let mut defs = Defs::default();
        let mut counts: BTreeMap<u16, u64> = BTreeMap::new();
        let mut metadata = Vec::new();
        let mut bounds: Option<(u64, u64)> = None;
        scan(&self.path, |record, _| {
            match record {
                Record::Metadata(m) => metadata.push(MetadataEntry {
                    name: m.name,
                    metadata: m.metadata,
                }),
                Record::Message { header, .. } => {
                    *counts.entry(header.channel_id).or_default() += 1;
                    let t = header.log_time;
                    bounds = Some(bounds.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
                }
                other => return defs.learn(other),
            }
            Ok(ControlFlow::Continue(()))
        })?;
        let (start_ns, end_ns) = bounds.unwrap_or_default();
        Ok(McapInfo {
            finished: self.finished,
            message_count: counts.values().sum(),
            start_ns,
            end_ns,
            channels: defs
                .channels
                .iter()
                .map(|(id, c)| channel_info(*id, c, counts.get(id)))
                .collect(),
            metadata,
        })
    }

    /// Calls `visit` for every message the query wants, in file order; returns every channel
    /// the query selects, with or without messages.
    fn for_each_message(
        &self,
        query: &Query<'_>,
        mut visit: impl FnMut(u16, &ChannelDef, u64, &[u8]) -> Result<()>,
    ) -> Result<Vec<(u16, ChannelDef)>> {
        let Some(summary) = &self.summary else {
            let mut defs = Defs::default();
            scan(&self.path, |record, _| match record {
                Record::Message { header, data } => {
                    if let Some(c) = defs.channels.get(&header.channel_id) {
                        if (query.channels)(c) && query.may_hold(header.log_time) {
                            visit(header.channel_id, c, header.log_time, &data)?;
                        }
                    }
                    Ok(ControlFlow::Continue(()))
                }
                other => defs.learn(other),
            })?;
            return Ok(defs
                .channels
                .into_iter()
                .filter(|(_, c)| (query.channels)(c))
                .collect());
        };
        let selected: Vec<(u16, ChannelDef)> = summary
            .channels
            .iter()
            .filter(|(_, c)| (query.channels)(c))
            .map(|(id, c)| (*id, c.clone()))
            .collect();
        let wanted = |id: &u16| selected.iter().any(|(s, _)| s == id);
        let mut chunks: Vec<&ChunkIndex> = summary
            .chunk_indexes
            .iter()
            .filter(|c| query.overlaps(c.message_start_time, c.message_end_time))
            .filter(|c| {
                c.message_index_offsets.is_empty() || c.message_index_offsets.keys().any(wanted)
            })
            .collect();
        chunks.sort_by_key(|c| c.chunk_start_offset);
        let mut file = File::open(&self.path)?;
        for index in chunks {
            let body = read_record_at(
                &mut file,
                index.chunk_start_offset,
                index.chunk_length,
                op::CHUNK,
            )?;
            let Record::Chunk { header, data } = mcap::parse_record(op::CHUNK, &body)? else {
                return Err(corrupt(format!(
                    "no chunk at offset {}",
                    index.chunk_start_offset
                )));
            };
            for record in ChunkReader::new(header, &data)? {
                if let Record::Message { header, data } = record? {
                    let Some(c) = summary.channels.get(&header.channel_id) else {
                        continue;
                    };
                    if wanted(&header.channel_id) && query.may_hold(header.log_time) {
                        visit(header.channel_id, c, header.log_time, &data)?;
                    }
                }
            }
        }
        Ok(selected)
    }

    /// Frame rows with `from_ns <= ts_ns < to_ns` (either bound optional): one batch per frame
    /// topic (all of them, or only `topic`), in the order the topics were first written, with
    /// the Arrow schema rebuilt from the file's JSON Schema. A topic written with several schemas
    /// comes back as one batch over the union of their columns (integer columns that met a float
    /// one become Float64, missing values null).
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] if `topic` names no frame topic of the file;
    /// [`CoreError::Io`] (`InvalidData`) if a schema or message does not decode;
    /// [`CoreError::Mcap`] on a chunk CRC mismatch or a damaged record.
    pub fn read_frames(
        &self,
        topic: Option<&str>,
        from_ns: Option<i64>,
        to_ns: Option<i64>,
    ) -> Result<Vec<RecordBatch>> {
        let select = |c: &ChannelDef| c.kind() == "frames" && topic.is_none_or(|t| c.topic == t);
        let query = Query {
            channels: &select,
            from_ns,
            to_ns,
        };
        let mut decoders: BTreeMap<u16, RowDecoder> = BTreeMap::new();
        let selected = self.for_each_message(&query, |id, c, _, data| {
            let decoder = match decoders.entry(id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(new_decoder(id, c)?),
            };
            let row = decoder.rows();
            decoder
                .push(data, from_ns, to_ns)
                .map(|_| ())
                .map_err(|e| corrupt(format!("topic {:?} frame {row}: {e}", c.topic)))
        })?;
        if selected.is_empty() {
            if let Some(t) = topic {
                return Err(self.missing_topic(t, "frames"));
            }
        }
        let mut topics: Vec<(&str, Vec<RecordBatch>)> = Vec::new();
        for (id, c) in &selected {
            let batch = match decoders.remove(id) {
                Some(decoder) => decoder.finish()?,
                None => new_decoder(*id, c)?.finish()?,
            };
            match topics.iter_mut().find(|(t, _)| *t == c.topic) {
                Some((_, parts)) => parts.push(batch),
                None => topics.push((&c.topic, vec![batch])),
            }
        }
        topics
            .into_iter()
            .map(|(_, parts)| merge_parts(parts))
            .collect()
    }

    /// The datagrams of raw topic `topic` with `from_ns <= ts_ns < to_ns` (either bound
    /// optional) as one `ts_ns: Int64, payload: Binary` batch in file order. `ts_ns` is the
    /// message log time (negative times were written as 0).
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] if `topic` names no raw topic of the file or the payloads
    /// pass 2 GiB; [`CoreError::Mcap`] on a chunk CRC mismatch or a damaged record.
    pub fn read_raw(
        &self,
        topic: &str,
        from_ns: Option<i64>,
        to_ns: Option<i64>,
    ) -> Result<RecordBatch> {
        let select = |c: &ChannelDef| c.kind() == "raw" && c.topic == topic;
        let query = Query {
            channels: &select,
            from_ns,
            to_ns,
        };
        let mut rows = RawBatchBuilder::new();
        let selected = self.for_each_message(&query, |_, _, log_time, data| {
            let ts = i64::try_from(log_time).unwrap_or(i64::MAX);
            if from_ns.is_some_and(|f| ts < f) || to_ns.is_some_and(|t| ts >= t) {
                return Ok(());
            }
            rows.push(ts, data)
        })?;
        if selected.is_empty() {
            return Err(self.missing_topic(topic, "raw"));
        }
        rows.finish()
    }

    fn missing_topic(&self, topic: &str, kind: &str) -> CoreError {
        let topics = self
            .info()
            .map(|i| {
                i.channels
                    .into_iter()
                    .map(|c| format!("{} ({})", c.topic, c.kind))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        CoreError::InvalidArgument(format!(
            "{} has no {kind} topic {topic:?}; its topics: [{}]",
            self.path.display(),
            topics.join(", ")
        ))
    }
}

/// A decoder for frame channel `id`, its Arrow schema rebuilt from the channel's JSON Schema.
fn new_decoder(id: u16, c: &ChannelDef) -> Result<RowDecoder> {
    let data = c
        .schema
        .as_ref()
        .map(|s| s.data.as_slice())
        .unwrap_or_default();
    let schema = schema_from_json(data)
        .map_err(|e| corrupt(format!("topic {:?} channel {id}: {e}", c.topic)))?;
    Ok(RowDecoder::new(schema))
}

fn channel_info(id: u16, c: &ChannelDef, count: Option<&u64>) -> ChannelInfo {
    ChannelInfo {
        id,
        topic: c.topic.clone(),
        kind: c.kind(),
        message_encoding: c.message_encoding.clone(),
        schema_name: c.schema.as_ref().map(|s| s.name.clone()),
        metadata: c.metadata.clone(),
        message_count: count.copied().unwrap_or(0),
    }
}

/// `array` as Float64 (Int32 and Int64 convert; anything else is returned as is).
#[allow(clippy::cast_precision_loss)]
fn to_f64(array: &ArrayRef) -> ArrayRef {
    if let Some(a) = array.as_primitive_opt::<Int32Type>() {
        Arc::new(a.unary::<_, Float64Type>(f64::from))
    } else if let Some(a) = array.as_primitive_opt::<Int64Type>() {
        Arc::new(a.unary::<_, Float64Type>(|v| v as f64))
    } else {
        array.clone()
    }
}

/// One batch from the batches of one topic's channels, over the union of their columns.
fn merge_parts(mut parts: Vec<RecordBatch>) -> Result<RecordBatch> {
    if parts.len() == 1 {
        if let Some(only) = parts.pop() {
            return Ok(only);
        }
    }
    let mut fields: Vec<Field> = Vec::new();
    for part in &parts {
        for field in part.schema().fields() {
            match fields.iter_mut().find(|f| f.name() == field.name()) {
                Some(f) => {
                    if f.data_type() != field.data_type() {
                        *f = f.clone().with_data_type(DataType::Float64);
                    }
                    if field.is_nullable() {
                        f.set_nullable(true);
                    }
                }
                None => fields.push(field.as_ref().clone()),
            }
        }
    }
    for f in &mut fields {
        if parts
            .iter()
            .any(|p| p.schema().field_with_name(f.name()).is_err())
        {
            f.set_nullable(true);
        }
    }
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let aligned = parts
        .iter()
        .map(|part| {
            let columns = schema
                .fields()
                .iter()
                .map(|f| match part.column_by_name(f.name()) {
                    Some(c) if c.data_type() == f.data_type() => c.clone(),
                    Some(c) => to_f64(c),
                    None => new_null_array(f.data_type(), part.num_rows()),
                })
                .collect();
            RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(part.num_rows())),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(arrow_select::concat::concat_batches(&schema, &aligned)?)
}

/// Frame batches of `path` (see [`McapReader::read_frames`]).
///
/// # Errors
/// As [`McapReader::open`] and [`McapReader::read_frames`].
pub fn read_frames(
    path: impl AsRef<Path>,
    topic: Option<&str>,
    from_ns: Option<i64>,
    to_ns: Option<i64>,
) -> Result<Vec<RecordBatch>> {
    McapReader::open(path)?.read_frames(topic, from_ns, to_ns)
}

/// Every datagram of raw topic `topic` of `path` (see [`McapReader::read_raw`]).
///
/// # Errors
/// As [`McapReader::open`] and [`McapReader::read_raw`].
pub fn read_raw(path: impl AsRef<Path>, topic: &str) -> Result<RecordBatch> {
    McapReader::open(path)?.read_raw(topic, None, None)
}
