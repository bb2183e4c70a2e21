//! Recordings: `McapWriter` and `RawWriter` pyclasses and the MCAP / raw-file read functions.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use paddock_core::mcap::raw::{self, RawHeader, RawReadStats, RawStats};
use paddock_core::mcap::{
    self as core, Compression, McapInfo, McapOptions, McapStats, RecoverStats,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3_arrow::PyRecordBatch;

use crate::arrow::PyBatch;
use crate::detach::detach;
use crate::errors::RecordingError;

/// A writer's state: open, or closed with the statistics its close returned.
enum State<W, S> {
    Open(W),
    Closed(S),
}

/// A writer behind a lock, shared by the writer pyclasses: runs work on it with the GIL
/// released, and closes it once (later closes return the same statistics, later writes raise
/// `RecordingError`).
struct Guarded<W, S> {
    path: PathBuf,
    state: Mutex<State<W, S>>,
}

impl<W: Send, S: Copy + Default + Send> Guarded<W, S> {
    fn new(path: PathBuf, writer: W) -> Self {
        Self {
            path,
            state: Mutex::new(State::Open(writer)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<W, S>> {
        // A panic while writing leaves the writer in its failed state, which reports itself.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_closed(&self) -> bool {
        matches!(*self.lock(), State::Closed(_))
    }

    fn with_writer<T: Send>(
        &self,
        py: Python<'_>,
        work: impl FnOnce(&mut W) -> paddock_core::error::Result<T> + Send,
    ) -> PyResult<T> {
        let result = detach(py, || match &mut *self.lock() {
            State::Open(w) => work(w).map(Some),
            State::Closed(_) => Ok(None),
        })?;
        result.ok_or_else(|| RecordingError::new_err(format!("{} is closed", self.path.display())))
    }

    fn close(
        &self,
        py: Python<'_>,
        finish: impl FnOnce(W) -> paddock_core::error::Result<S> + Send,
    ) -> PyResult<S> {
        detach(py, || {
            let mut state = self.lock();
            if let State::Closed(stats) = &*state {
                return Ok(*stats);
            }
            // Mark closed first: a failed finish must not be retried on a half-written file.
            let State::Open(writer) = std::mem::replace(&mut *state, State::Closed(S::default()))
            else {
                return Ok(S::default());
            };
            let stats = finish(writer)?;
            *state = State::Closed(stats);
            Ok(stats)
        })
    }
}

fn mcap_stats_dict<'py>(py: Python<'py>, s: &McapStats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("messages", s.messages)?;
    d.set_item("channels", s.channels)?;
    d.set_item("schemas", s.schemas)?;
    d.set_item("chunks", s.chunks)?;
    d.set_item("metadata", s.metadata)?;
    d.set_item("start_ns", s.start_ns)?;
    d.set_item("end_ns", s.end_ns)?;
    d.set_item("attachments", s.attachments)?;
    d.set_item("bytes", s.bytes)?;
    d.set_item("segments", s.segments)?;
    Ok(d)
}

/// Writes frame batches and raw datagrams into a new MCAP file (zstd/lz4/uncompressed chunks,
/// JSON frames with a JSON Schema, schemaless raw channels, summary, indexes and CRCs).
#[pyclass(frozen, module = "paddock._core", name = "McapWriter")]
pub(crate) struct PyMcapWriter(Guarded<core::McapWriter, McapStats>);

#[pymethods]
impl PyMcapWriter {
    #[new]
    #[pyo3(signature = (
        path, *, compression = "zstd", chunk_size = 1 << 20, rotate_bytes = None, rotate_ns = None
    ))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        compression: &str,
        chunk_size: u64,
        rotate_bytes: Option<u64>,
        rotate_ns: Option<u64>,
    ) -> PyResult<Self> {
        let options = McapOptions::default()
            .with_compression(Compression::from_name(compression).map_err(crate::errors::to_py)?)
            .with_chunk_size(chunk_size)
            .with_rotate_bytes(rotate_bytes)
            .with_rotate_ns(rotate_ns);
        let writer = detach(py, || core::McapWriter::create(&path, options))?;
        Ok(Self(Guarded::new(path, writer)))
    }

    /// The path the writer was created with (the base of the segment names when rotating).
    #[getter]
    fn path(&self) -> PathBuf {
        self.0.path.clone()
    }

    /// Index of the segment being written (0 without rotation); `None` once closed.
    #[getter]
    fn segment(&self) -> Option<u32> {
        match &*self.0.lock() {
            State::Open(w) => Some(w.segment()),
            State::Closed(_) => None,
        }
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.0.is_closed()
    }

    /// Writes each row of a frame batch (any object with `__arrow_c_array__`) as one JSON message
    /// on `topic`; returns the rows written.
    fn write_frames(&self, py: Python<'_>, topic: &str, batch: PyRecordBatch) -> PyResult<usize> {
        let batch = batch.into_inner();
        self.0.with_writer(py, |w| w.write_frames(topic, &batch))
    }

    /// Writes each datagram of a `ts_ns: int64, payload: binary` batch as one message on
    /// `topic`, bytes unchanged; returns the datagrams written.
    fn write_raw(
        &self,
        py: Python<'_>,
        topic: &str,
        protocol: &str,
        batch: PyRecordBatch,
    ) -> PyResult<usize> {
        let batch = batch.into_inner();
        self.0
            .with_writer(py, |w| w.write_raw(topic, protocol, &batch))
    }

    /// Writes a metadata record (recording name, game, track, car, started_at …).
    fn add_metadata(
        &self,
        py: Python<'_>,
        name: &str,
        data: BTreeMap<String, String>,
    ) -> PyResult<()> {
        self.0.with_writer(py, |w| w.add_metadata(name, data))
    }

    /// Writes an attachment record (times in ns since the epoch) into the current segment.
    #[pyo3(signature = (name, media_type, data, *, log_time = 0, create_time = 0))]
    fn add_attachment(
        &self,
        py: Python<'_>,
        name: &str,
        media_type: &str,
        data: Vec<u8>,
        log_time: u64,
        create_time: u64,
    ) -> PyResult<()> {
        self.0.with_writer(py, |w| {
            w.add_attachment(name, media_type, log_time, create_time, &data)
        })
    }

    /// Closes the current chunk and hands everything written so far to the OS.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.0.with_writer(py, core::McapWriter::flush)
    }

    /// Finishes the file (summary, indexes, CRCs) and returns its statistics; later calls return
    /// the same statistics, later writes raise `RecordingError`.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = self.0.close(py, core::McapWriter::finish)?;
        mcap_stats_dict(py, &stats)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.close(py).map(|_| ())
    }

    fn __repr__(&self) -> String {
        format!(
            "McapWriter({:?}, closed={})",
            self.0.path.display().to_string(),
            self.closed()
        )
    }
}

