//! Assetto Corsa remote telemetry ("KSUDP", UDP 9996; spec §1): typed records of the client's
//! 12-byte handshaker, AC's 408-byte handshake response, `RTCarInfo` (328) and `RTLap` (212);
//! [`decode`] / [`encode`] of one datagram, [`decode_batch`] of many into one Arrow batch per
//! packet type, and the canonical frame decoder [`AcFrames`], which also drives the client side
//! of the handshake session when a feed has a peer.
//!
//! No packet carries a type byte: datagrams are told apart by length (spec §1.6).
//!
//! | bytes | packet               | direction    |
//! |------:|----------------------|--------------|
//! | 12    | `handshaker`         | client → AC  |
//! | 408   | `handshake_response` | AC → client  |
//! | 328   | `car_info`           | AC → client  |
//! | 212   | `lap`                | AC → client  |
//!
//! A 328-byte datagram must also start with `'a'` and carry 328 in its `size` field.
//!
//! ```
//! use paddock_core::protocols::ac::{decode, encode, CarInfo, Packet};
//! let mut car = CarInfo::default();
//! car.speed_kmh = 212.5;
//! let bytes = encode(&Packet::CarInfo(car.clone()));
//! assert_eq!(bytes.len(), 328);
//! assert_eq!(decode(&bytes), Ok(Packet::CarInfo(car)));
//! ```

mod batch;
mod frames;
mod packets;
mod utf16;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use crate::protocols::pcars2::wire::{Codec, Reader, Writer};

pub use batch::{batch_from_packets, decode_batch, AcBatches, MAX_FIRST_ERRORS};
pub use frames::{AcFrames, CHANNEL_NAMES, NAMESPACED};
pub use packets::{CarInfo, HandshakeResponse, Handshaker, Lap};
pub use utf16::Utf16;

/// The protocol's name in configs and the API.
pub const PROTOCOL: &str = "assetto_corsa";
/// Name used in error messages.
const NAME: &str = "ac";
/// The UDP port AC listens on.
pub const PORT: u16 = 9996;
/// Accepted sizes, for error messages.
const SIZES: &str = "12, 212, 328, 408";

/// The operations of the handshaker (`operation_id`, spec §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// 0: ask AC for the handshake response.
    Handshake,
    /// 1: subscribe to `RTCarInfo` updates.
    SubscribeUpdate,
    /// 2: subscribe to `RTLap` spot events.
    SubscribeSpot,
    /// 3: end the session.
    Dismiss,
}

impl Operation {
    /// The wire value.
    #[must_use]
    pub const fn id(self) -> i32 {
        match self {
            Self::Handshake => 0,
            Self::SubscribeUpdate => 1,
            Self::SubscribeSpot => 2,
            Self::Dismiss => 3,
        }
    }

    /// The operation of a wire value; `None` outside 0–3.
    #[must_use]
    pub const fn from_id(id: i32) -> Option<Self> {
        match id {
            0 => Some(Self::Handshake),
            1 => Some(Self::SubscribeUpdate),
            2 => Some(Self::SubscribeSpot),
            3 => Some(Self::Dismiss),
            _ => None,
        }
    }

    /// The 12 bytes a client sends for this operation (identifier 1, version 1).
    #[must_use]
    pub fn datagram(self) -> Vec<u8> {
        encode(&Packet::Handshaker(Handshaker {
            operation_id: self.id(),
            ..Handshaker::default()
        }))
    }
}

/// The packet types, told apart by datagram length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PacketKind {
    /// 12 bytes, client → AC.
    Handshaker,
    /// 408 bytes.
    HandshakeResponse,
    /// 328 bytes.
    CarInfo,
    /// 212 bytes.
    Lap,
}

impl PacketKind {
    /// Every kind.
    pub const ALL: [PacketKind; 4] = [
        Self::Handshaker,
        Self::HandshakeResponse,
        Self::CarInfo,
        Self::Lap,
    ];

    /// The JSON tag and batch name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Handshaker => "handshaker",
            Self::HandshakeResponse => "handshake_response",
            Self::CarInfo => "car_info",
            Self::Lap => "lap",
        }
    }

    /// The wire size in bytes.
    #[must_use]
    pub const fn wire_len(self) -> usize {
        match self {
            Self::Handshaker => <Handshaker as Codec>::SIZE,
            Self::HandshakeResponse => <HandshakeResponse as Codec>::SIZE,
            Self::CarInfo => <CarInfo as Codec>::SIZE,
            Self::Lap => <Lap as Codec>::SIZE,
        }
    }
}

