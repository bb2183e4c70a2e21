//! The typed records of every Project CARS 2 packet (spec §4.2–4.5, "Patch 5" sizes), declared
//! field by field in wire order. Values are raw wire values: no scaling, no unit conversion.

use super::wire::{ArrList, Indexed, List, Str, Wheels, Xyz};

wire_record! {
    /// `PacketBase`, the 12-byte header of every packet. Byte 10 (the packet type) is not a
    /// field: it follows from the [`super::Packet`] variant.
    pub struct Header, columns HeaderColumns, flatten {
        /// Counter over all packets sent this game run (loss and reorder detection).
        packet_number: u32 => u32;
        /// Counter within this packet type.
        category_packet_number: u32 => u32;
        /// 1-based index of this part when one logical packet is split.
        partial_packet_index: u8 => u8 = 1;
        /// Total number of parts (byte 10, the packet type, follows).
        partial_packet_number: u8 => u8 = 1, pad 1;
        /// Per-type layout version.
        packet_version: u8 => u8;
    }
}

wire_record! {
    /// `sTelemetryData`, type 0, 559 bytes (538 in the first release): the viewed car's state.
    pub struct Telemetry, columns TelemetryColumns {
        /// Packet header.
        header: Header => Header;
        /// Index of the viewed participant in the timings list.
        viewed_participant_index: i8 => i8;
        /// Throttle input before assists, 0–255.
        unfiltered_throttle: u8 => u8;
        /// Brake input before assists, 0–255.
        unfiltered_brake: u8 => u8;
        /// Steering input before assists, −127…127.
        unfiltered_steering: i8 => i8;
        /// Clutch input before assists, 0–255.
        unfiltered_clutch: u8 => u8;
        /// Car flag bits (headlights, engine active, …).
        car_flags: u8 => u8;
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
        /// Tank capacity, litres.
        fuel_capacity: u8 => u8;
        /// Brake after assists, 0–255.
        brake: u8 => u8;
        /// Throttle after assists, 0–255.
        throttle: u8 => u8;
        /// Clutch after assists, 0–255.
        clutch: u8 => u8;
        /// Fuel left as a fraction of the capacity, 0–1.
        fuel_level: f32 => f32;
        /// Speed, m/s.
        speed: f32 => f32;
        /// Engine speed, rpm.
        rpm: u16 => u16;
        /// Rev limit, rpm.
        max_rpm: u16 => u16;
        /// Steering after assists, −127…127.
        steering: i8 => i8;
        /// Low nibble: gear (0 neutral, 15 reverse); high nibble: number of gears.
        gear_num_gears: u8 => u8;
        /// Boost (push-to-pass) amount left.
        boost_amount: u8 => u8;
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
        /// Per-wheel flag bits (attached, inflated, on ground).
        tyre_flags: [u8; 4] => Wheels<u8>;
        /// Terrain under each wheel (enum, 0–50).
        terrain: [u8; 4] => Wheels<u8>;
        /// Tyre vertical position, m.
        tyre_y: [f32; 4] => Wheels<f32>;
        /// Wheel rotation speed, rad/s.
        tyre_rps: [f32; 4] => Wheels<f32>;
        /// Tyre temperature, °C.
        tyre_temp: [u8; 4] => Wheels<u8>;
        /// Tyre height above ground, m.
        tyre_height_above_ground: [f32; 4] => Wheels<f32>;
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
        /// Tread temperature, inner-left zone, K.
        tyre_temp_left: [u16; 4] => Wheels<u16>;
        /// Tread temperature, centre zone, K.
        tyre_temp_center: [u16; 4] => Wheels<u16>;
        /// Tread temperature, right zone, K.
        tyre_temp_right: [u16; 4] => Wheels<u16>;
        /// Wheel vertical position in the car frame, m.
        wheel_local_position_y: [f32; 4] => Wheels<f32>;
        /// Ride height, m.
        ride_height: [f32; 4] => Wheels<f32>;
        /// Suspension travel, m.
        suspension_travel: [f32; 4] => Wheels<f32>;
        /// Suspension velocity, m/s.
        suspension_velocity: [f32; 4] => Wheels<f32>;
        /// Suspension ride height (raw).
        suspension_ride_height: [u16; 4] => Wheels<u16>;
        /// Tyre air pressure (raw).
        air_pressure: [u16; 4] => Wheels<u16>;
        /// Engine speed, rad/s.
        engine_speed: f32 => f32;
        /// Engine torque, N·m.
        engine_torque: f32 => f32;
        /// Wing settings (front, rear).
        wings: [u8; 2] => Indexed<u8, 2>;
        /// Handbrake, 0–255.
        hand_brake: u8 => u8;
        /// Aero damage, 0–255.
        aero_damage: u8 => u8;
        /// Engine damage, 0–255.
        engine_damage: u8 => u8;
        /// Joypad button bits (offset 373, unaligned).
        joy_pad0: u32 => u32;
        /// D-pad bits.
        d_pad: u8 => u8;
        /// Tyre compound names (40 bytes each).
        tyre_compound: [String; 4] => Wheels<Str<40>>;
        /// Turbo boost pressure, Pa (Patch 5; 0 in first-release packets).
        turbo_boost_pressure: f32 => f32;
        /// Full-precision world position of the viewed car, m (Patch 5).
        full_position: [f32; 3] => Xyz<f32>;
        /// Brake bias, quantised 0–255 (Patch 5).
        brake_bias: u8 => u8;
        /// Game tick counter (Patch 5).
        tick_count: u32 => u32;
    }
}