fn raw_stats_dict<'py>(py: Python<'py>, s: &RawStats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("records", s.records)?;
    d.set_item("bytes", s.bytes)?;
    Ok(d)
}

/// Writes a raw datagram file: magic `PDKRAW01`, a JSON header, then one
/// `(i64 ts_ns, u32 length, payload)` record per datagram (little-endian).
#[pyclass(frozen, module = "paddock._core", name = "RawWriter")]
pub(crate) struct PyRawWriter(Guarded<raw::RawWriter, RawStats>);

#[pymethods]
impl PyRawWriter {
    #[new]
    #[pyo3(signature = (path, *, protocol, feed, started_ns))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        protocol: String,
        feed: String,
        started_ns: i64,
    ) -> PyResult<Self> {
        let header = RawHeader {
            protocol,
            feed,
            started_ns,
        };
        let writer = detach(py, || raw::RawWriter::create(&path, &header))?;
        Ok(Self(Guarded::new(path, writer)))
    }

    /// The file being written.
    #[getter]
    fn path(&self) -> PathBuf {
        self.0.path.clone()
    }

    /// Appends every row of a `ts_ns: int64, payload: binary` batch; returns the records written.
    fn write(&self, py: Python<'_>, batch: PyRecordBatch) -> PyResult<usize> {
        let batch = batch.into_inner();
        self.0.with_writer(py, |w| w.write(&batch))
    }

    /// Hands every record written so far to the OS.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.0.with_writer(py, raw::RawWriter::flush)
    }

    /// Flushes and syncs the file; returns `{"records", "bytes"}`. Idempotent.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = self.0.close(py, raw::RawWriter::finish)?;
        raw_stats_dict(py, &stats)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.close(py).map(|_| ())
    }
}

