//! `AcFrames`: the canonical mapping of Assetto Corsa's `RTCarInfo` onto paddock's channels (one
//! row per `car_info` datagram), and the client side of AC's handshake session, driven by a feed
//! that has a peer through the [`FrameDecoder`] session hooks.
//!
//! Session: on start, DISMISS (clears a stale subscription) then HANDSHAKE; the 408-byte answer
//! is met with SUBSCRIBE_SPOT then SUBSCRIBE_UPDATE; with nothing received for [`QUIET_AFTER`] the
//! HANDSHAKE is sent again, then every [`RETRY_EVERY`] until AC answers (AC restarted, session
//! ended, or not running yet); on stop, DISMISS.
//!
//! Mapping notes: `gear` is AC's gear − 1 (0 R → −1, 1 N → 0, 2 → 1st); `clutch` is 1 −
//! AC's clutch, which reports engagement (1 while driving), not pedal travel; `steer` is the
//! steering-wheel angle in degrees divided by [`STEER_FULL_DEG`] and clamped to ±1 (AC does not
//! send the car's lock; the raw angle is `ac.steer_deg`); the accelerations follow the real
//! capture, not Kunos' names (spec §1.7): `acc_g_vertical` → `g_lat`, `acc_g_frontal` →
//! `g_long`, `acc_g_horizontal` → `g_vert`, all as sent; `lap` is `lap_count` + 1; lap times
//! are ms → s, null when 0 (none yet); `wheel_speed_*_kmh` is wheel angular speed × tyre radius.
//! `lap_distance_m` is not derivable (the track length is not sent).

use std::time::Duration;

use super::packets::{CarInfo, HandshakeResponse, Lap};
use super::{decode, Operation, Packet, PROTOCOL};
use crate::arrow::FrameBuilder;
use crate::channels::{namespaced, Channel};
use crate::error::DecodeError;
use crate::protocols::FrameDecoder;

/// Steering-wheel angle mapped to full lock (`steer` = ±1), degrees: half of a 900° wheel.
pub const STEER_FULL_DEG: f64 = 450.0;
/// With nothing received for this long, the session is presumed lost and HANDSHAKE is re-sent.
pub const QUIET_AFTER: Duration = Duration::from_secs(3);
/// Interval between HANDSHAKE retries while AC does not answer.
pub const RETRY_EVERY: Duration = Duration::from_secs(2);

type Getter = fn(&CarInfo) -> Option<f64>;

fn some(v: impl Into<f64>) -> Option<f64> {
    Some(v.into())
}

/// A lap time in ms as seconds, null when the game reports none (≤ 0).
fn lap_time(ms: i32) -> Option<f64> {
    (ms > 0).then(|| f64::from(ms) / 1000.0)
}

fn wheel(values: &[f32; 4], i: usize) -> Option<f64> {
    values.get(i).map(|&v| f64::from(v))
}

/// Wheel `i`'s speed in km/h: angular speed (rad/s) × tyre radius (m) × 3.6.
fn wheel_speed(c: &CarInfo, i: usize) -> Option<f64> {
    Some(wheel(&c.wheel_angular_speed, i)? * wheel(&c.tyre_radius, i)? * 3.6)
}

fn axis(values: &[f32; 3], i: usize) -> Option<f64> {
    values.get(i).map(|&v| f64::from(v))
}

macro_rules! mapping {
    (
        canonical { $($cname:literal => $cget:expr,)* }
        namespaced { $($nname:literal, $unit:literal, $desc:literal => $nget:expr,)* }
    ) => {
        /// Channels only Assetto Corsa provides, registered with unit and description.
        pub const NAMESPACED: &[Channel] = &[$(namespaced($nname, $unit, $desc),)*];
        /// The channels of [`AcFrames`] rows: canonical ones, then [`NAMESPACED`] ones.
        pub const CHANNEL_NAMES: &[&str] = &[$($cname,)* $($nname,)*];
        const GETTERS: &[Getter] = &[$($cget,)* $($nget,)*];
    };
}

