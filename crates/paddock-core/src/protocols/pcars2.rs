//! Project CARS 2 native UDP format (to be written in full by the protocol work).
use crate::arrow::FrameBuilder;
use crate::channels::Channel;
use crate::error::DecodeError;
use crate::protocols::FrameDecoder;

pub const PROTOCOL: &str = "project_cars_2";
pub const NAMESPACED: &[Channel] = &[];

#[derive(Default)]
pub struct Pcars2Frames;

impl FrameDecoder for Pcars2Frames {
    fn protocol(&self) -> &'static str {
        PROTOCOL
    }
    fn channels(&self) -> &'static [&'static str] {
        &[]
    }
    fn push(&mut self, _: i64, _: &[u8], _: &mut FrameBuilder) -> Result<usize, DecodeError> {
        Ok(0)
    }
}
