//! `Pcars1Frames`: the canonical mapping of Project CARS 1 packets onto paddock's channels. The
//! telemetry packet carries everything, so the decoder emits one row per telemetry packet and
//! ignores the strings packets. Axes as in Project CARS 2: x right, y up, z backwards.

use super::packets::{ParticipantInfo, Telemetry};
use super::{decode, Packet, PROTOCOL};
use crate::arrow::FrameBuilder;
use crate::channels::{namespaced, Channel};
use crate::error::DecodeError;
use crate::protocols::FrameDecoder;

/// Standard gravity, m/s², for accelerations in g.
const G: f64 = 9.806_65;

/// What one row is computed from.
struct Ctx<'a> {
    t: &'a Telemetry,
    /// The viewed car's entry, when `viewed_participant_index` points at one.
    part: Option<&'a ParticipantInfo>,
    /// Odometer of the first telemetry packet this decoder saw, km.
    odometer0_km: f32,
}

type Getter = for<'a> fn(&Ctx<'a>) -> Option<f64>;

fn some(v: impl Into<f64>) -> Option<f64> {
    Some(v.into())
}

/// A lap or sector time, null when the game reports none (≤ 0, usually −1).
fn lap_time(v: f32) -> Option<f64> {
    (v > 0.0).then(|| f64::from(v))
}

/// Gear from the low nibble: 15 is reverse (−1), 0 neutral.
fn gear(gear_num_gears: u8) -> f64 {
    match gear_num_gears & 0x0F {
        15 => -1.0,
        g => f64::from(g),
    }
}

/// The sector the viewed car is in, 1–3 (bits 0–2 of its sector byte; other values null).
fn sector(part: &ParticipantInfo) -> Option<u8> {
    let s = part.sector & 0x07;
    (1..=3).contains(&s).then_some(s)
}

/// Time into the current sector: the running `current_sectorN_time` of the sector the car is in.
fn sector_time(c: &Ctx<'_>) -> Option<f64> {
    let t = match c.part.and_then(sector)? {
        1 => c.t.current_sector1_time,
        2 => c.t.current_sector2_time,
        _ => c.t.current_sector3_time,
    };
    (t >= 0.0).then(|| f64::from(t))
}

fn wheel<T: Copy + Into<f64>>(values: &[T; 4], i: usize) -> Option<f64> {
    values.get(i).map(|&v| v.into())
}

fn axis<T: Copy + Into<f64>>(values: &[T; 3], i: usize) -> Option<f64> {
    values.get(i).map(|&v| v.into())
}

macro_rules! mapping {
    (
        canonical { $($cname:literal => $cget:expr,)* }
        namespaced { $($nname:literal, $unit:literal, $desc:literal => $nget:expr,)* }
    ) => {
        /// Channels only Project CARS 1 provides, registered with unit and description.
        pub const NAMESPACED: &[Channel] = &[$(namespaced($nname, $unit, $desc),)*];
        /// The channels of [`Pcars1Frames`] rows: canonical ones, then [`NAMESPACED`] ones.
        pub const CHANNEL_NAMES: &[&str] = &[$($cname,)* $($nname,)*];
        const GETTERS: &[Getter] = &[$($cget,)* $($nget,)*];
    };
}

