//! Assetto Corsa Competizione broadcasting protocol (UDP, `updListenerPort`, usually 9000; spec
//! §2): typed records of the client's REGISTER / UNREGISTER / REQUEST_ENTRY_LIST /
//! REQUEST_TRACK_DATA and of ACC's REGISTRATION_RESULT, REALTIME_UPDATE, REALTIME_CAR_UPDATE,
//! ENTRY_LIST, ENTRY_LIST_CAR, TRACK_DATA and BROADCASTING_EVENT; [`decode`] / [`encode`] of one
//! datagram, [`decode_batch`] of many into one Arrow batch per message type, and the canonical
//! frame decoder [`AccFrames`], which also drives the client's registration session.
//!
//! Messages are variable length (u16-length-prefixed UTF-8 strings, counted lists) and told apart
//! by their first byte. Type 1 is both REGISTER (client → ACC) and REGISTRATION_RESULT (ACC →
//! client): [`decode`] reads what a client receives (REGISTRATION_RESULT), [`decode_outbound`]
//! what ACC receives. Protocol v4 layouts (ENTRY_LIST_CAR with nationalities).
//!
//! ```
//! use paddock_core::protocols::acc::{decode, encode, BroadcastingEvent, Packet};
//! let event = BroadcastingEvent { event_type: 5, message: "lap".into(), time_ms: 90_000, car_id: 3 };
//! let bytes = encode(&Packet::BroadcastingEvent(event.clone()));
//! assert_eq!(bytes.len(), 1 + 1 + 2 + 3 + 4 + 4);
//! assert_eq!(decode(&bytes), Ok(Packet::BroadcastingEvent(event)));
//! ```

mod batch;
mod frames;
mod lists;
mod packets;
mod wire;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::DecodeError;
use wire::{Reader, Writer};

pub use batch::{batch_from_packets, decode_batch, AccBatches, MAX_FIRST_ERRORS};
pub use frames::{AccFrames, CHANNEL_NAMES, NAMESPACED, QUIET_AFTER, RETRY_EVERY};
pub use lists::{BroadcastingEvent, CameraSet, Driver, EntryList, EntryListCar, TrackData};
pub use packets::{
    ConnectionRequest, LapInfo, RealtimeCarUpdate, RealtimeUpdate, RegisterApplication,
    RegistrationResult, Unregister, NO_TIME,
};

/// The protocol's name in configs and the API.
pub const PROTOCOL: &str = "assetto_corsa_competizione";
/// Name used in error messages.
const NAME: &str = "acc";
/// The port every guide and sample configures in `broadcasting.json`.
pub const PORT: u16 = 9000;
/// The broadcasting protocol version this codec speaks.
pub const PROTOCOL_VERSION: u8 = 4;

/// Message type ids (spec §2.2).
pub mod ids {
    /// REGISTER_COMMAND_APPLICATION (out) and REGISTRATION_RESULT (in).
    pub const REGISTER: u8 = 1;
    /// REALTIME_UPDATE.
    pub const REALTIME_UPDATE: u8 = 2;
    /// REALTIME_CAR_UPDATE.
    pub const REALTIME_CAR_UPDATE: u8 = 3;
    /// ENTRY_LIST.
    pub const ENTRY_LIST: u8 = 4;
    /// TRACK_DATA (5, not 7).
    pub const TRACK_DATA: u8 = 5;
    /// ENTRY_LIST_CAR.
    pub const ENTRY_LIST_CAR: u8 = 6;
    /// BROADCASTING_EVENT (7, not 5).
    pub const BROADCASTING_EVENT: u8 = 7;
    /// UNREGISTER_COMMAND_APPLICATION.
    pub const UNREGISTER: u8 = 9;
    /// REQUEST_ENTRY_LIST.
    pub const REQUEST_ENTRY_LIST: u8 = 10;
    /// REQUEST_TRACK_DATA.
    pub const REQUEST_TRACK_DATA: u8 = 11;
}

