//! `UdpFeed`: binds a socket, runs its receive thread, and answers stats, ring reads and drains.

#[cfg(unix)]
use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::receive::{Receiver, IDLE_TIMEOUT};
use super::{FeedConfig, FeedState, FeedStats};
use crate::arrow::frame_schema;
use crate::channels::TS_NS;
use crate::error::CoreError;
use crate::protocols::{self, FrameDecoder};
use crate::ring::{concat, RingBuffer};

/// Longest `stop` waits for the receive thread (it notices the stop flag within ~50 ms).
const STOP_WAIT: Duration = Duration::from_secs(2);
/// Window of the `rate_hz` in [`FeedStats`].
const RATE_WINDOW_NS: i64 = 2_000_000_000;
/// Marks "no datagram yet" in the timestamp atomics.
const NONE_NS: i64 = i64::MIN;

/// The schema of drained raw datagrams: `ts_ns` (Int64, receive time in ns since the epoch) and
/// `payload` (Binary, the UDP payload as received).
#[must_use]
pub fn raw_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(TS_NS, DataType::Int64, false),
        Field::new("payload", DataType::Binary, false),
    ]))
}

/// Nanoseconds since the Unix epoch from the system clock (0 before 1970, saturating in 2262).
pub(super) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Locks `mutex`, recovering the data if a panicking thread poisoned it (every critical section
/// leaves the data consistent: it swaps or appends whole batches).
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The run status the thread and `stop` set; the finer states are derived in `UdpFeed::state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Status {
    Stopped,
    Running,
    Unavailable(String),
}

/// Batches queued for `drain`.
pub(super) struct Queues {
    pub(super) raw: RingBuffer,
    pub(super) frames: RingBuffer,
}

/// State shared by the feed handle and its receive thread.
pub(super) struct Shared {
    pub(super) stop: AtomicBool,
    pub(super) status: Mutex<Status>,
    pub(super) packets: AtomicU64,
    pub(super) bytes: AtomicU64,
    pub(super) decode_errors: AtomicU64,
    pub(super) last_error: Mutex<Option<String>>,
    /// The format the decoder last detected (`FrameDecoder::detected`).
    pub(super) detected: Mutex<Option<&'static str>>,
    /// Receive time of the last datagram (system clock, ns since the epoch), or `NONE_NS`.
    pub(super) last_packet_ns: AtomicI64,
    /// The same on the monotonic clock, ns since `epoch`, or `NONE_NS`; drives the state.
    pub(super) last_packet_mono_ns: AtomicI64,
    pub(super) epoch: Instant,
    pub(super) ring: Mutex<RingBuffer>,
    pub(super) queues: Mutex<Queues>,
    /// Counts the batches queued for draining; `arrived` is notified on each and on stop.
    pub(super) queued_seq: Mutex<u64>,
    pub(super) arrived: Condvar,
    /// A connected socket pair: a byte is written to the second per queued batch; the first
    /// is what an event loop polls ([`UdpFeed::wakeup_fd`]). None where unsupported.
    #[cfg(unix)]
    pub(super) wakeup: Option<(UnixStream, UnixStream)>,
}

/// A non-blocking socket pair for [`Shared::wakeup`] (None if the OS refuses one).
#[cfg(unix)]
fn wakeup_pair() -> Option<(UnixStream, UnixStream)> {
    let (rx, tx) = UnixStream::pair().ok()?;
    rx.set_nonblocking(true).ok()?;
    tx.set_nonblocking(true).ok()?;
    Some((rx, tx))
}

impl Shared {
    /// Marks the feed unavailable, unless it is being stopped.
    pub(super) fn fail(&self, reason: String) {
        if !self.stop.load(Ordering::Acquire) {
            *lock(&self.status) = Status::Unavailable(reason);
        }
    }

    /// Tells every [`UdpFeed::wait_queued`] caller that a batch was queued (or the feed stops).
    pub(super) fn signal_queued(&self) {
        let mut seq = lock(&self.queued_seq);
        *seq = seq.wrapping_add(1);
        drop(seq);
        self.arrived.notify_all();
        #[cfg(unix)]
        if let Some((_, tx)) = &self.wakeup {
            // A full buffer means the reader has not caught up with earlier wakeups: enough.
            let _ = (&*tx).write(&[1]);
        }
    }

    /// Monotonic ns since the feed's epoch.
    pub(super) fn mono_ns(&self) -> i64 {
        i64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(i64::MAX)
    }
}

/// Everything queued since the previous drain, oldest first.
#[derive(Debug, Clone)]
pub struct Drained {
    /// Raw datagrams, [`raw_schema`].
    pub raw: RecordBatch,
    /// Decoded frame rows, [`UdpFeed::frame_schema`].
    pub frames: RecordBatch,
}

/// A UDP feed: a bound socket and the thread receiving on it. `Send + Sync`; every method takes
/// `&self`. Dropping the feed stops it.
pub struct UdpFeed {
    config: FeedConfig,
    frame_schema: SchemaRef,
    started_ns: i64,
    socket: Mutex<Option<Arc<UdpSocket>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    shared: Arc<Shared>,
}

impl UdpFeed {
    /// Starts a feed speaking `config.protocol`. A bind failure is not an error: the feed is
    /// [`FeedState::Unavailable`] with the OS reason, so the other feeds go on.
    ///
    /// # Errors
    /// [`CoreError::UnknownProtocol`] for a protocol not in [`protocols::PROTOCOLS`];
    /// [`CoreError::InvalidArgument`] for a config [`FeedConfig::validate`] rejects.
    pub fn start(config: FeedConfig) -> Result<Self, CoreError> {
        let decoder = protocols::frame_decoder_with(&config.protocol, &config.session)?;
        Self::start_with_decoder(config, decoder)
    }

    /// Starts a feed decoding with `decoder` (for protocols outside the registry and for tests);
    /// `config.protocol` is only reported.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for a config [`FeedConfig::validate`] rejects.
    pub fn start_with_decoder(
        config: FeedConfig,
        decoder: Box<dyn FrameDecoder>,
    ) -> Result<Self, CoreError> {
        config.validate()?;
        let frame_schema = frame_schema(decoder.channels());
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            status: Mutex::new(Status::Running),
            packets: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            decode_errors: AtomicU64::new(0),
            last_error: Mutex::new(None),
            detected: Mutex::new(None),
            last_packet_ns: AtomicI64::new(NONE_NS),
            last_packet_mono_ns: AtomicI64::new(NONE_NS),
            epoch: Instant::now(),
            ring: Mutex::new(RingBuffer::new(frame_schema.clone(), config.ring_capacity)?),
            queues: Mutex::new(Queues {
                raw: RingBuffer::new(raw_schema(), config.queue_capacity)?,
                frames: RingBuffer::new(frame_schema.clone(), config.queue_capacity)?,
            }),
            queued_seq: Mutex::new(0),
            arrived: Condvar::new(),
            #[cfg(unix)]
            wakeup: wakeup_pair(),
        });
        let feed = Self {
            frame_schema,
            started_ns: now_ns(),
            socket: Mutex::new(None),
            thread: Mutex::new(None),
            shared,
            config,
        };
        let socket = match bind(&feed.config) {
            Ok(socket) => Arc::new(socket),
            Err(reason) => {
                *lock(&feed.shared.status) = Status::Unavailable(reason);
                return Ok(feed);
            }
        };
        let receiver = Receiver::new(socket.clone(), feed.shared.clone(), decoder, &feed.config);
        let spawned = std::thread::Builder::new()
            .name(format!("paddock-feed-{}", feed.config.name))
            .spawn(move || receiver.run_guarded());
        match spawned {
            Ok(handle) => {
                *lock(&feed.socket) = Some(socket);
                *lock(&feed.thread) = Some(handle);
            }
            Err(e) => {
                *lock(&feed.shared.status) =
                    Status::Unavailable(format!("cannot start the receive thread: {e}"));
            }
        }
        Ok(feed)
    }

    /// The feed's config.
    #[must_use]
    pub fn config(&self) -> &FeedConfig {
        &self.config
    }

    /// The schema of the frame batches this feed emits.
    #[must_use]
    pub fn frame_schema(&self) -> SchemaRef {
        self.frame_schema.clone()
    }

    /// The bound address (with the OS-picked port); `None` when unavailable or stopped.
    #[must_use]
    pub fn local_addr(&self) -> Option<SocketAddr> {
        lock(&self.socket)
            .as_ref()
            .and_then(|s| s.local_addr().ok())
    }

    /// The health state and, when unavailable, why. See [`FeedState`] for the state machine.
    #[must_use]
    pub fn state(&self) -> (FeedState, Option<String>) {
        match &*lock(&self.shared.status) {
            Status::Stopped => (FeedState::Stopped, None),
            Status::Unavailable(reason) => (FeedState::Unavailable, Some(reason.clone())),
            Status::Running => {
                let last = self.shared.last_packet_mono_ns.load(Ordering::Acquire);
                if last == NONE_NS {
                    return match self.config.peer {
                        None => (FeedState::Listening, None),
                        Some(peer)
                            if self.shared.epoch.elapsed() >= self.config.handshake_timeout =>
                        {
                            (
                                FeedState::Unavailable,
                                Some(format!("no answer from {peer}")),
                            )
                        }
                        Some(_) => (FeedState::Handshaking, None),
                    };
                }
                let stale_ns =
                    i64::try_from(self.config.stale_after.as_nanos()).unwrap_or(i64::MAX);
                if self.shared.mono_ns().saturating_sub(last) <= stale_ns {
                    (FeedState::Receiving, None)
                } else {
                    (FeedState::Stale, None)
                }
            }
        }
    }

    /// A snapshot of state and counters.
    #[must_use]
    pub fn stats(&self) -> FeedStats {
        let (state, reason) = self.state();
        let (ring_rows, dropped_rows, rate_hz) = {
            let ring = lock(&self.shared.ring);
            (
                ring.len(),
                ring.dropped_rows(),
                ring.rate_hz_until(RATE_WINDOW_NS, now_ns()),
            )
        };
        let (dropped_raw, dropped_frames) = {
            let queues = lock(&self.shared.queues);
            (queues.raw.dropped_rows(), queues.frames.dropped_rows())
        };
        let last_packet_ns = self.shared.last_packet_ns.load(Ordering::Acquire);
        let local_addr = self.local_addr();
        FeedStats {
            name: self.config.name.clone(),
            protocol: self.config.protocol.clone(),
            state,
            reason,
            bind: self.config.bind.to_string(),
            peer: self.config.peer,
            local_addr,
            kernel_drops: local_addr.and_then(super::kernel_drops),
            packets: self.shared.packets.load(Ordering::Acquire),
            bytes: self.shared.bytes.load(Ordering::Acquire),
            decode_errors: self.shared.decode_errors.load(Ordering::Acquire),
            last_error: lock(&self.shared.last_error).clone(),
            detected_format: lock(&self.shared.detected).map(str::to_string),
            ring_rows,
            dropped_rows,
            dropped_raw,
            dropped_frames,
            rate_hz,
            last_packet_ns: (last_packet_ns != NONE_NS).then_some(last_packet_ns),
            started_ns: self.started_ns,
        }
    }

    /// The newest frame row, or an empty batch of [`UdpFeed::frame_schema`].
    #[must_use]
    pub fn latest(&self) -> RecordBatch {
        lock(&self.shared.ring).latest()
    }

    /// The newest `n` frame rows, oldest first.
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if concatenation fails, which one schema rules out.
    pub fn last(&self, n: usize) -> Result<RecordBatch, CoreError> {
        let slices = lock(&self.shared.ring).last_batches(n);
        concat(&self.frame_schema, &slices)
    }

    /// Frame rows with `ts_ns > t_ns`, oldest first.
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if filtering or concatenation fails.
    pub fn since(&self, t_ns: i64) -> Result<RecordBatch, CoreError> {
        let slices = lock(&self.shared.ring).since_batches(t_ns)?;
        concat(&self.frame_schema, &slices)
    }

    /// Everything queued since the previous drain: raw datagrams in receive order and the frame
    /// rows decoded from them. Empty batches (with their schemas) when nothing arrived.
    ///
    /// # Errors
    /// [`CoreError::Arrow`] if concatenation fails, which one schema rules out.
    pub fn drain(&self) -> Result<Drained, CoreError> {
        let (raw, frames) = {
            let mut queues = lock(&self.shared.queues);
            (queues.raw.take(), queues.frames.take())
        };
        Ok(Drained {
            raw: concat(&raw_schema(), &raw)?,
            frames: concat(&self.frame_schema, &frames)?,
        })
    }

    /// Waits until a batch is queued for draining after the one numbered `seen`, the feed
    /// stops, or `timeout` passes; returns the number of the newest queued batch (it differs
    /// from `seen` when something arrived). Lets a consumer drain as soon as data is there
    /// instead of polling.
    #[must_use]
    pub fn wait_queued(&self, seen: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        let mut seq = lock(&self.shared.queued_seq);
        while *seq == seen && !self.shared.stop.load(Ordering::Acquire) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            seq = self
                .shared
                .arrived
                .wait_timeout(seq, left)
                .map_or_else(|e| e.into_inner().0, |(guard, _)| guard);
        }
        *seq
    }

    /// A file descriptor that becomes readable each time a batch is queued for draining (one
    /// byte per batch; read them to clear it), for an event loop to poll instead of a thread
    /// waiting in [`UdpFeed::wait_queued`]. It is non-blocking, lives as long as the feed and
    /// reads end-of-file once the feed is dropped. `None` where unsupported (not Unix).
    #[must_use]
    pub fn wakeup_fd(&self) -> Option<i32> {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            self.shared.wakeup.as_ref().map(|(rx, _)| rx.as_raw_fd())
        }
        #[cfg(not(unix))]
        {
            None
        }
    }

    /// Sends `bytes` to `addr` from the feed's socket (for protocols with a handshake).
    ///
    /// # Errors
    /// The OS error, or [`std::io::ErrorKind::NotConnected`] when the feed has no socket
    /// (unavailable or stopped).
    pub fn send_to(&self, addr: SocketAddr, bytes: &[u8]) -> std::io::Result<usize> {
        let socket = lock(&self.socket).clone().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                format!(
                    "feed {:?} has no socket (unavailable or stopped)",
                    self.config.name
                ),
            )
        })?;
        socket.send_to(bytes, addr)
    }

    /// Stops the feed: signals the thread, waits for it (at most 2 s; it notices within ~50 ms;
    /// with a peer it sends the decoder's stop datagrams, a DISMISS, on its way out), closes the
    /// socket and sets [`FeedState::Stopped`]. Idempotent.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.signal_queued();
        let handle = lock(&self.thread).take();
        if let Some(handle) = handle {
            let deadline = Instant::now() + STOP_WAIT;
            while !handle.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            if handle.is_finished() {
                // A panic was already caught and reported inside the thread.
                let _ = handle.join();
            }
        }
        lock(&self.socket).take();
        *lock(&self.shared.status) = Status::Stopped;
    }
}

impl Drop for UdpFeed {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for UdpFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpFeed")
            .field("name", &self.config.name)
            .field("protocol", &self.config.protocol)
            .field("bind", &self.config.bind)
            .field("state", &self.state().0)
            .finish_non_exhaustive()
    }
}

/// Binds the feed's socket with the idle read timeout; the OS reason on failure.
fn bind(config: &FeedConfig) -> Result<UdpSocket, String> {
    let socket =
        UdpSocket::bind(config.bind).map_err(|e| format!("cannot bind {}: {e}", config.bind))?;
    socket
        .set_read_timeout(Some(IDLE_TIMEOUT))
        .map_err(|e| format!("cannot set a read timeout on {}: {e}", config.bind))?;
    Ok(socket)
}
