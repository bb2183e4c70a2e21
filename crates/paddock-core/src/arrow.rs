//! Arrow helpers: the columnar builder that turns decoded rows into canonical frame batches.

mod builder;

pub use builder::{frame_schema, FrameBuilder};