/// Classifies a datagram by its length (spec §1.6); a 328-byte one must start with `'a'` and
/// hold 328 at offset 4.
///
/// # Errors
/// - [`DecodeError::UnknownSize`]: a length other than 12, 212, 328 or 408;
/// - [`DecodeError::InvalidField`]: a 328-byte datagram whose `identifier` is not `'a'` (97) or
///   whose `size` is not 328.
pub fn classify(datagram: &[u8]) -> Result<PacketKind, DecodeError> {
    let kind = match datagram.len() {
        12 => PacketKind::Handshaker,
        212 => PacketKind::Lap,
        328 => PacketKind::CarInfo,
        408 => PacketKind::HandshakeResponse,
        got => {
            return Err(DecodeError::UnknownSize {
                protocol: NAME,
                got,
                sizes: SIZES,
            })
        }
    };
    if kind == PacketKind::CarInfo {
        let identifier = datagram.first().copied().unwrap_or(0);
        if identifier != b'a' {
            return Err(DecodeError::InvalidField {
                protocol: NAME,
                field: "car_info.identifier",
                value: i64::from(identifier),
            });
        }
        let size = datagram
            .get(4..8)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, i32::from_le_bytes);
        if size != 328 {
            return Err(DecodeError::InvalidField {
                protocol: NAME,
                field: "car_info.size",
                value: i64::from(size),
            });
        }
    }
    Ok(kind)
}

/// One decoded packet. As JSON it is an object tagged by `"packet"` (`handshaker`,
/// `handshake_response`, `car_info`, `lap`) with the record's fields at the top level; missing
/// fields take their defaults (`identifier` `'a'` and `size` 328 for `car_info`, 4242 and 1 for
/// the response, 1 and 1 for the handshaker, else 0 / ""); unknown fields are rejected; floats
/// accept `null` as NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "packet", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Packet {
    /// 12 bytes, client → AC.
    Handshaker(Handshaker),
    /// 408 bytes.
    HandshakeResponse(HandshakeResponse),
    /// 328 bytes.
    CarInfo(CarInfo),
    /// 212 bytes.
    Lap(Lap),
}

impl Packet {
    /// The packet's kind.
    #[must_use]
    pub fn kind(&self) -> PacketKind {
        match self {
            Self::Handshaker(_) => PacketKind::Handshaker,
            Self::HandshakeResponse(_) => PacketKind::HandshakeResponse,
            Self::CarInfo(_) => PacketKind::CarInfo,
            Self::Lap(_) => PacketKind::Lap,
        }
    }
}

/// Decodes one datagram.
///
/// # Errors
/// A [`DecodeError`] as [`classify`] reports it. Never panics, whatever the bytes.
pub fn decode(datagram: &[u8]) -> Result<Packet, DecodeError> {
    let kind = classify(datagram)?;
    let mut r = Reader::new(datagram);
    Ok(match kind {
        PacketKind::Handshaker => Packet::Handshaker(Handshaker::read(&mut r)),
        PacketKind::HandshakeResponse => Packet::HandshakeResponse(HandshakeResponse::read(&mut r)),
        PacketKind::CarInfo => Packet::CarInfo(CarInfo::read(&mut r)),
        PacketKind::Lap => Packet::Lap(Lap::read(&mut r)),
    })
}

/// Encodes one packet at its exact wire size. Strings are written as UTF-16LE, at most 49 code
/// units (cut before a character that does not fit), then `%`, then NULs. `car_info` is written
/// with the `identifier` and `size` it holds (`'a'` and 328 by default), so a record with other
/// values encodes to bytes [`decode`] rejects.
#[must_use]
pub fn encode(packet: &Packet) -> Vec<u8> {
    let kind = packet.kind();
    let mut w = Writer::with_capacity(kind.wire_len());
    match packet {
        Packet::Handshaker(p) => Handshaker::write(p, &mut w),
        Packet::HandshakeResponse(p) => HandshakeResponse::write(p, &mut w),
        Packet::CarInfo(p) => CarInfo::write(p, &mut w),
        Packet::Lap(p) => Lap::write(p, &mut w),
    }
    let bytes = w.into_bytes();
    debug_assert_eq!(bytes.len(), kind.wire_len());
    bytes
}

/// Parses a packet from its JSON form (see [`Packet`]).
///
/// # Errors
/// The JSON parser's error: malformed JSON, unknown tag or field, wrong type, out-of-range
/// integer, wrong array length.
pub fn from_json(json: &str) -> Result<Packet, serde_json::Error> {
    serde_json::from_str(json)
}

/// Writes a packet as JSON (see [`Packet`]); NaN and infinite floats become `null`.
///
/// # Errors
/// Only the serializer's own failures, which a `Packet` cannot trigger.
pub fn to_json(packet: &Packet) -> Result<String, serde_json::Error> {
    serde_json::to_string(packet)
}
