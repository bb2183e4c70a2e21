//! Project CARS 2 native UDP format (port 5606, "Patch 5" layouts; spec §4): typed records of
//! every packet, [`decode`] / [`encode`] of one datagram, [`decode_batch`] of many datagrams into
//! one Arrow batch per packet type, and the canonical frame decoder [`Pcars2Frames`].
//!
//! Dispatch follows spec §4.6: the type byte (offset 10) and the datagram length must form one of
//! the pairs below; type 8 is told apart by length. The first-release telemetry size (538 bytes,
//! before Patch 5 appended `turbo_boost_pressure`, `full_position`, `brake_bias` and
//! `tick_count`) is accepted too, with those four fields left at zero. Other first-release sizes
//! (participants 1040, timings 993, time stats 784) are rejected as too short.
//!
//! | type | packet          | bytes       |
//! |-----:|-----------------|-------------|
//! | 0    | `telemetry`     | 559 (538)   |
//! | 1    | `race`          | 308         |
//! | 2    | `participants`  | 1136        |
//! | 3    | `timings`       | 1063        |
//! | 4    | `game_state`    | 24          |
//! | 7    | `time_stats`    | 1040        |
//! | 8    | `vehicle_names` | 1164        |
//! | 8    | `class_names`   | 1452        |
//!
//! ```
//! use paddock_core::protocols::pcars2::{decode, encode, Packet, Telemetry};
//! let mut telemetry = Telemetry::default();
//! telemetry.speed = 41.5;
//! let bytes = encode(&Packet::Telemetry(telemetry.clone()));
//! assert_eq!(bytes.len(), 559);
//! assert_eq!(decode(&bytes), Ok(Packet::Telemetry(telemetry)));
//! ```

#[macro_use]
mod record;
mod batch;
mod frames;
mod packets;
pub(crate) mod wire;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use wire::{Codec, Reader, Writer};

pub use batch::{batch_from_packets, decode_batch, Pcars2Batches, MAX_FIRST_ERRORS};
pub use frames::{Pcars2Frames, CHANNEL_NAMES, NAMESPACED};
pub use packets::{
    ClassInfo, ClassNames, GameState, Header, ParticipantInfo, ParticipantStats, Participants,
    Race, Telemetry, TimeStats, Timings, VehicleInfo, VehicleNames,
};

/// The protocol's name in configs and the API.
pub const PROTOCOL: &str = "project_cars_2";
/// Name used in error messages.
const NAME: &str = "pcars2";

/// Bytes of the header every packet starts with.
pub const HEADER_LEN: usize = 12;
/// Offset of the packet type byte.
pub const PACKET_TYPE_OFFSET: usize = 10;
/// Telemetry size since Patch 5, the size [`encode`] writes.
pub const TELEMETRY_LEN: usize = 559;
/// Telemetry size of the first release, also accepted by [`decode`].
pub const TELEMETRY_LEN_FIRST_RELEASE: usize = 538;

/// The packet types of spec §4.3 (type 8 split by length into vehicle and class names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PacketKind {
    /// Type 0, 559 bytes.
    Telemetry,
    /// Type 1, 308 bytes.
    Race,
    /// Type 2, 1136 bytes.
    Participants,
    /// Type 3, 1063 bytes.
    Timings,
    /// Type 4, 24 bytes.
    GameState,
    /// Type 7, 1040 bytes.
    TimeStats,
    /// Type 8, 1164 bytes.
    VehicleNames,
    /// Type 8, 1452 bytes.
    ClassNames,
}

impl PacketKind {
    /// Every kind, in type order.
    pub const ALL: [PacketKind; 8] = [
        Self::Telemetry,
        Self::Race,
        Self::Participants,
        Self::Timings,
        Self::GameState,
        Self::TimeStats,
        Self::VehicleNames,
        Self::ClassNames,
    ];

