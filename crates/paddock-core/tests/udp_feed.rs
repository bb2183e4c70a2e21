//! Integration tests of `UdpFeed` over real loopback sockets, with a test-only decoder that reads
//! one little-endian f64 (`speed_kmh`) from each 8-byte datagram.

// Helpers outside `#[test]` functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use paddock_core::arrow::FrameBuilder;
use paddock_core::error::DecodeError;
use paddock_core::protocols::FrameDecoder;
use paddock_core::udp::{raw_schema, FeedConfig, FeedState, UdpFeed};
use paddock_core::CoreError;

/// One row per 8-byte datagram: the bytes as a little-endian f64 speed.
struct F64Decoder;

impl FrameDecoder for F64Decoder {
    fn protocol(&self) -> &'static str {
        "test_f64"
    }

    fn channels(&self) -> &'static [&'static str] {
        &["speed_kmh"]
    }

    fn push(
        &mut self,
        ts_ns: i64,
        datagram: &[u8],
        out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError> {
        let bytes: [u8; 8] = datagram
            .try_into()
            .map_err(|_| DecodeError::LengthMismatch {
                protocol: "test_f64",
                packet_type: 0,
                expected: 8,
                got: datagram.len(),
            })?;
        out.push_row(ts_ns, &[Some(f64::from_le_bytes(bytes))]);
        Ok(1)
    }
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn config(name: &str) -> FeedConfig {
    FeedConfig::new(name, "test_f64", loopback())
}

fn start(config: FeedConfig) -> UdpFeed {
    UdpFeed::start_with_decoder(config, Box::new(F64Decoder)).unwrap()
}

fn client() -> UdpSocket {
    UdpSocket::bind(loopback()).unwrap()
}

/// Polls `done` every 5 ms for at most `timeout`; true if it became true.
fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    done()
}

