//! The typed records of ACC's broadcasting messages (spec §2.2–2.5), read and written field by
//! field in wire order. Values are raw wire values: gear as sent (+2 offset), times in ms,
//! temperatures in °C, weather in tenths, booleans as the bytes sent.

use serde::{Deserialize, Serialize};

use super::wire::{Reader, Writer};
use crate::error::DecodeError;

/// The "no time" / "not reached" value of lap and split times (`INT32_MAX`).
pub const NO_TIME: i32 = i32::MAX;

/// Reads `n` items with `read`, never reserving more than the bytes left could hold.
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

/// REGISTER_COMMAND_APPLICATION (client → ACC, type 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegisterApplication {
    /// Broadcasting protocol version, 4 for current ACC.
    pub protocol_version: u8,
    /// Name ACC shows for the client.
    pub display_name: String,
    /// `connectionPassword` of `broadcasting.json` (empty when none).
    pub connection_password: String,
    /// Interval of REALTIME_UPDATE / REALTIME_CAR_UPDATE, ms.
    pub update_interval_ms: i32,
    /// `commandPassword` (empty: read-only client).
    pub command_password: String,
}

impl Default for RegisterApplication {
    fn default() -> Self {
        Self {
            protocol_version: 4,
            display_name: "paddock".to_string(),
            connection_password: String::new(),
            update_interval_ms: 100,
            command_password: String::new(),
        }
    }
}

impl RegisterApplication {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            protocol_version: r.u8()?,
            display_name: r.string()?,
            connection_password: r.string()?,
            update_interval_ms: r.i32()?,
            command_password: r.string()?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u8(self.protocol_version);
        w.string(&self.display_name);
        w.string(&self.connection_password);
        w.i32(self.update_interval_ms);
        w.string(&self.command_password);
    }
}

/// A message whose only field is the connection id (REQUEST_ENTRY_LIST, REQUEST_TRACK_DATA).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionRequest {
    /// The id from REGISTRATION_RESULT.
    pub connection_id: i32,
}

/// UNREGISTER_COMMAND_APPLICATION (client → ACC, type 9): nothing after the type byte (v4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unregister {}

/// REGISTRATION_RESULT (ACC → client, type 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrationResult {
    /// Id to send in every later request.
    pub connection_id: i32,
    /// > 0: accepted.
    pub connection_success: u8,
    /// Non-zero: the command password was accepted.
    pub writable: u8,
    /// Why registration failed (empty on success).
    pub error_message: String,
}

impl RegistrationResult {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            connection_id: r.i32()?,
            connection_success: r.u8()?,
            writable: r.u8()?,
            error_message: r.string()?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.i32(self.connection_id);
        w.u8(self.connection_success);
        w.u8(self.writable);
        w.string(&self.error_message);
    }
}

/// LapInfo (spec §2.5), 13 + 4·n bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LapInfo {
    /// Lap time, ms; [`NO_TIME`] = none.
    pub laptime_ms: i32,
    /// Car index.
    pub car_index: u16,
    /// Driver index.
    pub driver_index: u16,
    /// Split times, ms each (usually 3, at most 255 written); [`NO_TIME`] = not reached.
    pub splits: Vec<i32>,
    /// Non-zero: lap invalid.
    pub is_invalid: u8,
    /// Non-zero: lap counts for best.
    pub is_valid_for_best: u8,
    /// Non-zero: out lap.
    pub is_outlap: u8,
    /// Non-zero: in lap.
    pub is_inlap: u8,
}

impl LapInfo {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let laptime_ms = r.i32()?;
        let car_index = r.u16()?;
        let driver_index = r.u16()?;
        let n = usize::from(r.u8()?);
        Ok(Self {
            laptime_ms,
            car_index,
            driver_index,
            splits: list(r, n, |r| r.i32())?,
            is_invalid: r.u8()?,
            is_valid_for_best: r.u8()?,
            is_outlap: r.u8()?,
            is_inlap: r.u8()?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.i32(self.laptime_ms);
        w.u16(self.car_index);
        w.u16(self.driver_index);
        let n = w.count8(&self.splits);
        for &s in self.splits.iter().take(n) {
            w.i32(s);
        }
        w.u8(self.is_invalid);
        w.u8(self.is_valid_for_best);
        w.u8(self.is_outlap);
        w.u8(self.is_inlap);
    }
}

/// REALTIME_UPDATE (type 2): session state, once per update interval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeUpdate {
    /// Event index.
    pub event_index: u16,
    /// Session index.
    pub session_index: u16,
    /// RaceSessionType (0 Practice, 4 Qualifying, 10 Race …).
    pub session_type: u8,
    /// SessionPhase (5 Session …).
    pub phase: u8,
    /// Session time elapsed, ms.
    pub session_time: f32,
    /// Session time remaining, ms.
    pub session_end_time: f32,
    /// Index of the car the camera follows.
    pub focused_car_index: i32,
    /// Active camera set.
    pub active_camera_set: String,
    /// Active camera.
    pub active_camera: String,
    /// Current HUD page.
    pub current_hud_page: String,
    /// Non-zero: a replay is playing (and the two replay times are on the wire).
    pub is_replay_playing: u8,
    /// Replay session time, ms; `None` when not on the wire (written as 0 when missing).
    pub replay_session_time: Option<f32>,
    /// Replay time remaining, ms; as `replay_session_time`.
    pub replay_remaining_time: Option<f32>,
    /// Time of day (seconds per SimHub#497; the SDK says ms).
    pub time_of_day: f32,
    /// Ambient temperature, °C.
    pub ambient_temp: u8,
    /// Track temperature, °C.
    pub track_temp: u8,
    /// Clouds, tenths.
    pub clouds: u8,
    /// Rain level, tenths.
    pub rain_level: u8,
    /// Wetness, tenths.
    pub wetness: u8,
    /// Best lap of the session.
    pub best_session_lap: LapInfo,
}

