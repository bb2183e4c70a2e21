//! The typed records of Assetto Corsa's remote telemetry (spec §1.2–1.5), declared field by field
//! in wire order. Values are raw wire values: no scaling, no unit conversion, booleans as the
//! bytes sent (0/1), the gear in AC's encoding (0 reverse, 1 neutral, 2 first …).

use super::utf16::Utf16;
use crate::protocols::pcars2::wire::{Wheels, Xyz};

wire_record! {
    /// The 12-byte "handshaker" a client sends for every operation (spec §1.2).
    pub struct Handshaker, columns HandshakerColumns {
        /// Device type, ignored by AC (0 iPhone, 1 iPad, 2 Android phone, 3 Android tablet).
        identifier: i32 => i32 = 1;
        /// Protocol version, ignored by AC; 1.
        version: i32 => i32 = 1;
        /// 0 HANDSHAKE, 1 SUBSCRIBE_UPDATE, 2 SUBSCRIBE_SPOT, 3 DISMISS (see [`super::Operation`]).
        operation_id: i32 => i32;
    }
}

wire_record! {
    /// AC's 408-byte answer to a HANDSHAKE (spec §1.3).
    pub struct HandshakeResponse, columns HandshakeResponseColumns {
        /// Car folder name (`ks_audi_r8_lms`).
        car_name: String => Utf16<50>;
        /// Player name.
        driver_name: String => Utf16<50>;
        /// Status code, 4242 in every known AC build.
        identifier: i32 => i32 = 4242;
        /// Protocol version, 1.
        version: i32 => i32 = 1;
        /// Track folder name (`monza`).
        track_name: String => Utf16<50>;
        /// Layout name; equals the track name when the track has no layouts.
        track_config: String => Utf16<50>;
    }
}

wire_record! {
    /// `RTCarInfo`, 328 bytes, one per update after SUBSCRIBE_UPDATE (spec §1.4): the player's car.
    pub struct CarInfo, columns CarInfoColumns {
        /// Always `'a'` (0x61), followed by 3 padding bytes.
        identifier: u8 => u8 = b'a', pad 3;
        /// Struct size, always 328.
        size: i32 => i32 = 328;
        /// Speed, km/h.
        speed_kmh: f32 => f32;
        /// Speed, mph.
        speed_mph: f32 => f32;
        /// Speed, m/s.
        speed_ms: f32 => f32;
        /// ABS enabled (0/1).
        is_abs_enabled: u8 => u8;
        /// ABS acting now (0/1).
        is_abs_in_action: u8 => u8;
        /// Traction control acting now (0/1); note: before `is_tc_enabled` on the wire.
        is_tc_in_action: u8 => u8;
        /// Traction control enabled (0/1).
        is_tc_enabled: u8 => u8;
        /// In the pit lane (0/1).
        is_in_pit: u8 => u8;
        /// Rev limiter acting (0/1), followed by 2 padding bytes.
        is_engine_limiter_on: u8 => u8, pad 2;
        /// Named "vertical" by Kunos but lateral acceleration on the real capture, g.
        acc_g_vertical: f32 => f32;
        /// Named "horizontal" by Kunos but vertical acceleration on the real capture, g.
        acc_g_horizontal: f32 => f32;
        /// Longitudinal acceleration, g, positive accelerating.
        acc_g_frontal: f32 => f32;
        /// Time into the current lap, ms.
        lap_time: i32 => i32;
        /// Last lap time, ms (0 none).
        last_lap: i32 => i32;
        /// Best lap time, ms (0 none yet).
        best_lap: i32 => i32;
        /// Completed laps.
        lap_count: i32 => i32;
        /// Throttle, 0..1.
        gas: f32 => f32;
        /// Brake, 0..1.
        brake: f32 => f32;
        /// Clutch engagement, 0..1 (1 engaged while driving).
        clutch: f32 => f32;
        /// Engine speed, rpm.
        engine_rpm: f32 => f32;
        /// Steering-wheel angle, degrees.
        steer: f32 => f32;
        /// Gear: 0 reverse, 1 neutral, 2 first …
        gear: i32 => i32;
        /// Centre-of-gravity height, m.
        cg_height: f32 => f32;
        /// Wheel angular speed, rad/s (FL, FR, RL, RR).
        wheel_angular_speed: [f32; 4] => Wheels<f32>;
        /// Tyre slip angle (AC physics: degrees).
        slip_angle: [f32; 4] => Wheels<f32>;
        /// Slip angle at the contact patch.
        slip_angle_contact_patch: [f32; 4] => Wheels<f32>;
        /// Slip ratio.
        slip_ratio: [f32; 4] => Wheels<f32>;
        /// Combined tyre slip, dimensionless.
        tyre_slip: [f32; 4] => Wheels<f32>;
        /// Normalised slip.
        nd_slip: [f32; 4] => Wheels<f32>;
        /// Wheel load, N.
        load: [f32; 4] => Wheels<f32>;
        /// Lateral force coefficient (undocumented).
        dy: [f32; 4] => Wheels<f32>;
        /// Self-aligning torque (undocumented unit).
        mz: [f32; 4] => Wheels<f32>;
        /// Tyre dirt, 0 clean.
        tyre_dirty_level: [f32; 4] => Wheels<f32>;
        /// Camber, rad.
        camber_rad: [f32; 4] => Wheels<f32>;
        /// Tyre radius, m.
        tyre_radius: [f32; 4] => Wheels<f32>;
        /// Loaded tyre radius, m.
        tyre_loaded_radius: [f32; 4] => Wheels<f32>;
        /// Suspension height, m.
        suspension_height: [f32; 4] => Wheels<f32>;
        /// Position along the lap spline, 0..1.
        car_position_normalized: f32 => f32;
        /// Car slope (0 in the known capture).
        car_slope: f32 => f32;
        /// World position x, y (up), z, m.
        car_coordinates: [f32; 3] => Xyz<f32>;
    }
}

wire_record! {
    /// `RTLap`, 212 bytes, one per car per completed lap after SUBSCRIBE_SPOT (spec §1.5).
    pub struct Lap, columns LapColumns {
        /// Car index in the session.
        car_identifier_number: i32 => i32;
        /// Lap number.
        lap: i32 => i32;
        /// Driver name.
        driver_name: String => Utf16<50>;
        /// Car folder name.
        car_name: String => Utf16<50>;
        /// Lap time, ms.
        time: i32 => i32;
    }
}
