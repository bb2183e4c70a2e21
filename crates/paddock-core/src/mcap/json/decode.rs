//! Frame rows back from JSON: a small parser for flat objects of numbers, straight into Arrow
//! builders, with the column types of the channel's rebuilt schema.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int32Builder, Int64Builder};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::SchemaRef;
use serde::de::IgnoredAny;

use super::Kind;
use crate::channels::TS_NS;
use crate::error::Result;

/// One JSON value of a row, as far as frames care.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Null,
    Int(i64),
    Float(f64),
}

/// A cursor over one JSON message. Rows are flat objects of numbers and nulls, so they are
/// parsed by hand: numbers go through `str::parse`, which rounds correctly (serde_json's default
/// float parser can be one ulp off, which would break the write/read identity).
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!(
                "expected {:?} at byte {}",
                char::from(byte),
                self.pos
            ))
        }
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// A string starting at the cursor (after whitespace).
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.peek() {
                None => return Err("unterminated string".into()),
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 2;
                }
                Some(b'"') => break,
                Some(_) => self.pos += 1,
            }
        }
        let body = self.bytes.get(start..self.pos).unwrap_or_default();
        self.pos += 1;
        if escaped {
            let quoted = self.bytes.get(start - 1..self.pos).unwrap_or_default();
            serde_json::from_slice::<String>(quoted)
                .map(Cow::Owned)
                .map_err(|e| format!("bad string: {e}"))
        } else {
            std::str::from_utf8(body)
                .map(Cow::Borrowed)
                .map_err(|e| format!("bad string: {e}"))
        }
    }

    /// A number or `null`.
    fn cell(&mut self) -> Result<Cell, String> {
        self.skip_ws();
        let rest = self.rest();
        if rest.starts_with(b"null") {
            self.pos += 4;
            return Ok(Cell::Null);
        }
        let len = rest
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(rest.len());
        let token = rest
            .get(..len)
            .and_then(|t| std::str::from_utf8(t).ok())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("expected a number or null at byte {}", self.pos))?;
        self.pos += len;
        if let Ok(v) = token.parse::<i64>() {
            return Ok(Cell::Int(v));
        }
        token
            .parse::<f64>()
            .map(Cell::Float)
            .map_err(|_| format!("bad number {token:?}"))
    }

    /// Skips one JSON value of any kind.
    fn skip_value(&mut self) -> Result<(), String> {
        let mut values =
            serde_json::Deserializer::from_slice(self.rest()).into_iter::<IgnoredAny>();
        match values.next() {
            Some(Ok(_)) => {
                self.pos += values.byte_offset();
                Ok(())
            }
            Some(Err(e)) => Err(e.to_string()),
            None => Err("expected a value".into()),
        }
    }
}

/// Fills `cells` from one JSON object; keys not in `index` are skipped, whatever their value.
fn parse_row(
    json: &[u8],
    index: &HashMap<String, usize>,
    cells: &mut [Cell],
) -> Result<(), String> {
    let mut cur = Cursor {
        bytes: json,
        pos: 0,
    };
    cur.expect(b'{')?;
    cur.skip_ws();
    if cur.peek() == Some(b'}') {
        cur.pos += 1;
    } else {
        loop {
            let key = cur.string()?;
            cur.expect(b':')?;
            match index.get(key.as_ref()).and_then(|i| cells.get_mut(*i)) {
                Some(cell) => {
                    *cell = cur.cell().map_err(|e| format!("column {key:?}: {e}"))?;
                }
                None => cur.skip_value()?,
            }
            cur.skip_ws();
            match cur.peek() {
                Some(b',') => cur.pos += 1,
                Some(b'}') => {
                    cur.pos += 1;
                    break;
                }
                _ => return Err(format!("expected ',' or '}}' at byte {}", cur.pos)),
            }
        }
    }
    cur.skip_ws();
    if cur.pos < json.len() {
        return Err(format!("{} bytes after the object", json.len() - cur.pos));
    }
    Ok(())
}

enum Builder {
    I64(Int64Builder),
    I32(Int32Builder),
    F64(Float64Builder),
}

/// `f` as an integer when it is one and fits.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn exact_int(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; every finite integral float below it fits.
    let limit = 9_223_372_036_854_775_808.0_f64;
    (f.fract() == 0.0 && f >= -limit && f < limit).then_some(f as i64)
}