/// Sends every datagram to the feed, pausing briefly every 20 so the socket buffer keeps up.
fn send_all(feed: &UdpFeed, datagrams: &[Vec<u8>]) {
    let to = feed.local_addr().unwrap();
    let sender = client();
    for (i, d) in datagrams.iter().enumerate() {
        sender.send_to(d, to).unwrap();
        if i % 20 == 19 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

fn speeds(values: impl IntoIterator<Item = f64>) -> Vec<Vec<u8>> {
    values
        .into_iter()
        .map(|v| v.to_le_bytes().to_vec())
        .collect()
}

fn wait_packets(feed: &UdpFeed, n: u64) {
    let got = wait_until(Duration::from_secs(5), || feed.stats().packets >= n);
    assert!(got, "only {} of {n} packets arrived", feed.stats().packets);
}

#[test]
fn feeds_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<UdpFeed>();
}

#[test]
fn listening_receiving_stale_stopped() {
    let mut cfg = config("states");
    cfg.stale_after = Duration::from_millis(200);
    let feed = start(cfg);
    assert_eq!(feed.state(), (FeedState::Listening, None));
    assert_eq!(feed.stats().last_packet_ns, None);

    send_all(&feed, &speeds([1.0]));
    assert!(wait_until(Duration::from_secs(5), || feed.state().0
        == FeedState::Receiving));
    assert!(wait_until(Duration::from_secs(5), || feed.state().0
        == FeedState::Stale));
    send_all(&feed, &speeds([2.0]));
    assert!(wait_until(Duration::from_secs(5), || feed.state().0
        == FeedState::Receiving));

    feed.stop();
    assert_eq!(feed.stats().state, FeedState::Stopped);
    assert_eq!(feed.stats().state.as_str(), "stopped");
}

#[test]
fn counters_and_ring_reads() {
    let feed = start(config("counters"));
    let values: Vec<f64> = (0..50).map(f64::from).collect();
    send_all(&feed, &speeds(values.clone()));
    wait_packets(&feed, 50);

    let stats = feed.stats();
    assert_eq!(
        (stats.packets, stats.bytes, stats.decode_errors),
        (50, 400, 0)
    );
    assert_eq!(stats.name, "counters");
    assert_eq!(stats.protocol, "test_f64");
    assert_eq!(stats.bind, "127.0.0.1:0");
    assert_eq!(stats.local_addr, feed.local_addr());
    assert!(stats.last_packet_ns.unwrap() >= stats.started_ns);
    assert!(stats.rate_hz > 0.0, "rate {}", stats.rate_hz);

    let latest = feed.latest();
    assert_eq!(latest.num_rows(), 1);
    assert_eq!(
        latest.column(2).as_primitive::<Float64Type>().value(0),
        49.0
    );
    let last = feed.last(3).unwrap();
    assert_eq!(
        last.column(2)
            .as_primitive::<Float64Type>()
            .values()
            .as_ref(),
        &[47.0, 48.0, 49.0]
    );

    let all = feed.last(1000).unwrap();
    assert_eq!(all.schema(), feed.frame_schema());
    let ts = all.column(0).as_primitive::<Int64Type>();
    let tenth = ts.value(9);
    let since = feed.since(tenth).unwrap();
    let expected = ts.values().iter().filter(|&&t| t > tenth).count();
    assert_eq!(since.num_rows(), expected);
}

#[test]
fn garbage_counts_as_decode_errors() {
    let feed = start(config("garbage"));
    let big = vec![0xAB; 60_000];
    let datagrams = vec![vec![1, 2, 3], vec![], big, 7.5f64.to_le_bytes().to_vec()];
    send_all(&feed, &datagrams);
    wait_packets(&feed, 4);
    let stats = feed.stats();
    assert_eq!(stats.decode_errors, 3);
    assert_eq!(stats.bytes, 3 + 60_000 + 8);
    let last_error = stats.last_error.unwrap();
    assert!(last_error.contains("test_f64"), "{last_error}");
    assert_eq!(
        feed.latest()
            .column(2)
            .as_primitive::<Float64Type>()
            .value(0),
        7.5
    );
    // The oversized datagram is kept whole.
    let raw = feed.drain().unwrap().raw;
    assert_eq!(raw.column(1).as_binary::<i32>().value(2).len(), 60_000);
}

#[test]
fn drain_returns_exactly_what_was_sent() {
    let feed = start(config("drain"));
    let empty = feed.drain().unwrap();
    assert_eq!((empty.raw.num_rows(), empty.frames.num_rows()), (0, 0));
    assert_eq!(empty.raw.schema(), raw_schema());
    assert_eq!(empty.frames.schema(), feed.frame_schema());

    let mut datagrams = speeds((0..60).map(|i| f64::from(i) * 1.5));
    datagrams.insert(10, b"not a speed".to_vec());
    datagrams.insert(30, (0..=255u8).collect());
    send_all(&feed, &datagrams);
    wait_packets(&feed, 62);

    let drained = feed.drain().unwrap();
    let payload = drained.raw.column(1).as_binary::<i32>();
    let got: Vec<Vec<u8>> = payload.iter().map(|p| p.unwrap().to_vec()).collect();
    assert_eq!(got, datagrams);
    let ts = drained.raw.column(0).as_primitive::<Int64Type>();
    assert!(ts.values().windows(2).all(|w| w[0] <= w[1]));
    let frames = drained.frames.column(2).as_primitive::<Float64Type>();
    let expected: Vec<f64> = (0..60).map(|i| f64::from(i) * 1.5).collect();
    assert_eq!(frames.values().as_ref(), expected.as_slice());

    let again = feed.drain().unwrap();
    assert_eq!((again.raw.num_rows(), again.frames.num_rows()), (0, 0));
}

#[test]
fn a_zero_batch_window_still_takes_every_queued_datagram_in_order() {
    let mut cfg = config("zero-window");
    cfg.batch_window = Duration::ZERO;
    cfg.batch_max = 8;
    let feed = start(cfg);
    let values: Vec<f64> = (0..200).map(f64::from).collect();
    send_all(&feed, &speeds(values.iter().copied()));
    wait_packets(&feed, 200);
    let drained = feed.drain().unwrap();
    let frames = drained.frames.column(2).as_primitive::<Float64Type>();
    assert_eq!(frames.values().as_ref(), values.as_slice());
    assert_eq!(feed.stats().decode_errors, 0);
}

#[test]
fn overflow_is_counted_in_ring_and_queues() {
    let mut cfg = config("overflow");
    cfg.ring_capacity = 10;
    cfg.queue_capacity = 5;
    let feed = start(cfg);
    send_all(&feed, &speeds((0..25).map(f64::from)));
    wait_packets(&feed, 25);
    let stats = feed.stats();
    assert_eq!((stats.ring_rows, stats.dropped_rows), (10, 15));
    assert_eq!((stats.dropped_raw, stats.dropped_frames), (20, 20));
    let drained = feed.drain().unwrap();
    let frames = drained.frames.column(2).as_primitive::<Float64Type>();
    assert_eq!(frames.values().as_ref(), &[20.0, 21.0, 22.0, 23.0, 24.0]);
    let first_kept = feed.last(100).unwrap();
    assert_eq!(
        first_kept.column(2).as_primitive::<Float64Type>().value(0),
        15.0
    );
}

#[test]
fn a_taken_port_makes_the_feed_unavailable() {
    let holder = client();
    let taken = holder.local_addr().unwrap();
    let feed = start(FeedConfig::new("taken", "test_f64", taken));
    let (state, reason) = feed.state();
    assert_eq!(state, FeedState::Unavailable);
    let reason = reason.unwrap();
    assert!(reason.contains(&taken.to_string()), "{reason}");
    assert_eq!(feed.local_addr(), None);
    let err = feed.send_to(taken, b"x").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotConnected);
    feed.stop();
    assert_eq!(feed.state(), (FeedState::Stopped, None));
}

