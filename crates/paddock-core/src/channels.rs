//! The canonical channel registry: every channel name paddock emits, with unit, range and meaning.
//!
//! Names carry their unit (`speed_kmh`, `oil_press_kpa`). Channels with no canonical meaning keep a
//! protocol namespace (`pcars2.engine_torque_nm`). Every source maps its fields onto these names so
//! that every analysis works on every source.

/// The Arrow type a channel is stored as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelType {
    /// 64-bit float; the default for measured quantities.
    Float64,
    /// 32-bit signed integer, for counters and enumerations (gear, lap, sector).
    Int32,
}

/// One registered channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Channel {
    /// Canonical name, unit-suffixed.
    pub name: &'static str,
    /// Unit symbol (`km/h`, `rpm`, `1` for ratios, `` for enumerations).
    pub unit: &'static str,
    /// Lowest expected value, if bounded.
    pub min: Option<f64>,
    /// Highest expected value, if bounded.
    pub max: Option<f64>,
    /// One line saying what it is and where the zero is.
    pub description: &'static str,
    /// Storage type.
    pub dtype: ChannelType,
}

const fn f(
    name: &'static str,
    unit: &'static str,
    min: Option<f64>,
    max: Option<f64>,
    description: &'static str,
) -> Channel {
    Channel {
        name,
        unit,
        min,
        max,
        description,
        dtype: ChannelType::Float64,
    }
}

const fn i(
    name: &'static str,
    unit: &'static str,
    min: Option<f64>,
    max: Option<f64>,
    description: &'static str,
) -> Channel {
    Channel {
        name,
        unit,
        min,
        max,
        description,
        dtype: ChannelType::Int32,
    }
}

/// Columns every frame batch starts with, before its channels.
pub const TS_NS: &str = "ts_ns";
/// Seconds since the session (feed) start.
pub const T_S: &str = "t_s";

