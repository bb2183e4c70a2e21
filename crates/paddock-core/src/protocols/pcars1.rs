//! Project CARS 1 UDP format (port 5606, spec §3; also what Project CARS 2 sends with "UDP
//! Protocol Version = Project CARS 1"): typed records of the three packets, [`decode`] /
//! [`encode`] of one datagram, [`decode_batch`] of many datagrams into one Arrow batch per packet
//! type, and the canonical frame decoder [`Pcars1Frames`]. The records are declared with the
//! Project CARS 2 codec's `wire_record!` and share its wire machinery.
//!
//! Dispatch: the low two bits of byte 2 give the type, and the datagram must have that type's
//! exact length (there is no length or checksum field).
//!
//! | type | packet                           | bytes |
//! |-----:|----------------------------------|-------|
//! | 0    | `telemetry`                      | 1367  |
//! | 1    | `participant_strings`            | 1347  |
//! | 2    | `participant_strings_additional` | 1028  |
//!
//! ```
//! use paddock_core::protocols::pcars1::{decode, encode, Packet, Telemetry};
//! let mut telemetry = Telemetry::default();
//! telemetry.speed = 41.5;
//! let bytes = encode(&Packet::Telemetry(telemetry.clone()));
//! assert_eq!(bytes.len(), 1367);
//! assert_eq!(decode(&bytes), Ok(Packet::Telemetry(telemetry)));
//! ```

mod batch;
mod frames;
mod packets;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use crate::protocols::pcars2::wire::{Codec, Reader, Writer};

pub use batch::{batch_from_packets, decode_batch, Pcars1Batches, MAX_FIRST_ERRORS};
pub use frames::{Pcars1Frames, CHANNEL_NAMES, NAMESPACED};
pub use packets::{
    Header, ParticipantInfo, ParticipantStrings, ParticipantStringsAdditional, Telemetry,
};

/// The protocol's name in configs and the API.
pub const PROTOCOL: &str = "project_cars_1";
/// Name used in error messages.
const NAME: &str = "pcars1";

/// Bytes of the header every packet starts with.
pub const HEADER_LEN: usize = 3;
/// Offset of the byte whose low two bits are the packet type.
pub const PACKET_TYPE_OFFSET: usize = 2;
/// Telemetry size.
pub const TELEMETRY_LEN: usize = 1367;
/// Participant strings size.
pub const PARTICIPANT_STRINGS_LEN: usize = 1347;
/// Additional participant strings size.
pub const PARTICIPANT_STRINGS_ADDITIONAL_LEN: usize = 1028;

const _: () = assert!(<Telemetry as Codec>::SIZE == TELEMETRY_LEN);
const _: () = assert!(<ParticipantStrings as Codec>::SIZE == PARTICIPANT_STRINGS_LEN);
const _: () =
    assert!(<ParticipantStringsAdditional as Codec>::SIZE == PARTICIPANT_STRINGS_ADDITIONAL_LEN);
const _: () = assert!(<ParticipantInfo as Codec>::SIZE == 16);

/// The packet types of spec §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PacketKind {
    /// Type 0, 1367 bytes.
    Telemetry,
    /// Type 1, 1347 bytes.
    ParticipantStrings,
    /// Type 2, 1028 bytes.
    ParticipantStringsAdditional,
}

impl PacketKind {
    /// Every kind, in type order.
    pub const ALL: [PacketKind; 3] = [
        Self::Telemetry,
        Self::ParticipantStrings,
        Self::ParticipantStringsAdditional,
    ];

    /// The JSON tag and batch name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Telemetry => "telemetry",
            Self::ParticipantStrings => "participant_strings",
            Self::ParticipantStringsAdditional => "participant_strings_additional",
        }
    }

    /// The packet type (low two bits of byte 2).
    #[must_use]
    pub const fn packet_type(self) -> u8 {
        match self {
            Self::Telemetry => 0,
            Self::ParticipantStrings => 1,
            Self::ParticipantStringsAdditional => 2,
        }
    }

    /// The wire size in bytes.
    #[must_use]
    pub const fn wire_len(self) -> usize {
        match self {
            Self::Telemetry => TELEMETRY_LEN,
            Self::ParticipantStrings => PARTICIPANT_STRINGS_LEN,
            Self::ParticipantStringsAdditional => PARTICIPANT_STRINGS_ADDITIONAL_LEN,
        }
    }
}