wire_record! {
    /// `sRaceData`, type 1, 308 bytes: track and record lap times.
    pub struct Race, columns RaceColumns {
        /// Packet header.
        header: Header => Header;
        /// World-record lap time, s.
        world_fastest_lap_time: f32 => f32;
        /// Personal best lap time, s.
        personal_fastest_lap_time: f32 => f32;
        /// Personal best sector 1, s.
        personal_fastest_sector1_time: f32 => f32;
        /// Personal best sector 2, s.
        personal_fastest_sector2_time: f32 => f32;
        /// Personal best sector 3, s.
        personal_fastest_sector3_time: f32 => f32;
        /// World-record sector 1, s.
        world_fastest_sector1_time: f32 => f32;
        /// World-record sector 2, s.
        world_fastest_sector2_time: f32 => f32;
        /// World-record sector 3, s.
        world_fastest_sector3_time: f32 => f32;
        /// Track length, m.
        track_length: f32 => f32;
        /// Track location (64 bytes).
        track_location: String => Str<64>;
        /// Track variation (64 bytes).
        track_variation: String => Str<64>;
        /// Translated track location (64 bytes).
        translated_track_location: String => Str<64>;
        /// Translated track variation (64 bytes).
        translated_track_variation: String => Str<64>;
        /// Top bit set: timed session in 5-minute units; otherwise the lap count.
        laps_time_in_event: u16 => u16;
        /// Enforced pit stop lap (−1 if none).
        enforced_pit_stop_lap: i8 => i8, pad 1;
    }
}

wire_record! {
    /// `sParticipantsData`, type 2, 1136 bytes: 16 participant names (parts 1 and 2 carry
    /// participants 0–15 and 16–31).
    pub struct Participants, columns ParticipantsColumns {
        /// Packet header.
        header: Header => Header;
        /// Ties these names to timings and stats with the same timestamp.
        participants_changed_timestamp: u32 => u32;
        /// Names (64 bytes each).
        name: [String; 16] => ArrList<Str<64>, 16>;
        /// Nationality codes.
        nationality: [u32; 16] => ArrList<u32, 16>;
        /// Session-unique multiplayer indices.
        index: [u16; 16] => ArrList<u16, 16>;
    }
}

wire_record! {
    /// `sParticipantInfo`, 32 bytes, one per participant in the timings packet.
    pub struct ParticipantInfo, columns ParticipantInfoColumns {
        /// World position, m (quantised).
        world_position: [i16; 3] => Xyz<i16>;
        /// Quantised heading, pitch, bank.
        orientation: [i16; 3] => Xyz<i16>;
        /// Distance into the current lap, m.
        current_lap_distance: u16 => u16;
        /// Bit 7 active, bits 0–6 race position.
        race_position: u8 => u8;
        /// Low bits: 0-based sector; upper bits: extra position precision.
        sector: u8 => u8;
        /// Flag colour and reason.
        highest_flag: u8 => u8;
        /// Pit mode and schedule.
        pit_mode_schedule: u8 => u8;
        /// Car index; bit 15 = human player.
        car_index: u16 => u16;
        /// Race state enum and lap-invalid flag.
        race_state: u8 => u8;
        /// Current lap.
        current_lap: u8 => u8;
        /// Time into the current lap, s (negative when invalid).
        current_time: f32 => f32;
        /// Time into the current sector, s.
        current_sector_time: f32 => f32;
        /// Multiplayer index (matches `Participants::index`).
        mp_participant_index: u16 => u16;
    }
}

wire_record! {
    /// `sTimingsData`, type 3, 1063 bytes: timing of all 32 participants, every tick.
    pub struct Timings, columns TimingsColumns {
        /// Packet header.
        header: Header => Header;
        /// Number of participants.
        num_participants: i8 => i8;
        /// Ties to the participants packet with the same timestamp.
        participants_changed_timestamp: u32 => u32;
        /// Event time remaining, s (−1 invalid; lap races: −1 − laps left).
        event_time_remaining: f32 => f32;
        /// Gap to the car ahead, s.
        split_time_ahead: f32 => f32;
        /// Gap to the car behind, s.
        split_time_behind: f32 => f32;
        /// Split time, s.
        split_time: f32 => f32;
        /// Exactly 32 participants (a shorter list is padded with defaults on encode).
        participants: Vec<ParticipantInfo> => List<ParticipantInfo, 32>;
        /// Index of the local player's participant (≥ 32 when none).
        local_participant_index: u16 => u16;
        /// Game tick counter.
        tick_count: u32 => u32;
    }
}