    /// The JSON tag and batch name (`telemetry`, `game_state`, …).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Telemetry => "telemetry",
            Self::Race => "race",
            Self::Participants => "participants",
            Self::Timings => "timings",
            Self::GameState => "game_state",
            Self::TimeStats => "time_stats",
            Self::VehicleNames => "vehicle_names",
            Self::ClassNames => "class_names",
        }
    }

    /// The type byte at offset 10.
    #[must_use]
    pub const fn packet_type(self) -> u8 {
        match self {
            Self::Telemetry => 0,
            Self::Race => 1,
            Self::Participants => 2,
            Self::Timings => 3,
            Self::GameState => 4,
            Self::TimeStats => 7,
            Self::VehicleNames | Self::ClassNames => 8,
        }
    }

    /// The Patch-5 wire size in bytes.
    #[must_use]
    pub const fn wire_len(self) -> usize {
        match self {
            Self::Telemetry => <Telemetry as Codec>::SIZE,
            Self::Race => <Race as Codec>::SIZE,
            Self::Participants => <Participants as Codec>::SIZE,
            Self::Timings => <Timings as Codec>::SIZE,
            Self::GameState => <GameState as Codec>::SIZE,
            Self::TimeStats => <TimeStats as Codec>::SIZE,
            Self::VehicleNames => <VehicleNames as Codec>::SIZE,
            Self::ClassNames => <ClassNames as Codec>::SIZE,
        }
    }
}

/// Classifies a datagram by its type byte and length (spec §4.6).
///
/// # Errors
/// - [`DecodeError::TooShort`]: fewer than 12 bytes (no header), or shorter than the type needs
///   (telemetry between 538 and 559 bytes included);
/// - [`DecodeError::TooLong`]: longer than the type allows;
/// - [`DecodeError::UnknownType`]: a type byte other than 0–4, 7, 8;
/// - [`DecodeError::UnknownLength`]: type 8 with a length between the two names packets.
pub fn classify(datagram: &[u8]) -> Result<PacketKind, DecodeError> {
    let got = datagram.len();
    let packet_type = match datagram.get(PACKET_TYPE_OFFSET) {
        Some(&t) if got >= HEADER_LEN => t,
        _ => {
            return Err(DecodeError::TooShort {
                protocol: NAME,
                packet: "header",
                expected: HEADER_LEN,
                got,
            })
        }
    };
    let kind = match (packet_type, got) {
        (0, TELEMETRY_LEN | TELEMETRY_LEN_FIRST_RELEASE) => Some(PacketKind::Telemetry),
        (1, 308) => Some(PacketKind::Race),
        (2, 1136) => Some(PacketKind::Participants),
        (3, 1063) => Some(PacketKind::Timings),
        (4, 24) => Some(PacketKind::GameState),
        (7, 1040) => Some(PacketKind::TimeStats),
        (8, 1164) => Some(PacketKind::VehicleNames),
        (8, 1452) => Some(PacketKind::ClassNames),
        _ => None,
    };
    if let Some(kind) = kind {
        return Ok(kind);
    }
    let (short, long) = match packet_type {
        0 => (PacketKind::Telemetry, PacketKind::Telemetry),
        1 => (PacketKind::Race, PacketKind::Race),
        2 => (PacketKind::Participants, PacketKind::Participants),
        3 => (PacketKind::Timings, PacketKind::Timings),
        4 => (PacketKind::GameState, PacketKind::GameState),
        7 => (PacketKind::TimeStats, PacketKind::TimeStats),
        8 => (PacketKind::VehicleNames, PacketKind::ClassNames),
        _ => {
            return Err(DecodeError::UnknownType {
                protocol: NAME,
                packet_type,
                got,
            })
        }
    };
    if got < short.wire_len() {
        Err(DecodeError::TooShort {
            protocol: NAME,
            packet: short.name(),
            expected: short.wire_len(),
            got,
        })
    } else if got > long.wire_len() {
        Err(DecodeError::TooLong {
            protocol: NAME,
            packet: long.name(),
            expected: long.wire_len(),
            got,
        })
    } else {
        Err(DecodeError::UnknownLength {
            protocol: NAME,
            got,
            packet_type,
        })
    }
}

/// One decoded packet. As JSON it is an object tagged by `"packet"` (`telemetry`, `race`, …) with
/// the header fields and the packet's fields at the top level; every field may be omitted and
/// takes its default (0, "", zeros; `partial_packet_index`/`partial_packet_number` 1); unknown
/// fields are rejected; floats accept `null` (how JSON writes NaN) as NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "packet", rename_all = "snake_case")]
// Packets are decoded one at a time and moved once; boxing the telemetry record would cost an
// allocation per datagram to save a copy of a few hundred bytes.
#[allow(clippy::large_enum_variant)]
pub enum Packet {
    /// Type 0.
    Telemetry(Telemetry),
    /// Type 1.
    Race(Race),
    /// Type 2.
    Participants(Participants),
    /// Type 3.
    Timings(Timings),
    /// Type 4.
    GameState(GameState),
    /// Type 7.
    TimeStats(TimeStats),
    /// Type 8, 1164 bytes.
    VehicleNames(VehicleNames),
    /// Type 8, 1452 bytes.
    ClassNames(ClassNames),
}

