//! Reads of the ring: positions found by binary search over `ts_ns`, the slices between two
//! positions, the filtering fallback for a buffer out of time order, and the rate over a window.

use arrow_array::{BooleanArray, RecordBatch};
use arrow_select::filter::filter_record_batch;

use super::{concat, Chunk, RingBuffer};
use crate::error::CoreError;

/// A row position: index of a stored chunk and row within it. `chunk == chunks.len()` is the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pos {
    chunk: usize,
    row: usize,
}

/// Rows of a time window: how many, the oldest and newest `ts_ns`.
#[derive(Debug, Clone, Copy, Default)]
struct WindowRows {
    rows: usize,
    min_ts: Option<i64>,
    max_ts: Option<i64>,
}

impl WindowRows {
    fn add(&mut self, ts: i64) {
        self.rows += 1;
        self.min_ts = Some(self.min_ts.map_or(ts, |m| m.min(ts)));
        self.max_ts = Some(self.max_ts.map_or(ts, |m| m.max(ts)));
    }

    /// `(rows - 1) / span`, 0 with fewer than 2 rows or a zero span.
    fn rate_hz(self) -> f64 {
        let (Some(min), Some(max)) = (self.min_ts, self.max_ts) else {
            return 0.0;
        };
        let span_ns = max.saturating_sub(min);
        if self.rows < 2 || span_ns <= 0 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let rate = (self.rows - 1) as f64 / (span_ns as f64 / 1e9);
        rate
    }
}

impl RingBuffer {
    /// The first position whose row is not `before`, assuming the buffer is in time order
    /// (`before` must be true for a prefix of the rows and false after it).
    pub(super) fn position(&self, before: impl Fn(i64) -> bool) -> Pos {
        let chunk = self
            .chunks
            .partition_point(|c| c.ts().last().is_some_and(|&t| before(t)));
        let row = self
            .chunks
            .get(chunk)
            .map_or(0, |c| c.ts().partition_point(|&t| before(t)));
        Pos { chunk, row }
    }

    /// The position after the last row.
    pub(super) fn end(&self) -> Pos {
        Pos {
            chunk: self.chunks.len(),
            row: 0,
        }
    }

    /// Calls `f(chunk, start, end)` for the non-empty row range of each chunk in `[from, to)`.
    fn each_range(&self, from: Pos, to: Pos, mut f: impl FnMut(&Chunk, usize, usize)) {
        for (idx, chunk) in self.chunks.iter().enumerate().skip(from.chunk) {
            if idx > to.chunk {
                break;
            }
            let start = if idx == from.chunk { from.row } else { 0 };
            let end = if idx == to.chunk { to.row } else { chunk.len() };
            if end > start {
                f(chunk, start, end);
            }
        }
    }

    /// Zero-copy slices of the rows in `[from, to)`.
    pub(super) fn slices(&self, from: Pos, to: Pos) -> Vec<RecordBatch> {
        let mut out = Vec::new();
        self.each_range(from, to, |chunk, start, end| {
            out.push(chunk.batch.slice(start, end - start));
        });
        out
    }

    /// Rows whose `ts_ns` satisfies `keep`, in arrival order: whole chunks are passed on as they
    /// are, partly kept ones are filtered (copied).
    pub(super) fn filtered(
        &self,
        keep: impl Fn(i64) -> bool,
    ) -> Result<Vec<RecordBatch>, CoreError> {
        let mut out = Vec::new();
        for chunk in &self.chunks {
            let mask: Vec<bool> = chunk.ts().iter().map(|&t| keep(t)).collect();
            let kept = mask.iter().filter(|&&k| k).count();
            if kept == chunk.len() {
                out.push(chunk.batch.clone());
            } else if kept > 0 {
                out.push(filter_record_batch(
                    &chunk.batch,
                    &BooleanArray::from(mask),
                )?);
            }
        }
        Ok(out)
    }

    /// The newest row as a one-row batch, or an empty batch of the ring's schema.
    #[must_use]
    pub fn latest(&self) -> RecordBatch {
        self.last_batches(1)
            .pop()
            .unwrap_or_else(|| RecordBatch::new_empty(self.schema.clone()))
    }

