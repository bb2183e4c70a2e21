//! The ring buffer's append rate as a feed sees it: Arrow batches appended in Rust, no Python.
//!
//! Ignored by default (it is a measurement, not a check); run it with
//! `cargo test --release -p paddock-core --test ring_rate -- --ignored --nocapture`.

// A measurement: a failed unwrap is a failed run, and printing the figures is its purpose.
#![allow(clippy::unwrap_used, clippy::print_stdout)]
use std::sync::Arc;
use std::time::Instant;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use paddock_core::ring::RingBuffer;

const CHANNELS: usize = 40;
const CAPACITY: usize = 36_000;

fn batch(schema: &Arc<Schema>, start: i64, rows: usize) -> RecordBatch {
    let ts: ArrayRef = Arc::new(Int64Array::from_iter_values(
        (0..rows as i64).map(|i| (start + i) * 16_666_667),
    ));
    let mut columns = vec![ts];
    for c in 0..CHANNELS {
        columns.push(Arc::new(Float64Array::from_iter_values(
            (0..rows).map(|r| (r * CHANNELS + c) as f64),
        )));
    }
    RecordBatch::try_new(schema.clone(), columns).unwrap()
}

#[test]
#[ignore = "a measurement; run with --ignored --nocapture"]
fn ring_append_rate() {
    let mut fields = vec![Field::new("ts_ns", DataType::Int64, false)];
    fields.extend((0..CHANNELS).map(|c| Field::new(format!("ch{c:02}"), DataType::Float64, true)));
    let schema = Arc::new(Schema::new(fields));
    let total = 1_000_000usize;
    // One batch of every row, sliced (without copying) into appends with rising timestamps.
    let rows = batch(&schema, 0, total);
    for rows_per_append in [1usize, 16, 64, 256] {
        let appends = total / rows_per_append;
        let mut ring = RingBuffer::new(schema.clone(), CAPACITY).unwrap();
        let started = Instant::now();
        for i in 0..appends {
            ring.append(rows.slice(i * rows_per_append, rows_per_append))
                .unwrap();
        }
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(ring.len(), CAPACITY);
        println!(
            "{rows_per_append:>4} rows/append: {:>12.0} rows/s ({:.2} µs per append)",
            total as f64 / secs,
            secs * 1e6 / appends as f64
        );
    }
}
