//! The typed records of the three Project CARS 1 packets (spec §3.2–3.6), declared field by field
//! in wire order with the Project CARS 2 codec's `wire_record!`. Values are raw wire values: no
//! scaling, no unit conversion.

use crate::protocols::pcars2::wire::{ArrList, Indexed, List, Str, Wheels, Xyz};

wire_record! {
    /// The 3-byte header of every packet.
    pub struct Header, columns HeaderColumns, flatten {
        /// Game build (`sBuildVersionNumber`, 1122 and 1200 in the fixtures).
        build_version_number: u16 => u16;
        /// The raw `sPacketType` byte: bits 0–1 the packet type (rewritten by
        /// [`super::encode`] to match the variant), bits 2–7 a 6-bit sequence number.
        packet_type_sequence: u8 => u8;
    }
}

wire_record! {
    /// `sParticipantInfo`, 16 bytes: one car's position and progress.
    pub struct ParticipantInfo, columns ParticipantInfoColumns {
        /// World position, m, quantised to whole metres.
        world_position: [i16; 3] => Xyz<i16>;
        /// Distance into the current lap, m.
        current_lap_distance: u16 => u16;
        /// Bits 0–6 race position, bit 7 participant active.
        race_position: u8 => u8;
        /// Bits 0–6 laps completed, bit 7 lap invalidated.
        laps_completed: u8 => u8;
        /// Current lap, 1-based.
        current_lap: u8 => u8;
        /// Bits 0–2 sector (observed 1, 2, 3 while in sector 1, 2, 3), bit 3 same class.
        sector: u8 => u8;
        /// Time of the last completed sector, s (−123 when not set).
        last_sector_time: f32 => f32;
    }
}