impl RealtimeUpdate {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let event_index = r.u16()?;
        let session_index = r.u16()?;
        let session_type = r.u8()?;
        let phase = r.u8()?;
        let session_time = r.f32()?;
        let session_end_time = r.f32()?;
        let focused_car_index = r.i32()?;
        let active_camera_set = r.string()?;
        let active_camera = r.string()?;
        let current_hud_page = r.string()?;
        let is_replay_playing = r.u8()?;
        let (replay_session_time, replay_remaining_time) = if is_replay_playing != 0 {
            (Some(r.f32()?), Some(r.f32()?))
        } else {
            (None, None)
        };
        Ok(Self {
            event_index,
            session_index,
            session_type,
            phase,
            session_time,
            session_end_time,
            focused_car_index,
            active_camera_set,
            active_camera,
            current_hud_page,
            is_replay_playing,
            replay_session_time,
            replay_remaining_time,
            time_of_day: r.f32()?,
            ambient_temp: r.u8()?,
            track_temp: r.u8()?,
            clouds: r.u8()?,
            rain_level: r.u8()?,
            wetness: r.u8()?,
            best_session_lap: LapInfo::read(r)?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u16(self.event_index);
        w.u16(self.session_index);
        w.u8(self.session_type);
        w.u8(self.phase);
        w.f32(self.session_time);
        w.f32(self.session_end_time);
        w.i32(self.focused_car_index);
        w.string(&self.active_camera_set);
        w.string(&self.active_camera);
        w.string(&self.current_hud_page);
        w.u8(self.is_replay_playing);
        if self.is_replay_playing != 0 {
            w.f32(self.replay_session_time.unwrap_or(0.0));
            w.f32(self.replay_remaining_time.unwrap_or(0.0));
        }
        w.f32(self.time_of_day);
        w.u8(self.ambient_temp);
        w.u8(self.track_temp);
        w.u8(self.clouds);
        w.u8(self.rain_level);
        w.u8(self.wetness);
        self.best_session_lap.write(w);
    }
}

/// REALTIME_CAR_UPDATE (type 3): one car, once per update interval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeCarUpdate {
    /// Car index.
    pub car_index: u16,
    /// Current driver index (changes on a driver swap).
    pub driver_index: u16,
    /// Drivers of the car.
    pub driver_count: u8,
    /// Gear as sent: subtract 2 (0 R, 1 N, 2 first …).
    pub gear: u8,
    /// World position x, m.
    pub world_pos_x: f32,
    /// World position y (the map's second axis), m.
    pub world_pos_y: f32,
    /// Yaw, rad.
    pub yaw: f32,
    /// CarLocation: 0 None, 1 Track, 2 Pitlane, 3 PitEntry, 4 PitExit.
    pub car_location: u8,
    /// Speed, km/h.
    pub kmh: u16,
    /// Official position, 1-based.
    pub position: u16,
    /// Position in class, 1-based.
    pub cup_position: u16,
    /// Position on track, 1-based.
    pub track_position: u16,
    /// Position along the lap spline, 0..1.
    pub spline_position: f32,
    /// Completed laps.
    pub laps: u16,
    /// Live delta to the best session lap, ms.
    pub delta_ms: i32,
    /// Best session lap of the car.
    pub best_session_lap: LapInfo,
    /// Last lap.
    pub last_lap: LapInfo,
    /// Lap in progress.
    pub current_lap: LapInfo,
}

impl RealtimeCarUpdate {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            car_index: r.u16()?,
            driver_index: r.u16()?,
            driver_count: r.u8()?,
            gear: r.u8()?,
            world_pos_x: r.f32()?,
            world_pos_y: r.f32()?,
            yaw: r.f32()?,
            car_location: r.u8()?,
            kmh: r.u16()?,
            position: r.u16()?,
            cup_position: r.u16()?,
            track_position: r.u16()?,
            spline_position: r.f32()?,
            laps: r.u16()?,
            delta_ms: r.i32()?,
            best_session_lap: LapInfo::read(r)?,
            last_lap: LapInfo::read(r)?,
            current_lap: LapInfo::read(r)?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u16(self.car_index);
        w.u16(self.driver_index);
        w.u8(self.driver_count);
        w.u8(self.gear);
        w.f32(self.world_pos_x);
        w.f32(self.world_pos_y);
        w.f32(self.yaw);
        w.u8(self.car_location);
        w.u16(self.kmh);
        w.u16(self.position);
        w.u16(self.cup_position);
        w.u16(self.track_position);
        w.f32(self.spline_position);
        w.u16(self.laps);
        w.i32(self.delta_ms);
        self.best_session_lap.write(w);
        self.last_lap.write(w);
        self.current_lap.write(w);
    }
}
