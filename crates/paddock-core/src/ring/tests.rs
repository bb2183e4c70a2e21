//! Unit and property tests of the ring buffer against a plain `Vec` model.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use proptest::prelude::*;

use super::{Compaction, RingBuffer};
use crate::error::CoreError;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("ts_ns", DataType::Int64, false),
        Field::new("v", DataType::Float64, true),
    ]))
}

/// A batch whose `v` column repeats `ts_ns` as a float, so both columns can be checked.
fn batch(ts: &[i64]) -> RecordBatch {
    #[allow(clippy::cast_precision_loss)]
    let v: Float64Array = ts.iter().map(|&t| Some(t as f64)).collect();
    RecordBatch::try_new(
        schema(),
        vec![Arc::new(Int64Array::from(ts.to_vec())), Arc::new(v)],
    )
    .unwrap()
}

fn ts_of(batch: &RecordBatch) -> Vec<i64> {
    let ts = batch.column(0).as_primitive::<Int64Type>();
    let v = batch.column(1).as_primitive::<Float64Type>();
    #[allow(clippy::cast_precision_loss)]
    for (t, x) in ts.values().iter().zip(v.values()) {
        assert!(
            (*t as f64 - x).abs() < 1e-6,
            "columns out of step: {t} vs {x}"
        );
    }
    ts.values().to_vec()
}

fn ring(capacity: usize) -> RingBuffer {
    RingBuffer::new(schema(), capacity).unwrap()
}

#[test]
fn rejects_zero_capacity_and_schemas_without_ts() {
    assert!(matches!(
        RingBuffer::new(schema(), 0),
        Err(CoreError::InvalidArgument(_))
    ));
    let bad = Arc::new(Schema::new(vec![Field::new("v", DataType::Float64, true)]));
    let err = RingBuffer::new(bad, 10).unwrap_err().to_string();
    assert!(err.contains("ts_ns") && err.contains("v: Float64"), "{err}");
}

#[test]
fn append_rejects_other_schemas_naming_both() {
    let mut r = ring(10);
    let other = Arc::new(Schema::new(vec![
        Field::new("ts_ns", DataType::Int64, false),
        Field::new("w", DataType::Int64, true),
    ]));
    let b = RecordBatch::try_new(
        other,
        vec![
            Arc::new(Int64Array::from(vec![1])),
            Arc::new(Int64Array::from(vec![2])),
        ],
    )
    .unwrap();
    let err = r.append(b).unwrap_err().to_string();
    assert!(
        err.contains("w: Int64") && err.contains("v: Float64"),
        "{err}"
    );
    assert_eq!(r.appended_rows(), 0);
}

#[test]
fn append_rejects_null_timestamps() {
    let mut r = ring(10);
    let nullable = Arc::new(Schema::new(vec![
        Field::new("ts_ns", DataType::Int64, true),
        Field::new("v", DataType::Float64, true),
    ]));
    let mut r2 = RingBuffer::new(nullable.clone(), 10).unwrap();
    let b = RecordBatch::try_new(
        nullable,
        vec![
            Arc::new(Int64Array::from(vec![Some(1), None])),
            Arc::new(Float64Array::from(vec![1.0, 2.0])),
        ],
    )
    .unwrap();
    let err = r2.append(b).unwrap_err().to_string();
    assert!(err.contains("1 nulls in a batch of 2 rows"), "{err}");
    assert!(r.append(batch(&[])).is_ok());
    assert!(r.is_empty());
}

#[test]
fn empty_ring_reads_are_empty_with_the_schema() {
    let r = ring(5);
    assert_eq!(r.latest().num_rows(), 0);
    assert_eq!(r.latest().schema(), schema());
    assert_eq!(r.last(3).unwrap().num_rows(), 0);
    assert_eq!(r.since(i64::MIN).unwrap().num_rows(), 0);
    assert_eq!(r.between(0, 10).unwrap().num_rows(), 0);
    assert_eq!((r.first_ts_ns(), r.last_ts_ns()), (None, None));
    assert!(r.rate_hz(1_000).abs() < f64::EPSILON);
}

#[test]
fn overflow_drops_the_oldest_and_counts_them() {
    let mut r = ring(5);
    r.append(batch(&[1, 2, 3])).unwrap();
    r.append(batch(&[4, 5, 6])).unwrap();
    assert_eq!(r.len(), 5);
    assert_eq!(r.dropped_rows(), 1);
    assert_eq!(r.appended_rows(), 6);
    assert_eq!(ts_of(&r.last(10).unwrap()), vec![2, 3, 4, 5, 6]);
    r.append(batch(&[7, 8, 9, 10, 11, 12, 13])).unwrap();
    assert_eq!(ts_of(&r.last(10).unwrap()), vec![9, 10, 11, 12, 13]);
    assert_eq!(r.dropped_rows(), 8);
    assert_eq!((r.first_ts_ns(), r.last_ts_ns()), (Some(9), Some(13)));
    assert_eq!(ts_of(&r.latest()), vec![13]);
}

