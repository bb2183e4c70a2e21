//! `RingBuffer`: the recent past of one stream of batches, fixed in rows, indexed by `ts_ns`.
//!
//! The ring keeps the Arrow batches it is given (zero-copy slices of them) in a `VecDeque`. When it
//! holds more than `capacity` rows it drops the oldest rows, popping whole batches from the front
//! and slicing the one that straddles the limit, and counts them in `dropped_rows`. Reads return
//! slices of the stored arrays, concatenated with `arrow_select::concat::concat_batches` only when
//! they span more than one stored batch, so a read of rows from one batch copies nothing.
//!
//! Memory: a stored batch that has been partly dropped keeps its whole buffers alive until its last
//! row goes, so the ring holds at most about one largest batch more than `capacity` rows. A single
//! batch larger than the whole ring is copied down to its newest `capacity` rows on append.
//!
//! Small appends (a feed appends a handful of rows every few milliseconds) would leave thousands
//! of tiny batches, each carrying per-column overhead that dwarfs its data. So batches under
//! [`Compaction::SMALL_ROWS`] rows are merged at the back: once the trailing run of them holds
//! [`Compaction::TARGET_ROWS`] rows or [`Compaction::MAX_CHUNKS`] batches, it is concatenated into
//! one; a merge still short of `TARGET_ROWS` rows starts the next run (so a row is copied again at
//! most until its batch reaches `TARGET_ROWS`). The batch count bound keeps each merge (done under
//! the owner's lock) short; batches of `SMALL_ROWS` rows or more are stored as they come.
//!
//! # Time order
//! Column 0 of every batch is `ts_ns` (Int64, ns since the epoch, no nulls). Rows are kept in
//! arrival order. Time reads ([`RingBuffer::since`], [`RingBuffer::between`],
//! [`RingBuffer::rate_hz`]) binary-search the batches and then the rows while every stored row is
//! in non-decreasing `ts_ns` order, which a receive clock gives. A batch whose timestamps go
//! backwards (within itself or against the previous row) is still accepted and counted in
//! [`RingBuffer::out_of_order_rows`]; while such a batch is in the buffer, time reads fall back to
//! filtering every row, so they stay exact (rows whose `ts_ns` matches, in arrival order) at a
//! linear cost. `first_ts_ns`/`last_ts_ns` are the oldest and newest rows by arrival.

mod position;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, Int64Array, RecordBatch, UInt64Array};
use arrow_schema::{DataType, Schema, SchemaRef};
use arrow_select::concat::concat_batches;
use arrow_select::take::take_record_batch;

use crate::channels::TS_NS;
use crate::error::CoreError;

/// When the ring merges small appended batches (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compaction {
    /// Batches with fewer rows are merged.
    pub small_rows: usize,
    /// A merged run is complete at this many rows.
    pub target_rows: usize,
    /// A run of this many batches is merged even below `target_rows`.
    pub max_chunks: usize,
}

impl Compaction {
    /// Default `small_rows`.
    pub const SMALL_ROWS: usize = 64;
    /// Default `target_rows`.
    pub const TARGET_ROWS: usize = 1024;
    /// Default `max_chunks`.
    pub const MAX_CHUNKS: usize = 64;
}

impl Default for Compaction {
    fn default() -> Self {
        Self {
            small_rows: Self::SMALL_ROWS,
            target_rows: Self::TARGET_ROWS,
            max_chunks: Self::MAX_CHUNKS,
        }
    }
}

/// One stored batch with its `ts_ns` column at hand.
#[derive(Debug, Clone)]
struct Chunk {
    batch: RecordBatch,
    ts: Int64Array,
    /// True when the rows are non-decreasing in `ts_ns` and the first is not older than the row
    /// before it when the batch was appended.
    ordered: bool,
}

impl Chunk {
    fn new(batch: RecordBatch, ordered: bool) -> Result<Self, CoreError> {
        let ts = ts_column(&batch)?;
        Ok(Self { batch, ts, ordered })
    }

    fn len(&self) -> usize {
        self.batch.num_rows()
    }

    fn ts(&self) -> &[i64] {
        self.ts.values()
    }

    fn slice(&self, offset: usize, len: usize) -> Self {
        Self {
            batch: self.batch.slice(offset, len),
            ts: self.ts.slice(offset, len),
            ordered: self.ordered,
        }
    }
}

/// The `ts_ns` column (column 0) of `batch`, checked to be a null-free Int64 column.
fn ts_column(batch: &RecordBatch) -> Result<Int64Array, CoreError> {
    let column = batch.columns().first().ok_or_else(|| {
        CoreError::InvalidArgument("a ring batch needs a ts_ns column, got 0 columns".into())
    })?;
    let ts = column.as_primitive_opt::<Int64Type>().ok_or_else(|| {
        CoreError::InvalidArgument(format!(
            "column 0 of a ring batch must be Int64 {TS_NS}, got {}",
            column.data_type()
        ))
    })?;
    if ts.null_count() > 0 {
        return Err(CoreError::InvalidArgument(format!(
            "{TS_NS} has {} nulls in a batch of {} rows; every row needs a timestamp",
            ts.null_count(),
            ts.len()
        )));
    }
    Ok(ts.clone())
}

