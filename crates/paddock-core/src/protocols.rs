//! Wire formats. Each protocol module decodes one packet to a typed record, decodes batches to
//! Arrow, encodes (for the simulator and tests) and maps its fields onto canonical channels through
//! a [`FrameDecoder`].

#[macro_use]
pub mod pcars2;
pub mod ac;
pub mod acc;
pub mod pcars1;
pub mod pcars_auto;
pub mod ttool;

use std::time::Duration;

use crate::arrow::FrameBuilder;
use crate::channels::Channel;
use crate::error::{CoreError, DecodeError};

/// Turns a protocol's datagrams into canonical frame rows. Stateful: protocols that spread one
/// car state over several packet types (timings, lap stats) remember the latest of each and merge
/// them into the rows they emit.
pub trait FrameDecoder: Send {
    /// The protocol's name as used in configs and the API (`project_cars_2`).
    fn protocol(&self) -> &'static str;
    /// The channels of the rows it emits, canonical ones first.
    fn channels(&self) -> &'static [&'static str];
    /// Decodes one datagram received at `ts_ns`, appending zero or more rows to `out`.
    ///
    /// # Errors
    /// A [`DecodeError`] for bytes the protocol does not accept; the decoder's state is unchanged.
    fn push(
        &mut self,
        ts_ns: i64,
        datagram: &[u8],
        out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError>;
    /// For decoders that accept several formats (`project_cars`): the protocol name of the
    /// format of the last datagram decoded (`project_cars_1`), `None` before the first one and
    /// for single-format decoders.
    fn detected(&self) -> Option<&'static str> {
        None
    }

    /// Session hook, for protocols where the client speaks first (a feed with a peer calls it):
    /// the datagrams to send to the peer when the feed starts. Default: none.
    fn on_start(&mut self) -> Vec<Vec<u8>> {
        Vec::new()
    }

    /// Session hook: replies that [`FrameDecoder::push`] queued (a subscription answering a
    /// handshake), taken after each batch and sent to the peer. Default: none.
    fn take_replies(&mut self) -> Vec<Vec<u8>> {
        Vec::new()
    }

    /// Session hook, called about every 50 ms while nothing arrives: `idle_for` is the time since
    /// the last datagram (or since the start). Returns datagrams to send (a re-handshake).
    /// Default: none.
    fn on_idle(&mut self, idle_for: Duration) -> Vec<Vec<u8>> {
        let _ = idle_for;
        Vec::new()
    }

    /// Session hook: datagrams to send to the peer when the feed stops (a dismiss). Default:
    /// none.
    fn on_stop(&mut self) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

/// Names of the protocols a feed can speak.
pub const PROTOCOLS: &[&str] = &[
    pcars2::PROTOCOL,
    pcars1::PROTOCOL,
    pcars_auto::PROTOCOL,
    ac::PROTOCOL,
    ttool::PROTOCOL,
    acc::PROTOCOL,
];

/// Namespaced channels of every protocol, for the channel registry.
pub const NAMESPACED_CHANNELS: &[&[Channel]] = &[
    pcars2::NAMESPACED,
    pcars1::NAMESPACED,
    ac::NAMESPACED,
    acc::NAMESPACED,
];

/// Session settings of the protocols where paddock registers with the game (ACC); the others
/// ignore them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// Name paddock registers under (ACC's `displayName`). Default "paddock".
    pub display_name: String,
    /// The game's connection password (ACC's `connectionPassword` in `broadcasting.json`).
    /// Default empty.
    pub password: String,
    /// Update interval asked of the game, ms (ACC's `msRealtimeUpdateInterval`). Default 100.
    pub update_interval_ms: i32,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            display_name: "paddock".to_string(),
            password: String::new(),
            update_interval_ms: 100,
        }
    }
}

/// A fresh frame decoder for `protocol` with default [`SessionOptions`].
///
/// # Errors
/// [`CoreError::UnknownProtocol`] for a name not in [`PROTOCOLS`].
pub fn frame_decoder(protocol: &str) -> Result<Box<dyn FrameDecoder>, CoreError> {
    frame_decoder_with(protocol, &SessionOptions::default())
}

/// A fresh frame decoder for `protocol`, registering with `session`'s settings where the
/// protocol has a registration.
///
/// # Errors
/// [`CoreError::UnknownProtocol`] for a name not in [`PROTOCOLS`].
pub fn frame_decoder_with(
    protocol: &str,
    session: &SessionOptions,
) -> Result<Box<dyn FrameDecoder>, CoreError> {
    match protocol {
        pcars2::PROTOCOL => Ok(Box::new(pcars2::Pcars2Frames::default())),
        pcars1::PROTOCOL => Ok(Box::new(pcars1::Pcars1Frames::default())),
        pcars_auto::PROTOCOL => Ok(Box::new(pcars_auto::PcarsAutoFrames::default())),
        ac::PROTOCOL => Ok(Box::new(ac::AcFrames::default())),
        ttool::PROTOCOL => Ok(Box::new(ttool::TelemetryToolFrames)),
        acc::PROTOCOL => Ok(Box::new(acc::AccFrames::with_registration(
            &session.display_name,
            &session.password,
            session.update_interval_ms,
        ))),
        other => Err(CoreError::UnknownProtocol(other.to_string())),
    }
}
