//! `records`: every record of an MCAP file as JSON, in file order, the way a streaming reader
//! sees them (the shape of the MCAP conformance suite's expected output).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use mcap::records::Record;
use mcap::sans_io::{LinearReadEvent, LinearReader, LinearReaderOptions};
use serde_json::{json, Map, Value};

use super::recover::{read_retrying, READ_STEP};
use crate::error::Result;

/// Every record of the MCAP file at `path`, in file order: chunks are opened and their records
/// listed in their place; chunk and message index records themselves are left out, as is an
/// attachment's CRC (it is checked instead). Each record is `{"type": "Message", "fields":
/// {...}}` with the field names of the MCAP specification; byte fields are arrays of numbers and
/// maps with integer keys have them as strings.
///
/// Every CRC (chunks, attachments, data section, summary section) is checked on the way.
///
/// # Errors
/// [`crate::CoreError::Mcap`] with the first problem found (a CRC mismatch, a truncated or
/// damaged record, a missing end magic); [`crate::CoreError::Io`] if the file cannot be read.
pub fn records(path: impl AsRef<Path>) -> Result<Vec<Value>> {
    let mut file = File::open(path.as_ref())?;
    let mut reader = LinearReader::new_with_options(
        LinearReaderOptions::default()
            .with_validate_chunk_crcs(true)
            .with_validate_data_section_crc(true)
            .with_validate_summary_section_crc(true)
            .with_record_length_limit(super::RECORD_LENGTH_LIMIT),
    );
    let mut out = Vec::new();
    while let Some(event) = reader.next_event() {
        match event? {
            LinearReadEvent::ReadRequest(need) => {
                let buf = reader.insert(need.clamp(1, READ_STEP));
                let got = read_retrying(&mut file, buf)?;
                reader.notify_read(got);
            }
            LinearReadEvent::Record { opcode, data } => {
                if let Some(value) = record_json(mcap::parse_record(opcode, data)?) {
                    out.push(value);
                }
            }
        }
    }
    Ok(out)
}

fn bytes(data: &[u8]) -> Value {
    Value::Array(data.iter().map(|b| Value::from(*b)).collect())
}

fn keyed<K: ToString, V: Into<Value> + Clone>(map: &BTreeMap<K, V>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.to_string(), v.clone().into()))
            .collect::<Map<_, _>>(),
    )
}

/// One record as `{"type", "fields"}`; `None` for records a streaming reader does not surface.
fn record_json(record: Record<'_>) -> Option<Value> {
    let (kind, fields) = match record {
        Record::Header(h) => (
            "Header",
            json!({"profile": h.profile, "library": h.library}),
        ),
        Record::Footer(f) => (
            "Footer",
            json!({
                "summary_start": f.summary_start,
                "summary_offset_start": f.summary_offset_start,
                "summary_crc": f.summary_crc,
            }),
        ),
        Record::Schema { header, data } => (
            "Schema",
            json!({
                "id": header.id,
                "name": header.name,
                "encoding": header.encoding,
                "data": bytes(&data),
            }),
        ),
        Record::Channel(c) => (
            "Channel",
            json!({
                "id": c.id,
                "schema_id": c.schema_id,
                "topic": c.topic,
                "message_encoding": c.message_encoding,
                "metadata": keyed(&c.metadata),
            }),
        ),
        Record::Message { header, data } => (
            "Message",
            json!({
                "channel_id": header.channel_id,
                "sequence": header.sequence,
                "log_time": header.log_time,
                "publish_time": header.publish_time,
                "data": bytes(&data),
            }),
        ),
        Record::ChunkIndex(c) => (
            "ChunkIndex",
            json!({
                "message_start_time": c.message_start_time,
                "message_end_time": c.message_end_time,
                "chunk_start_offset": c.chunk_start_offset,
                "chunk_length": c.chunk_length,
                "message_index_offsets": keyed(&c.message_index_offsets),
                "message_index_length": c.message_index_length,
                "compression": c.compression,
                "compressed_size": c.compressed_size,
                "uncompressed_size": c.uncompressed_size,
            }),
        ),
        Record::Attachment { header, data, .. } => (
            "Attachment",
            json!({
                "log_time": header.log_time,
                "create_time": header.create_time,
                "name": header.name,
                "media_type": header.media_type,
                "data": bytes(&data),
            }),
        ),
        Record::AttachmentIndex(a) => (
            "AttachmentIndex",
            json!({
                "offset": a.offset,
                "length": a.length,
                "log_time": a.log_time,
                "create_time": a.create_time,
                "data_size": a.data_size,
                "name": a.name,
                "media_type": a.media_type,
            }),
        ),
        Record::Statistics(s) => (
            "Statistics",
            json!({
                "message_count": s.message_count,
                "schema_count": s.schema_count,
                "channel_count": s.channel_count,
                "attachment_count": s.attachment_count,
                "metadata_count": s.metadata_count,
                "chunk_count": s.chunk_count,
                "message_start_time": s.message_start_time,
                "message_end_time": s.message_end_time,
                "channel_message_counts": keyed(&s.channel_message_counts),
            }),
        ),
        Record::Metadata(m) => (
            "Metadata",
            json!({"name": m.name, "metadata": keyed(&m.metadata)}),
        ),
        Record::MetadataIndex(m) => (
            "MetadataIndex",
            json!({"offset": m.offset, "length": m.length, "name": m.name}),
        ),
        Record::SummaryOffset(s) => (
            "SummaryOffset",
            json!({
                "group_opcode": s.group_opcode,
                "group_start": s.group_start,
                "group_length": s.group_length,
            }),
        ),
        Record::DataEnd(d) => ("DataEnd", json!({"data_section_crc": d.data_section_crc})),
        Record::Chunk { .. } | Record::MessageIndex(_) | Record::Unknown { .. } => return None,
    };
    Some(json!({"type": kind, "fields": fields}))
}
