//! `AccFrames`: the canonical mapping of ACC's REALTIME_CAR_UPDATE onto paddock's channels (one
//! row per update of the focused car, or of every car with [`AccFrames::all_cars`]), and the
//! client side of the registration session, driven by a feed with a peer through the
//! [`FrameDecoder`] session hooks.
//!
//! Session: on start, REGISTER (protocol v4); a successful REGISTRATION_RESULT is answered with
//! REQUEST_ENTRY_LIST then REQUEST_TRACK_DATA with its connection id; with nothing received for
//! [`QUIET_AFTER`], REGISTER is sent again, then every [`RETRY_EVERY`]; on stop, UNREGISTER.
//!
//! Mapping: `speed_kmh` = kmh; `gear` = raw − 2 (−1 R, 0 N, 1 first); `lap` = laps + 1;
//! `lap_time_s` = current lap time; `last_lap_s` / `best_lap_s` from the last and best-session
//! laps, null when [`NO_TIME`] or ≤ 0; `lap_distance_m` = spline position × track metres once a
//! TRACK_DATA has been seen; `pos_x_m` = world x, `pos_z_m` = world y (ACC's map plane).

use std::time::Duration;

use super::packets::{LapInfo, RealtimeCarUpdate, RegisterApplication, NO_TIME};
use super::{decode, encode, ConnectionRequest, Packet, Unregister, PROTOCOL};
use crate::arrow::FrameBuilder;
use crate::channels::{namespaced, Channel};
use crate::error::DecodeError;
use crate::protocols::FrameDecoder;

/// With nothing received for this long, REGISTER is sent again.
pub const QUIET_AFTER: Duration = Duration::from_secs(5);
/// Interval between REGISTER retries while ACC does not answer.
pub const RETRY_EVERY: Duration = Duration::from_secs(5);

/// What a getter sees: the car update and the track length in metres if known.
type Getter = fn(&RealtimeCarUpdate, Option<i32>) -> Option<f64>;

fn some(v: impl Into<f64>) -> Option<f64> {
    Some(v.into())
}

/// A lap time in ms as seconds; null for the "no time" sentinel or ≤ 0.
fn lap_s(lap: &LapInfo) -> Option<f64> {
    (lap.laptime_ms > 0 && lap.laptime_ms != NO_TIME).then(|| f64::from(lap.laptime_ms) / 1000.0)
}

macro_rules! mapping {
    (
        canonical { $($cname:literal => $cget:expr,)* }
        namespaced { $($nname:literal, $unit:literal, $desc:literal => $nget:expr,)* }
    ) => {
        /// Channels only ACC provides, registered with unit and description.
        pub const NAMESPACED: &[Channel] = &[$(namespaced($nname, $unit, $desc),)*];
        /// The channels of [`AccFrames`] rows: canonical ones, then [`NAMESPACED`] ones.
        pub const CHANNEL_NAMES: &[&str] = &[$($cname,)* $($nname,)*];
        const GETTERS: &[Getter] = &[$($cget,)* $($nget,)*];
    };
}

mapping! {
    canonical {
        "speed_kmh" => |c, _| some(c.kmh),
        "gear" => |c, _| some(f64::from(c.gear) - 2.0),
        "pos_x_m" => |c, _| some(c.world_pos_x),
        "pos_z_m" => |c, _| some(c.world_pos_y),
        "lap" => |c, _| some(f64::from(c.laps) + 1.0),
        "lap_time_s" => |c, _| lap_s(&c.current_lap),
        "last_lap_s" => |c, _| lap_s(&c.last_lap),
        "best_lap_s" => |c, _| lap_s(&c.best_session_lap),
        "lap_distance_m" => |c, m| m.map(|m| f64::from(c.spline_position) * f64::from(m)),
    }
    namespaced {
        "acc.car_index", "", "car index of the row's car"
            => |c, _| some(c.car_index),
        "acc.driver_index", "", "current driver index"
            => |c, _| some(c.driver_index),
        "acc.position", "", "official position, 1-based"
            => |c, _| some(c.position),
        "acc.cup_position", "", "position in class, 1-based"
            => |c, _| some(c.cup_position),
        "acc.track_position", "", "position on track, 1-based"
            => |c, _| some(c.track_position),
        "acc.spline_position", "1", "position along the lap spline, 0..1"
            => |c, _| some(c.spline_position),
        "acc.delta_ms", "ms", "live delta to the best session lap"
            => |c, _| some(c.delta_ms),
        "acc.car_location", "", "0 none, 1 track, 2 pit lane, 3 pit entry, 4 pit exit"
            => |c, _| some(c.car_location),
        "acc.yaw_rad", "rad", "yaw"
            => |c, _| some(c.yaw),
        "acc.current_lap_invalid", "", "current lap invalid, 0/1"
            => |c, _| some(c.current_lap.is_invalid),
    }
}