wire_record! {
    /// `sGameStateData`, type 4, 24 bytes: game/session state and weather.
    pub struct GameState, columns GameStateColumns {
        /// Packet header.
        header: Header => Header;
        /// Game build version.
        build_version_number: u16 => u16;
        /// Raw byte: game state = `& 7`, session state = `>> 4`.
        game_state: u8 => u8;
        /// Ambient temperature, °C.
        ambient_temperature: i8 => i8;
        /// Track temperature, °C.
        track_temperature: i8 => i8;
        /// Rain density, 0–255.
        rain_density: u8 => u8;
        /// Snow density, 0–255.
        snow_density: u8 => u8;
        /// Wind speed.
        wind_speed: i8 => i8;
        /// Wind direction, x component.
        wind_direction_x: i8 => i8;
        /// Wind direction, y component.
        wind_direction_y: i8 => i8, pad 2;
    }
}

wire_record! {
    /// `sParticipantStatsInfo`, 32 bytes, one per participant in the time stats packet.
    pub struct ParticipantStats, columns ParticipantStatsColumns {
        /// Best lap, s.
        fastest_lap_time: f32 => f32;
        /// Last lap, s.
        last_lap_time: f32 => f32;
        /// Last sector, s.
        last_sector_time: f32 => f32;
        /// Best sector 1, s.
        fastest_sector1_time: f32 => f32;
        /// Best sector 2, s.
        fastest_sector2_time: f32 => f32;
        /// Best sector 3, s.
        fastest_sector3_time: f32 => f32;
        /// Online reputation: u16 rank type + u16 strength, 0 offline.
        participant_online_rep: u32 => u32;
        /// Multiplayer index.
        mp_participant_index: u16 => u16, pad 2;
    }
}

wire_record! {
    /// `sTimeStatsData`, type 7, 1040 bytes: lap and sector records of all 32 participants.
    pub struct TimeStats, columns TimeStatsColumns {
        /// Packet header.
        header: Header => Header;
        /// Ties to the participants packet with the same timestamp.
        participants_changed_timestamp: u32 => u32;
        /// Exactly 32 entries (a shorter list is padded with defaults on encode).
        stats: Vec<ParticipantStats> => List<ParticipantStats, 32>;
    }
}

wire_record! {
    /// `sVehicleInfo`, 72 bytes: class at offset 4, name at 8 (the majority reading, spec §4.8).
    pub struct VehicleInfo, columns VehicleInfoColumns {
        /// Vehicle index.
        index: u16 => u16, pad 2;
        /// Vehicle class.
        class: u32 => u32;
        /// Vehicle name (64 bytes).
        name: String => Str<64>;
    }
}

wire_record! {
    /// `sParticipantVehicleNamesData`, type 8, 1164 bytes.
    pub struct VehicleNames, columns VehicleNamesColumns {
        /// Packet header.
        header: Header => Header;
        /// Exactly 16 vehicles (a shorter list is padded with defaults on encode).
        vehicles: Vec<VehicleInfo> => List<VehicleInfo, 16>;
    }
}

wire_record! {
    /// `sClassInfo`, 24 bytes.
    pub struct ClassInfo, columns ClassInfoColumns {
        /// Class index.
        class_index: u32 => u32;
        /// Class name (20 bytes).
        name: String => Str<20>;
    }
}

wire_record! {
    /// `sVehicleClassNamesData`, type 8 (last part), 1452 bytes.
    pub struct ClassNames, columns ClassNamesColumns {
        /// Packet header.
        header: Header => Header;
        /// Exactly 60 classes (a shorter list is padded with defaults on encode).
        classes: Vec<ClassInfo> => List<ClassInfo, 60>;
    }
}

use super::wire::Codec;

// The layouts add up to the spec's sizes; a wrong field width fails the build.
const _: () = assert!(<Header as Codec>::SIZE == 12);
const _: () = assert!(<Telemetry as Codec>::SIZE == 559);
const _: () = assert!(<Race as Codec>::SIZE == 308);
const _: () = assert!(<Participants as Codec>::SIZE == 1136);
const _: () = assert!(<ParticipantInfo as Codec>::SIZE == 32);
const _: () = assert!(<Timings as Codec>::SIZE == 1063);
const _: () = assert!(<GameState as Codec>::SIZE == 24);
const _: () = assert!(<ParticipantStats as Codec>::SIZE == 32);
const _: () = assert!(<TimeStats as Codec>::SIZE == 1040);
const _: () = assert!(<VehicleInfo as Codec>::SIZE == 72);
const _: () = assert!(<VehicleNames as Codec>::SIZE == 1164);
const _: () = assert!(<ClassInfo as Codec>::SIZE == 24);
const _: () = assert!(<ClassNames as Codec>::SIZE == 1452);