mapping! {
    canonical {
        "speed_kmh" => |c| some(c.speed_kmh),
        "rpm" => |c| some(c.engine_rpm),
        "gear" => |c| some(f64::from(c.gear) - 1.0),
        "throttle" => |c| some(c.gas),
        "brake" => |c| some(c.brake),
        "clutch" => |c| some(1.0 - f64::from(c.clutch)),
        "steer" => |c| some((f64::from(c.steer) / STEER_FULL_DEG).clamp(-1.0, 1.0)),
        "g_lat" => |c| some(c.acc_g_vertical),
        "g_long" => |c| some(c.acc_g_frontal),
        "g_vert" => |c| some(c.acc_g_horizontal),
        "pos_x_m" => |c| axis(&c.car_coordinates, 0),
        "pos_y_m" => |c| axis(&c.car_coordinates, 1),
        "pos_z_m" => |c| axis(&c.car_coordinates, 2),
        "lap" => |c| some(f64::from(c.lap_count) + 1.0),
        "lap_time_s" => |c| (c.lap_time >= 0).then(|| f64::from(c.lap_time) / 1000.0),
        "last_lap_s" => |c| lap_time(c.last_lap),
        "best_lap_s" => |c| lap_time(c.best_lap),
        "wheel_speed_fl_kmh" => |c| wheel_speed(c, 0),
        "wheel_speed_fr_kmh" => |c| wheel_speed(c, 1),
        "wheel_speed_rl_kmh" => |c| wheel_speed(c, 2),
        "wheel_speed_rr_kmh" => |c| wheel_speed(c, 3),
    }
    namespaced {
        "ac.car_position_normalized", "1", "position along the lap spline, 0 at the line .. 1"
            => |c| some(c.car_position_normalized),
        "ac.steer_deg", "deg", "steering-wheel angle as sent"
            => |c| some(c.steer),
        "ac.clutch_engagement", "1", "clutch engagement as sent, 1 engaged"
            => |c| some(c.clutch),
        "ac.speed_ms", "m/s", "speed as sent in m/s"
            => |c| some(c.speed_ms),
        "ac.cg_height_m", "m", "centre-of-gravity height"
            => |c| some(c.cg_height),
        "ac.car_slope", "", "car slope (0 in known captures)"
            => |c| some(c.car_slope),
        "ac.is_abs_enabled", "", "ABS enabled, 0/1"
            => |c| some(c.is_abs_enabled),
        "ac.is_abs_in_action", "", "ABS acting, 0/1"
            => |c| some(c.is_abs_in_action),
        "ac.is_tc_enabled", "", "traction control enabled, 0/1"
            => |c| some(c.is_tc_enabled),
        "ac.is_tc_in_action", "", "traction control acting, 0/1"
            => |c| some(c.is_tc_in_action),
        "ac.is_in_pit", "", "in the pit lane, 0/1"
            => |c| some(c.is_in_pit),
        "ac.is_engine_limiter_on", "", "rev limiter acting, 0/1"
            => |c| some(c.is_engine_limiter_on),
        "ac.wheel_angular_speed_fl_rad_s", "rad/s", "front-left wheel angular speed"
            => |c| wheel(&c.wheel_angular_speed, 0),
        "ac.wheel_angular_speed_fr_rad_s", "rad/s", "front-right wheel angular speed"
            => |c| wheel(&c.wheel_angular_speed, 1),
        "ac.wheel_angular_speed_rl_rad_s", "rad/s", "rear-left wheel angular speed"
            => |c| wheel(&c.wheel_angular_speed, 2),
        "ac.wheel_angular_speed_rr_rad_s", "rad/s", "rear-right wheel angular speed"
            => |c| wheel(&c.wheel_angular_speed, 3),
        "ac.slip_angle_fl", "deg", "front-left slip angle"
            => |c| wheel(&c.slip_angle, 0),
        "ac.slip_angle_fr", "deg", "front-right slip angle"
            => |c| wheel(&c.slip_angle, 1),
        "ac.slip_angle_rl", "deg", "rear-left slip angle"
            => |c| wheel(&c.slip_angle, 2),
        "ac.slip_angle_rr", "deg", "rear-right slip angle"
            => |c| wheel(&c.slip_angle, 3),
        "ac.slip_ratio_fl", "1", "front-left slip ratio"
            => |c| wheel(&c.slip_ratio, 0),
        "ac.slip_ratio_fr", "1", "front-right slip ratio"
            => |c| wheel(&c.slip_ratio, 1),
        "ac.slip_ratio_rl", "1", "rear-left slip ratio"
            => |c| wheel(&c.slip_ratio, 2),
        "ac.slip_ratio_rr", "1", "rear-right slip ratio"
            => |c| wheel(&c.slip_ratio, 3),
        "ac.tyre_slip_fl", "1", "front-left combined tyre slip"
            => |c| wheel(&c.tyre_slip, 0),
        "ac.tyre_slip_fr", "1", "front-right combined tyre slip"
            => |c| wheel(&c.tyre_slip, 1),
        "ac.tyre_slip_rl", "1", "rear-left combined tyre slip"
            => |c| wheel(&c.tyre_slip, 2),
        "ac.tyre_slip_rr", "1", "rear-right combined tyre slip"
            => |c| wheel(&c.tyre_slip, 3),
        "ac.load_fl_n", "N", "front-left wheel load"
            => |c| wheel(&c.load, 0),
        "ac.load_fr_n", "N", "front-right wheel load"
            => |c| wheel(&c.load, 1),
        "ac.load_rl_n", "N", "rear-left wheel load"
            => |c| wheel(&c.load, 2),
        "ac.load_rr_n", "N", "rear-right wheel load"
            => |c| wheel(&c.load, 3),
        "ac.suspension_height_fl_m", "m", "front-left suspension height"
            => |c| wheel(&c.suspension_height, 0),
        "ac.suspension_height_fr_m", "m", "front-right suspension height"
            => |c| wheel(&c.suspension_height, 1),
        "ac.suspension_height_rl_m", "m", "rear-left suspension height"
            => |c| wheel(&c.suspension_height, 2),
        "ac.suspension_height_rr_m", "m", "rear-right suspension height"
            => |c| wheel(&c.suspension_height, 3),
        "ac.camber_fl_rad", "rad", "front-left camber"
            => |c| wheel(&c.camber_rad, 0),
        "ac.camber_fr_rad", "rad", "front-right camber"
            => |c| wheel(&c.camber_rad, 1),
        "ac.camber_rl_rad", "rad", "rear-left camber"
            => |c| wheel(&c.camber_rad, 2),
        "ac.camber_rr_rad", "rad", "rear-right camber"
            => |c| wheel(&c.camber_rad, 3),
        "ac.tyre_dirty_fl", "", "front-left tyre dirt level, 0 clean"
            => |c| wheel(&c.tyre_dirty_level, 0),
        "ac.tyre_dirty_fr", "", "front-right tyre dirt level, 0 clean"
            => |c| wheel(&c.tyre_dirty_level, 1),
        "ac.tyre_dirty_rl", "", "rear-left tyre dirt level, 0 clean"
            => |c| wheel(&c.tyre_dirty_level, 2),
        "ac.tyre_dirty_rr", "", "rear-right tyre dirt level, 0 clean"
            => |c| wheel(&c.tyre_dirty_level, 3),
    }
}

