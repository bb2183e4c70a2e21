//! `RingBuffer` pyclass: the core ring behind its own lock, fed with any Arrow batch.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};
use paddock_core::ring::{concat, RingBuffer};
use paddock_core::CoreError;
use pyo3::prelude::*;
use pyo3_arrow::{PyRecordBatch, PySchema};

use crate::arrow::PyBatch;
use crate::detach::detach;

/// A fixed-capacity, time-indexed buffer of Arrow rows. Column 0 must be `ts_ns` (int64). The
/// schema is the one passed as `schema` or else the first appended batch's.
#[pyclass(frozen, module = "paddock._core", name = "RingBuffer")]
pub(crate) struct PyRingBuffer {
    capacity: usize,
    ring: Mutex<Option<RingBuffer>>,
}

impl PyRingBuffer {
    fn lock(&self) -> MutexGuard<'_, Option<RingBuffer>> {
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Slices selected under the lock, concatenated after releasing it.
    fn read(
        &self,
        py: Python<'_>,
        select: impl FnOnce(&RingBuffer) -> Result<Vec<RecordBatch>, CoreError> + Send,
    ) -> PyResult<PyBatch> {
        detach(py, || {
            let (schema, slices) = match &*self.lock() {
                Some(ring) => (ring.schema(), select(ring)?),
                None => (SchemaRef::new(Schema::empty()), Vec::new()),
            };
            concat(&schema, &slices)
        })
        .map(PyBatch::from)
    }

    fn counter(&self, get: impl Fn(&RingBuffer) -> u64) -> u64 {
        self.lock().as_ref().map_or(0, get)
    }
}

#[pymethods]
impl PyRingBuffer {
    #[new]
    #[pyo3(signature = (capacity_rows, *, schema=None))]
    fn new(capacity_rows: usize, schema: Option<PySchema>) -> PyResult<Self> {
        let ring = match schema {
            Some(schema) => Some(
                RingBuffer::new(schema.into_inner(), capacity_rows)
                    .map_err(crate::errors::to_py)?,
            ),
            None if capacity_rows == 0 => {
                return Err(crate::errors::to_py(CoreError::InvalidArgument(
                    "ring capacity must be at least 1 row, got 0".into(),
                )))
            }
            None => None,
        };
        Ok(Self {
            capacity: capacity_rows,
            ring: Mutex::new(ring),
        })
    }

    /// Appends a batch (anything with `__arrow_c_array__`); raises `InvalidArgument` when its
    /// schema differs from the ring's.
    fn append(&self, py: Python<'_>, batch: PyRecordBatch) -> PyResult<()> {
        let batch = batch.into_inner();
        detach(py, || {
            let mut guard = self.lock();
            let ring = match guard.as_mut() {
                Some(ring) => ring,
                None => guard.insert(RingBuffer::new(
                    Arc::clone(batch.schema_ref()),
                    self.capacity,
                )?),
            };
            ring.append(batch)
        })
    }

    /// The newest row (an empty batch when the ring is empty).
    fn latest(&self, py: Python<'_>) -> PyResult<PyBatch> {
        self.read(py, |ring| Ok(vec![ring.latest()]))
    }

    /// The newest `n` rows, oldest first.
    fn last(&self, py: Python<'_>, n: usize) -> PyResult<PyBatch> {
        self.read(py, |ring| Ok(ring.last_batches(n)))
    }

    /// Rows with `ts_ns > t_ns`.
    fn since(&self, py: Python<'_>, t_ns: i64) -> PyResult<PyBatch> {
        self.read(py, |ring| ring.since_batches(t_ns))
    }

    /// Rows with `from_ns <= ts_ns <= to_ns`.
    fn between(&self, py: Python<'_>, from_ns: i64, to_ns: i64) -> PyResult<PyBatch> {
        self.read(py, |ring| ring.between_batches(from_ns, to_ns))
    }

    /// Rows per second over the newest `window_s` seconds of the buffer (0 with < 2 rows).
    #[pyo3(signature = (window_s=2.0))]
    fn rate_hz(&self, window_s: f64) -> PyResult<f64> {
        let window_ns = crate::udp::seconds_to_ns("window_s", window_s)?;
        Ok(self
            .lock()
            .as_ref()
            .map_or(0.0, |ring| ring.rate_hz(window_ns)))
    }

    fn __len__(&self) -> usize {
        self.lock().as_ref().map_or(0, RingBuffer::len)
    }

    fn __repr__(&self) -> String {
        format!(
            "RingBuffer(rows={}, capacity={})",
            self.__len__(),
            self.capacity
        )
    }

    /// Maximum rows held.
    #[getter]
    fn capacity(&self) -> usize {
        self.capacity
    }

    /// Rows dropped because the ring was full.
    #[getter]
    fn dropped_rows(&self) -> u64 {
        self.counter(RingBuffer::dropped_rows)
    }

    /// Rows appended since creation.
    #[getter]
    fn appended_rows(&self) -> u64 {
        self.counter(RingBuffer::appended_rows)
    }

    /// `ts_ns` of the oldest row held, or None.
    #[getter]
    fn first_ts_ns(&self) -> Option<i64> {
        self.lock().as_ref().and_then(RingBuffer::first_ts_ns)
    }

    /// `ts_ns` of the newest row held, or None.
    #[getter]
    fn last_ts_ns(&self) -> Option<i64> {
        self.lock().as_ref().and_then(RingBuffer::last_ts_ns)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRingBuffer>()
}
