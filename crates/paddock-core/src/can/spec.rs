//! The description a [`super::CanDecoder`] is compiled from: messages, their signals, and how
//! each signal's raw bits become a value. Serialised as JSON; `paddock.can` writes it from a
//! cantools database.

use serde::{Deserialize, Serialize};

/// Every message the decoder knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecoderSpec {
    pub messages: Vec<MessageSpec>,
}

/// One CAN message: its id, its length in bytes and its signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageSpec {
    pub name: String,
    /// The frame id: 11-bit for standard frames, the 29-bit value for extended ones.
    pub id: u32,
    pub extended: bool,
    /// The message length in bytes (up to 64 for CAN FD). Shorter frames are counted as short.
    pub length: usize,
    pub signals: Vec<SignalSpec>,
}

/// Intel (`little_endian`) or Motorola (`big_endian`) bit numbering, as in DBC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ByteOrder {
    LittleEndian,
    BigEndian,
}

/// How the raw value becomes the decoded one — the three conversions cantools has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conversion {
    /// The raw value itself (scale 1, offset 0).
    Identity,
    /// `raw * scale + offset` in exact integer arithmetic (integral scale and offset, integer
    /// signal).
    Integer,
    /// `raw * scale + offset` in floating point, as Python computes it.
    Float,
}

/// A number as the DBC gave it: an integer or a float (the float kept as its shortest decimal
/// text, so that it round-trips exactly).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Num {
    Int(i64),
    Float(String),
}

impl Num {
    /// The number as an `f64` (ints rounded to nearest, as Python converts them).
    pub(crate) fn to_f64(&self) -> Result<f64, String> {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Num::Int(v) => Ok(*v as f64),
            Num::Float(text) => text
                .trim()
                .parse::<f64>()
                .map_err(|e| format!("not a number {text:?}: {e}")),
        }
    }
}

/// The signal that selects the page a multiplexed signal belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Multiplexer {
    /// Name of the multiplexer signal in the same message.
    pub signal: String,
    /// The multiplexer values for which this signal is present.
    pub ids: Vec<i64>,
}

/// One signal of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalSpec {
    pub name: String,
    /// The DBC start bit: the least significant bit for Intel signals, the most significant bit
    /// (in DBC's sawtooth numbering) for Motorola signals.
    pub start: u32,
    /// Length in bits, 1 to 64.
    pub length: u32,
    pub byte_order: ByteOrder,
    pub signed: bool,
    /// An IEEE float signal (16, 32 or 64 bits).
    pub float: bool,
    pub conversion: Conversion,
    #[serde(default = "one")]
    pub scale: Num,
    #[serde(default = "zero")]
    pub offset: Num,
    /// For multiplexed signals: the multiplexer and the values selecting this signal.
    #[serde(default)]
    pub multiplexer: Option<Multiplexer>,
    /// For multiplexer signals: every value that selects a known page. Another value means the
    /// frame's page is unknown (cantools rejects such a frame; paddock keeps it, counts it, and
    /// leaves the page's signals null).
    #[serde(default)]
    pub pages: Option<Vec<i64>>,
    #[serde(default)]
    pub unit: Option<String>,
}

fn one() -> Num {
    Num::Int(1)
}

fn zero() -> Num {
    Num::Int(0)
}