#[test]
fn since_is_strict_and_between_inclusive() {
    let mut r = ring(100);
    r.append(batch(&[10, 20, 20, 30])).unwrap();
    r.append(batch(&[30, 40, 50])).unwrap();
    assert_eq!(ts_of(&r.since(20).unwrap()), vec![30, 30, 40, 50]);
    assert_eq!(ts_of(&r.since(19).unwrap()), vec![20, 20, 30, 30, 40, 50]);
    assert_eq!(ts_of(&r.since(50).unwrap()), Vec::<i64>::new());
    assert_eq!(ts_of(&r.since(i64::MIN).unwrap()).len(), 7);
    assert_eq!(ts_of(&r.between(20, 30).unwrap()), vec![20, 20, 30, 30]);
    assert_eq!(ts_of(&r.between(21, 29).unwrap()), Vec::<i64>::new());
    assert_eq!(ts_of(&r.between(40, 20).unwrap()), Vec::<i64>::new());
    assert_eq!(ts_of(&r.between(i64::MIN, i64::MAX).unwrap()).len(), 7);
    assert_eq!(ts_of(&r.last(2).unwrap()), vec![40, 50]);
}

#[test]
fn reads_within_one_batch_are_zero_copy() {
    let mut r = ring(100);
    let b = batch(&[1, 2, 3, 4]);
    let stored = b.column(1).as_primitive::<Float64Type>().values().as_ptr();
    r.append(b).unwrap();
    let since = r.since(2).unwrap();
    // The slice points into the stored buffer, two values in.
    let read = since
        .column(1)
        .as_primitive::<Float64Type>()
        .values()
        .as_ptr();
    assert_eq!(read, stored.wrapping_add(2));
}

#[test]
fn small_appends_are_merged() {
    const TARGET: usize = Compaction::TARGET_ROWS;
    let mut r = ring(10 * TARGET);
    let n = 3 * TARGET as i64 + 7;
    for t in 0..n {
        r.append(batch(&[t])).unwrap();
    }
    assert!(
        r.chunks.len() <= 3 + Compaction::MAX_CHUNKS,
        "{} chunks",
        r.chunks.len()
    );
    assert_eq!(r.len(), 3 * TARGET + 7);
    assert_eq!(
        ts_of(&r.since(n - 10).unwrap()),
        (n - 9..n).collect::<Vec<_>>()
    );
    assert_eq!(
        ts_of(&r.last(usize::MAX).unwrap()),
        (0..n).collect::<Vec<_>>()
    );
}

#[test]
fn batches_of_small_rows_or_more_are_kept_as_they_come() {
    let mut r = ring(100_000);
    let rows = Compaction::SMALL_ROWS as i64;
    for i in 0..20 {
        r.append(batch(&(i * rows..(i + 1) * rows).collect::<Vec<_>>()))
            .unwrap();
    }
    assert_eq!(r.chunks.len(), 20);
}

#[test]
fn out_of_order_batches_are_accepted_and_reads_stay_exact() {
    let mut r = ring(100);
    r.append(batch(&[10, 20, 30])).unwrap();
    r.append(batch(&[15, 25])).unwrap();
    r.append(batch(&[40, 35])).unwrap();
    assert_eq!(r.out_of_order_rows(), 4);
    assert_eq!(ts_of(&r.since(20).unwrap()), vec![30, 25, 40, 35]);
    assert_eq!(ts_of(&r.between(15, 30).unwrap()), vec![20, 30, 15, 25]);
    assert_eq!(r.last_ts_ns(), Some(35));
    // Once the disorder has been dropped, binary search is used again.
    r.append(batch(&(100..200).collect::<Vec<_>>())).unwrap();
    assert_eq!(r.disordered_chunks, 0);
    assert_eq!(ts_of(&r.since(196).unwrap()), vec![197, 198, 199]);
}

#[test]
fn rate_is_rows_minus_one_over_span() {
    let mut r = ring(1000);
    // 101 rows, 10 ms apart: 100 Hz.
    let ts: Vec<i64> = (0..=100).map(|i| i * 10_000_000).collect();
    r.append(batch(&ts)).unwrap();
    assert!((r.rate_hz(2_000_000_000) - 100.0).abs() < 1e-9);
    // The newest 0.5 s hold 51 rows spanning 0.5 s.
    assert!((r.rate_hz(500_000_000) - 100.0).abs() < 1e-9);
    // A window ending long after the last row holds nothing.
    assert!(r.rate_hz_until(500_000_000, 10_000_000_000).abs() < f64::EPSILON);
    let mut one = ring(10);
    one.append(batch(&[5, 5])).unwrap();
    assert!(one.rate_hz(100).abs() < f64::EPSILON);
}

