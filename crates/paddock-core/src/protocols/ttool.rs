//! The Telemetry Tool plugin feed (an Assetto Corsa app forwarding to UDP 10101).
//!
//! Its datagram layout is not public (spec §5: closed source, no capture, the claimed 357-byte
//! "driver" struct unconfirmed), so this decoder decodes nothing: every datagram is counted as a
//! [`DecodeError::UnknownLayout`], and the feed keeps the bytes exactly as received, so recordings
//! hold them for decoding once the layout is known. Another [`FrameDecoder`] can take its place
//! in [`crate::protocols::frame_decoder`] without touching the feed.

use crate::arrow::FrameBuilder;
use crate::channels::Channel;
use crate::error::DecodeError;
use crate::protocols::FrameDecoder;

/// The protocol's name in configs and the API.
pub const PROTOCOL: &str = "telemetry_tool";
/// The plugin's default destination port.
pub const PORT: u16 = 10101;
/// No namespaced channels until the layout is known.
pub const NAMESPACED: &[Channel] = &[];

/// The frame decoder of the Telemetry Tool feed: counts every datagram as undecodable.
#[derive(Debug, Default)]
pub struct TelemetryToolFrames;

impl FrameDecoder for TelemetryToolFrames {
    fn protocol(&self) -> &'static str {
        PROTOCOL
    }

    fn channels(&self) -> &'static [&'static str] {
        &[]
    }

    fn push(
        &mut self,
        _ts_ns: i64,
        datagram: &[u8],
        _out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError> {
        Err(DecodeError::UnknownLayout {
            protocol: PROTOCOL,
            got: datagram.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_datagram_is_counted_undecodable_and_no_row_is_made() {
        let mut frames = TelemetryToolFrames;
        let mut out = FrameBuilder::new(frames.channels());
        for len in [0usize, 1, 357, 1500] {
            let err = frames.push(1, &vec![7u8; len], &mut out).unwrap_err();
            assert_eq!(
                err,
                DecodeError::UnknownLayout {
                    protocol: PROTOCOL,
                    got: len
                }
            );
            assert!(err.to_string().contains("kept raw"));
        }
        assert_eq!(out.finish().unwrap().num_rows(), 0);
    }
}
