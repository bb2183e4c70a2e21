//! Frames of a feed in a live stream's columns, as one Arrow IPC message.
//!
//! A live stream (`/ws/live`) has one schema for every feed: `feed` (a string), then `ts_ns`,
//! `t_s` and the channels it carries. A feed's batch is conformed to it — its columns cast to the
//! stream's types, the channels it lacks null, its extra columns dropped — and encoded as one
//! encapsulated IPC record batch message (continuation marker, metadata, body), the unit an
//! Arrow IPC stream is made of.

use std::sync::Arc;

use arrow_array::{new_null_array, Array, ArrayRef, LargeStringArray, RecordBatch, StringArray};
use arrow_cast::{cast_with_options, CastOptions};
use arrow_ipc::writer::{
    write_message, DictionaryTracker, IpcDataGenerator, IpcWriteContext, IpcWriteOptions,
};
use arrow_ipc::MetadataVersion;
use arrow_schema::{DataType, SchemaRef};
use arrow_select::concat::concat_batches;

use crate::error::CoreError;

/// `batch` in the columns of `schema`: the first column is `feed` repeated (a UTF-8 or large
/// UTF-8 string column), every other column is `batch`'s column of that name cast to the
/// schema's type (values that do not fit become null), or nulls where `batch` has none.
///
/// # Errors
/// [`CoreError::InvalidArgument`] when the schema is empty, its first column is not a string,
/// or a column cannot be cast to the schema's type.
pub fn conform(
    feed: &str,
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> Result<RecordBatch, CoreError> {
    let rows = batch.num_rows();
    let mut fields = schema.fields().iter();
    let first = fields.next().ok_or_else(|| {
        CoreError::InvalidArgument("a live schema needs a feed column first".into())
    })?;
    let feed_column: ArrayRef = match first.data_type() {
        DataType::LargeUtf8 => Arc::new(LargeStringArray::from(vec![feed; rows])),
        DataType::Utf8 => Arc::new(StringArray::from(vec![feed; rows])),
        other => {
            return Err(CoreError::InvalidArgument(format!(
                "the live schema's first column {:?} must be a string, not {other}",
                first.name()
            )))
        }
    };
    let options = CastOptions::default();
    let mut columns = Vec::with_capacity(schema.fields().len());
    columns.push(feed_column);
    for field in fields {
        let column = match batch.column_by_name(field.name()) {
            Some(column) if column.data_type() == field.data_type() => column.clone(),
            Some(column) => {
                cast_with_options(column, field.data_type(), &options).map_err(|e| {
                    CoreError::InvalidArgument(format!(
                        "cannot cast column {:?} from {} to {}: {e}",
                        field.name(),
                        column.data_type(),
                        field.data_type()
                    ))
                })?
            }
            None => new_null_array(field.data_type(), rows),
        };
        columns.push(column);
    }
    // The stream's fields are nullable or not as the schema says; a cast never adds nulls to a
    // column declared non-nullable without failing here.
    RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| CoreError::InvalidArgument(format!("cannot build a live batch: {e}")))
}

/// `batch` as one encapsulated Arrow IPC record batch message (no schema message before it).
///
/// # Errors
/// [`CoreError::InvalidArgument`] when the batch holds a dictionary column (a live stream has
/// none) or cannot be encoded.
pub fn ipc_message(batch: &RecordBatch) -> Result<Vec<u8>, CoreError> {
    // 8-byte alignment, as pyarrow writes (the default 64 pads a one-row batch to twice its size).
    let options = IpcWriteOptions::try_new(8, false, MetadataVersion::V5)
        .map_err(|e| CoreError::InvalidArgument(format!("IPC write options: {e}")))?;
    let mut tracker = DictionaryTracker::new(false);
    let (dictionaries, encoded) = IpcDataGenerator::default()
        .encode(
            batch,
            &mut tracker,
            &options,
            &mut IpcWriteContext::default(),
        )
        .map_err(|e| CoreError::InvalidArgument(format!("cannot encode a live batch: {e}")))?;
    if !dictionaries.is_empty() {
        return Err(CoreError::InvalidArgument(
            "a live batch cannot hold dictionary columns".into(),
        ));
    }
    let mut out = Vec::with_capacity(encoded.ipc_message.len() + encoded.arrow_data.len() + 16);
    write_message(&mut out, encoded, &options)
        .map_err(|e| CoreError::InvalidArgument(format!("cannot write a live batch: {e}")))?;
    Ok(out)
}

