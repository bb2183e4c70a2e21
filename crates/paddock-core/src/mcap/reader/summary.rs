//! What the reader knows of a file before reading messages: the footer, the summary section
//! (checked against the footer's CRC), and the schemas and channels learnt while scanning a file
//! that has no summary.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::ControlFlow;

use mcap::records::{op, ChunkIndex, MetadataIndex, Record, Statistics};
use mcap::sans_io::{LinearReadEvent, LinearReader, LinearReaderOptions};

use crate::error::Result;
use crate::mcap::corrupt;
use crate::mcap::recover::{read_retrying, READ_STEP};

/// Footer record (opcode, length, 20-byte body) plus the end magic.
const FOOTER_AND_MAGIC: u64 = 1 + 8 + 20 + 8;
/// A data end record: opcode, length, 4-byte CRC.
const DATA_END_BYTES: u64 = 1 + 8 + 4;

/// A channel and its schema as the file describes them.
#[derive(Debug, Clone)]
pub(super) struct ChannelDef {
    pub(super) topic: String,
    pub(super) message_encoding: String,
    pub(super) metadata: BTreeMap<String, String>,
    pub(super) schema: Option<SchemaDef>,
}

#[derive(Debug, Clone)]
pub(super) struct SchemaDef {
    pub(super) name: String,
    pub(super) encoding: String,
    pub(super) data: Vec<u8>,
}

impl ChannelDef {
    pub(super) fn kind(&self) -> &'static str {
        match &self.schema {
            Some(s)
                if s.name == crate::mcap::FRAME_SCHEMA_NAME
                    && s.encoding == crate::mcap::FRAME_SCHEMA_ENCODING
                    && self.message_encoding == crate::mcap::FRAME_MESSAGE_ENCODING =>
            {
                "frames"
            }
            None if self.message_encoding == crate::mcap::RAW_MESSAGE_ENCODING => "raw",
            _ => "other",
        }
    }
}

/// The summary section, as far as the reader needs it.
#[derive(Debug, Default)]
pub(super) struct SummaryDef {
    pub(super) channels: BTreeMap<u16, ChannelDef>,
    pub(super) chunk_indexes: Vec<ChunkIndex>,
    pub(super) metadata_indexes: Vec<MetadataIndex>,
    pub(super) stats: Option<Statistics>,
    /// A summary channel named a schema the summary does not repeat.
    pub(super) missing_schema: bool,
}

impl SummaryDef {
    /// Whether the summary describes every channel the file's messages are on (writers may
    /// leave schemas and channels out of it; the reader then scans the data section instead).
    pub(super) fn is_complete(&self) -> bool {
        let known = |id: &u16| self.channels.contains_key(id);
        !self.missing_schema
            && self
                .stats
                .as_ref()
                .is_none_or(|s| s.channel_message_counts.keys().all(known))
            && self
                .chunk_indexes
                .iter()
                .all(|c| c.message_index_offsets.keys().all(known))
    }
}

/// Reads the footer; `None` when the file has no end magic or footer (it is unfinished).
pub(super) fn read_footer(file: &mut File, size: u64) -> Result<Option<mcap::records::Footer>> {
    if size < mcap::MAGIC.len() as u64 + FOOTER_AND_MAGIC {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(size - FOOTER_AND_MAGIC))?;
    let mut tail = [0_u8; FOOTER_AND_MAGIC as usize];
    file.read_exact(&mut tail)?;
    let (record, magic) = tail.split_at(tail.len() - mcap::MAGIC.len());
    let Some((&opcode, rest)) = record.split_first() else {
        return Ok(None);
    };
    if magic != mcap::MAGIC || opcode != op::FOOTER {
        return Ok(None);
    }
    match mcap::parse_record(op::FOOTER, rest.get(8..).unwrap_or_default())? {
        Record::Footer(footer) => Ok(Some(footer)),
        _ => Ok(None),
    }
}