impl Packet {
    /// The packet's kind.
    #[must_use]
    pub fn kind(&self) -> PacketKind {
        match self {
            Self::Telemetry(_) => PacketKind::Telemetry,
            Self::Race(_) => PacketKind::Race,
            Self::Participants(_) => PacketKind::Participants,
            Self::Timings(_) => PacketKind::Timings,
            Self::GameState(_) => PacketKind::GameState,
            Self::TimeStats(_) => PacketKind::TimeStats,
            Self::VehicleNames(_) => PacketKind::VehicleNames,
            Self::ClassNames(_) => PacketKind::ClassNames,
        }
    }

    /// The packet's header.
    #[must_use]
    pub fn header(&self) -> &Header {
        match self {
            Self::Telemetry(p) => &p.header,
            Self::Race(p) => &p.header,
            Self::Participants(p) => &p.header,
            Self::Timings(p) => &p.header,
            Self::GameState(p) => &p.header,
            Self::TimeStats(p) => &p.header,
            Self::VehicleNames(p) => &p.header,
            Self::ClassNames(p) => &p.header,
        }
    }
}

/// Decodes one datagram.
///
/// # Errors
/// A [`DecodeError`] when the type byte and length form no accepted pair (see [`classify`]).
/// Never panics, whatever the bytes.
pub fn decode(datagram: &[u8]) -> Result<Packet, DecodeError> {
    let kind = classify(datagram)?;
    let mut r = Reader::new(datagram);
    let packet = match kind {
        PacketKind::Telemetry => Packet::Telemetry(Telemetry::read(&mut r)),
        PacketKind::Race => Packet::Race(Race::read(&mut r)),
        PacketKind::Participants => Packet::Participants(Participants::read(&mut r)),
        PacketKind::Timings => Packet::Timings(Timings::read(&mut r)),
        PacketKind::GameState => Packet::GameState(GameState::read(&mut r)),
        PacketKind::TimeStats => Packet::TimeStats(TimeStats::read(&mut r)),
        PacketKind::VehicleNames => Packet::VehicleNames(VehicleNames::read(&mut r)),
        PacketKind::ClassNames => Packet::ClassNames(ClassNames::read(&mut r)),
    };
    // `classify` let through only exact sizes; the one short read is the first-release
    // telemetry's missing tail, which reads as zeros.
    debug_assert!(!r.overrun() || datagram.len() == TELEMETRY_LEN_FIRST_RELEASE);
    Ok(packet)
}

/// Encodes one packet at its exact wire size (telemetry always at the 559-byte Patch-5 size),
/// with the type byte of its variant. Strings are written as UTF-8, cut at a character boundary
/// to leave at least one NUL, and NUL-padded; per-participant lists are padded with defaults (or
/// cut) to their wire length.
#[must_use]
pub fn encode(packet: &Packet) -> Vec<u8> {
    let kind = packet.kind();
    let mut w = Writer::with_capacity(kind.wire_len());
    match packet {
        Packet::Telemetry(p) => Telemetry::write(p, &mut w),
        Packet::Race(p) => Race::write(p, &mut w),
        Packet::Participants(p) => Participants::write(p, &mut w),
        Packet::Timings(p) => Timings::write(p, &mut w),
        Packet::GameState(p) => GameState::write(p, &mut w),
        Packet::TimeStats(p) => TimeStats::write(p, &mut w),
        Packet::VehicleNames(p) => VehicleNames::write(p, &mut w),
        Packet::ClassNames(p) => ClassNames::write(p, &mut w),
    }
    let mut bytes = w.into_bytes();
    debug_assert_eq!(bytes.len(), kind.wire_len());
    if let Some(byte) = bytes.get_mut(PACKET_TYPE_OFFSET) {
        *byte = kind.packet_type();
    }
    bytes
}

/// Parses a packet from its JSON form (see [`Packet`]).
///
/// # Errors
/// The JSON parser's error: malformed JSON, unknown `packet` tag, unknown field, wrong type,
/// out-of-range integer, or a fixed array of the wrong length.
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
