//! UDP feeds: one socket and one receive thread per feed, decoding datagrams into canonical frame
//! batches, keeping them in a [`crate::ring::RingBuffer`] and queueing raw datagrams and frames
//! for the recorder to drain.
//!
//! The receive thread never holds a lock while it receives or decodes; it takes the ring's and
//! the queues' locks only to append a finished batch. Readers take them only to slice or swap
//! batches out, and concatenate after letting go.

mod config;
mod feed;
mod kernel;
mod receive;
mod stats;

pub use config::FeedConfig;
pub use feed::{raw_schema, Drained, UdpFeed};
pub use kernel::kernel_drops;
pub use stats::{FeedState, FeedStats};

/// Largest datagram the receive buffer holds whole (bytes): the IPv4 UDP maximum rounded up.
pub const MAX_DATAGRAM: usize = 65_536;