/// One decoded message. As JSON it is an object tagged by `"packet"` (the snake-case variant
/// name) with the record's fields at the top level; missing fields take their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "packet", rename_all = "snake_case")]
pub enum Packet {
    /// Type 1, client → ACC.
    RegisterCommandApplication(RegisterApplication),
    /// Type 9, client → ACC.
    UnregisterCommandApplication(Unregister),
    /// Type 10, client → ACC.
    RequestEntryList(ConnectionRequest),
    /// Type 11, client → ACC.
    RequestTrackData(ConnectionRequest),
    /// Type 1, ACC → client.
    RegistrationResult(RegistrationResult),
    /// Type 2.
    RealtimeUpdate(RealtimeUpdate),
    /// Type 3.
    RealtimeCarUpdate(RealtimeCarUpdate),
    /// Type 4.
    EntryList(EntryList),
    /// Type 6.
    EntryListCar(EntryListCar),
    /// Type 5.
    TrackData(TrackData),
    /// Type 7.
    BroadcastingEvent(BroadcastingEvent),
}

impl Packet {
    /// The JSON tag and batch name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::RegisterCommandApplication(_) => "register_command_application",
            Self::UnregisterCommandApplication(_) => "unregister_command_application",
            Self::RequestEntryList(_) => "request_entry_list",
            Self::RequestTrackData(_) => "request_track_data",
            Self::RegistrationResult(_) => "registration_result",
            Self::RealtimeUpdate(_) => "realtime_update",
            Self::RealtimeCarUpdate(_) => "realtime_car_update",
            Self::EntryList(_) => "entry_list",
            Self::EntryListCar(_) => "entry_list_car",
            Self::TrackData(_) => "track_data",
            Self::BroadcastingEvent(_) => "broadcasting_event",
        }
    }

    /// The type byte.
    #[must_use]
    pub fn type_id(&self) -> u8 {
        match self {
            Self::RegisterCommandApplication(_) | Self::RegistrationResult(_) => ids::REGISTER,
            Self::UnregisterCommandApplication(_) => ids::UNREGISTER,
            Self::RequestEntryList(_) => ids::REQUEST_ENTRY_LIST,
            Self::RequestTrackData(_) => ids::REQUEST_TRACK_DATA,
            Self::RealtimeUpdate(_) => ids::REALTIME_UPDATE,
            Self::RealtimeCarUpdate(_) => ids::REALTIME_CAR_UPDATE,
            Self::EntryList(_) => ids::ENTRY_LIST,
            Self::EntryListCar(_) => ids::ENTRY_LIST_CAR,
            Self::TrackData(_) => ids::TRACK_DATA,
            Self::BroadcastingEvent(_) => ids::BROADCASTING_EVENT,
        }
    }
}

fn first(datagram: &[u8]) -> Result<u8, DecodeError> {
    datagram.first().copied().ok_or(DecodeError::TooShort {
        protocol: NAME,
        packet: "message",
        expected: 1,
        got: 0,
    })
}

fn unknown(packet_type: u8, datagram: &[u8]) -> DecodeError {
    DecodeError::UnknownType {
        protocol: NAME,
        packet_type,
        got: datagram.len(),
    }
}

