//! `project_cars`: one frame decoder for port 5606 that accepts both the Project CARS 1 format
//! and the Project CARS 2 native format, datagram by datagram (spec §4.7). Neither format carries
//! a magic number, but their lengths never collide:
//!
//! - 1367, 1347, 1028 bytes → Project CARS 1, confirmed by the type bits `byte[2] & 3` (0, 1, 2
//!   respectively);
//! - 559, 538, 308, 1136, 1063, 24, 1040, 1164, 1452 (and the first-release 993, 784) →
//!   Project CARS 2, confirmed by the type byte `byte[10]` (1040 is time stats with type 7; the
//!   first-release participants packet of the same size, type 2, is rejected);
//! - any other length is rejected.
//!
//! Rows have one schema, the union of both formats' channels: canonical ones first, then the
//! `pcars2.*` and `pcars1.*` extras; a format's row leaves the other format's channels null.

use std::sync::LazyLock;

use super::{pcars1, pcars2, FrameDecoder};
use crate::arrow::FrameBuilder;
use crate::error::DecodeError;

/// The protocol's name in configs and the API.
pub const PROTOCOL: &str = "project_cars";

/// Datagram lengths of the Project CARS 1 format.
pub const PCARS1_LENGTHS: [usize; 3] = [
    pcars1::TELEMETRY_LEN,
    pcars1::PARTICIPANT_STRINGS_LEN,
    pcars1::PARTICIPANT_STRINGS_ADDITIONAL_LEN,
];

/// Datagram lengths of the Project CARS 2 native format (Patch 5 and first release).
pub const PCARS2_LENGTHS: [usize; 11] = [559, 538, 308, 1136, 1063, 24, 1040, 1164, 1452, 993, 784];

/// The format a datagram is in, by its length (spec §4.7); the type bits are confirmed by the
/// format's own decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Project CARS 1 (`project_cars_1`).
    Pcars1,
    /// Project CARS 2 native (`project_cars_2`).
    Pcars2,
}

impl Format {
    /// The format's protocol name.
    #[must_use]
    pub const fn protocol(self) -> &'static str {
        match self {
            Self::Pcars1 => pcars1::PROTOCOL,
            Self::Pcars2 => pcars2::PROTOCOL,
        }
    }
}

/// The format of a datagram of `len` bytes, `None` for a length neither format uses.
#[must_use]
pub fn format_of(len: usize) -> Option<Format> {
    if PCARS1_LENGTHS.contains(&len) {
        Some(Format::Pcars1)
    } else if PCARS2_LENGTHS.contains(&len) {
        Some(Format::Pcars2)
    } else {
        None
    }
}

/// The union schema and where each of its channels sits in either format's rows.
struct Union {
    names: Vec<&'static str>,
    from1: Vec<Option<usize>>,
    from2: Vec<Option<usize>>,
}

static UNION: LazyLock<Union> = LazyLock::new(|| {
    let all = || pcars2::CHANNEL_NAMES.iter().chain(pcars1::CHANNEL_NAMES);
    let mut names: Vec<&'static str> = Vec::new();
    for name in all()
        .filter(|n| !n.contains('.'))
        .chain(all().filter(|n| n.contains('.')))
    {
        if !names.contains(name) {
            names.push(name);
        }
    }
    let index_in = |list: &[&str], name: &str| list.iter().position(|n| *n == name);
    Union {
        from1: names
            .iter()
            .map(|n| index_in(pcars1::CHANNEL_NAMES, n))
            .collect(),
        from2: names
            .iter()
            .map(|n| index_in(pcars2::CHANNEL_NAMES, n))
            .collect(),
        names,
    }
});

/// The channels of [`PcarsAutoFrames`] rows: the union of both formats' channels, canonical ones
/// first.
#[must_use]
pub fn channel_names() -> &'static [&'static str] {
    &UNION.names
}

/// The auto-detecting canonical decoder (see the module docs). Each format keeps its own state
/// (Project CARS 2 remembers timings, time stats and game state).
#[derive(Debug, Default)]
pub struct PcarsAutoFrames {
    pcars1: pcars1::Pcars1Frames,
    pcars2: pcars2::Pcars2Frames,
    detected: Option<Format>,
    row: Vec<Option<f64>>,
}

impl PcarsAutoFrames {
    /// A decoder that has seen nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The format of the last datagram decoded, `None` before the first one.
    #[must_use]
    pub fn detected_format(&self) -> Option<Format> {
        self.detected
    }
}

/// Fills `row` with the union channels, taking `from[i]` of `source` or null.
fn spread(row: &mut Vec<Option<f64>>, source: &[Option<f64>], from: &[Option<usize>]) {
    row.clear();
    row.extend(
        from.iter()
            .map(|i| i.and_then(|i| source.get(i).copied().flatten())),
    );
}

impl FrameDecoder for PcarsAutoFrames {
    fn protocol(&self) -> &'static str {
        PROTOCOL
    }

    fn channels(&self) -> &'static [&'static str] {
        channel_names()
    }

    fn detected(&self) -> Option<&'static str> {
        self.detected.map(Format::protocol)
    }

    /// One row per telemetry packet of either format; other packets give 0 rows.
    ///
    /// # Errors
    /// [`DecodeError::UnknownLength`] for a length neither format uses (type byte: byte 10, or 0
    /// for a shorter datagram); otherwise the format decoder's error (type bits that do not match
    /// the length). The state is unchanged on error.
    fn push(
        &mut self,
        ts_ns: i64,
        datagram: &[u8],
        out: &mut FrameBuilder,
    ) -> Result<usize, DecodeError> {
        let union = &*UNION;
        let rows = match format_of(datagram.len()) {
            Some(Format::Pcars1) => {
                let packet = pcars1::decode(datagram)?;
                self.detected = Some(Format::Pcars1);
                self.pcars1.take(&packet).map(|row| {
                    spread(&mut self.row, row, &union.from1);
                })
            }
            Some(Format::Pcars2) => {
                let packet = pcars2::decode(datagram)?;
                self.detected = Some(Format::Pcars2);
                self.pcars2.take(packet).map(|row| {
                    spread(&mut self.row, row, &union.from2);
                })
            }
            None => {
                return Err(DecodeError::UnknownLength {
                    protocol: "pcars",
                    got: datagram.len(),
                    packet_type: datagram
                        .get(pcars2::PACKET_TYPE_OFFSET)
                        .copied()
                        .unwrap_or(0),
                })
            }
        };
        Ok(rows.map_or(0, |()| {
            out.push_row(ts_ns, &self.row);
            1
        }))
    }
}
