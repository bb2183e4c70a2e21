//! `Pcars2Frames`: the canonical mapping of Project CARS 2 packets onto paddock's channels. It
//! remembers the latest timings, time stats and game state and emits one row per telemetry packet;
//! channels whose source packet has not arrived yet are null.

use super::packets::{GameState, ParticipantInfo, ParticipantStats, Telemetry, TimeStats, Timings};
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
    timings: Option<&'a Timings>,
    /// The tracked car's entry in the latest timings.
    part: Option<&'a ParticipantInfo>,
    /// The tracked car's entry in the latest time stats.
    stats: Option<&'a ParticipantStats>,
    game: Option<&'a GameState>,
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

fn wheel<T: Copy + Into<f64>>(values: &[T; 4], i: usize) -> Option<f64> {
    values.get(i).map(|&v| v.into())
}

fn axis(values: &[f32; 3], i: usize) -> Option<f64> {
    values.get(i).map(|&v| f64::from(v))
}

macro_rules! mapping {
    (
        canonical { $($cname:literal => $cget:expr,)* }
        namespaced { $($nname:literal, $unit:literal, $desc:literal => $nget:expr,)* }
    ) => {
        /// Channels only Project CARS 2 provides, registered with unit and description.
        pub const NAMESPACED: &[Channel] = &[$(namespaced($nname, $unit, $desc),)*];
        /// The channels of [`Pcars2Frames`] rows: canonical ones, then [`NAMESPACED`] ones.
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
        "handbrake" => |c| some(f64::from(c.t.hand_brake) / 255.0),
        "steer" => |c| some((f64::from(c.t.steering) / 127.0).clamp(-1.0, 1.0)),
        "g_lat" => |c| axis(&c.t.local_acceleration, 0).map(|a| a / G),
        "g_long" => |c| axis(&c.t.local_acceleration, 2).map(|a| -a / G),
        "g_vert" => |c| axis(&c.t.local_acceleration, 1).map(|a| a / G),
        "heading_deg" => |c| axis(&c.t.orientation, 1).map(|a| a.to_degrees().rem_euclid(360.0)),
        "pos_x_m" => |c| axis(&c.t.full_position, 0),
        "pos_y_m" => |c| axis(&c.t.full_position, 1),
        "pos_z_m" => |c| axis(&c.t.full_position, 2),
        "lap" => |c| c.part.map(|p| f64::from(p.current_lap)),
        "lap_time_s" => |c| c.part.and_then(|p| {
            (p.current_time >= 0.0).then(|| f64::from(p.current_time))
        }),
        "last_lap_s" => |c| c.stats.and_then(|s| lap_time(s.last_lap_time)),
        "best_lap_s" => |c| c.stats.and_then(|s| lap_time(s.fastest_lap_time)),
        "lap_distance_m" => |c| c.part.map(|p| f64::from(p.current_lap_distance)),
        "distance_m" => |c| some((f64::from(c.t.odometer_km) - f64::from(c.odometer0_km)) * 1000.0),
        "sector" => |c| c.part.map(|p| f64::from(p.sector & 0x07) + 1.0),
        "sector_time_s" => |c| c.part.and_then(|p| {
            (p.current_sector_time >= 0.0).then(|| f64::from(p.current_sector_time))
        }),
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
        "air_temp_c" => |c| c.game.map(|g| f64::from(g.ambient_temperature)),
        "track_temp_c" => |c| c.game.map(|g| f64::from(g.track_temperature)),
    }
    namespaced {
        "pcars2.packet_number", "", "header packet counter of the telemetry packet (loss detection)"
            => |c| some(c.t.header.packet_number),
        "pcars2.tick_count", "", "game tick counter of the telemetry packet"
            => |c| some(c.t.tick_count),
        "pcars2.engine_speed_rad_s", "rad/s", "engine angular speed"
            => |c| some(c.t.engine_speed),
        "pcars2.engine_torque_nm", "N.m", "engine torque"
            => |c| some(c.t.engine_torque),
        "pcars2.turbo_boost_pa", "Pa", "turbo boost pressure"
            => |c| some(c.t.turbo_boost_pressure),
        "pcars2.boost_amount", "", "push-to-pass boost left (raw)"
            => |c| some(c.t.boost_amount),
        "pcars2.brake_bias", "", "brake bias, quantised 0..255"
            => |c| some(c.t.brake_bias),
        "pcars2.crash_state", "", "crash state enum"
            => |c| some(c.t.crash_state),
        "pcars2.num_gears", "", "number of forward gears"
            => |c| some(c.t.gear_num_gears >> 4),
        "pcars2.fuel_fraction", "1", "fuel left as a fraction of the tank, 0..1"
            => |c| some(c.t.fuel_level),
        "pcars2.fuel_capacity_l", "l", "tank capacity"
            => |c| some(c.t.fuel_capacity),
        "pcars2.fuel_press_kpa", "kPa", "fuel pressure"
            => |c| some(c.t.fuel_pressure_kpa),
        "pcars2.water_press_kpa", "kPa", "coolant pressure"
            => |c| some(c.t.water_pressure_kpa),
        "pcars2.odometer_km", "km", "car odometer"
            => |c| some(c.t.odometer_km),
        "pcars2.unfiltered_throttle", "1", "throttle input before assists, 0..1"
            => |c| some(f64::from(c.t.unfiltered_throttle) / 255.0),
        "pcars2.unfiltered_brake", "1", "brake input before assists, 0..1"
            => |c| some(f64::from(c.t.unfiltered_brake) / 255.0),
        "pcars2.unfiltered_clutch", "1", "clutch input before assists, 0..1"
            => |c| some(f64::from(c.t.unfiltered_clutch) / 255.0),
        "pcars2.unfiltered_steer", "1", "steering input before assists, -1..1"
            => |c| some((f64::from(c.t.unfiltered_steering) / 127.0).clamp(-1.0, 1.0)),
        "pcars2.car_flags", "", "car flag bits"
            => |c| some(c.t.car_flags),
        "pcars2.aero_damage", "", "aero damage, 0..255"
            => |c| some(c.t.aero_damage),
        "pcars2.engine_damage", "", "engine damage, 0..255"
            => |c| some(c.t.engine_damage),
        "pcars2.orientation_x_rad", "rad", "orientation angle about the car x axis"
            => |c| axis(&c.t.orientation, 0),
        "pcars2.orientation_z_rad", "rad", "orientation angle about the car z axis"
            => |c| axis(&c.t.orientation, 2),
        "pcars2.local_velocity_x_m_s", "m/s", "velocity along the car x axis (right)"
            => |c| axis(&c.t.local_velocity, 0),
        "pcars2.local_velocity_y_m_s", "m/s", "velocity along the car y axis (up)"
            => |c| axis(&c.t.local_velocity, 1),
        "pcars2.local_velocity_z_m_s", "m/s", "velocity along the car z axis (backwards)"
            => |c| axis(&c.t.local_velocity, 2),
        "pcars2.angular_velocity_x_rad_s", "rad/s", "angular velocity about x"
            => |c| axis(&c.t.angular_velocity, 0),
        "pcars2.angular_velocity_y_rad_s", "rad/s", "angular velocity about y (yaw rate)"
            => |c| axis(&c.t.angular_velocity, 1),
        "pcars2.angular_velocity_z_rad_s", "rad/s", "angular velocity about z"
            => |c| axis(&c.t.angular_velocity, 2),
        "pcars2.tyre_rps_fl", "rad/s", "front-left wheel rotation speed"
            => |c| wheel(&c.t.tyre_rps, 0),
        "pcars2.tyre_rps_fr", "rad/s", "front-right wheel rotation speed"
            => |c| wheel(&c.t.tyre_rps, 1),
        "pcars2.tyre_rps_rl", "rad/s", "rear-left wheel rotation speed"
            => |c| wheel(&c.t.tyre_rps, 2),
        "pcars2.tyre_rps_rr", "rad/s", "rear-right wheel rotation speed"
            => |c| wheel(&c.t.tyre_rps, 3),
        "pcars2.tyre_wear_fl", "", "front-left tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 0),
        "pcars2.tyre_wear_fr", "", "front-right tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 1),
        "pcars2.tyre_wear_rl", "", "rear-left tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 2),
        "pcars2.tyre_wear_rr", "", "rear-right tyre wear, 0..255"
            => |c| wheel(&c.t.tyre_wear, 3),
        "pcars2.ride_height_fl_m", "m", "front-left ride height"
            => |c| wheel(&c.t.ride_height, 0),
        "pcars2.ride_height_fr_m", "m", "front-right ride height"
            => |c| wheel(&c.t.ride_height, 1),
        "pcars2.ride_height_rl_m", "m", "rear-left ride height"
            => |c| wheel(&c.t.ride_height, 2),
        "pcars2.ride_height_rr_m", "m", "rear-right ride height"
            => |c| wheel(&c.t.ride_height, 3),
        "pcars2.suspension_travel_fl_m", "m", "front-left suspension travel"
            => |c| wheel(&c.t.suspension_travel, 0),
        "pcars2.suspension_travel_fr_m", "m", "front-right suspension travel"
            => |c| wheel(&c.t.suspension_travel, 1),
        "pcars2.suspension_travel_rl_m", "m", "rear-left suspension travel"
            => |c| wheel(&c.t.suspension_travel, 2),
        "pcars2.suspension_travel_rr_m", "m", "rear-right suspension travel"
            => |c| wheel(&c.t.suspension_travel, 3),
        "pcars2.suspension_velocity_fl_m_s", "m/s", "front-left suspension velocity"
            => |c| wheel(&c.t.suspension_velocity, 0),
        "pcars2.suspension_velocity_fr_m_s", "m/s", "front-right suspension velocity"
            => |c| wheel(&c.t.suspension_velocity, 1),
        "pcars2.suspension_velocity_rl_m_s", "m/s", "rear-left suspension velocity"
            => |c| wheel(&c.t.suspension_velocity, 2),
        "pcars2.suspension_velocity_rr_m_s", "m/s", "rear-right suspension velocity"
            => |c| wheel(&c.t.suspension_velocity, 3),
        "pcars2.air_pressure_fl", "", "front-left tyre air pressure (raw)"
            => |c| wheel(&c.t.air_pressure, 0),
        "pcars2.air_pressure_fr", "", "front-right tyre air pressure (raw)"
            => |c| wheel(&c.t.air_pressure, 1),
        "pcars2.air_pressure_rl", "", "rear-left tyre air pressure (raw)"
            => |c| wheel(&c.t.air_pressure, 2),
        "pcars2.air_pressure_rr", "", "rear-right tyre air pressure (raw)"
            => |c| wheel(&c.t.air_pressure, 3),
        "pcars2.brake_damage_fl", "", "front-left brake damage, 0..255"
            => |c| wheel(&c.t.brake_damage, 0),
        "pcars2.brake_damage_fr", "", "front-right brake damage, 0..255"
            => |c| wheel(&c.t.brake_damage, 1),
        "pcars2.brake_damage_rl", "", "rear-left brake damage, 0..255"
            => |c| wheel(&c.t.brake_damage, 2),
        "pcars2.brake_damage_rr", "", "rear-right brake damage, 0..255"
            => |c| wheel(&c.t.brake_damage, 3),
        "pcars2.terrain_fl", "", "terrain under the front-left wheel (enum)"
            => |c| wheel(&c.t.terrain, 0),
        "pcars2.terrain_fr", "", "terrain under the front-right wheel (enum)"
            => |c| wheel(&c.t.terrain, 1),
        "pcars2.terrain_rl", "", "terrain under the rear-left wheel (enum)"
            => |c| wheel(&c.t.terrain, 2),
        "pcars2.terrain_rr", "", "terrain under the rear-right wheel (enum)"
            => |c| wheel(&c.t.terrain, 3),
        "pcars2.race_position", "", "race position of the tracked car (from timings)"
            => |c| c.part.map(|p| f64::from(p.race_position & 0x7F)),
        "pcars2.race_state", "", "race state byte of the tracked car (from timings)"
            => |c| c.part.map(|p| f64::from(p.race_state)),
        "pcars2.highest_flag", "", "highest flag byte of the tracked car (from timings)"
            => |c| c.part.map(|p| f64::from(p.highest_flag)),
        "pcars2.pit_mode_schedule", "", "pit mode and schedule byte (from timings)"
            => |c| c.part.map(|p| f64::from(p.pit_mode_schedule)),
        "pcars2.num_participants", "", "participants in the session (from timings)"
            => |c| c.timings.map(|t| f64::from(t.num_participants)),
        "pcars2.event_time_remaining_s", "s", "event time remaining; -1 invalid, lap races -1 - laps left"
            => |c| c.timings.map(|t| f64::from(t.event_time_remaining)),
        "pcars2.split_time_ahead_s", "s", "gap to the car ahead (from timings)"
            => |c| c.timings.map(|t| f64::from(t.split_time_ahead)),
        "pcars2.split_time_behind_s", "s", "gap to the car behind (from timings)"
            => |c| c.timings.map(|t| f64::from(t.split_time_behind)),
        "pcars2.last_sector_s", "s", "time of the last completed sector (from time stats)"
            => |c| c.stats.and_then(|s| lap_time(s.last_sector_time)),
        "pcars2.best_sector1_s", "s", "best sector 1 time (from time stats)"
            => |c| c.stats.and_then(|s| lap_time(s.fastest_sector1_time)),
        "pcars2.best_sector2_s", "s", "best sector 2 time (from time stats)"
            => |c| c.stats.and_then(|s| lap_time(s.fastest_sector2_time)),
        "pcars2.best_sector3_s", "s", "best sector 3 time (from time stats)"
            => |c| c.stats.and_then(|s| lap_time(s.fastest_sector3_time)),
        "pcars2.game_state", "", "game state enum (game state byte & 7)"
            => |c| c.game.map(|g| f64::from(g.game_state & 0x07)),
        "pcars2.session_state", "", "session state enum (game state byte >> 4)"
            => |c| c.game.map(|g| f64::from(g.game_state >> 4)),
        "pcars2.rain_density", "", "rain density, 0..255"
            => |c| c.game.map(|g| f64::from(g.rain_density)),
        "pcars2.wind_speed", "", "wind speed (raw)"
            => |c| c.game.map(|g| f64::from(g.wind_speed)),
    }
}

