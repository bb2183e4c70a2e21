//! The health state every feed reports, and the counters snapshot `UdpFeed::stats` returns.

use std::net::SocketAddr;

/// Health of a feed. One state machine serves every feed:
///
/// ```text
///  Stopped ──start, bound──► Listening ──first datagram──► Receiving ◄──datagram── Stale
///     │                                                   ▲    └──no datagram for stale_after──┘
///     └──start, bound, peer set──► Handshaking ──first datagram┘
///                                      └──no answer for handshake_timeout──► Unavailable
///                                         ("no answer from <peer>"; still retrying, and an
///                                          answer still leads to Receiving)
///  any ──bind failed / socket error / receive thread died──► Unavailable (with a reason)
///  any ──stop()──► Stopped
/// ```
///
/// `Listening`, `Receiving` and `Stale` are derived when asked, from the monotonic time of the
/// last datagram, so they are never late by a polling interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedState {
    /// Not running: never started or stopped.
    Stopped,
    /// Bound and waiting; no datagram yet.
    Listening,
    /// Bound with a peer configured (a client session, as Assetto Corsa's): handshakes sent, no
    /// answer yet.
    Handshaking,
    /// A datagram arrived within `stale_after`.
    Receiving,
    /// Datagrams arrived before, none within `stale_after`.
    Stale,
    /// The socket could not be bound or failed; the reason is in [`FeedStats::reason`].
    Unavailable,
}

impl FeedState {
    /// `"stopped"`, `"listening"`, `"handshaking"`, `"receiving"`, `"stale"` or
    /// `"unavailable"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stopped => "stopped",
            Self::Listening => "listening",
            Self::Handshaking => "handshaking",
            Self::Receiving => "receiving",
            Self::Stale => "stale",
            Self::Unavailable => "unavailable",
        }
    }
}

impl std::fmt::Display for FeedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A snapshot of a feed's health and counters. Counters count since the feed started.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedStats {
    /// Feed name.
    pub name: String,
    /// Protocol name.
    pub protocol: String,
    /// Health state.
    pub state: FeedState,
    /// Why the feed is unavailable (the OS error for a bind failure); `None` otherwise.
    pub reason: Option<String>,
    /// The configured bind address.
    pub bind: String,
    /// The configured session peer, if any.
    pub peer: Option<SocketAddr>,
    /// The bound address (with the port the OS picked for port 0); `None` when not bound.
    pub local_addr: Option<SocketAddr>,
    /// Datagrams received.
    pub packets: u64,
    /// Bytes received (UDP payloads).
    pub bytes: u64,
    /// Datagrams the protocol rejected.
    pub decode_errors: u64,
    /// The last decode (or internal) error message.
    pub last_error: Option<String>,
    /// For multi-format protocols (`project_cars`): the protocol name of the format last
    /// detected (`project_cars_1`, `project_cars_2`); `None` before the first datagram decoded
    /// and for single-format protocols.
    pub detected_format: Option<String>,
    /// Frame rows in the ring now.
    pub ring_rows: usize,
    /// Frame rows dropped by the full ring.
    pub dropped_rows: u64,
    /// Raw datagrams dropped from the drain queue because nobody drained it in time.
    pub dropped_raw: u64,
    /// Frame rows dropped from the drain queue because nobody drained it in time.
    pub dropped_frames: u64,
    /// Datagrams the operating system dropped before the feed read them (receive buffer full);
    /// `None` where the system does not report it (see [`crate::udp::kernel_drops`]).
    pub kernel_drops: Option<u64>,
    /// Frame rows per second over the ring's last 2 s before now (0 when rows stopped).
    pub rate_hz: f64,
    /// Receive time of the last datagram, ns since the epoch.
    pub last_packet_ns: Option<i64>,
    /// When the feed started, ns since the epoch.
    pub started_ns: i64,
}