/// Reads a raw datagram file: `(header, batch, stats)` with header
/// `{"protocol", "feed", "started_ns"}`, a `ts_ns, payload` batch of every whole record and stats
/// `{"records", "truncated_tail_bytes"}` (a truncated last record is dropped, not an error).
#[pyfunction]
fn read_raw_file<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyTuple>> {
    let (header, batch, stats): (RawHeader, _, RawReadStats) =
        detach(py, || raw::read_raw_file(&path))?;
    let h = PyDict::new(py);
    h.set_item("protocol", header.protocol)?;
    h.set_item("feed", header.feed)?;
    h.set_item("started_ns", header.started_ns)?;
    let s = PyDict::new(py);
    s.set_item("records", stats.records)?;
    s.set_item("truncated_tail_bytes", stats.truncated_tail_bytes)?;
    (h, PyBatch::from(batch), s).into_pyobject(py)
}

/// Frame batches of an MCAP file, one per frame topic (or only `topic`), rows with
/// `from_ns <= ts_ns < to_ns`.
#[pyfunction]
#[pyo3(signature = (path, *, topic = None, from_ns = None, to_ns = None))]
fn mcap_read_frames(
    py: Python<'_>,
    path: PathBuf,
    topic: Option<String>,
    from_ns: Option<i64>,
    to_ns: Option<i64>,
) -> PyResult<Vec<PyBatch>> {
    let batches = detach(py, || {
        core::read_frames(&path, topic.as_deref(), from_ns, to_ns)
    })?;
    Ok(batches.into_iter().map(PyBatch::from).collect())
}

/// The datagrams of raw topic `topic` as one `ts_ns, payload` batch, rows with
/// `from_ns <= ts_ns < to_ns`.
#[pyfunction]
#[pyo3(signature = (path, topic, *, from_ns = None, to_ns = None))]
fn mcap_read_raw(
    py: Python<'_>,
    path: PathBuf,
    topic: &str,
    from_ns: Option<i64>,
    to_ns: Option<i64>,
) -> PyResult<PyBatch> {
    let batch = detach(py, || {
        core::McapReader::open(&path)?.read_raw(topic, from_ns, to_ns)
    })?;
    Ok(PyBatch::from(batch))
}

/// Copies every intact message of an unfinished (or damaged) MCAP file into a new finished one.
#[pyfunction]
fn mcap_recover<'py>(py: Python<'py>, src: PathBuf, dst: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let s: RecoverStats = detach(py, || core::recover(&src, &dst))?;
    let d = PyDict::new(py);
    d.set_item("messages", s.messages)?;
    d.set_item("channels", s.channels)?;
    d.set_item("schemas", s.schemas)?;
    d.set_item("metadata", s.metadata)?;
    d.set_item("attachments", s.attachments)?;
    d.set_item("chunks", s.chunks)?;
    d.set_item("data_intact", s.data_intact)?;
    d.set_item("stopped_by", s.stopped_by)?;
    d.set_item("input_bytes", s.input_bytes)?;
    d.set_item("output_bytes", s.output_bytes)?;
    d.set_item("valid_bytes", s.valid_bytes)?;
    d.set_item("lost_bytes", s.lost_bytes)?;
    Ok(d)
}