/// Reads the summary section starting at `summary_start`, checking it against the footer's CRC
/// (through the crate's linear reader, fed from the data end record that precedes it).
pub(super) fn read_summary(file: &mut File, summary_start: u64) -> Result<SummaryDef> {
    let mut start = summary_start;
    let mut options = LinearReaderOptions::default()
        .with_skip_start_magic(true)
        .with_record_length_limit(crate::mcap::RECORD_LENGTH_LIMIT);
    if let Some(data_end) = summary_start.checked_sub(DATA_END_BYTES) {
        file.seek(SeekFrom::Start(data_end))?;
        let mut head = [0_u8; 9];
        file.read_exact(&mut head)?;
        if head == [op::DATA_END, 4, 0, 0, 0, 0, 0, 0, 0] {
            start = data_end;
            options = options.with_validate_summary_section_crc(true);
        }
    }
    file.seek(SeekFrom::Start(start))?;
    let mut reader = LinearReader::new_with_options(options);
    let mut schemas: HashMap<u16, SchemaDef> = HashMap::new();
    let mut summary = SummaryDef::default();
    while let Some(event) = reader.next_event() {
        let (opcode, data) = match event? {
            LinearReadEvent::ReadRequest(need) => {
                let got = read_retrying(file, reader.insert(need.clamp(1, READ_STEP)))?;
                reader.notify_read(got);
                continue;
            }
            LinearReadEvent::Record { opcode, data } => (opcode, data),
        };
        match mcap::parse_record(opcode, data)? {
            Record::Schema { header, data } => {
                let def = SchemaDef {
                    name: header.name,
                    encoding: header.encoding,
                    data: data.into_owned(),
                };
                schemas.insert(header.id, def);
            }
            Record::Channel(c) => {
                let schema = match c.schema_id {
                    0 => None,
                    id => match schemas.get(&id) {
                        Some(schema) => Some(schema.clone()),
                        None => {
                            summary.missing_schema = true;
                            continue;
                        }
                    },
                };
                summary.channels.insert(
                    c.id,
                    ChannelDef {
                        topic: c.topic,
                        message_encoding: c.message_encoding,
                        metadata: c.metadata,
                        schema,
                    },
                );
            }
            Record::ChunkIndex(index) => summary.chunk_indexes.push(index),
            Record::MetadataIndex(index) => summary.metadata_indexes.push(index),
            Record::Statistics(stats) => summary.stats = Some(stats),
            _ => {}
        }
    }
    Ok(summary)
}

/// Reads the body of the record at `offset` (`length` bytes including opcode and length).
pub(super) fn read_record_at(
    file: &mut File,
    offset: u64,
    length: u64,
    opcode: u8,
) -> Result<Vec<u8>> {
    let length = usize::try_from(length)
        .ok()
        .filter(|l| *l <= crate::mcap::RECORD_LENGTH_LIMIT + 1024)
        .ok_or_else(|| corrupt(format!("record at offset {offset} claims {length} bytes")))?;
    let mut buf = vec![0_u8; length];
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut buf)?;
    match buf.first() {
        Some(&found) if found == opcode && buf.len() >= 9 => {
            buf.drain(..9);
            Ok(buf)
        }
        _ => Err(corrupt(format!(
            "index points at offset {offset}, which holds no record of type {opcode:#04x}"
        ))),
    }
}

/// Schemas and channels learnt while scanning a file without a summary.
#[derive(Default)]
pub(super) struct Defs {
    pub(super) schemas: HashMap<u16, SchemaDef>,
    pub(super) channels: BTreeMap<u16, ChannelDef>,
}

impl Defs {
    pub(super) fn learn(&mut self, record: Record<'_>) -> Result<ControlFlow<String>> {
        match record {
            Record::Schema { header, data } => {
                self.schemas.insert(
                    header.id,
                    SchemaDef {
                        name: header.name,
                        encoding: header.encoding,
                        data: data.into_owned(),
                    },
                );
            }
            Record::Channel(c) => {
                let schema = match c.schema_id {
                    0 => None,
                    id => match self.schemas.get(&id) {
                        Some(s) => Some(s.clone()),
                        None => {
                            return Ok(ControlFlow::Break(format!(
                                "channel {} names unknown schema {id}",
                                c.id
                            )))
                        }
                    },
                };
                self.channels.insert(
                    c.id,
                    ChannelDef {
                        topic: c.topic,
                        message_encoding: c.message_encoding,
                        metadata: c.metadata,
                        schema,
                    },
                );
            }
            _ => {}
        }
        Ok(ControlFlow::Continue(()))
    }
}