/// Classifies a datagram by the type bits of byte 2 and its length.
///
/// # Errors
/// - [`DecodeError::TooShort`]: fewer than 3 bytes (no header);
/// - [`DecodeError::UnknownType`]: type bits 3;
/// - [`DecodeError::LengthMismatch`]: a length other than the type's size.
pub fn classify(datagram: &[u8]) -> Result<PacketKind, DecodeError> {
    let got = datagram.len();
    let packet_type = match datagram.get(PACKET_TYPE_OFFSET) {
        Some(&byte) => byte & 0x03,
        None => {
            return Err(DecodeError::TooShort {
                protocol: NAME,
                packet: "header",
                expected: HEADER_LEN,
                got,
            })
        }
    };
    let kind = match packet_type {
        0 => PacketKind::Telemetry,
        1 => PacketKind::ParticipantStrings,
        2 => PacketKind::ParticipantStringsAdditional,
        _ => {
            return Err(DecodeError::UnknownType {
                protocol: NAME,
                packet_type,
                got,
            })
        }
    };
    if got == kind.wire_len() {
        Ok(kind)
    } else {
        Err(DecodeError::LengthMismatch {
            protocol: NAME,
            packet_type,
            expected: kind.wire_len(),
            got,
        })
    }
}

/// One decoded packet. As JSON it is an object tagged by `"packet"` (`telemetry`,
/// `participant_strings`, `participant_strings_additional`) with the header fields and the
/// packet's fields at the top level; every field may be omitted and takes its default; unknown
/// fields are rejected; floats accept `null` (how JSON writes NaN) as NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "packet", rename_all = "snake_case")]
// Packets are decoded one at a time and moved once; boxing the telemetry record would cost an
// allocation per datagram to save a copy.
#[allow(clippy::large_enum_variant)]
pub enum Packet {
    /// Type 0.
    Telemetry(Telemetry),
    /// Type 1.
    ParticipantStrings(ParticipantStrings),
    /// Type 2.
    ParticipantStringsAdditional(ParticipantStringsAdditional),
}

impl Packet {
    /// The packet's kind.
    #[must_use]
    pub fn kind(&self) -> PacketKind {
        match self {
            Self::Telemetry(_) => PacketKind::Telemetry,
            Self::ParticipantStrings(_) => PacketKind::ParticipantStrings,
            Self::ParticipantStringsAdditional(_) => PacketKind::ParticipantStringsAdditional,
        }
    }

    /// The packet's header.
    #[must_use]
    pub fn header(&self) -> &Header {
        match self {
            Self::Telemetry(p) => &p.header,
            Self::ParticipantStrings(p) => &p.header,
            Self::ParticipantStringsAdditional(p) => &p.header,
        }
    }

    /// The 6-bit sequence number (bits 2–7 of byte 2).
    #[must_use]
    pub fn sequence(&self) -> u8 {
        self.header().packet_type_sequence >> 2
    }
}

/// Decodes one datagram.
///
/// # Errors
/// A [`DecodeError`] when the type bits and length disagree (see [`classify`]). Never panics,
/// whatever the bytes.
pub fn decode(datagram: &[u8]) -> Result<Packet, DecodeError> {
    let kind = classify(datagram)?;
    let mut r = Reader::new(datagram);
    let packet = match kind {
        PacketKind::Telemetry => Packet::Telemetry(Telemetry::read(&mut r)),
        PacketKind::ParticipantStrings => {
            Packet::ParticipantStrings(ParticipantStrings::read(&mut r))
        }
        PacketKind::ParticipantStringsAdditional => {
            Packet::ParticipantStringsAdditional(ParticipantStringsAdditional::read(&mut r))
        }
    };
    debug_assert!(!r.overrun());
    Ok(packet)
}

/// Encodes one packet at its exact wire size. The low two bits of byte 2 are set to the variant's
/// type; the sequence bits are kept. Strings are written as UTF-8, cut at a character boundary to
/// leave at least one NUL, and NUL-padded; the participant list is padded with defaults (or cut)
/// to 56 entries.
#[must_use]
pub fn encode(packet: &Packet) -> Vec<u8> {
    let kind = packet.kind();
    let mut w = Writer::with_capacity(kind.wire_len());
    match packet {
        Packet::Telemetry(p) => Telemetry::write(p, &mut w),
        Packet::ParticipantStrings(p) => ParticipantStrings::write(p, &mut w),
        Packet::ParticipantStringsAdditional(p) => ParticipantStringsAdditional::write(p, &mut w),
    }
    let mut bytes = w.into_bytes();
    debug_assert_eq!(bytes.len(), kind.wire_len());
    if let Some(byte) = bytes.get_mut(PACKET_TYPE_OFFSET) {
        *byte = (*byte & !0x03) | kind.packet_type();
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
