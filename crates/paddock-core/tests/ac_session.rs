//! The Assetto Corsa client session run by a `UdpFeed` with a peer, against a fake AC on
//! 127.0.0.1: handshake → subscribe → receiving → stale → re-handshake → receiving → DISMISS on
//! stop; and a peer that never answers (handshaking, then unavailable while still retrying).

// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use paddock_core::protocols::ac::{self, CarInfo, HandshakeResponse, Packet};
use paddock_core::udp::{FeedConfig, FeedState, UdpFeed};

/// Receives the next handshaker on the fake AC's socket: (operation id, sender).
fn next_op(game: &UdpSocket, within: Duration) -> Option<(i32, SocketAddr)> {
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 2048];
    while Instant::now() < deadline {
        game.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        if let Ok((n, from)) = game.recv_from(&mut buf) {
            if let Ok(Packet::Handshaker(h)) = ac::decode(&buf[..n]) {
                return Some((h.operation_id, from));
            }
        }
    }
    None
}

fn wait_for(feed: &UdpFeed, state: FeedState, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if feed.state().0 == state {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn response() -> Vec<u8> {
    ac::encode(&Packet::HandshakeResponse(HandshakeResponse {
        car_name: "ks_audi_r8_lms".into(),
        driver_name: "Tester".into(),
        track_name: "monza".into(),
        track_config: "monza".into(),
        ..HandshakeResponse::default()
    }))
}

fn car_info(speed_kmh: f32) -> Vec<u8> {
    ac::encode(&Packet::CarInfo(CarInfo {
        speed_kmh,
        speed_ms: speed_kmh / 3.6,
        gear: 4,
        ..CarInfo::default()
    }))
}

fn stream(game: &UdpSocket, to: SocketAddr, speed_kmh: f32, count: usize) {
    for _ in 0..count {
        game.send_to(&car_info(speed_kmh), to).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn latest_speed(feed: &UdpFeed) -> Option<f64> {
    let latest = feed.latest();
    let column = latest.column_by_name("speed_kmh")?;
    (latest.num_rows() == 1).then(|| column.as_primitive::<Float64Type>().value(0))
}

#[test]
fn handshake_subscribe_stale_rehandshake_dismiss() {
    let game = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut config = FeedConfig::new("ac", ac::PROTOCOL, "127.0.0.1:0".parse().unwrap());
    config.peer = Some(game.local_addr().unwrap());
    config.stale_after = Duration::from_millis(400);
    let feed = UdpFeed::start(config).unwrap();
    let client = feed.local_addr().unwrap();

    // DISMISS (clear a stale subscription), then HANDSHAKE, from the feed's own socket.
    assert_eq!(next_op(&game, Duration::from_secs(2)), Some((3, client)));
    assert_eq!(next_op(&game, Duration::from_secs(2)), Some((0, client)));
    assert_eq!(feed.state().0, FeedState::Handshaking);
    assert_eq!(feed.stats().peer, Some(game.local_addr().unwrap()));

    game.send_to(&response(), client).unwrap();
    assert_eq!(next_op(&game, Duration::from_secs(2)), Some((2, client)));
    assert_eq!(next_op(&game, Duration::from_secs(2)), Some((1, client)));
    stream(&game, client, 187.5, 20);
    assert!(wait_for(
        &feed,
        FeedState::Receiving,
        Duration::from_secs(1)
    ));
    assert!(wait_for(
        &feed,
        FeedState::Receiving,
        Duration::from_secs(1)
    ));
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(latest_speed(&feed), Some(187.5));

    // The game goes quiet: stale after 0.4 s, a new HANDSHAKE after 3 s of silence.
    assert!(wait_for(&feed, FeedState::Stale, Duration::from_secs(2)));
    let quiet = Instant::now();
    assert_eq!(next_op(&game, Duration::from_secs(5)), Some((0, client)));
    assert!(
        quiet.elapsed() >= Duration::from_secs(2),
        "{:?}",
        quiet.elapsed()
    );
    game.send_to(&response(), client).unwrap();
    assert_eq!(next_op(&game, Duration::from_secs(2)), Some((2, client)));
    assert_eq!(next_op(&game, Duration::from_secs(2)), Some((1, client)));
    stream(&game, client, 99.0, 10);
    assert!(wait_for(
        &feed,
        FeedState::Receiving,
        Duration::from_secs(1)
    ));
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(latest_speed(&feed), Some(99.0));
    assert_eq!(feed.stats().decode_errors, 0);

    feed.stop();
    assert_eq!(next_op(&game, Duration::from_secs(2)), Some((3, client)));
    assert_eq!(feed.state().0, FeedState::Stopped);
}

#[test]
fn a_silent_peer_is_handshaking_then_unavailable_and_retried() {
    // A port nobody listens on: the handshakes draw ICMP port-unreachable errors.
    let closed = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut config = FeedConfig::new("ac-silent", ac::PROTOCOL, "127.0.0.1:0".parse().unwrap());
    config.peer = Some(closed);
    config.handshake_timeout = Duration::from_millis(400);
    let feed = UdpFeed::start(config).unwrap();
    assert_eq!(feed.state().0, FeedState::Handshaking);
    assert!(wait_for(
        &feed,
        FeedState::Unavailable,
        Duration::from_secs(2)
    ));
    assert_eq!(feed.state().1, Some(format!("no answer from {closed}")));
    // Past the first retry (2 s) the receive thread is still alive and still answers data.
    std::thread::sleep(Duration::from_millis(2200));
    let game = UdpSocket::bind("127.0.0.1:0").unwrap();
    stream(&game, feed.local_addr().unwrap(), 42.0, 5);
    assert!(wait_for(
        &feed,
        FeedState::Receiving,
        Duration::from_secs(1)
    ));
    feed.stop();
}