    /// The newest `n` rows (all of them if the ring holds fewer), oldest first, as zero-copy
    /// slices of the stored batches.
    #[must_use]
    pub fn last_batches(&self, n: usize) -> Vec<RecordBatch> {
        let mut remaining = n.min(self.len);
        let mut out = Vec::new();
        for chunk in self.chunks.iter().rev() {
            if remaining == 0 {
                break;
            }
            let take = remaining.min(chunk.len());
            out.push(chunk.batch.slice(chunk.len() - take, take));
            remaining -= take;
        }
        out.reverse();
        out
    }

    /// The newest `n` rows as one batch (see [`RingBuffer::last_batches`]).
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if concatenation fails, which equal schemas rule out.
    pub fn last(&self, n: usize) -> Result<RecordBatch, CoreError> {
        concat(&self.schema, &self.last_batches(n))
    }

    /// Rows with `ts_ns > t_ns` (strictly newer), in arrival order: zero-copy slices found by
    /// binary search while the buffer is in time order, filtered copies otherwise.
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if filtering fails.
    pub fn since_batches(&self, t_ns: i64) -> Result<Vec<RecordBatch>, CoreError> {
        if self.disordered_chunks == 0 {
            Ok(self.slices(self.position(|ts| ts <= t_ns), self.end()))
        } else {
            self.filtered(|ts| ts > t_ns)
        }
    }

    /// Rows with `ts_ns > t_ns` as one batch (see [`RingBuffer::since_batches`]).
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if filtering or concatenation fails.
    pub fn since(&self, t_ns: i64) -> Result<RecordBatch, CoreError> {
        concat(&self.schema, &self.since_batches(t_ns)?)
    }

    /// Rows with `from_ns <= ts_ns <= to_ns`, in arrival order (nothing when `from_ns > to_ns`).
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if filtering fails.
    pub fn between_batches(&self, from_ns: i64, to_ns: i64) -> Result<Vec<RecordBatch>, CoreError> {
        if from_ns > to_ns {
            return Ok(Vec::new());
        }
        if self.disordered_chunks == 0 {
            let from = self.position(|ts| ts < from_ns);
            let to = self.position(|ts| ts <= to_ns);
            Ok(self.slices(from, to))
        } else {
            self.filtered(|ts| (from_ns..=to_ns).contains(&ts))
        }
    }

    /// Rows with `from_ns <= ts_ns <= to_ns` as one batch.
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if filtering or concatenation fails.
    pub fn between(&self, from_ns: i64, to_ns: i64) -> Result<RecordBatch, CoreError> {
        concat(&self.schema, &self.between_batches(from_ns, to_ns)?)
    }

    /// Rows per second over the newest `window_ns` of the buffer: the rows with
    /// `ts_ns >= last_ts_ns - window_ns`, `(rows - 1) / (newest - oldest of them)`. 0 with fewer
    /// than 2 such rows or when they share one timestamp.
    #[must_use]
    pub fn rate_hz(&self, window_ns: i64) -> f64 {
        self.last_ts_ns()
            .map_or(0.0, |last| self.rate_hz_until(window_ns, last))
    }

    /// Rows per second over `[end_ns - window_ns, end_ns]`, computed as [`RingBuffer::rate_hz`]
    /// does. A feed passes the current time, so the rate falls to 0 when rows stop arriving.
    #[must_use]
    pub fn rate_hz_until(&self, window_ns: i64, end_ns: i64) -> f64 {
        let lo = end_ns.saturating_sub(window_ns.max(0));
        let mut window = WindowRows::default();
        if self.disordered_chunks == 0 {
            let from = self.position(|ts| ts < lo);
            let to = self.position(|ts| ts <= end_ns);
            self.each_range(from, to, |chunk, start, end| {
                let ts = chunk.ts().get(start..end).unwrap_or_default();
                window.rows += ts.len();
                if let Some(&first) = ts.first() {
                    window.min_ts.get_or_insert(first);
                }
                window.max_ts = ts.last().copied().or(window.max_ts);
            });
        } else {
            for chunk in &self.chunks {
                for &ts in chunk.ts().iter().filter(|&&ts| (lo..=end_ns).contains(&ts)) {
                    window.add(ts);
                }
            }
        }
        window.rate_hz()
    }
}