/// Every channel paddock knows, canonical ones first, then namespaced ones per protocol.
pub const CHANNELS: &[Channel] = &[
    f(
        "speed_kmh",
        "km/h",
        Some(0.0),
        Some(500.0),
        "vehicle speed over ground",
    ),
    f("rpm", "rpm", Some(0.0), Some(25000.0), "engine speed"),
    f(
        "rpm_max",
        "rpm",
        Some(0.0),
        Some(25000.0),
        "engine speed limit (rev limiter)",
    ),
    i(
        "gear",
        "",
        Some(-1.0),
        Some(12.0),
        "selected gear: -1 reverse, 0 neutral, 1.. forward",
    ),
    f(
        "throttle",
        "1",
        Some(0.0),
        Some(1.0),
        "throttle pedal, 0 released .. 1 fully pressed",
    ),
    f(
        "brake",
        "1",
        Some(0.0),
        Some(1.0),
        "brake pedal, 0 released .. 1 fully pressed",
    ),
    f(
        "clutch",
        "1",
        Some(0.0),
        Some(1.0),
        "clutch pedal, 0 released .. 1 fully pressed",
    ),
    f(
        "handbrake",
        "1",
        Some(0.0),
        Some(1.0),
        "handbrake, 0 released .. 1 fully pulled",
    ),
    f(
        "steer",
        "1",
        Some(-1.0),
        Some(1.0),
        "steering input, -1 full left .. 1 full right",
    ),
    f(
        "g_lat",
        "g",
        Some(-6.0),
        Some(6.0),
        "lateral acceleration, positive to the right",
    ),
    f(
        "g_long",
        "g",
        Some(-6.0),
        Some(6.0),
        "longitudinal acceleration, positive forwards",
    ),
    f(
        "g_vert",
        "g",
        Some(-6.0),
        Some(6.0),
        "vertical acceleration, positive upwards",
    ),
    f(
        "lat_deg",
        "deg",
        Some(-90.0),
        Some(90.0),
        "GNSS latitude, WGS84",
    ),
    f(
        "lon_deg",
        "deg",
        Some(-180.0),
        Some(180.0),
        "GNSS longitude, WGS84",
    ),
    f("alt_m", "m", None, None, "altitude above mean sea level"),
    f(
        "heading_deg",
        "deg",
        Some(0.0),
        Some(360.0),
        "heading, clockwise from north (sim: from +z)",
    ),
    f("pos_x_m", "m", None, None, "simulator world position x"),
    f(
        "pos_y_m",
        "m",
        None,
        None,
        "simulator world position y (up)",
    ),
    f("pos_z_m", "m", None, None, "simulator world position z"),
    i(
        "lap",
        "",
        Some(0.0),
        None,
        "current lap number, 1 = first lap",
    ),
    f(
        "lap_time_s",
        "s",
        Some(0.0),
        None,
        "time into the current lap",
    ),
    f(
        "last_lap_s",
        "s",
        Some(0.0),
        None,
        "time of the last completed lap",
    ),
    f(
        "best_lap_s",
        "s",
        Some(0.0),
        None,
        "best lap time this session",
    ),
    f(
        "lap_distance_m",
        "m",
        Some(0.0),
        None,
        "distance along the lap from the start line",
    ),
    f(
        "distance_m",
        "m",
        Some(0.0),
        None,
        "distance driven since the session start",
    ),
    i(
        "sector",
        "",
        Some(1.0),
        Some(3.0),
        "current sector, 1-based",
    ),
    f(
        "sector_time_s",
        "s",
        Some(0.0),
        None,
        "time into the current sector",
    ),
    f(
        "wheel_speed_fl_kmh",
        "km/h",
        Some(0.0),
        Some(500.0),
        "front-left wheel speed",
    ),
    f(
        "wheel_speed_fr_kmh",
        "km/h",
        Some(0.0),
        Some(500.0),
        "front-right wheel speed",
    ),
    f(
        "wheel_speed_rl_kmh",
        "km/h",
        Some(0.0),
        Some(500.0),
        "rear-left wheel speed",
    ),
    f(
        "wheel_speed_rr_kmh",
        "km/h",
        Some(0.0),
        Some(500.0),
        "rear-right wheel speed",
    ),
    f(
        "tyre_temp_fl_c",
        "degC",
        Some(-40.0),
        Some(300.0),
        "front-left tyre surface temperature",
    ),
    f(
        "tyre_temp_fr_c",
        "degC",
        Some(-40.0),
        Some(300.0),
        "front-right tyre surface temperature",
    ),
    f(
        "tyre_temp_rl_c",
        "degC",
        Some(-40.0),
        Some(300.0),
        "rear-left tyre surface temperature",
    ),
    f(
        "tyre_temp_rr_c",
        "degC",
        Some(-40.0),
        Some(300.0),
        "rear-right tyre surface temperature",
    ),
    f(
        "brake_temp_fl_c",
        "degC",
        Some(-40.0),
        Some(1500.0),
        "front-left brake disc temperature",
    ),
    f(
        "brake_temp_fr_c",
        "degC",
        Some(-40.0),
        Some(1500.0),
        "front-right brake disc temperature",
    ),
    f(
        "brake_temp_rl_c",
        "degC",
        Some(-40.0),
        Some(1500.0),
        "rear-left brake disc temperature",
    ),
    f(
        "brake_temp_rr_c",
        "degC",
        Some(-40.0),
        Some(1500.0),
        "rear-right brake disc temperature",
    ),
    f(
        "tyre_press_fl_kpa",
        "kPa",
        Some(0.0),
        Some(500.0),
        "front-left tyre pressure",
    ),
    f(
        "tyre_press_fr_kpa",
        "kPa",
        Some(0.0),
        Some(500.0),
        "front-right tyre pressure",
    ),
    f(
        "tyre_press_rl_kpa",
        "kPa",
        Some(0.0),
        Some(500.0),
        "rear-left tyre pressure",
    ),
    f(
        "tyre_press_rr_kpa",
        "kPa",
        Some(0.0),
        Some(500.0),
        "rear-right tyre pressure",
    ),
    f(
        "water_temp_c",
        "degC",
        Some(-40.0),
        Some(150.0),
        "engine coolant temperature",
    ),
    f(
        "oil_temp_c",
        "degC",
        Some(-40.0),
        Some(200.0),
        "engine oil temperature",
    ),
    f(
        "oil_press_kpa",
        "kPa",
        Some(0.0),
        Some(1500.0),
        "engine oil pressure",
    ),
    f("fuel_l", "l", Some(0.0), Some(200.0), "fuel in the tank"),
    f(
        "air_temp_c",
        "degC",
        Some(-40.0),
        Some(60.0),
        "ambient air temperature",
    ),
    f(
        "track_temp_c",
        "degC",
        Some(-40.0),
        Some(80.0),
        "track surface temperature",
    ),
];

/// Looks a channel up by name; `None` for names the registry does not list.
#[must_use]
pub fn lookup(name: &str) -> Option<&'static Channel> {
    CHANNELS
        .iter()
        .chain(
            crate::protocols::NAMESPACED_CHANNELS
                .iter()
                .copied()
                .flatten(),
        )
        .find(|c| c.name == name)
}

/// Every registered channel: canonical ones, then each protocol's namespaced ones.
pub fn all() -> impl Iterator<Item = &'static Channel> {
    CHANNELS.iter().chain(
        crate::protocols::NAMESPACED_CHANNELS
            .iter()
            .copied()
            .flatten(),
    )
}

/// Helper for protocol modules declaring namespaced channels.
#[must_use]
pub const fn namespaced(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
) -> Channel {
    f(name, unit, None, None, description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = all().map(|c| c.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn lookup_finds_canonical() {
        assert_eq!(lookup("gear").map(|c| c.dtype), Some(ChannelType::Int32));
        assert!(lookup("no_such_channel").is_none());
    }
}
