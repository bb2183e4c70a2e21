//! The receive thread of a feed: gathers datagrams into batches, decodes them, appends the frames
//! to the ring and queues raw datagrams and frames for draining.

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::builder::{ArrayBuilder, BinaryBuilder, Int64Builder};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::SchemaRef;

use super::feed::{lock, now_ns, raw_schema, Shared};
use super::{FeedConfig, MAX_DATAGRAM};
use crate::arrow::FrameBuilder;
use crate::protocols::FrameDecoder;

/// Read timeout while waiting for a batch's first datagram: how soon a stop is noticed.
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_millis(50);

/// What one `recv_from` gave.
enum Received {
    /// A datagram of this many bytes is in the buffer.
    Datagram(usize),
    /// Nothing within the timeout (or an interruption / a stale ICMP error): try again.
    Nothing,
}

/// The receive loop's state, owned by the feed's thread.
pub(super) struct Receiver {
    socket: Arc<UdpSocket>,
    shared: Arc<Shared>,
    decoder: Box<dyn FrameDecoder>,
    frames: FrameBuilder,
    raw_schema: SchemaRef,
    batch_max: usize,
    batch_window: Duration,
    ts: Int64Builder,
    payload: BinaryBuilder,
    /// The session peer: where the decoder's session datagrams go.
    peer: Option<SocketAddr>,
}

impl Receiver {
    pub(super) fn new(
        socket: Arc<UdpSocket>,
        shared: Arc<Shared>,
        decoder: Box<dyn FrameDecoder>,
        config: &FeedConfig,
    ) -> Self {
        let frames = FrameBuilder::new(decoder.channels());
        Self {
            socket,
            shared,
            decoder,
            frames,
            raw_schema: raw_schema(),
            batch_max: config.batch_max,
            batch_window: config.batch_window,
            ts: Int64Builder::new(),
            payload: BinaryBuilder::new(),
            peer: config.peer,
        }
    }

