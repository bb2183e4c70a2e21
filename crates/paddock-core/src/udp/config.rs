//! `FeedConfig`: what a UDP feed listens on, which protocol it speaks and how much it keeps.

use std::net::SocketAddr;
use std::time::Duration;

use crate::error::CoreError;
use crate::protocols::SessionOptions;

/// Settings of one UDP feed. Build with [`FeedConfig::new`] and adjust the public fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    /// Feed name, unique per process by convention; names the receive thread
    /// (`paddock-feed-<name>`). Must not contain NUL.
    pub name: String,
    /// Protocol name as listed in [`crate::protocols::PROTOCOLS`] (`project_cars_2`).
    pub protocol: String,
    /// Local address to bind (`0.0.0.0:5606`; port 0 picks a free port, the usual choice with a
    /// `peer`).
    pub bind: SocketAddr,
    /// The game to hold a session with, for protocols where the client speaks first (Assetto
    /// Corsa: `GAME_HOST:9996`). When set, the feed sends the decoder's session datagrams
    /// (handshake, subscriptions, re-handshakes, dismiss) to it from the bound socket; datagrams
    /// are received on that same socket. Default `None`: listen only.
    pub peer: Option<SocketAddr>,
    /// With a `peer` that has not answered for this long after the start, the feed reports
    /// `unavailable` ("no answer from <peer>") while it keeps retrying. Default 10 s.
    pub handshake_timeout: Duration,
    /// Registration settings for protocols that register with the game (ACC's display name,
    /// connection password and update interval). Default [`SessionOptions::default`].
    pub session: SessionOptions,
    /// Frame rows kept in the feed's ring buffer. Default 36,000 (10 min at 60 Hz).
    pub ring_capacity: usize,
    /// Rows (frames) and datagrams (raw) kept for [`crate::udp::UdpFeed::drain`] between drains;
    /// beyond it the oldest are dropped and counted. Default 200,000.
    pub queue_capacity: usize,
    /// With no datagram for this long a receiving feed turns stale. Default 2 s.
    pub stale_after: Duration,
    /// Most datagrams decoded as one batch. Default 256.
    pub batch_max: usize,
    /// Longest time spent gathering one batch after its first datagram. Default 5 ms.
    pub batch_window: Duration,
}

impl FeedConfig {
    /// A config with the defaults listed on each field.
    #[must_use]
    pub fn new(name: impl Into<String>, protocol: impl Into<String>, bind: SocketAddr) -> Self {
        Self {
            name: name.into(),
            protocol: protocol.into(),
            bind,
            peer: None,
            handshake_timeout: Duration::from_secs(10),
            session: SessionOptions::default(),
            ring_capacity: 36_000,
            queue_capacity: 200_000,
            stale_after: Duration::from_secs(2),
            batch_max: 256,
            batch_window: Duration::from_millis(5),
        }
    }

    /// Checks the values a feed cannot run with.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] when a capacity or `batch_max` is 0, or the name holds NUL.
    pub fn validate(&self) -> Result<(), CoreError> {
        let counts = [
            ("ring_capacity", self.ring_capacity),
            ("queue_capacity", self.queue_capacity),
            ("batch_max", self.batch_max),
        ];
        for (what, value) in counts {
            if value == 0 {
                return Err(CoreError::InvalidArgument(format!(
                    "feed {:?}: {what} must be at least 1, got 0",
                    self.name
                )));
            }
        }
        if self.name.contains('\0') {
            return Err(CoreError::InvalidArgument(format!(
                "feed name {:?} contains a NUL byte",
                self.name
            )));
        }
        Ok(())
    }
}
