//! Frame rows as JSON: the JSON Schema of a frame channel and the row encoder (the decoder is in
//! `json/decode.rs`).
//!
//! A frame batch's Arrow schema becomes a JSON Schema with an explicit `x-paddock-columns` list (the
//! column order) and `x-arrow-type` per property, so the reader rebuilds the exact Arrow schema.
//! Rows are encoded by hand into a reused buffer (keys pre-escaped once per channel, numbers
//! formatted by `serde_json`) and decoded by a small parser straight into Arrow builders.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, Float64Array, Int32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use serde_json::{json, Map, Value};

use crate::channels::{self, TS_NS, T_S};
use crate::error::{CoreError, Result};

mod decode;

pub(super) use decode::RowDecoder;

/// JSON Schema keyword listing the columns in Arrow order.
const COLUMNS_KEY: &str = "x-paddock-columns";
/// Property keyword naming the Arrow type (`int64`, `int32`, `float64`).
const ARROW_TYPE_KEY: &str = "x-arrow-type";
/// Property keyword holding the Arrow field metadata (the `unit`), when there is any.
const FIELD_METADATA_KEY: &str = "x-arrow-metadata";
/// Top-level keyword holding the Arrow schema metadata, when there is any.
const SCHEMA_METADATA_KEY: &str = "x-arrow-schema-metadata";

/// The Arrow types a frame column may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int64,
    Int32,
    Float64,
}

impl Kind {
    fn of(data_type: &DataType) -> Option<Self> {
        match data_type {
            DataType::Int64 => Some(Self::Int64),
            DataType::Int32 => Some(Self::Int32),
            DataType::Float64 => Some(Self::Float64),
            _ => None,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "int64" => Some(Self::Int64),
            "int32" => Some(Self::Int32),
            "float64" => Some(Self::Float64),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Int64 => "int64",
            Self::Int32 => "int32",
            Self::Float64 => "float64",
        }
    }

    fn data_type(self) -> DataType {
        match self {
            Self::Int64 => DataType::Int64,
            Self::Int32 => DataType::Int32,
            Self::Float64 => DataType::Float64,
        }
    }

    fn json_type(self) -> &'static str {
        match self {
            Self::Int64 | Self::Int32 => "integer",
            Self::Float64 => "number",
        }
    }
}

/// Checks that `schema` can be written as frames: a non-null-typed `ts_ns` Int64 column, unique
/// names, and only Int64, Int32 and Float64 columns.
///
/// # Errors
/// [`CoreError::InvalidArgument`] naming the offending column.
pub(super) fn check_frame_schema(schema: &Schema) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for field in schema.fields() {
        if !seen.insert(field.name().as_str()) {
            return Err(CoreError::InvalidArgument(format!(
                "frame column {:?} appears more than once",
                field.name()
            )));
        }
        if Kind::of(field.data_type()).is_none() {
            return Err(CoreError::InvalidArgument(format!(
                "frame column {:?} has type {}; frame columns must be Int64, Int32 or Float64",
                field.name(),
                field.data_type()
            )));
        }
    }
    match schema.field_with_name(TS_NS) {
        Ok(f) if f.data_type() == &DataType::Int64 => Ok(()),
        Ok(f) => Err(CoreError::InvalidArgument(format!(
            "frame column {TS_NS:?} must be Int64, got {}",
            f.data_type()
        ))),
        Err(_) => Err(CoreError::InvalidArgument(format!(
            "frame batch has no {TS_NS:?} column (columns: {:?})",
            schema.fields().iter().map(|f| f.name()).collect::<Vec<_>>()
        ))),
    }
}

fn describe(field: &Field) -> String {
    let unit = field.metadata().get("unit").map(String::as_str);
    let text = match field.name().as_str() {
        TS_NS => "receive time, ns since the Unix epoch".to_string(),
        T_S => "seconds since the session start".to_string(),
        name => channels::lookup(name).map_or_else(|| name.to_string(), |c| c.description.into()),
    };
    match unit {
        Some(u) if !u.is_empty() => format!("{text} [{u}]"),
        _ => text,
    }
}

/// The JSON Schema document of a frame channel whose batches have `schema` (already checked).
///
/// # Errors
/// [`CoreError::Json`] only if serialisation fails, which valid UTF-8 names rule out.
pub(super) fn frame_json_schema(schema: &Schema) -> Result<Vec<u8>> {
    let mut properties = Map::new();
    let mut columns = Vec::with_capacity(schema.fields().len());
    let mut required = Vec::new();
    for field in schema.fields() {
        let kind = Kind::of(field.data_type()).unwrap_or(Kind::Float64);
        let json_type = if field.is_nullable() {
            json!([kind.json_type(), "null"])
        } else {
            required.push(Value::from(field.name().as_str()));
            json!(kind.json_type())
        };
        let mut property = Map::new();
        property.insert("type".into(), json_type);
        property.insert("description".into(), Value::from(describe(field)));
        property.insert(ARROW_TYPE_KEY.into(), Value::from(kind.name()));
        if !field.metadata().is_empty() {
            property.insert(FIELD_METADATA_KEY.into(), json!(field.metadata()));
        }
        properties.insert(field.name().clone(), Value::Object(property));
        columns.push(Value::from(field.name().as_str()));
    }
    let mut doc = Map::new();
    doc.insert(
        "$schema".into(),
        Value::from("https://json-schema.org/draft/2020-12/schema"),
    );
    doc.insert("title".into(), Value::from(super::FRAME_SCHEMA_NAME));
    doc.insert(
        "description".into(),
        Value::from("One telemetry frame: receive time and canonical channel values"),
    );
    doc.insert("type".into(), Value::from("object"));
    doc.insert("properties".into(), Value::Object(properties));
    doc.insert("required".into(), Value::Array(required));
    doc.insert(COLUMNS_KEY.into(), Value::Array(columns));
    if !schema.metadata().is_empty() {
        doc.insert(SCHEMA_METADATA_KEY.into(), json!(schema.metadata()));
    }
    Ok(serde_json::to_vec(&Value::Object(doc))?)
}