    /// Runs the loop; a panic (a decoder bug) makes the feed unavailable instead of leaving it
    /// looking alive.
    pub(super) fn run_guarded(mut self) {
        let shared = self.shared.clone();
        if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| self.run())) {
            let what = panic
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            shared.fail(format!("receive thread panicked: {what}"));
        }
    }

    fn run(&mut self) {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let start = self.decoder.on_start();
        self.send(&start);
        while !self.shared.stop.load(Ordering::Acquire) {
            match self.recv(&mut buf, IDLE_TIMEOUT) {
                Ok(Received::Datagram(n)) => self.keep(&buf, n),
                Ok(Received::Nothing) => {
                    self.idle();
                    continue;
                }
                Err(reason) => {
                    self.shared.fail(reason);
                    return;
                }
            }
            let gathered = self.gather(&mut buf);
            self.flush();
            let replies = self.decoder.take_replies();
            self.send(&replies);
            if let Err(reason) = gathered {
                self.shared.fail(reason);
                return;
            }
        }
        let goodbye = self.decoder.on_stop();
        self.send(&goodbye);
    }

    /// Lets the decoder's session act on a quiet spell (a re-handshake).
    fn idle(&mut self) {
        if self.peer.is_none() {
            return;
        }
        let last = self
            .shared
            .last_packet_mono_ns
            .load(Ordering::Acquire)
            .max(0);
        let idle_ns = self.shared.mono_ns().saturating_sub(last);
        let idle_for = Duration::from_nanos(u64::try_from(idle_ns).unwrap_or(0));
        let datagrams = self.decoder.on_idle(idle_for);
        self.send(&datagrams);
    }

    /// Sends session datagrams to the peer; without a peer they are dropped. A failed send
    /// (the peer's host unreachable, an ICMP error reported late) is noted, never fatal: the
    /// session retries on its own.
    fn send(&self, datagrams: &[Vec<u8>]) {
        let Some(peer) = self.peer else {
            return;
        };
        for datagram in datagrams {
            if let Err(e) = self.socket.send_to(datagram, peer) {
                self.note_error(format!(
                    "cannot send {} bytes to {peer}: {e}",
                    datagram.len()
                ));
            }
        }
    }

    /// Receives more datagrams until `batch_max`, waiting up to `batch_window` after the first;
    /// once the window has passed (at once with a zero window) it still takes what already waits
    /// in the socket, so a burst fills whole batches without delaying a lone datagram.
    fn gather(&mut self, buf: &mut [u8]) -> Result<(), String> {
        let started = Instant::now();
        while self.ts.len() < self.batch_max && !self.shared.stop.load(Ordering::Acquire) {
            let remaining = self.batch_window.saturating_sub(started.elapsed());
            let received = if remaining.is_zero() {
                self.recv_waiting(buf)?
            } else {
                self.recv(buf, remaining)?
            };
            match received {
                Received::Datagram(n) => self.keep(buf, n),
                Received::Nothing if remaining.is_zero() => break,
                Received::Nothing => {}
            }
        }
        Ok(())
    }

    /// One `recv_from` that does not wait: a datagram already queued, or `Nothing`.
    ///
    /// The socket is non-blocking only for this call (a read timeout would not do: the kernel
    /// rounds it up to a scheduler tick, milliseconds). A send from another thread meanwhile
    /// could only fail if the socket's send buffer were full.
    fn recv_waiting(&self, buf: &mut [u8]) -> Result<Received, String> {
        self.socket
            .set_nonblocking(true)
            .map_err(|e| format!("cannot make the socket non-blocking: {e}"))?;
        let received = self.recv_result(self.socket.recv_from(buf));
        self.socket
            .set_nonblocking(false)
            .map_err(|e| format!("cannot make the socket blocking again: {e}"))?;
        received
    }

    /// One `recv_from` with `timeout`; `Err` with a reason when the socket is unusable.
    fn recv(&self, buf: &mut [u8], timeout: Duration) -> Result<Received, String> {
        self.socket
            .set_read_timeout(Some(timeout))
            .map_err(|e| format!("cannot set the read timeout: {e}"))?;
        self.recv_result(self.socket.recv_from(buf))
    }

    /// What a `recv_from` result means for the loop.
    fn recv_result(
        &self,
        result: std::io::Result<(usize, SocketAddr)>,
    ) -> Result<Received, String> {
        match result {
            Ok((n, _)) => Ok(Received::Datagram(n)),
            Err(e) => match e.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted => {
                    Ok(Received::Nothing)
                }
                // An ICMP error for an earlier `send_to` (Windows reports it on unconnected
                // sockets): the socket is fine.
                ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused => Ok(Received::Nothing),
                _ => Err(format!("receive failed: {e}")),
            },
        }
    }

    /// Timestamps and keeps the datagram of `n` bytes at the start of `buf`.
    fn keep(&mut self, buf: &[u8], n: usize) {
        let ts_ns = now_ns();
        self.ts.append_value(ts_ns);
        self.payload.append_value(buf.get(..n).unwrap_or(buf));
        self.shared.last_packet_ns.store(ts_ns, Ordering::Release);
        self.shared
            .last_packet_mono_ns
            .store(self.shared.mono_ns(), Ordering::Release);
    }

    /// Decodes the gathered datagrams and hands raw and frame batches over.
    fn flush(&mut self) {
        let rows = self.ts.len();
        if rows == 0 {
            return;
        }
        let columns: Vec<ArrayRef> =
            vec![Arc::new(self.ts.finish()), Arc::new(self.payload.finish())];
        let raw = RecordBatch::try_new_with_options(
            self.raw_schema.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        );
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                self.note_error(format!("cannot build a raw batch of {rows} datagrams: {e}"));
                return;
            }
        };
        let mut bytes = 0u64;
        let mut errors = 0u64;
        let mut last_error = None;
        if let (Some(ts), Some(payload)) = (
            raw.column(0)
                .as_any()
                .downcast_ref::<arrow_array::Int64Array>(),
            raw.column(1)
                .as_any()
                .downcast_ref::<arrow_array::BinaryArray>(),
        ) {
            for (&ts_ns, datagram) in ts.values().iter().zip(payload.iter().flatten()) {
                bytes += datagram.len() as u64;
                if let Err(e) = self.decoder.push(ts_ns, datagram, &mut self.frames) {
                    errors += 1;
                    last_error = Some(e.to_string());
                }
            }
        }
        if let Some(format) = self.decoder.detected() {
            *lock(&self.shared.detected) = Some(format);
        }
        if errors > 0 {
            self.shared
                .decode_errors
                .fetch_add(errors, Ordering::AcqRel);
            *lock(&self.shared.last_error) = last_error;
        }
        let frames = match self.frames.finish() {
            Ok(frames) => frames,
            Err(e) => {
                self.note_error(format!("cannot build a frame batch: {e}"));
                return;
            }
        };
        if frames.num_rows() > 0 {
            if let Err(e) = lock(&self.shared.ring).append(frames.clone()) {
                self.note_error(format!("ring append failed: {e}"));
            }
        }
        let mut queues = lock(&self.shared.queues);
        let queued = queues
            .raw
            .append(raw)
            .and_then(|()| queues.frames.append(frames));
        drop(queues);
        if let Err(e) = queued {
            self.note_error(format!("drain queue append failed: {e}"));
        }
        self.shared.signal_queued();
        // Counted last, so a reader that sees the packets also sees their rows.
        self.shared.bytes.fetch_add(bytes, Ordering::AcqRel);
        self.shared.packets.fetch_add(rows as u64, Ordering::AcqRel);
    }

    fn note_error(&self, message: String) {
        *lock(&self.shared.last_error) = Some(message);
    }
}