/// The stateful canonical decoder of ACC messages and client side of the ACC session.
#[derive(Debug)]
pub struct AccFrames {
    registration: RegisterApplication,
    all_cars: bool,
    focused: Option<i32>,
    track_meters: Option<i32>,
    connection_id: Option<i32>,
    last_error: Option<String>,
    outbox: Vec<Vec<u8>>,
    retry_at: Duration,
    row: Vec<Option<f64>>,
}

impl Default for AccFrames {
    fn default() -> Self {
        Self::with_registration("paddock", "", 100)
    }
}

impl AccFrames {
    /// A decoder registering as "paddock" without password at 100 ms, focused car only.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder registering as `display_name` with `connection_password`, asking for updates
    /// every `interval_ms` ms (empty command password: read-only).
    #[must_use]
    pub fn with_registration(
        display_name: &str,
        connection_password: &str,
        interval_ms: i32,
    ) -> Self {
        Self {
            registration: RegisterApplication {
                display_name: display_name.to_string(),
                connection_password: connection_password.to_string(),
                update_interval_ms: interval_ms,
                ..RegisterApplication::default()
            },
            all_cars: false,
            focused: None,
            track_meters: None,
            connection_id: None,
            last_error: None,
            outbox: Vec::new(),
            retry_at: RETRY_EVERY,
            row: Vec::new(),
        }
    }

    /// The same decoder emitting a row for every car's update (told apart by `acc.car_index`).
    #[must_use]
    pub fn all_cars(mut self) -> Self {
        self.all_cars = true;
        self
    }

    /// The connection id of the last successful registration.
    #[must_use]
    pub fn connection_id(&self) -> Option<i32> {
        self.connection_id
    }

    /// The error message of the last refused registration.
    #[must_use]
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// The focused car index from the last REALTIME_UPDATE.
    #[must_use]
    pub fn focused_car(&self) -> Option<i32> {
        self.focused
    }

    /// The track length from the last TRACK_DATA, m.
    #[must_use]
    pub fn track_meters(&self) -> Option<i32> {
        self.track_meters
    }

    fn register(&self) -> Vec<u8> {
        encode(&Packet::RegisterCommandApplication(
            self.registration.clone(),
        ))
    }
}

impl FrameDecoder for AccFrames {
    fn protocol(&self) -> &'static str {
        PROTOCOL
    }

    fn channels(&self) -> &'static [&'static str] {
        CHANNEL_NAMES
    }

    /// One row per REALTIME_CAR_UPDATE of the focused car (every car with
    /// [`AccFrames::all_cars`]); none before the first REALTIME_UPDATE names the focused car.
    fn push(
        &mut self,
        ts_ns: i64,
        datagram: &[u8],
        out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError> {
        let packet = decode(datagram)?;
        self.retry_at = QUIET_AFTER;
        match packet {
            Packet::RealtimeCarUpdate(c)
                if self.all_cars || self.focused == Some(i32::from(c.car_index)) =>
            {
                let m = self.track_meters;
                self.row.clear();
                self.row.extend(GETTERS.iter().map(|get| get(&c, m)));
                out.push_row(ts_ns, &self.row);
                return Ok(1);
            }
            Packet::RealtimeUpdate(u) => self.focused = Some(u.focused_car_index),
            Packet::TrackData(t) => {
                self.track_meters = (t.track_meters > 0).then_some(t.track_meters)
            }
            Packet::RegistrationResult(r) => {
                if r.connection_success > 0 {
                    self.connection_id = Some(r.connection_id);
                    self.last_error = None;
                    let req = ConnectionRequest {
                        connection_id: r.connection_id,
                    };
                    self.outbox
                        .push(encode(&Packet::RequestEntryList(req.clone())));
                    self.outbox.push(encode(&Packet::RequestTrackData(req)));
                } else {
                    self.connection_id = None;
                    self.last_error = Some(r.error_message);
                }
            }
            _ => {}
        }
        Ok(0)
    }

    /// REGISTER.
    fn on_start(&mut self) -> Vec<Vec<u8>> {
        self.outbox.clear();
        self.retry_at = RETRY_EVERY;
        vec![self.register()]
    }

    fn take_replies(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.outbox)
    }

    /// REGISTER once idle for [`QUIET_AFTER`] (or [`RETRY_EVERY`] after the start), then every
    /// [`RETRY_EVERY`] while still idle.
    fn on_idle(&mut self, idle_for: Duration) -> Vec<Vec<u8>> {
        if idle_for < self.retry_at {
            return Vec::new();
        }
        self.retry_at = idle_for.saturating_add(RETRY_EVERY);
        vec![self.register()]
    }

    /// UNREGISTER.
    fn on_stop(&mut self) -> Vec<Vec<u8>> {
        vec![encode(&Packet::UnregisterCommandApplication(Unregister {}))]
    }
}