fn whole<T>(
    datagram: &[u8],
    packet: &'static str,
    read: impl FnOnce(&mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let mut r = Reader::new(datagram, packet);
    let value = read(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// Decodes one datagram as received by a client: type 1 is REGISTRATION_RESULT; the
/// client-only types 9, 10 and 11 are decoded too. The whole datagram must be consumed;
/// UNREGISTER also accepts the 4-byte connection id some clients append (ignored).
///
/// # Errors
/// [`DecodeError::TooShort`] for a datagram that ends inside a field, string or list;
/// [`DecodeError::TooLong`] for trailing bytes; [`DecodeError::UnknownType`] for a type byte
/// other than 1–7, 9–11; [`DecodeError::InvalidField`] for a string that is not UTF-8. Never
/// panics, whatever the bytes.
pub fn decode(datagram: &[u8]) -> Result<Packet, DecodeError> {
    let t = first(datagram)?;
    Ok(match t {
        ids::REGISTER => Packet::RegistrationResult(whole(
            datagram,
            "registration_result",
            RegistrationResult::read,
        )?),
        ids::REALTIME_UPDATE => {
            Packet::RealtimeUpdate(whole(datagram, "realtime_update", RealtimeUpdate::read)?)
        }
        ids::REALTIME_CAR_UPDATE => Packet::RealtimeCarUpdate(whole(
            datagram,
            "realtime_car_update",
            RealtimeCarUpdate::read,
        )?),
        ids::ENTRY_LIST => Packet::EntryList(whole(datagram, "entry_list", EntryList::read)?),
        ids::ENTRY_LIST_CAR => {
            Packet::EntryListCar(whole(datagram, "entry_list_car", EntryListCar::read)?)
        }
        ids::TRACK_DATA => Packet::TrackData(whole(datagram, "track_data", TrackData::read)?),
        ids::BROADCASTING_EVENT => Packet::BroadcastingEvent(whole(
            datagram,
            "broadcasting_event",
            BroadcastingEvent::read,
        )?),
        ids::UNREGISTER | ids::REQUEST_ENTRY_LIST | ids::REQUEST_TRACK_DATA => {
            decode_outbound(datagram)?
        }
        other => return Err(unknown(other, datagram)),
    })
}

/// Decodes one datagram as received by ACC (client → ACC: types 1, 9, 10, 11).
///
/// # Errors
/// As [`decode`]; [`DecodeError::UnknownType`] for any other type byte.
pub fn decode_outbound(datagram: &[u8]) -> Result<Packet, DecodeError> {
    let t = first(datagram)?;
    let request = |r: &mut Reader<'_>| {
        Ok(ConnectionRequest {
            connection_id: r.i32()?,
        })
    };
    Ok(match t {
        ids::REGISTER => Packet::RegisterCommandApplication(whole(
            datagram,
            "register_command_application",
            RegisterApplication::read,
        )?),
        ids::UNREGISTER => {
            let packet = "unregister_command_application";
            if datagram.len() == 5 {
                whole(datagram, packet, |r| r.i32())?;
            } else {
                whole(datagram, packet, |_| Ok(()))?;
            }
            Packet::UnregisterCommandApplication(Unregister {})
        }
        ids::REQUEST_ENTRY_LIST => {
            Packet::RequestEntryList(whole(datagram, "request_entry_list", request)?)
        }
        ids::REQUEST_TRACK_DATA => {
            Packet::RequestTrackData(whole(datagram, "request_track_data", request)?)
        }
        other => return Err(unknown(other, datagram)),
    })
}

/// Encodes one message: the type byte, then the fields in wire order. Strings longer than 65 535
/// bytes and lists longer than their count field allows are cut.
#[must_use]
pub fn encode(packet: &Packet) -> Vec<u8> {
    let mut w = Writer::new(packet.type_id());
    match packet {
        Packet::RegisterCommandApplication(p) => p.write(&mut w),
        Packet::UnregisterCommandApplication(_) => {}
        Packet::RequestEntryList(p) | Packet::RequestTrackData(p) => w.i32(p.connection_id),
        Packet::RegistrationResult(p) => p.write(&mut w),
        Packet::RealtimeUpdate(p) => p.write(&mut w),
        Packet::RealtimeCarUpdate(p) => p.write(&mut w),
        Packet::EntryList(p) => p.write(&mut w),
        Packet::EntryListCar(p) => p.write(&mut w),
        Packet::TrackData(p) => p.write(&mut w),
        Packet::BroadcastingEvent(p) => p.write(&mut w),
    }
    w.into_bytes()
}

/// Parses a message from its JSON form (see [`Packet`]).
///
/// # Errors
/// The JSON parser's error: malformed JSON, unknown tag or field, wrong type, out-of-range value.
pub fn from_json(json: &str) -> Result<Packet, serde_json::Error> {
    serde_json::from_str(json)
}

/// Writes a message as JSON (see [`Packet`]).
///
/// # Errors
/// Only the serializer's own failures.
pub fn to_json(packet: &Packet) -> Result<String, serde_json::Error> {
    serde_json::to_string(packet)
}