fn string_map(value: Option<&Value>) -> HashMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Rebuilds the Arrow schema from a frame channel's JSON Schema document.
///
/// # Errors
/// A description of the problem when the document is not JSON, lacks `x-paddock-columns`, names a
/// column without a property, or gives a type other than int64, int32 or float64.
pub(super) fn schema_from_json(data: &[u8]) -> Result<SchemaRef, String> {
    let doc: Value =
        serde_json::from_slice(data).map_err(|e| format!("frame JSON Schema is not JSON: {e}"))?;
    let columns = doc
        .get(COLUMNS_KEY)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("frame JSON Schema has no {COLUMNS_KEY:?} list"))?;
    let properties = doc.get("properties").and_then(Value::as_object);
    let mut fields = Vec::with_capacity(columns.len());
    for (idx, column) in columns.iter().enumerate() {
        let name = column
            .as_str()
            .ok_or_else(|| format!("{COLUMNS_KEY} entry {idx} is not a string"))?;
        let property = properties
            .and_then(|p| p.get(name))
            .ok_or_else(|| format!("frame JSON Schema has no property {name:?}"))?;
        let kind = property
            .get(ARROW_TYPE_KEY)
            .and_then(Value::as_str)
            .and_then(Kind::from_name)
            .ok_or_else(|| format!("column {name:?} has no valid {ARROW_TYPE_KEY}"))?;
        let nullable = property
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t == "null"));
        fields.push(
            Field::new(name, kind.data_type(), nullable)
                .with_metadata(string_map(property.get(FIELD_METADATA_KEY))),
        );
    }
    let schema = Schema::new(fields).with_metadata(string_map(doc.get(SCHEMA_METADATA_KEY)));
    check_frame_schema(&schema).map_err(|e| format!("frame JSON Schema: {e}"))?;
    Ok(Arc::new(schema))
}

/// One column of a batch being encoded.
enum Column<'a> {
    I64(&'a Int64Array),
    I32(&'a Int32Array),
    F64(&'a Float64Array),
}

/// Encodes rows of batches with one fixed schema as JSON objects.
pub(super) struct RowEncoder {
    /// `{"name":` for the first column, `,"name":` for the others, escaped once.
    prefixes: Vec<Vec<u8>>,
}

impl RowEncoder {
    /// An encoder for batches with `schema` (already checked).
    ///
    /// # Errors
    /// [`CoreError::Json`] only if a name fails to serialise.
    pub(super) fn new(schema: &Schema) -> Result<Self> {
        let mut prefixes = Vec::with_capacity(schema.fields().len());
        for (idx, field) in schema.fields().iter().enumerate() {
            let mut prefix = vec![if idx == 0 { b'{' } else { b',' }];
            serde_json::to_writer(&mut prefix, field.name())?;
            prefix.push(b':');
            prefixes.push(prefix);
        }
        Ok(Self { prefixes })
    }

    /// Calls `emit(row, json)` for every row of `batch`, in order.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] if a column's type differs from the encoder's schema, or
    /// whatever `emit` returns.
    pub(super) fn encode_rows(
        &self,
        batch: &RecordBatch,
        buf: &mut Vec<u8>,
        mut emit: impl FnMut(usize, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let columns = batch
            .columns()
            .iter()
            .map(|array| {
                if let Some(a) = array.as_primitive_opt::<Float64Type>() {
                    Ok(Column::F64(a))
                } else if let Some(a) = array.as_primitive_opt::<Int32Type>() {
                    Ok(Column::I32(a))
                } else if let Some(a) = array.as_primitive_opt::<Int64Type>() {
                    Ok(Column::I64(a))
                } else {
                    Err(CoreError::InvalidArgument(format!(
                        "frame column of type {} cannot be encoded",
                        array.data_type()
                    )))
                }
            })
            .collect::<Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            buf.clear();
            for (prefix, column) in self.prefixes.iter().zip(&columns) {
                buf.extend_from_slice(prefix);
                match column {
                    Column::F64(a) if a.is_valid(row) => {
                        serde_json::to_writer(&mut *buf, &a.value(row))?;
                    }
                    Column::I32(a) if a.is_valid(row) => {
                        serde_json::to_writer(&mut *buf, &a.value(row))?;
                    }
                    Column::I64(a) if a.is_valid(row) => {
                        serde_json::to_writer(&mut *buf, &a.value(row))?;
                    }
                    _ => buf.extend_from_slice(b"null"),
                }
            }
            if self.prefixes.is_empty() {
                buf.push(b'{');
            }
            buf.push(b'}');
            emit(row, buf)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_round_trips_through_json_schema() {
        let schema = crate::arrow::frame_schema(&["speed_kmh", "gear", "pcars2.x"]);
        let doc = frame_json_schema(&schema).unwrap();
        let back = schema_from_json(&doc).unwrap();
        assert_eq!(*back, *schema);
        let v: Value = serde_json::from_slice(&doc).unwrap();
        assert_eq!(v["properties"]["gear"]["type"], json!(["integer", "null"]));
        assert_eq!(v["properties"]["ts_ns"]["type"], json!("integer"));
        assert!(v["properties"]["speed_kmh"]["description"]
            .as_str()
            .unwrap()
            .ends_with("[km/h]"));
    }
}
