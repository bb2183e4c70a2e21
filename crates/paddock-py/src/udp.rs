//! `UdpFeed` pyclass: starts a core feed (its thread never touches the GIL) and hands its
//! stats, ring reads and drained batches to Python.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use paddock_core::protocols::SessionOptions;
use paddock_core::udp::{FeedConfig, UdpFeed};
use paddock_core::CoreError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrow::PyBatch;
use crate::detach::detach;
use crate::errors::{to_py, FeedError};

/// Whole nanoseconds in `seconds`; `InvalidArgument` for negative, NaN or huge values.
pub(crate) fn seconds_to_ns(what: &str, seconds: f64) -> PyResult<i64> {
    let duration = to_duration(what, seconds)?;
    Ok(i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX))
}

fn to_duration(what: &str, seconds: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds).map_err(|e| {
        to_py(CoreError::InvalidArgument(format!(
            "{what} must be a finite number of seconds >= 0, got {seconds}: {e}"
        )))
    })
}

/// The first address `host:port` resolves to.
fn resolve(host: &str, port: u16) -> Result<SocketAddr, CoreError> {
    (host, port)
        .to_socket_addrs()
        .map_err(|e| CoreError::InvalidArgument(format!("cannot resolve {host:?}: {e}")))?
        .next()
        .ok_or_else(|| CoreError::InvalidArgument(format!("{host:?} resolves to no address")))
}

/// A UDP feed receiving on its own thread: decode, ring buffer, drain queues, health state.
/// Starts on construction; a port that cannot be bound gives state "unavailable" with a reason
/// instead of an exception.
#[pyclass(frozen, module = "paddock._core", name = "UdpFeed")]
pub(crate) struct PyUdpFeed(UdpFeed);