mapping! {
    canonical {
        "speed_kmh" => |c| some(f64::from(c.t.speed) * 3.6),
        "rpm" => |c| some(c.t.rpm),
        "rpm_max" => |c| some(c.t.max_rpm),
        "gear" => |c| some(gear(c.t.gear_num_gears)),
        "throttle" => |c| some(f64::from(c.t.throttle) / 255.0),
        "brake" => |c| some(f64::from(c.t.brake) / 255.0),
        "clutch" => |c| some(f64::from(c.t.clutch) / 255.0),
        "handbrake" => |c| some(if c.t.car_flags & 0x20 != 0 { 1.0 } else { 0.0 }),
        "steer" => |c| some((f64::from(c.t.steering) / 127.0).clamp(-1.0, 1.0)),
        "g_lat" => |c| axis(&c.t.local_acceleration, 0).map(|a| a / G),
        "g_long" => |c| axis(&c.t.local_acceleration, 2).map(|a| -a / G),
        "g_vert" => |c| axis(&c.t.local_acceleration, 1).map(|a| a / G),
        "heading_deg" => |c| axis(&c.t.orientation, 1).map(|a| a.to_degrees().rem_euclid(360.0)),
        "pos_x_m" => |c| c.part.and_then(|p| axis(&p.world_position, 0)),
        "pos_y_m" => |c| c.part.and_then(|p| axis(&p.world_position, 1)),
        "pos_z_m" => |c| c.part.and_then(|p| axis(&p.world_position, 2)),
        "lap" => |c| c.part.map(|p| f64::from(p.current_lap)),
        "lap_time_s" => |c| (c.t.current_time >= 0.0).then(|| f64::from(c.t.current_time)),
        "last_lap_s" => |c| lap_time(c.t.last_lap_time),
        "best_lap_s" => |c| lap_time(c.t.best_lap_time),
        "lap_distance_m" => |c| c.part.map(|p| f64::from(p.current_lap_distance)),
        "distance_m" => |c| some((f64::from(c.t.odometer_km) - f64::from(c.odometer0_km)) * 1000.0),
        "sector" => |c| c.part.and_then(sector).map(f64::from),
        "sector_time_s" => sector_time,
        "tyre_temp_fl_c" => |c| wheel(&c.t.tyre_temp, 0),
        "tyre_temp_fr_c" => |c| wheel(&c.t.tyre_temp, 1),
        "tyre_temp_rl_c" => |c| wheel(&c.t.tyre_temp, 2),
        "tyre_temp_rr_c" => |c| wheel(&c.t.tyre_temp, 3),
        "brake_temp_fl_c" => |c| wheel(&c.t.brake_temp_celsius, 0),
        "brake_temp_fr_c" => |c| wheel(&c.t.brake_temp_celsius, 1),
        "brake_temp_rl_c" => |c| wheel(&c.t.brake_temp_celsius, 2),
        "brake_temp_rr_c" => |c| wheel(&c.t.brake_temp_celsius, 3),
        "water_temp_c" => |c| some(c.t.water_temp_celsius),
        "oil_temp_c" => |c| some(c.t.oil_temp_celsius),
        "oil_press_kpa" => |c| some(c.t.oil_pressure_kpa),
        "fuel_l" => |c| some(f64::from(c.t.fuel_level) * f64::from(c.t.fuel_capacity)),
        "air_temp_c" => |c| some(c.t.ambient_temperature),
        "track_temp_c" => |c| some(c.t.track_temperature),
    }
    namespaced {
        "pcars1.sequence", "", "6-bit sequence number of the telemetry packet (loss detection)"
            => |c| some(c.t.header.packet_type_sequence >> 2),
        "pcars1.build_version", "", "game build number"
            => |c| some(c.t.header.build_version_number),
        "pcars1.game_state", "", "game state enum (game/session byte & 7)"
            => |c| some(c.t.game_session_state & 0x07),
        "pcars1.session_state", "", "session state enum (game/session byte >> 4)"
            => |c| some(c.t.game_session_state >> 4),
        "pcars1.race_state", "", "race state enum (race state byte & 7)"
            => |c| some(c.t.race_state_flags & 0x07),
        "pcars1.lap_invalid", "", "1 when the current lap is invalidated"
            => |c| some(u8::from(c.t.race_state_flags & 0x08 != 0)),
        "pcars1.num_participants", "", "participants in the session"
            => |c| some(c.t.num_participants),
        "pcars1.laps_in_event", "", "laps in the event"
            => |c| some(c.t.laps_in_event),
        "pcars1.race_position", "", "race position of the viewed car"
            => |c| c.part.map(|p| f64::from(p.race_position & 0x7F)),
        "pcars1.laps_completed", "", "laps completed by the viewed car"
            => |c| c.part.map(|p| f64::from(p.laps_completed & 0x7F)),
        "pcars1.last_sector_s", "s", "time of the viewed car's last completed sector"
            => |c| c.part.and_then(|p| lap_time(p.last_sector_time)),
        "pcars1.sector1_s", "s", "sector 1 of the current lap (running while in sector 1)"
            => |c| lap_time(c.t.current_sector1_time),
        "pcars1.sector2_s", "s", "sector 2 of the current lap"
            => |c| lap_time(c.t.current_sector2_time),
        "pcars1.sector3_s", "s", "sector 3 of the current lap"
            => |c| lap_time(c.t.current_sector3_time),
        "pcars1.best_sector1_s", "s", "fastest sector 1 of the session"
            => |c| lap_time(c.t.fastest_sector1_time),
        "pcars1.best_sector2_s", "s", "fastest sector 2 of the session"
            => |c| lap_time(c.t.fastest_sector2_time),
        "pcars1.best_sector3_s", "s", "fastest sector 3 of the session"
            => |c| lap_time(c.t.fastest_sector3_time),
        "pcars1.split_time_ahead_s", "s", "gap to the car ahead"
            => |c| some(c.t.split_time_ahead),
        "pcars1.split_time_behind_s", "s", "gap to the car behind"
            => |c| some(c.t.split_time_behind),
        "pcars1.event_time_remaining_s", "s", "event time left; -1 for lap-based events"
            => |c| some(c.t.event_time_remaining),
        "pcars1.highest_flag", "", "highest flag byte (low nibble colour, high nibble reason)"
            => |c| some(c.t.highest_flag),
        "pcars1.pit_mode_schedule", "", "pit mode and schedule byte"
            => |c| some(c.t.pit_mode_schedule),
        "pcars1.car_flags", "", "car flag bits"
            => |c| some(c.t.car_flags),
        "pcars1.num_gears", "", "number of forward gears"
            => |c| some(c.t.gear_num_gears >> 4),
        "pcars1.fuel_fraction", "1", "fuel left as a fraction of the tank, 0..1"
            => |c| some(c.t.fuel_level),
        "pcars1.fuel_capacity_l", "l", "tank capacity"
            => |c| some(c.t.fuel_capacity),
        "pcars1.fuel_press_kpa", "kPa", "fuel pressure"
            => |c| some(c.t.fuel_pressure_kpa),
        "pcars1.water_press_kpa", "kPa", "coolant pressure"
            => |c| some(c.t.water_pressure_kpa),
        "pcars1.odometer_km", "km", "car odometer"
            => |c| some(c.t.odometer_km),
        "pcars1.engine_speed_rad_s", "rad/s", "engine angular speed"
            => |c| some(c.t.engine_speed),
        "pcars1.engine_torque_nm", "N.m", "engine torque"
            => |c| some(c.t.engine_torque),
        "pcars1.boost_amount", "", "push-to-pass boost left (raw)"
            => |c| some(c.t.boost_amount),
        "pcars1.unfiltered_throttle", "1", "throttle input before assists, 0..1"
            => |c| some(f64::from(c.t.unfiltered_throttle) / 255.0),
        "pcars1.unfiltered_brake", "1", "brake input before assists, 0..1"
            => |c| some(f64::from(c.t.unfiltered_brake) / 255.0),
        "pcars1.unfiltered_steer", "1", "steering input before assists, -1..1"
            => |c| some((f64::from(c.t.unfiltered_steering) / 127.0).clamp(-1.0, 1.0)),
        "pcars1.track_length_m", "m", "track length"
            => |c| some(c.t.track_length),
        "pcars1.rain_density", "", "rain density, 0..255"
            => |c| some(c.t.rain_density),
        "pcars1.tyre_rps_fl", "rad/s", "front-left wheel rotation speed (negative forwards)"
            => |c| wheel(&c.t.tyre_rps, 0),
        "pcars1.tyre_rps_fr", "rad/s", "front-right wheel rotation speed (negative forwards)"
            => |c| wheel(&c.t.tyre_rps, 1),
        "pcars1.tyre_rps_rl", "rad/s", "rear-left wheel rotation speed (negative forwards)"
            => |c| wheel(&c.t.tyre_rps, 2),
        "pcars1.tyre_rps_rr", "rad/s", "rear-right wheel rotation speed (negative forwards)"
            => |c| wheel(&c.t.tyre_rps, 3),
        "pcars1.tyre_wear_fl", "", "front-left tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 0),
        "pcars1.tyre_wear_fr", "", "front-right tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 1),
        "pcars1.tyre_wear_rl", "", "rear-left tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 2),
        "pcars1.tyre_wear_rr", "", "rear-right tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 3),
        "pcars1.ride_height_fl_m", "m", "front-left ride height"
            => |c| wheel(&c.t.ride_height, 0),
        "pcars1.ride_height_fr_m", "m", "front-right ride height"
            => |c| wheel(&c.t.ride_height, 1),
        "pcars1.ride_height_rl_m", "m", "rear-left ride height"
            => |c| wheel(&c.t.ride_height, 2),
        "pcars1.ride_height_rr_m", "m", "rear-right ride height"
            => |c| wheel(&c.t.ride_height, 3),
        "pcars1.local_velocity_x_m_s", "m/s", "velocity along the car x axis (right)"
            => |c| axis(&c.t.local_velocity, 0),
        "pcars1.local_velocity_y_m_s", "m/s", "velocity along the car y axis (up)"
            => |c| axis(&c.t.local_velocity, 1),
        "pcars1.local_velocity_z_m_s", "m/s", "velocity along the car z axis (backwards)"
            => |c| axis(&c.t.local_velocity, 2),
        "pcars1.angular_velocity_y_rad_s", "rad/s", "angular velocity about y (yaw rate)"
            => |c| axis(&c.t.angular_velocity, 1),
    }
}

