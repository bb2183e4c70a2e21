//! Arrow helpers: the columnar builder that turns decoded rows into canonical frame batches, and
//! the live stream's conformed IPC messages.

mod builder;
pub mod live;

pub use builder::{frame_schema, FrameBuilder};