/// `name: type` of every field, for error messages.
fn describe(schema: &Schema) -> String {
    let fields: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect();
    format!("[{}]", fields.join(", "))
}

/// Concatenates `batches` (all of `schema`): no copy for zero or one batch.
///
/// # Errors
/// [`CoreError::Arrow`] if Arrow rejects the columns, which equal schemas rule out.
pub fn concat(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<RecordBatch, CoreError> {
    match batches {
        [] => Ok(RecordBatch::new_empty(schema.clone())),
        [one] => Ok(one.clone()),
        many => Ok(concat_batches(schema, many)?),
    }
}

/// A fixed-capacity, time-indexed buffer of rows of one schema. See the module docs for the
/// time-order rule. Not synchronised: owners share it behind a lock.
#[derive(Debug, Clone)]
pub struct RingBuffer {
    schema: SchemaRef,
    capacity: usize,
    chunks: VecDeque<Chunk>,
    len: usize,
    appended_rows: u64,
    dropped_rows: u64,
    out_of_order_rows: u64,
    /// Stored chunks whose `ordered` flag is false.
    disordered_chunks: usize,
    compaction: Compaction,
    /// The trailing run of small chunks (and merges of them below `target_rows`): its length
    /// in chunks and in rows.
    tail_chunks: usize,
    tail_rows: usize,
}

impl RingBuffer {
    /// An empty ring of `capacity` rows for batches of `schema`.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] when `capacity` is 0 or the schema's first field is not an
    /// Int64 named `ts_ns`.
    pub fn new(schema: SchemaRef, capacity: usize) -> Result<Self, CoreError> {
        if capacity == 0 {
            return Err(CoreError::InvalidArgument(
                "ring capacity must be at least 1 row, got 0".into(),
            ));
        }
        match schema.fields().first() {
            Some(f) if f.name() == TS_NS && f.data_type() == &DataType::Int64 => {}
            _ => {
                return Err(CoreError::InvalidArgument(format!(
                    "a ring schema must start with {TS_NS}: Int64, got {}",
                    describe(&schema)
                )))
            }
        }
        Ok(Self {
            schema,
            capacity,
            chunks: VecDeque::new(),
            len: 0,
            appended_rows: 0,
            dropped_rows: 0,
            out_of_order_rows: 0,
            disordered_chunks: 0,
            compaction: Compaction::default(),
            tail_chunks: 0,
            tail_rows: 0,
        })
    }

    /// The schema every batch must have.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Maximum number of rows held.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Rows held now (at most `capacity`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no row is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Rows appended since creation, kept or not.
    #[must_use]
    pub fn appended_rows(&self) -> u64 {
        self.appended_rows
    }

    /// Rows dropped because the ring was full. `appended_rows == dropped_rows + len` plus the
    /// rows handed out by [`RingBuffer::take`].
    #[must_use]
    pub fn dropped_rows(&self) -> u64 {
        self.dropped_rows
    }

    /// Rows appended in batches that broke the non-decreasing `ts_ns` order.
    #[must_use]
    pub fn out_of_order_rows(&self) -> u64 {
        self.out_of_order_rows
    }

    /// `ts_ns` of the oldest row held (by arrival), `None` when empty.
    #[must_use]
    pub fn first_ts_ns(&self) -> Option<i64> {
        self.chunks.front().and_then(|c| c.ts().first().copied())
    }

    /// `ts_ns` of the newest row held (by arrival), `None` when empty.
    #[must_use]
    pub fn last_ts_ns(&self) -> Option<i64> {
        self.chunks.back().and_then(|c| c.ts().last().copied())
    }

    /// Appends `batch` (an empty one is a no-op), then drops the oldest rows over capacity.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] when the batch's schema differs from the ring's (both are
    /// named) or its `ts_ns` has nulls; [`CoreError::Arrow`] if merging small batches fails. On
    /// error the ring is unchanged.
    pub fn append(&mut self, batch: RecordBatch) -> Result<(), CoreError> {
        if !Arc::ptr_eq(batch.schema_ref(), &self.schema) && **batch.schema_ref() != *self.schema {
            return Err(CoreError::InvalidArgument(format!(
                "batch schema {} does not match the ring's schema {}",
                describe(batch.schema_ref()),
                describe(&self.schema)
            )));
        }
        let rows = batch.num_rows();
        if rows == 0 {
            return Ok(());
        }
        // A batch larger than the ring keeps only its newest rows, copied so that the rest of
        // its buffers can be freed.
        let (batch, dropped) = if rows > self.capacity {
            let first = u64::try_from(rows - self.capacity).unwrap_or(u64::MAX);
            let newest: UInt64Array = (first..u64::try_from(rows).unwrap_or(u64::MAX)).collect();
            (take_record_batch(&batch, &newest)?, rows - self.capacity)
        } else {
            (batch, 0)
        };
        let kept_rows = batch.num_rows();
        let chunk = {
            let ts = ts_column(&batch)?;
            let sorted = ts.values().windows(2).all(|w| w.first() <= w.last());
            let after_last = match (self.last_ts_ns(), ts.values().first()) {
                (Some(last), Some(first)) => *first >= last,
                _ => true,
            };
            Chunk {
                batch,
                ts,
                ordered: sorted && after_last,
            }
        };
        let ordered = chunk.ordered;
        self.push(chunk)?;
        self.appended_rows += rows as u64;
        if !ordered {
            self.out_of_order_rows += rows as u64;
        }
        self.dropped_rows += dropped as u64;
        self.len += kept_rows;
        self.trim();
        Ok(())
    }

    /// Sets when small appends are merged (all values at least 1); for tuning and tests.
    pub fn set_compaction(&mut self, compaction: Compaction) {
        self.compaction = Compaction {
            small_rows: compaction.small_rows.max(1),
            target_rows: compaction.target_rows.max(1),
            max_chunks: compaction.max_chunks.max(1),
        };
    }

    /// Pushes `chunk` at the back, merging the trailing run of small chunks when it is due.
    /// Leaves the ring unchanged on error.
    fn push(&mut self, chunk: Chunk) -> Result<(), CoreError> {
        let rows = chunk.len();
        if rows >= self.compaction.small_rows {
            self.tail_chunks = 0;
            self.tail_rows = 0;
            self.push_chunk(chunk);
            return Ok(());
        }
        let run_chunks = self.tail_chunks + 1;
        let run_rows = self.tail_rows + rows;
        if run_chunks < 2
            || (run_rows < self.compaction.target_rows && run_chunks < self.compaction.max_chunks)
        {
            self.tail_chunks = run_chunks;
            self.tail_rows = run_rows;
            self.push_chunk(chunk);
            return Ok(());
        }
        let start = self.chunks.len().saturating_sub(self.tail_chunks);
        let parts: Vec<&RecordBatch> = self
            .chunks
            .range(start..)
            .map(|c| &c.batch)
            .chain(std::iter::once(&chunk.batch))
            .collect();
        let merged_batch = concat_batches(&self.schema, parts)?;
        let ordered = chunk.ordered && self.chunks.range(start..).all(|c| c.ordered);
        let merged = Chunk::new(merged_batch, ordered)?;
        for _ in start..self.chunks.len() {
            self.pop_front_or_back(false);
        }
        // A merge short of the target stays the start of the run; the next merges copy it again,
        // at most `target_rows` rows each time.
        (self.tail_chunks, self.tail_rows) = if merged.len() < self.compaction.target_rows {
            (1, merged.len())
        } else {
            (0, 0)
        };
        self.push_chunk(merged);
        Ok(())
    }

    fn push_chunk(&mut self, chunk: Chunk) {
        if !chunk.ordered {
            self.disordered_chunks += 1;
        }
        self.chunks.push_back(chunk);
    }

    /// Removes one chunk from the front or the back, keeping the disorder count.
    fn pop_front_or_back(&mut self, front: bool) -> Option<Chunk> {
        let chunk = if front {
            self.chunks.pop_front()
        } else {
            self.chunks.pop_back()
        }?;
        if !chunk.ordered {
            self.disordered_chunks = self.disordered_chunks.saturating_sub(1);
        }
        Some(chunk)
    }

    /// Drops the oldest rows until `len <= capacity`.
    fn trim(&mut self) {
        while self.len > self.capacity {
            let excess = self.len - self.capacity;
            let Some(front_rows) = self.chunks.front().map(Chunk::len) else {
                break;
            };
            if front_rows <= excess {
                self.pop_front_or_back(true);
                self.len -= front_rows;
                self.dropped_rows += front_rows as u64;
            } else if let Some(front) = self.chunks.front_mut() {
                *front = front.slice(excess, front_rows - excess);
                self.len -= excess;
                self.dropped_rows += excess as u64;
            }
        }
        if self.tail_chunks >= self.chunks.len() {
            self.tail_chunks = self.chunks.len();
            self.tail_rows = self.len;
        }
    }

    /// Empties the ring and returns what it held, oldest first. Counters are kept.
    pub fn take(&mut self) -> Vec<RecordBatch> {
        let chunks = std::mem::take(&mut self.chunks);
        self.len = 0;
        self.disordered_chunks = 0;
        self.tail_chunks = 0;
        self.tail_rows = 0;
        chunks.into_iter().map(|c| c.batch).collect()
    }
}