/// The canonical decoder of Project CARS 1 datagrams: one row per telemetry packet, 0 rows for
/// the strings packets. The tracked car is the telemetry's `viewed_participant_index` (its
/// position, lap, lap distance and sector are null when the index is −1).
#[derive(Debug, Default)]
pub struct Pcars1Frames {
    odometer0_km: Option<f32>,
    row: Vec<Option<f64>>,
}

impl Pcars1Frames {
    /// A decoder that has seen nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes in one decoded packet: the row of a telemetry packet (in [`CHANNEL_NAMES`] order),
    /// `None` for the strings packets.
    pub(crate) fn take(&mut self, packet: &Packet) -> Option<&[Option<f64>]> {
        match packet {
            Packet::Telemetry(t) => Some(self.row(t)),
            Packet::ParticipantStrings(_) | Packet::ParticipantStringsAdditional(_) => None,
        }
    }

    fn row(&mut self, t: &Telemetry) -> &[Option<f64>] {
        let odometer0_km = *self.odometer0_km.get_or_insert(t.odometer_km);
        let part = usize::try_from(t.viewed_participant_index)
            .ok()
            .and_then(|i| t.participants.get(i));
        let ctx = Ctx {
            t,
            part,
            odometer0_km,
        };
        self.row.clear();
        self.row.extend(GETTERS.iter().map(|get| get(&ctx)));
        &self.row
    }
}

impl FrameDecoder for Pcars1Frames {
    fn protocol(&self) -> &'static str {
        PROTOCOL
    }

    fn channels(&self) -> &'static [&'static str] {
        CHANNEL_NAMES
    }

    /// One row per telemetry packet; the strings packets give 0 rows.
    fn push(
        &mut self,
        ts_ns: i64,
        datagram: &[u8],
        out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError> {
        let packet = decode(datagram)?;
        Ok(self.take(&packet).map_or(0, |row| {
            out.push_row(ts_ns, row);
            1
        }))
    }
}