/// The stateful canonical decoder of Project CARS 2 datagrams (see the module docs and the
/// contract's canonical mapping). `idx`, the tracked car, is the timings packet's
/// `local_participant_index` when below 32, else the telemetry's `viewed_participant_index`.
#[derive(Debug, Default)]
pub struct Pcars2Frames {
    timings: Option<Timings>,
    time_stats: Option<TimeStats>,
    game_state: Option<GameState>,
    odometer0_km: Option<f32>,
    row: Vec<Option<f64>>,
}

impl Pcars2Frames {
    /// A decoder that has seen nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes in one decoded packet: the row of a telemetry packet (in [`CHANNEL_NAMES`] order),
    /// `None` for the others, which only update the remembered state.
    pub(crate) fn take(&mut self, packet: Packet) -> Option<&[Option<f64>]> {
        match packet {
            Packet::Telemetry(t) => return Some(self.row(&t)),
            Packet::Timings(t) => self.timings = Some(t),
            Packet::TimeStats(s) => self.time_stats = Some(s),
            Packet::GameState(g) => self.game_state = Some(g),
            Packet::Race(_)
            | Packet::Participants(_)
            | Packet::VehicleNames(_)
            | Packet::ClassNames(_) => {}
        }
        None
    }

    fn row(&mut self, t: &Telemetry) -> &[Option<f64>] {
        let odometer0_km = *self.odometer0_km.get_or_insert(t.odometer_km);
        let idx = match self
            .timings
            .as_ref()
            .map(|t| usize::from(t.local_participant_index))
        {
            Some(local) if local < 32 => Some(local),
            _ => usize::try_from(t.viewed_participant_index).ok(),
        };
        let timings = self.timings.as_ref();
        let ctx = Ctx {
            t,
            timings,
            part: timings.zip(idx).and_then(|(t, i)| t.participants.get(i)),
            stats: self
                .time_stats
                .as_ref()
                .zip(idx)
                .and_then(|(s, i)| s.stats.get(i)),
            game: self.game_state.as_ref(),
            odometer0_km,
        };
        self.row.clear();
        self.row.extend(GETTERS.iter().map(|get| get(&ctx)));
        &self.row
    }
}

impl FrameDecoder for Pcars2Frames {
    fn protocol(&self) -> &'static str {
        PROTOCOL
    }

    fn channels(&self) -> &'static [&'static str] {
        CHANNEL_NAMES
    }

    /// One row per telemetry packet; other packets update the remembered state and give 0 rows.
    fn push(
        &mut self,
        ts_ns: i64,
        datagram: &[u8],
        out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError> {
        let packet = decode(datagram)?;
        Ok(self.take(packet).map_or(0, |row| {
            out.push_row(ts_ns, row);
            1
        }))
    }
}
