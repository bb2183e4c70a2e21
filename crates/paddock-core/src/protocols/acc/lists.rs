//! The ACC messages made of lists (spec §2.4): ENTRY_LIST, ENTRY_LIST_CAR with its drivers
//! (protocol v4 layout, with the nationality fields), TRACK_DATA with camera sets and HUD pages,
//! and BROADCASTING_EVENT.

use serde::{Deserialize, Serialize};

use super::wire::{Reader, Writer};
use crate::error::DecodeError;

fn list<T>(
    r: &mut Reader<'_>,
    n: usize,
    mut read: impl FnMut(&mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let mut out = Vec::with_capacity(n.min(r.remaining()));
    for _ in 0..n {
        out.push(read(r)?);
    }
    Ok(out)
}

/// ENTRY_LIST (type 4): the car indices of the session; details follow as ENTRY_LIST_CAR.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EntryList {
    /// Id of the connection the list answers.
    pub connection_id: i32,
    /// Car indices (u16 count; at most 65 535 written).
    pub car_indices: Vec<u16>,
}

impl EntryList {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let connection_id = r.i32()?;
        let n = usize::from(r.u16()?);
        Ok(Self {
            connection_id,
            car_indices: list(r, n, |r| r.u16())?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.i32(self.connection_id);
        let n = w.count16(&self.car_indices);
        for &c in self.car_indices.iter().take(n) {
            w.u16(c);
        }
    }
}

/// One driver of an ENTRY_LIST_CAR.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Driver {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Three-letter short name.
    pub short_name: String,
    /// DriverCategory: 0 Bronze, 1 Silver, 2 Gold, 3 Platinum, 255 error.
    pub category: u8,
    /// Nationality enum (v4).
    pub nationality: u16,
}

/// ENTRY_LIST_CAR (type 6), v4 layout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EntryListCar {
    /// Car index.
    pub car_index: u16,
    /// ACC car model id.
    pub car_model_type: u8,
    /// Team name.
    pub team_name: String,
    /// Race number.
    pub race_number: i32,
    /// 0 Overall/Pro, 1 ProAm, 2 Am, 3 Silver, 4 National.
    pub cup_category: u8,
    /// Current driver index (unreliable: reported 0).
    pub current_driver_index: u8,
    /// Nationality enum (v4).
    pub nationality: u16,
    /// Drivers (u8 count; at most 255 written).
    pub drivers: Vec<Driver>,
}

impl EntryListCar {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let car_index = r.u16()?;
        let car_model_type = r.u8()?;
        let team_name = r.string()?;
        let race_number = r.i32()?;
        let cup_category = r.u8()?;
        let current_driver_index = r.u8()?;
        let nationality = r.u16()?;
        let n = usize::from(r.u8()?);
        let drivers = list(r, n, |r| {
            Ok(Driver {
                first_name: r.string()?,
                last_name: r.string()?,
                short_name: r.string()?,
                category: r.u8()?,
                nationality: r.u16()?,
            })
        })?;
        Ok(Self {
            car_index,
            car_model_type,
            team_name,
            race_number,
            cup_category,
            current_driver_index,
            nationality,
            drivers,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u16(self.car_index);
        w.u8(self.car_model_type);
        w.string(&self.team_name);
        w.i32(self.race_number);
        w.u8(self.cup_category);
        w.u8(self.current_driver_index);
        w.u16(self.nationality);
        let n = w.count8(&self.drivers);
        for d in self.drivers.iter().take(n) {
            w.string(&d.first_name);
            w.string(&d.last_name);
            w.string(&d.short_name);
            w.u8(d.category);
            w.u16(d.nationality);
        }
    }
}

/// One camera set of TRACK_DATA.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CameraSet {
    /// Set name.
    pub name: String,
    /// Camera names (u8 count; at most 255 written).
    pub cameras: Vec<String>,
}

/// TRACK_DATA (type 5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackData {
    /// Id of the connection the data answers.
    pub connection_id: i32,
    /// Track name.
    pub track_name: String,
    /// Track id.
    pub track_id: i32,
    /// Track length, m.
    pub track_meters: i32,
    /// Camera sets (u8 count; at most 255 written).
    pub camera_sets: Vec<CameraSet>,
    /// HUD pages (u8 count; at most 255 written).
    pub hud_pages: Vec<String>,
}

impl TrackData {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let connection_id = r.i32()?;
        let track_name = r.string()?;
        let track_id = r.i32()?;
        let track_meters = r.i32()?;
        let n = usize::from(r.u8()?);
        let camera_sets = list(r, n, |r| {
            let name = r.string()?;
            let n = usize::from(r.u8()?);
            Ok(CameraSet {
                name,
                cameras: list(r, n, |r| r.string())?,
            })
        })?;
        let n = usize::from(r.u8()?);
        Ok(Self {
            connection_id,
            track_name,
            track_id,
            track_meters,
            camera_sets,
            hud_pages: list(r, n, |r| r.string())?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.i32(self.connection_id);
        w.string(&self.track_name);
        w.i32(self.track_id);
        w.i32(self.track_meters);
        let n = w.count8(&self.camera_sets);
        for set in self.camera_sets.iter().take(n) {
            w.string(&set.name);
            let n = w.count8(&set.cameras);
            for c in set.cameras.iter().take(n) {
                w.string(c);
            }
        }
        let n = w.count8(&self.hud_pages);
        for p in self.hud_pages.iter().take(n) {
            w.string(p);
        }
    }
}

/// BROADCASTING_EVENT (type 7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BroadcastingEvent {
    /// 0 None, 1 GreenFlag, 2 SessionOver, 3 PenaltyCommMsg, 4 Accident, 5 LapCompleted,
    /// 6 BestSessionLap, 7 BestPersonalLap.
    pub event_type: u8,
    /// Message text.
    pub message: String,
    /// Time of the event, ms.
    pub time_ms: i32,
    /// Car concerned.
    pub car_id: i32,
}

impl BroadcastingEvent {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            event_type: r.u8()?,
            message: r.string()?,
            time_ms: r.i32()?,
            car_id: r.i32()?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u8(self.event_type);
        w.string(&self.message);
        w.i32(self.time_ms);
        w.i32(self.car_id);
    }
}