/// Decodes the JSON rows of one frame channel into one Arrow batch.
pub(in crate::mcap) struct RowDecoder {
    schema: SchemaRef,
    index: HashMap<String, usize>,
    builders: Vec<Builder>,
    cells: Vec<Cell>,
    ts_idx: usize,
    rows: usize,
}

impl RowDecoder {
    /// A decoder producing batches with `schema` (as rebuilt by [`schema_from_json`]).
    pub(in crate::mcap) fn new(schema: SchemaRef) -> Self {
        let builders: Vec<Builder> = schema
            .fields()
            .iter()
            .map(|f| match Kind::of(f.data_type()) {
                Some(Kind::Int64) => Builder::I64(Int64Builder::new()),
                Some(Kind::Int32) => Builder::I32(Int32Builder::new()),
                _ => Builder::F64(Float64Builder::new()),
            })
            .collect();
        let index: HashMap<String, usize> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name().clone(), i))
            .collect();
        let ts_idx = index.get(TS_NS).copied().unwrap_or(0);
        Self {
            cells: vec![Cell::Null; builders.len()],
            schema,
            index,
            builders,
            ts_idx,
            rows: 0,
        }
    }

    /// Decodes one message and appends it when `from_ns <= ts_ns < to_ns`; returns whether it did.
    ///
    /// # Errors
    /// A description of the problem when the message is not a JSON object, lacks `ts_ns`, or holds a
    /// value its column cannot take (a fraction or out-of-range number in an integer column, a
    /// null in a non-nullable integer column). Nothing is appended then.
    pub(in crate::mcap) fn push(
        &mut self,
        json: &[u8],
        from_ns: Option<i64>,
        to_ns: Option<i64>,
    ) -> Result<bool, String> {
        self.cells.fill(Cell::Null);
        parse_row(json, &self.index, &mut self.cells)
            .map_err(|e| format!("frame message is not a flat JSON object of numbers: {e}"))?;
        let ts_ns = match self.cells.get(self.ts_idx) {
            Some(Cell::Int(v)) => *v,
            Some(Cell::Float(f)) => {
                exact_int(*f).ok_or_else(|| format!("frame {TS_NS} {f} is not an integer"))?
            }
            _ => return Err(format!("frame message has no {TS_NS}")),
        };
        if from_ns.is_some_and(|from| ts_ns < from) || to_ns.is_some_and(|to| ts_ns >= to) {
            return Ok(false);
        }
        // Check every cell before appending any, so a bad message leaves the columns aligned.
        for ((cell, builder), field) in self
            .cells
            .iter()
            .zip(&self.builders)
            .zip(self.schema.fields())
        {
            let fits = match (builder, cell) {
                (_, Cell::Null) => field.is_nullable() || matches!(builder, Builder::F64(_)),
                (Builder::I64(_), Cell::Float(f)) => exact_int(*f).is_some(),
                (Builder::I32(_), Cell::Int(v)) => i32::try_from(*v).is_ok(),
                (Builder::I32(_), Cell::Float(f)) => {
                    exact_int(*f).is_some_and(|v| i32::try_from(v).is_ok())
                }
                _ => true,
            };
            if !fits {
                return Err(format!(
                    "frame column {:?} cannot hold {cell:?}",
                    field.name()
                ));
            }
        }
        for ((cell, builder), field) in self
            .cells
            .iter()
            .zip(&mut self.builders)
            .zip(self.schema.fields())
        {
            match (builder, *cell) {
                (Builder::I64(b), Cell::Int(v)) => b.append_value(v),
                (Builder::I64(b), Cell::Float(f)) => b.append_option(exact_int(f)),
                (Builder::I32(b), Cell::Int(v)) => b.append_option(i32::try_from(v).ok()),
                (Builder::I32(b), Cell::Float(f)) => {
                    b.append_option(exact_int(f).and_then(|v| i32::try_from(v).ok()));
                }
                #[allow(clippy::cast_precision_loss)]
                (Builder::F64(b), Cell::Int(v)) => b.append_value(v as f64),
                (Builder::F64(b), Cell::Float(f)) => b.append_value(f),
                // Non-finite floats were written as null; a non-nullable column gets NaN back.
                (Builder::F64(b), Cell::Null) if !field.is_nullable() => b.append_value(f64::NAN),
                (Builder::F64(b), Cell::Null) => b.append_null(),
                (Builder::I64(b), Cell::Null) => b.append_null(),
                (Builder::I32(b), Cell::Null) => b.append_null(),
            }
        }
        self.rows += 1;
        Ok(true)
    }

    /// Rows appended so far.
    pub(in crate::mcap) fn rows(&self) -> usize {
        self.rows
    }

    /// The decoded rows as one batch.
    ///
    /// # Errors
    /// [`CoreError::Arrow`] only if Arrow rejects the columns, which construction rules out.
    pub(in crate::mcap) fn finish(self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self
            .builders
            .into_iter()
            .map(|b| -> ArrayRef {
                match b {
                    Builder::I64(mut b) => Arc::new(b.finish()),
                    Builder::I32(mut b) => Arc::new(b.finish()),
                    Builder::F64(mut b) => Arc::new(b.finish()),
                }
            })
            .collect();
        Ok(RecordBatch::try_new_with_options(
            self.schema,
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(self.rows)),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::FrameBuilder;
    use crate::error::CoreError;
    use crate::mcap::json::RowEncoder;
    use arrow_array::cast::AsArray;

    #[test]
    fn rows_encode_and_decode() {
        let mut b = FrameBuilder::new(&["speed_kmh", "gear"]);
        b.push_row(10, &[Some(0.1 + 0.2), None]);
        b.push_row(20, &[Some(-1e300), Some(-1.0)]);
        let batch = b.finish().unwrap();
        let enc = RowEncoder::new(&batch.schema()).unwrap();
        let mut dec = RowDecoder::new(batch.schema());
        let mut texts = Vec::new();
        enc.encode_rows(&batch, &mut Vec::new(), |_, json| {
            texts.push(String::from_utf8(json.to_vec()).unwrap());
            dec.push(json, None, None)
                .map(|_| ())
                .map_err(CoreError::InvalidArgument)
        })
        .unwrap();
        assert_eq!(
            texts[0],
            r#"{"ts_ns":10,"t_s":0.0,"speed_kmh":0.30000000000000004,"gear":null}"#
        );
        assert_eq!(dec.finish().unwrap(), batch);
    }

    #[test]
    fn bad_messages_append_nothing() {
        let schema = crate::arrow::frame_schema(&["gear"]);
        let mut dec = RowDecoder::new(schema);
        assert!(dec.push(b"[1]", None, None).is_err());
        assert!(dec.push(br#"{"t_s":1.0}"#, None, None).is_err());
        assert!(dec
            .push(br#"{"ts_ns":1,"t_s":0,"gear":1.5}"#, None, None)
            .is_err());
        assert!(dec
            .push(br#"{"ts_ns":1,"t_s":0,"gear":3000000000}"#, None, None)
            .is_err());
        assert!(dec
            .push(br#"{"ts_ns":1,"t_s":0,"gear":2,"extra":[1]}"#, None, None)
            .unwrap());
        assert!(!dec.push(br#"{"ts_ns":5,"t_s":0}"#, Some(6), None).unwrap());
        let batch = dec.finish().unwrap();
        assert_eq!(batch.num_rows(), 1);
    }

    #[test]
    fn escaped_names_whitespace_and_foreign_keys_parse() {
        let schema = crate::arrow::frame_schema(&["we\"ird\\é"]);
        let doc = crate::mcap::json::frame_json_schema(&schema).unwrap();
        let schema = crate::mcap::json::schema_from_json(&doc).unwrap();
        let mut dec = RowDecoder::new(schema.clone());
        let mut b = FrameBuilder::new(&["we\"ird\\é"]);
        b.push_row(7, &[Some(2.5)]);
        let batch = b.finish().unwrap();
        let enc = RowEncoder::new(&schema).unwrap();
        enc.encode_rows(&batch, &mut Vec::new(), |_, json| {
            dec.push(json, None, None)
                .map(|_| ())
                .map_err(CoreError::InvalidArgument)
        })
        .unwrap();
        let spaced = " { \"x\" : {\"a\": [1, \"}\"]} , \"ts_ns\" : 8 ,\"t_s\":1e-3, \"we\\\"ird\\\\\\u00e9\": -4E2 } ";
        assert!(dec.push(spaced.as_bytes(), None, None).unwrap());
        let back = dec.finish().unwrap();
        let col = back
            .column(2)
            .as_primitive::<arrow_array::types::Float64Type>();
        assert_eq!((col.value(0), col.value(1)), (2.5, -400.0));
    }
}