#[test]
fn take_empties_and_keeps_counters() {
    let mut r = ring(3);
    r.append(batch(&[1, 2, 3, 4])).unwrap();
    let taken = r.take();
    assert_eq!(taken.iter().map(RecordBatch::num_rows).sum::<usize>(), 3);
    assert!(r.is_empty());
    assert_eq!((r.appended_rows(), r.dropped_rows()), (4, 1));
    r.append(batch(&[5])).unwrap();
    assert_eq!(ts_of(&r.latest()), vec![5]);
}

/// Appends of random sizes (timestamps with random non-negative gaps, so repeats occur).
fn appends() -> impl Strategy<Value = (usize, Vec<Vec<i64>>)> {
    (
        1usize..300,
        prop::collection::vec(prop::collection::vec(0i64..3, 0..80), 0..40),
    )
        .prop_map(|(capacity, gaps)| {
            let mut t = 0;
            let batches = gaps
                .into_iter()
                .map(|g| {
                    g.into_iter()
                        .map(|d| {
                            t += d;
                            t
                        })
                        .collect()
                })
                .collect();
            (capacity, batches)
        })
}

fn compactions() -> impl Strategy<Value = Compaction> {
    (1usize..80, 1usize..200, 1usize..10).prop_map(|(small_rows, target_rows, max_chunks)| {
        Compaction {
            small_rows,
            target_rows,
            max_chunks,
        }
    })
}

fn check_against_model(
    (capacity, compaction): (usize, Compaction),
    batches: &[Vec<i64>],
    probes: &[(i64, i64, usize)],
) {
    let mut r = ring(capacity);
    r.set_compaction(compaction);
    let mut model: Vec<i64> = Vec::new();
    for b in batches {
        r.append(batch(b)).unwrap();
        model.extend(b);
        assert!(r.len() <= capacity);
        assert_eq!(r.dropped_rows() + r.len() as u64, r.appended_rows());
        assert_eq!(r.appended_rows(), model.len() as u64);
    }
    let kept = model
        .get(model.len().saturating_sub(capacity)..)
        .unwrap_or_default();
    assert_eq!(ts_of(&r.last(usize::MAX).unwrap()), kept);
    assert_eq!(r.first_ts_ns(), kept.first().copied());
    assert_eq!(r.last_ts_ns(), kept.last().copied());
    for &(a, b, n) in probes {
        let since: Vec<i64> = kept.iter().copied().filter(|&t| t > a).collect();
        assert_eq!(ts_of(&r.since(a).unwrap()), since, "since({a})");
        let between: Vec<i64> = kept.iter().copied().filter(|&t| a <= t && t <= b).collect();
        assert_eq!(
            ts_of(&r.between(a, b).unwrap()),
            between,
            "between({a}, {b})"
        );
        let last = kept.get(kept.len().saturating_sub(n)..).unwrap_or_default();
        assert_eq!(ts_of(&r.last(n).unwrap()), last, "last({n})");
    }
}

proptest! {
    #[test]
    fn ring_matches_a_vec_model(
        (capacity, batches) in appends(),
        compaction in compactions(),
        probes in prop::collection::vec((-5i64..200, -5i64..200, 0usize..400), 1..8),
    ) {
        check_against_model((capacity, compaction), &batches, &probes);
    }

    #[test]
    fn ring_matches_a_vec_model_out_of_order(
        capacity in 1usize..300,
        compaction in compactions(),
        batches in prop::collection::vec(prop::collection::vec(0i64..100, 0..60), 0..30),
        probes in prop::collection::vec((-5i64..110, -5i64..110, 0usize..400), 1..8),
    ) {
        check_against_model((capacity, compaction), &batches, &probes);
    }
}

#[test]
fn an_oversized_batch_is_copied_down_to_capacity() {
    let mut r = ring(3);
    let big = batch(&(0..1000).collect::<Vec<_>>());
    r.append(big).unwrap();
    assert_eq!(ts_of(&r.last(10).unwrap()), vec![997, 998, 999]);
    assert_eq!((r.appended_rows(), r.dropped_rows()), (1000, 997));
    // Only the kept rows' values are held, not the 1000-row buffer.
    assert!(r.latest().column(1).to_data().buffers()[0].capacity() < 1000 * 8);
}