/// What a live stream sends for one or more feeds' batches: each [`conform`]ed, in the order
/// given, as one IPC record batch message ([`ipc_message`]).
///
/// # Errors
/// As [`conform`] and [`ipc_message`].
pub fn live_message(
    parts: &[(&str, &RecordBatch)],
    schema: &SchemaRef,
) -> Result<Vec<u8>, CoreError> {
    let conformed = parts
        .iter()
        .map(|(feed, batch)| conform(feed, batch, schema))
        .collect::<Result<Vec<_>, _>>()?;
    let batch = match conformed.as_slice() {
        [one] => one.clone(),
        many => concat_batches(schema, many)
            .map_err(|e| CoreError::InvalidArgument(format!("cannot join live batches: {e}")))?,
    };
    ipc_message(&batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float32Array, Float64Array, Int32Array, Int64Array};
    use arrow_ipc::reader::StreamReader;
    use arrow_ipc::writer::StreamWriter;
    use arrow_schema::{Field, Schema};

    fn stream_schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("feed", DataType::LargeUtf8, true),
            Field::new("ts_ns", DataType::Int64, true),
            Field::new("speed_kmh", DataType::Float64, true),
            Field::new("gear", DataType::Int32, true),
        ]))
    }

    fn feed_batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("ts_ns", DataType::Int64, false),
            Field::new("speed_kmh", DataType::Float32, true),
            Field::new("rpm", DataType::Float64, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![1, 2])),
                Arc::new(Float32Array::from(vec![Some(100.5), None])),
                Arc::new(Float64Array::from(vec![7000.0, 7100.0])),
            ],
        )
        .expect("a valid batch")
    }

    #[test]
    fn conforms_casts_fills_and_drops() {
        let out = conform("pcars", &feed_batch(), &stream_schema()).expect("conformed");
        assert_eq!(out.schema(), stream_schema());
        let feed = out.column(0).as_any().downcast_ref::<LargeStringArray>();
        assert_eq!(feed.map(|a| a.value(1)), Some("pcars"));
        let speed = out.column(2).as_any().downcast_ref::<Float64Array>();
        assert_eq!(speed.map(|a| a.value(0)), Some(100.5));
        assert_eq!(out.column(2).null_count(), 1);
        let gear = out.column(3).as_any().downcast_ref::<Int32Array>();
        assert_eq!(gear.map(Array::null_count), Some(2));
    }

    #[test]
    fn a_message_after_the_schema_reads_as_a_stream() {
        let schema = stream_schema();
        let mut stream = Vec::new();
        {
            let mut writer = StreamWriter::try_new(&mut stream, &schema).expect("writer");
            writer.flush().expect("schema written");
        }
        // The writer's bytes so far are the schema message alone.
        let one = feed_batch();
        let message = live_message(&[("pcars", &one)], &schema).expect("encoded");
        stream.extend_from_slice(&message);
        let two = live_message(&[("pcars", &one), ("ac", &one)], &schema).expect("encoded");
        stream.extend_from_slice(&two);
        let reader = StreamReader::try_new(stream.as_slice(), None).expect("reader");
        let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().expect("batches");
        assert_eq!(batches.len(), 2);
        assert_eq!(
            batches[0],
            conform("pcars", &one, &schema).expect("conformed")
        );
        assert_eq!(batches[1].num_rows(), 4);
        let feeds = batches[1]
            .column(0)
            .as_any()
            .downcast_ref::<LargeStringArray>();
        assert_eq!(feeds.map(|a| a.value(3)), Some("ac"));
    }

    #[test]
    fn a_schema_without_a_feed_string_is_refused() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "ts_ns",
            DataType::Int64,
            true,
        )]));
        assert!(conform("pcars", &feed_batch(), &schema).is_err());
        let empty = Arc::new(Schema::empty());
        assert!(conform("pcars", &feed_batch(), &empty).is_err());
    }
}