/// The stateful canonical decoder of AC datagrams and client side of the AC session.
#[derive(Debug)]
pub struct AcFrames {
    response: Option<HandshakeResponse>,
    last_lap: Option<Lap>,
    /// Replies queued by `push`, sent by the feed after the batch.
    outbox: Vec<Vec<u8>>,
    /// `on_idle` sends HANDSHAKE once the idle time reaches this.
    retry_at: Duration,
    row: Vec<Option<f64>>,
}

impl Default for AcFrames {
    fn default() -> Self {
        Self {
            response: None,
            last_lap: None,
            outbox: Vec::new(),
            retry_at: RETRY_EVERY,
            row: Vec::new(),
        }
    }
}

impl AcFrames {
    /// A decoder that has seen nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The last handshake response received (car, driver, track), if any.
    #[must_use]
    pub fn handshake_response(&self) -> Option<&HandshakeResponse> {
        self.response.as_ref()
    }

    /// The last `RTLap` event received, if any.
    #[must_use]
    pub fn last_spot(&self) -> Option<&Lap> {
        self.last_lap.as_ref()
    }
}

impl FrameDecoder for AcFrames {
    fn protocol(&self) -> &'static str {
        PROTOCOL
    }

    fn channels(&self) -> &'static [&'static str] {
        CHANNEL_NAMES
    }

    /// One row per `car_info`; a handshake response queues SUBSCRIBE_SPOT and SUBSCRIBE_UPDATE
    /// (sent only by a feed with a peer); laps and handshakers give 0 rows.
    fn push(
        &mut self,
        ts_ns: i64,
        datagram: &[u8],
        out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError> {
        let packet = decode(datagram)?;
        self.retry_at = QUIET_AFTER;
        match packet {
            Packet::CarInfo(c) => {
                self.row.clear();
                self.row.extend(GETTERS.iter().map(|get| get(&c)));
                out.push_row(ts_ns, &self.row);
                return Ok(1);
            }
            Packet::HandshakeResponse(r) => {
                self.response = Some(r);
                // SPOT first: should AC keep only one subscription per client (the sample
                // libraries allow one), the last one, the car stream, is the one that stays.
                self.outbox.push(Operation::SubscribeSpot.datagram());
                self.outbox.push(Operation::SubscribeUpdate.datagram());
            }
            Packet::Lap(l) => self.last_lap = Some(l),
            Packet::Handshaker(_) => {}
        }
        Ok(0)
    }

    /// DISMISS (clears a subscription left from an earlier run), then HANDSHAKE.
    fn on_start(&mut self) -> Vec<Vec<u8>> {
        self.outbox.clear();
        self.retry_at = RETRY_EVERY;
        vec![
            Operation::Dismiss.datagram(),
            Operation::Handshake.datagram(),
        ]
    }

    fn take_replies(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.outbox)
    }

    /// HANDSHAKE once idle for [`QUIET_AFTER`] after data (or [`RETRY_EVERY`] after the start),
    /// then every [`RETRY_EVERY`] while still idle.
    fn on_idle(&mut self, idle_for: Duration) -> Vec<Vec<u8>> {
        if idle_for < self.retry_at {
            return Vec::new();
        }
        self.retry_at = idle_for.saturating_add(RETRY_EVERY);
        vec![Operation::Handshake.datagram()]
    }

    fn on_stop(&mut self) -> Vec<Vec<u8>> {
        vec![Operation::Dismiss.datagram()]
    }
}
