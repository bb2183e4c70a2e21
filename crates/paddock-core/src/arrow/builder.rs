//! `FrameBuilder`: rows of canonical channel values in, one Arrow `RecordBatch` out.
//!
//! A frame batch has `ts_ns` (Int64, receive time in ns since the epoch), `t_s` (Float64, seconds
//! since the first frame this builder saw) and then one nullable column per channel, typed as the
//! channel registry says (Float64 unless registered otherwise).

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Float64Builder, Int32Builder, Int64Builder};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::channels::{self, ChannelType};

/// The schema of a frame batch over `channels`, with each field's unit in its metadata.
#[must_use]
pub fn frame_schema(channels: &[&str]) -> SchemaRef {
    let mut fields = Vec::with_capacity(channels.len() + 2);
    fields.push(Field::new(channels::TS_NS, DataType::Int64, false));
    fields.push(Field::new(channels::T_S, DataType::Float64, false));
    for name in channels {
        let registered = channels::lookup(name);
        let dtype = match registered.map(|c| c.dtype) {
            Some(ChannelType::Int32) => DataType::Int32,
            _ => DataType::Float64,
        };
        let mut field = Field::new(*name, dtype, true);
        if let Some(c) = registered {
            field = field.with_metadata(
                [("unit".to_string(), c.unit.to_string())]
                    .into_iter()
                    .collect(),
            );
        }
        fields.push(field);
    }
    Arc::new(Schema::new(fields))
}

enum Column {
    F64(Float64Builder),
    I32(Int32Builder),
}

/// Accumulates canonical rows and emits them as one `RecordBatch`.
pub struct FrameBuilder {
    schema: SchemaRef,
    t0_ns: Option<i64>,
    ts_ns: Int64Builder,
    t_s: Float64Builder,
    columns: Vec<Column>,
}

impl FrameBuilder {
    /// A builder for `channels`, in that column order.
    #[must_use]
    pub fn new(channels: &[&str]) -> Self {
        let schema = frame_schema(channels);
        let columns = schema
            .fields()
            .iter()
            .skip(2)
            .map(|f| match f.data_type() {
                DataType::Int32 => Column::I32(Int32Builder::new()),
                _ => Column::F64(Float64Builder::new()),
            })
            .collect();
        Self {
            schema,
            t0_ns: None,
            ts_ns: Int64Builder::new(),
            t_s: Float64Builder::new(),
            columns,
        }
    }

    /// Sets the session start that `t_s` counts from; by default the first row's `ts_ns`.
    pub fn set_t0_ns(&mut self, t0_ns: i64) {
        self.t0_ns = Some(t0_ns);
    }

    /// The session start `t_s` counts from, once known.
    #[must_use]
    pub fn t0_ns(&self) -> Option<i64> {
        self.t0_ns
    }

    /// The schema of the batches this builder emits.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Rows pushed since the last `finish`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ts_ns.len()
    }

    /// True when no row is pending.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one row. `values` follow the channel order given to [`FrameBuilder::new`]; missing
    /// trailing values and `None` become nulls, extra values are ignored, integer channels are
    /// rounded, and non-finite floats become nulls.
    pub fn push_row(&mut self, ts_ns: i64, values: &[Option<f64>]) {
        let t0 = *self.t0_ns.get_or_insert(ts_ns);
        self.ts_ns.append_value(ts_ns);
        #[allow(clippy::cast_precision_loss)]
        self.t_s.append_value(ts_ns.saturating_sub(t0) as f64 / 1e9);
        for (idx, column) in self.columns.iter_mut().enumerate() {
            let value = values.get(idx).copied().flatten().filter(|v| v.is_finite());
            match column {
                Column::F64(b) => b.append_option(value),
                #[allow(clippy::cast_possible_truncation)]
                Column::I32(b) => b.append_option(value.map(|v| v.round() as i32)),
            }
        }
    }

    /// Emits every pending row as one batch and starts afresh (keeping `t0`).
    ///
    /// # Errors
    /// Only if Arrow rejects the columns, which the builder's construction rules out.
    pub fn finish(&mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let rows = self.len();
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.columns.len() + 2);
        arrays.push(Arc::new(self.ts_ns.finish()));
        arrays.push(Arc::new(self.t_s.finish()));
        for column in &mut self.columns {
            arrays.push(match column {
                Column::F64(b) => Arc::new(b.finish()),
                Column::I32(b) => Arc::new(b.finish()),
            });
        }
        RecordBatch::try_new_with_options(
            self.schema.clone(),
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    use arrow_array::Array;

    #[test]
    fn rows_become_typed_columns() {
        let mut b = FrameBuilder::new(&["speed_kmh", "gear", "pcars2.unknown"]);
        b.push_row(5_000_000_000, &[Some(100.0), Some(3.0), None]);
        b.push_row(5_500_000_000, &[Some(f64::NAN), Some(-1.0)]);
        let batch = b.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let t_s = batch.column(1).as_primitive::<Float64Type>();
        assert!((t_s.value(1) - 0.5).abs() < 1e-12);
        let speed = batch.column(2).as_primitive::<Float64Type>();
        assert!(speed.is_null(1));
        let gear = batch.column(3).as_primitive::<Int32Type>();
        assert_eq!(gear.value(1), -1);
        assert!(batch.column(4).is_null(0));
        assert_eq!(b.finish().unwrap().num_rows(), 0);
    }
}