#[pymethods]
impl PyUdpFeed {
    #[new]
    #[pyo3(signature = (
        name, protocol, host, port, *, ring_capacity=36_000, queue_capacity=200_000,
        stale_after_s=2.0, batch_max=256, batch_window_s=0.005, peer_host=None, peer_port=None,
        display_name="paddock".to_string(), password=String::new(), update_interval_ms=100,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        name: String,
        protocol: String,
        host: String,
        port: u16,
        ring_capacity: usize,
        queue_capacity: usize,
        stale_after_s: f64,
        batch_max: usize,
        batch_window_s: f64,
        peer_host: Option<String>,
        peer_port: Option<u16>,
        display_name: String,
        password: String,
        update_interval_ms: i32,
    ) -> PyResult<Self> {
        let stale_after = to_duration("stale_after_s", stale_after_s)?;
        let batch_window = to_duration("batch_window_s", batch_window_s)?;
        detach(py, move || {
            let mut config = FeedConfig::new(name, protocol, resolve(&host, port)?);
            config.ring_capacity = ring_capacity;
            config.queue_capacity = queue_capacity;
            config.stale_after = stale_after;
            config.batch_max = batch_max;
            config.batch_window = batch_window;
            config.session = SessionOptions {
                display_name,
                password,
                update_interval_ms,
            };
            config.peer = match (peer_host, peer_port) {
                (Some(host), Some(port)) => Some(resolve(&host, port)?),
                (None, None) => None,
                _ => {
                    return Err(CoreError::InvalidArgument(
                        "peer_host and peer_port go together".to_string(),
                    ))
                }
            };
            UdpFeed::start(config)
        })
        .map(Self)
    }

    /// Health and counters: name, protocol, state ("stopped" | "listening" | "handshaking" |
    /// "receiving" | "stale" | "unavailable"), reason, bind, peer, local_addr, packets, bytes,
    /// decode_errors, last_error, detected_format (`project_cars`: the format last seen),
    /// ring_rows, dropped_rows, kernel_drops, dropped_raw, dropped_frames, rate_hz, last_packet_ns,
    /// started_ns.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.0.stats();
        let d = PyDict::new(py);
        d.set_item("name", s.name)?;
        d.set_item("protocol", s.protocol)?;
        d.set_item("state", s.state.as_str())?;
        d.set_item("reason", s.reason)?;
        d.set_item("bind", s.bind)?;
        d.set_item("peer", s.peer.map(|a| a.to_string()))?;
        d.set_item("local_addr", s.local_addr.map(|a| a.to_string()))?;
        d.set_item("packets", s.packets)?;
        d.set_item("bytes", s.bytes)?;
        d.set_item("decode_errors", s.decode_errors)?;
        d.set_item("last_error", s.last_error)?;
        d.set_item("detected_format", s.detected_format)?;
        d.set_item("ring_rows", s.ring_rows)?;
        d.set_item("dropped_rows", s.dropped_rows)?;
        d.set_item("kernel_drops", s.kernel_drops)?;
        d.set_item("dropped_raw", s.dropped_raw)?;
        d.set_item("dropped_frames", s.dropped_frames)?;
        d.set_item("rate_hz", s.rate_hz)?;
        d.set_item("last_packet_ns", s.last_packet_ns)?;
        d.set_item("started_ns", s.started_ns)?;
        Ok(d)
    }

    /// The health state as a string.
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state().0.as_str()
    }

    /// The feed's name.
    #[getter]
    fn name(&self) -> String {
        self.0.config().name.clone()
    }

    /// The bound UDP port (the OS-picked one for port 0), None when unavailable or stopped.
    #[getter]
    fn local_port(&self) -> Option<u16> {
        self.0.local_addr().map(|a| a.port())
    }

    /// The newest frame row (empty batch when none).
    fn latest(&self) -> PyBatch {
        self.0.latest().into()
    }

    /// The newest `n` frame rows, oldest first.
    fn last(&self, py: Python<'_>, n: usize) -> PyResult<PyBatch> {
        detach(py, || self.0.last(n)).map(PyBatch::from)
    }

    /// Frame rows with `ts_ns > t_ns`.
    fn since(&self, py: Python<'_>, t_ns: i64) -> PyResult<PyBatch> {
        detach(py, || self.0.since(t_ns)).map(PyBatch::from)
    }

    /// Everything received since the previous drain: `(raw, frames)`, where raw has `ts_ns`
    /// and `payload` (binary) columns.
    fn drain(&self, py: Python<'_>) -> PyResult<(PyBatch, PyBatch)> {
        let drained = detach(py, || self.0.drain())?;
        Ok((drained.raw.into(), drained.frames.into()))
    }

    /// A non-blocking file descriptor that becomes readable whenever a batch is queued (one
    /// byte per batch); reads end-of-file once the feed is gone. None where unsupported.
    #[getter]
    fn wakeup_fd(&self) -> Option<i32> {
        self.0.wakeup_fd()
    }

    /// Blocks (GIL released) until a batch is queued after the one numbered `seen`, the feed
    /// stops, or `timeout_s` passes; returns the newest batch number (a change means data
    /// arrived: drain it).
    fn wait_queued(&self, py: Python<'_>, seen: u64, timeout_s: f64) -> PyResult<u64> {
        let timeout = to_duration("timeout_s", timeout_s)?;
        detach(py, || Ok(self.0.wait_queued(seen, timeout)))
    }

    /// Sends `data` to `host:port` from the feed's socket; returns the bytes sent. Raises
    /// `FeedError` when the feed has no socket or the OS refuses.
    fn send_to(&self, py: Python<'_>, host: String, port: u16, data: Vec<u8>) -> PyResult<usize> {
        let sent = detach(py, || {
            let addr = resolve(&host, port)?;
            Ok(self
                .0
                .send_to(addr, &data)
                .map_err(|e| format!("send to {addr}: {e}")))
        })?;
        sent.map_err(FeedError::new_err)
    }

    /// Stops the feed (joins its thread with the GIL released). Idempotent.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        detach(py, || {
            self.0.stop();
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        let config = self.0.config();
        format!(
            "UdpFeed(name={:?}, protocol={:?}, bind={}, state={})",
            config.name,
            config.protocol,
            config.bind,
            self.0.state().0
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyUdpFeed>()
}