/// Channels (topic, kind, encoding, metadata, message count), metadata records and time range
/// of an MCAP file.
#[pyfunction]
fn mcap_info<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let info: McapInfo = detach(py, || core::McapReader::open(&path)?.info())?;
    let d = PyDict::new(py);
    d.set_item("finished", info.finished)?;
    d.set_item("message_count", info.message_count)?;
    d.set_item("start_ns", info.start_ns)?;
    d.set_item("end_ns", info.end_ns)?;
    let channels = info
        .channels
        .into_iter()
        .map(|c| {
            let ch = PyDict::new(py);
            ch.set_item("id", c.id)?;
            ch.set_item("topic", c.topic)?;
            ch.set_item("kind", c.kind)?;
            ch.set_item("message_encoding", c.message_encoding)?;
            ch.set_item("schema_name", c.schema_name)?;
            ch.set_item("metadata", c.metadata)?;
            ch.set_item("message_count", c.message_count)?;
            Ok(ch)
        })
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("channels", channels)?;
    let metadata = info
        .metadata
        .into_iter()
        .map(|m| {
            let e = PyDict::new(py);
            e.set_item("name", m.name)?;
            e.set_item("metadata", m.metadata)?;
            Ok(e)
        })
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("metadata", metadata)?;
    Ok(d)
}

/// Reads a whole MCAP file checking every CRC; returns `{"messages", "chunks", "bytes"}` or
/// raises `RecordingError` with the first problem.
#[pyfunction]
fn mcap_verify<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let s = detach(py, || core::verify(&path))?;
    let d = PyDict::new(py);
    d.set_item("messages", s.messages)?;
    d.set_item("chunks", s.chunks)?;
    d.set_item("bytes", s.bytes)?;
    Ok(d)
}

/// Every record of an MCAP file in file order, chunks opened, every CRC checked, as JSON text:
/// a list of `{"type", "fields"}` objects (the conformance suite's reader output).
#[pyfunction]
fn mcap_records(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    let records = detach(py, || core::records(&path))?;
    serde_json::to_string(&records).map_err(|e| RecordingError::new_err(e.to_string()))
}

/// Writes the messages of the files `src` (one recording's segments, in order) on `topics`
/// (default all) with
/// `start_sequence <= sequence <= end_sequence` and `from_ns <= log_time < to_ns` into a new
/// finished MCAP file `dst`; returns `{"messages", "channels", "schemas", "metadata",
/// "attachments", "output_bytes"}`.
#[pyfunction]
#[pyo3(signature = (
    src, dst, *, topics = None, start_sequence = 0, end_sequence = None, from_ns = None,
    to_ns = None
))]
#[allow(clippy::too_many_arguments)]
fn mcap_subset<'py>(
    py: Python<'py>,
    src: Vec<PathBuf>,
    dst: PathBuf,
    topics: Option<Vec<String>>,
    start_sequence: u32,
    end_sequence: Option<u32>,
    from_ns: Option<u64>,
    to_ns: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let filter = core::SubsetFilter {
        topics,
        start_sequence,
        end_sequence,
        from_ns,
        to_ns,
    };
    let s: RecoverStats = detach(py, || core::subset(&src, &dst, &filter))?;
    let d = PyDict::new(py);
    d.set_item("messages", s.messages)?;
    d.set_item("channels", s.channels)?;
    d.set_item("schemas", s.schemas)?;
    d.set_item("metadata", s.metadata)?;
    d.set_item("attachments", s.attachments)?;
    d.set_item("output_bytes", s.output_bytes)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMcapWriter>()?;
    m.add_class::<PyRawWriter>()?;
    m.add_function(wrap_pyfunction!(read_raw_file, m)?)?;
    m.add_function(wrap_pyfunction!(mcap_read_frames, m)?)?;
    m.add_function(wrap_pyfunction!(mcap_read_raw, m)?)?;
    m.add_function(wrap_pyfunction!(mcap_recover, m)?)?;
    m.add_function(wrap_pyfunction!(mcap_info, m)?)?;
    m.add_function(wrap_pyfunction!(mcap_verify, m)?)?;
    m.add_function(wrap_pyfunction!(mcap_records, m)?)?;
    m.add_function(wrap_pyfunction!(mcap_subset, m)?)?;
    Ok(())
}