wire_record! {
    /// `sTelemetryData`, type 0, 1367 bytes (packed): the viewed car's state and every car's
    /// position.
    pub struct Telemetry, columns TelemetryColumns {
        /// Packet header.
        header: Header => Header;
        /// Bits 0–2 game state, bits 4–6 session state.
        game_session_state: u8 => u8;
        /// Index of the viewed car in `participants` (−1 when none).
        viewed_participant_index: i8 => i8;
        /// Cars in the session (−1 when none).
        num_participants: i8 => i8;
        /// Throttle input before assists, 0–255.
        unfiltered_throttle: u8 => u8;
        /// Brake input before assists, 0–255.
        unfiltered_brake: u8 => u8;
        /// Steering input before assists, −127…127.
        unfiltered_steering: i8 => i8;
        /// Clutch input before assists, 0–255.
        unfiltered_clutch: u8 => u8;
        /// Bits 0–2 race state; 0x08 lap invalid, 0x10 ABS active, 0x20 boost active.
        race_state_flags: u8 => u8;
        /// Laps in the event.
        laps_in_event: u8 => u8;
        /// Best lap of the session, s (−1 none).
        best_lap_time: f32 => f32;
        /// Last lap, s (−1 none).
        last_lap_time: f32 => f32;
        /// Time into the current lap, s (−1 none).
        current_time: f32 => f32;
        /// Gap to the car ahead, s.
        split_time_ahead: f32 => f32;
        /// Gap to the car behind, s.
        split_time_behind: f32 => f32;
        /// Split time, s.
        split_time: f32 => f32;
        /// Event time left, s (−1 for lap-based events).
        event_time_remaining: f32 => f32;
        /// Personal best lap, s.
        personal_fastest_lap_time: f32 => f32;
        /// World best lap, s.
        world_fastest_lap_time: f32 => f32;
        /// Sector 1 of the current lap, s (running while in sector 1; −1 none).
        current_sector1_time: f32 => f32;
        /// Sector 2 of the current lap, s.
        current_sector2_time: f32 => f32;
        /// Sector 3 of the current lap, s.
        current_sector3_time: f32 => f32;
        /// Fastest sector 1 of the session, s.
        fastest_sector1_time: f32 => f32;
        /// Fastest sector 2 of the session, s.
        fastest_sector2_time: f32 => f32;
        /// Fastest sector 3 of the session, s.
        fastest_sector3_time: f32 => f32;
        /// Personal best sector 1, s.
        personal_fastest_sector1_time: f32 => f32;
        /// Personal best sector 2, s.
        personal_fastest_sector2_time: f32 => f32;
        /// Personal best sector 3, s.
        personal_fastest_sector3_time: f32 => f32;
        /// World best sector 1, s.
        world_fastest_sector1_time: f32 => f32;
        /// World best sector 2, s.
        world_fastest_sector2_time: f32 => f32;
        /// World best sector 3, s.
        world_fastest_sector3_time: f32 => f32;
        /// Joypad button bitmask.
        joy_pad: u16 => u16;
        /// Low nibble flag colour, high nibble flag reason.
        highest_flag: u8 => u8;
        /// Low nibble pit mode, high nibble pit schedule.
        pit_mode_schedule: u8 => u8;
        /// Oil temperature, °C.
        oil_temp_celsius: i16 => i16;
        /// Oil pressure, kPa.
        oil_pressure_kpa: u16 => u16;
        /// Coolant temperature, °C.
        water_temp_celsius: i16 => i16;
        /// Coolant pressure, kPa.
        water_pressure_kpa: u16 => u16;
        /// Fuel pressure, kPa.
        fuel_pressure_kpa: u16 => u16;
        /// Car flag bits (1 headlight, 2 engine active, 4 engine warning, 8 limiter, 16 ABS,
        /// 32 handbrake).
        car_flags: u8 => u8;
        /// Tank capacity, litres.
        fuel_capacity: u8 => u8;
        /// Brake after assists, 0–255.
        brake: u8 => u8;
        /// Throttle after assists, 0–255.
        throttle: u8 => u8;
        /// Clutch after assists, 0–255.
        clutch: u8 => u8;
        /// Steering after assists, −127…127.
        steering: i8 => i8;
        /// Fuel left as a fraction of the capacity, 0–1.
        fuel_level: f32 => f32;
        /// Speed, m/s.
        speed: f32 => f32;
        /// Engine speed, rpm.
        rpm: u16 => u16;
        /// Rev limit, rpm.
        max_rpm: u16 => u16;
        /// Low nibble gear (0 neutral, 15 reverse), high nibble number of gears.
        gear_num_gears: u8 => u8;
        /// Boost (push-to-pass) left, 0–255.
        boost_amount: u8 => u8;
        /// Lap of the enforced pit stop (−1 none).
        enforced_pit_stop_lap: i8 => i8;
        /// Crash state enum.
        crash_state: u8 => u8;
        /// Odometer, km.
        odometer_km: f32 => f32;
        /// Euler angles, rad.
        orientation: [f32; 3] => Xyz<f32>;
        /// Velocity in the car frame (x right, y up, z backwards), m/s.
        local_velocity: [f32; 3] => Xyz<f32>;
        /// Velocity in the world frame, m/s.
        world_velocity: [f32; 3] => Xyz<f32>;
        /// Angular velocity, rad/s.
        angular_velocity: [f32; 3] => Xyz<f32>;
        /// Acceleration in the car frame (x right, y up, z backwards), m/s².
        local_acceleration: [f32; 3] => Xyz<f32>;
        /// Acceleration in the world frame, m/s².
        world_acceleration: [f32; 3] => Xyz<f32>;
        /// Centre of the car's bounding box, m.
        extents_centre: [f32; 3] => Xyz<f32>;
        /// Per-wheel flag bits (1 attached, 2 inflated, 4 on ground).
        tyre_flags: [u8; 4] => Wheels<u8>;
        /// Terrain under each wheel (enum).
        terrain: [u8; 4] => Wheels<u8>;
        /// Tyre vertical position, m.
        tyre_y: [f32; 4] => Wheels<f32>;
        /// Wheel rotation speed, rad/s (negative rolling forwards).
        tyre_rps: [f32; 4] => Wheels<f32>;
        /// Tyre slip speed, m/s.
        tyre_slip_speed: [f32; 4] => Wheels<f32>;
        /// Tyre temperature, °C.
        tyre_temp: [u8; 4] => Wheels<u8>;
        /// Tyre grip, 0–255.
        tyre_grip: [u8; 4] => Wheels<u8>;
        /// Tyre height above ground, m.
        tyre_height_above_ground: [f32; 4] => Wheels<f32>;
        /// Tyre lateral stiffness (raw).
        tyre_lateral_stiffness: [f32; 4] => Wheels<f32>;
        /// Tyre wear, 0–255.
        tyre_wear: [u8; 4] => Wheels<u8>;
        /// Brake damage, 0–255.
        brake_damage: [u8; 4] => Wheels<u8>;
        /// Suspension damage, 0–255.
        suspension_damage: [u8; 4] => Wheels<u8>;
        /// Brake disc temperature, °C.
        brake_temp_celsius: [i16; 4] => Wheels<i16>;
        /// Tread temperature, K.
        tyre_tread_temp: [u16; 4] => Wheels<u16>;
        /// Layer temperature, K.
        tyre_layer_temp: [u16; 4] => Wheels<u16>;
        /// Carcass temperature, K.
        tyre_carcass_temp: [u16; 4] => Wheels<u16>;
        /// Rim temperature, K.
        tyre_rim_temp: [u16; 4] => Wheels<u16>;
        /// Internal air temperature, K.
        tyre_internal_air_temp: [u16; 4] => Wheels<u16>;
        /// Wheel vertical position in the car frame, m.
        wheel_local_position_y: [f32; 4] => Wheels<f32>;
        /// Ride height, m.
        ride_height: [f32; 4] => Wheels<f32>;
        /// Suspension travel, m.
        suspension_travel: [f32; 4] => Wheels<f32>;
        /// Suspension velocity, m/s.
        suspension_velocity: [f32; 4] => Wheels<f32>;
        /// Tyre air pressure (raw, most likely kPa).
        air_pressure: [u16; 4] => Wheels<u16>;
        /// Engine speed, rad/s.
        engine_speed: f32 => f32;
        /// Engine torque, N·m.
        engine_torque: f32 => f32;
        /// Aero damage, 0–255.
        aero_damage: u8 => u8;
        /// Engine damage, 0–255.
        engine_damage: u8 => u8;
        /// Ambient temperature, °C.
        ambient_temperature: i8 => i8;
        /// Track temperature, °C.
        track_temperature: i8 => i8;
        /// Rain density, 0–255.
        rain_density: u8 => u8;
        /// Wind speed (raw).
        wind_speed: i8 => i8;
        /// Wind direction x, −127…127.
        wind_direction_x: i8 => i8;
        /// Wind direction y, −127…127.
        wind_direction_y: i8 => i8;
        /// Every car's position and progress (56 slots; `num_participants` are valid).
        participants: Vec<ParticipantInfo> => List<ParticipantInfo, 56>;
        /// Track length, m.
        track_length: f32 => f32;
        /// Wing settings.
        wings: [u8; 2] => Indexed<u8, 2>;
        /// D-pad bits.
        d_pad: u8 => u8;
    }
}

wire_record! {
    /// `sParticipantInfoStrings`, type 1, 1347 bytes: car, class, track and the first 16 names.
    pub struct ParticipantStrings, columns ParticipantStringsColumns {
        /// Packet header.
        header: Header => Header;
        /// Car name.
        car_name: String => Str<64>;
        /// Car class name.
        car_class_name: String => Str<64>;
        /// Track name.
        track_location: String => Str<64>;
        /// Track layout.
        track_variation: String => Str<64>;
        /// Names of participants 0–15 (stale beyond `num_participants`).
        name: [String; 16] => ArrList<Str<64>, 16>;
        /// Fastest laps of participants 0–15, s.
        fastest_lap_time: [f32; 16] => ArrList<f32, 16>;
    }
}

wire_record! {
    /// `sParticipantInfoStringsAdditional`, type 2, 1028 bytes: 16 more names.
    pub struct ParticipantStringsAdditional, columns ParticipantStringsAdditionalColumns {
        /// Packet header.
        header: Header => Header;
        /// Index of the first name in this packet (16, 32, 48).
        offset: u8 => u8;
        /// Names of participants `offset`…`offset + 15`.
        name: [String; 16] => ArrList<Str<64>, 16>;
    }
}