#[test]
fn stop_is_prompt_idempotent_and_frees_the_port() {
    let feed = start(config("stop"));
    let addr = feed.local_addr().unwrap();
    send_all(&feed, &speeds([1.0, 2.0]));
    wait_packets(&feed, 2);
    let started = Instant::now();
    feed.stop();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    feed.stop();
    assert_eq!(feed.state().0, FeedState::Stopped);
    assert_eq!(feed.local_addr(), None);
    // The ring survives the stop; the port is free again.
    assert_eq!(feed.last(10).unwrap().num_rows(), 2);
    let again = start(FeedConfig::new("stop-again", "test_f64", addr));
    assert_eq!(again.state().0, FeedState::Listening);
    drop(again);
    UdpSocket::bind(addr).unwrap();
}

#[test]
fn send_to_uses_the_feed_socket() {
    let feed = start(config("send"));
    let peer = client();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let sent = feed
        .send_to(peer.local_addr().unwrap(), b"handshake")
        .unwrap();
    assert_eq!(sent, 9);
    let mut buf = [0u8; 64];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"handshake");
    assert_eq!(Some(from), feed.local_addr());
}

#[test]
fn bad_configs_and_protocols_are_errors() {
    let unknown = UdpFeed::start(FeedConfig::new("x", "no_such_protocol", loopback()));
    assert!(matches!(unknown, Err(CoreError::UnknownProtocol(name)) if name == "no_such_protocol"));
    let mut cfg = config("zero");
    cfg.ring_capacity = 0;
    let zero = UdpFeed::start_with_decoder(cfg, Box::new(F64Decoder));
    assert!(matches!(zero, Err(CoreError::InvalidArgument(m)) if m.contains("ring_capacity")));
    let nul = UdpFeed::start_with_decoder(config("a\0b"), Box::new(F64Decoder));
    assert!(matches!(nul, Err(CoreError::InvalidArgument(_))));
}

#[test]
fn registered_protocols_start() {
    let feed = UdpFeed::start(FeedConfig::new("pc2", "project_cars_2", loopback())).unwrap();
    assert_eq!(feed.state().0, FeedState::Listening);
    assert_eq!(feed.frame_schema().field(0).name(), "ts_ns");
}

#[test]
fn wait_queued_wakes_on_data_and_on_stop() {
    let feed = start(config("wait"));
    // Nothing queued: the wait runs to its timeout and reports no change.
    assert_eq!(feed.wait_queued(0, Duration::from_millis(20)), 0);
    let waiter = std::thread::scope(|scope| {
        let waiting = scope.spawn(|| feed.wait_queued(0, Duration::from_secs(5)));
        send_all(&feed, &speeds([1.0]));
        waiting.join().unwrap()
    });
    assert!(waiter > 0, "the wait ended without a queued batch");
    wait_packets(&feed, 1);
    let drained = feed.drain().unwrap();
    assert_eq!(drained.frames.num_rows(), 1);
    // A stop ends a wait long before its timeout (the mark moves on once more).
    let seen = feed.wait_queued(0, Duration::from_millis(1));
    let started = Instant::now();
    let after_stop = std::thread::scope(|scope| {
        let waiting = scope.spawn(|| feed.wait_queued(seen, Duration::from_secs(30)));
        std::thread::sleep(Duration::from_millis(20));
        feed.stop();
        waiting.join().unwrap()
    });
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the stop did not end the wait"
    );
    assert_ne!(after_stop, seen);
    // Stopped: a wait does not block.
    let quick = Instant::now();
    assert_eq!(
        feed.wait_queued(after_stop, Duration::from_secs(30)),
        after_stop
    );
    assert!(quick.elapsed() < Duration::from_secs(20));
}
