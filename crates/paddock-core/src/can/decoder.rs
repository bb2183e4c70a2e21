//! The compiled decoder: routing frames to messages, extracting signals column by column.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, FixedSizeBinaryArray, GenericBinaryArray, OffsetSizeTrait,
    PrimitiveArray, RecordBatch,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use serde::Serialize;

use super::bits::{f16_to_f64, sign_extend, BitField};
use super::spec::{Conversion, DecoderSpec, MessageSpec, Num, SignalSpec};
use crate::error::{CoreError, Result};

/// The largest standard (11-bit) frame id. Without an extended flag, a larger id is taken as
/// extended, as cantools does.
pub const MAX_STANDARD_ID: u32 = 0x7FF;
/// The largest extended (29-bit) frame id.
const MAX_EXTENDED_ID: u32 = 0x1FFF_FFFF;
/// Batches of at least this many frames decode their messages on several threads.
const PARALLEL_MIN_FRAMES: usize = 65_536;
/// At most this many threads per decode.
const MAX_THREADS: usize = 4;
/// The largest start bit accepted (a 4 KiB payload is far beyond any CAN FD frame).
const MAX_START_BIT: u32 = 8 * 4096;

/// The payloads of a batch of frames, by index.
pub trait Payloads: Sync {
    /// Number of payloads.
    fn count(&self) -> usize;
    /// The bytes of payload `i` (empty for a null entry).
    fn payload(&self, i: usize) -> &[u8];
}

impl Payloads for [&[u8]] {
    fn count(&self) -> usize {
        self.len()
    }
    fn payload(&self, i: usize) -> &[u8] {
        self[i]
    }
}

impl Payloads for [Vec<u8>] {
    fn count(&self) -> usize {
        self.len()
    }
    fn payload(&self, i: usize) -> &[u8] {
        &self[i]
    }
}

impl<O: OffsetSizeTrait> Payloads for GenericBinaryArray<O> {
    fn count(&self) -> usize {
        self.len()
    }
    fn payload(&self, i: usize) -> &[u8] {
        if self.is_null(i) {
            &[]
        } else {
            self.value(i)
        }
    }
}

impl Payloads for FixedSizeBinaryArray {
    fn count(&self) -> usize {
        self.len()
    }
    fn payload(&self, i: usize) -> &[u8] {
        if self.is_null(i) {
            &[]
        } else {
            self.value(i)
        }
    }
}

/// A batch of frames as parallel arrays: receive time, id, extended flag (optional: ids above
/// 0x7FF are then taken as extended) and payload.
pub struct Frames<'a, P: Payloads + ?Sized> {
    pub ts_ns: &'a [i64],
    pub ids: &'a [u32],
    pub extended: Option<&'a [bool]>,
    pub payloads: &'a P,
}

impl<'a, P: Payloads + ?Sized> Frames<'a, P> {
    /// The frames of these arrays (checked for equal lengths when decoded).
    pub fn new(
        ts_ns: &'a [i64],
        ids: &'a [u32],
        extended: Option<&'a [bool]>,
        payloads: &'a P,
    ) -> Self {
        Self {
            ts_ns,
            ids,
            extended,
            payloads,
        }
    }

    fn check(&self) -> Result<usize> {
        let n = self.ts_ns.len();
        let lengths = [
            self.ids.len(),
            self.extended.map_or(n, <[bool]>::len),
            self.payloads.count(),
        ];
        if lengths.iter().any(|&l| l != n) {
            return Err(CoreError::InvalidArgument(format!(
                "frame arrays differ in length: ts_ns {n}, ids {}, extended {}, data {}",
                lengths[0], lengths[1], lengths[2]
            )));
        }
        Ok(n)
    }
}

/// What a decode saw: every frame is exactly one of decoded, unknown id or short.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DecodeStats {
    /// Frames given.
    pub frames: u64,
    /// Frames decoded into a row of their message.
    pub decoded: u64,
    /// Frames whose `(id, extended)` no message has.
    pub unknown_id: u64,
    /// Frames shorter than their message's length (not decoded, as cantools refuses them).
    pub short: u64,
    /// Decoded frames whose multiplexer value selects no known page: their row is kept, the
    /// page's signals are null (cantools raises on such a frame).
    pub mux_unknown: u64,
    /// Frames per unknown `(id, extended)`.
    pub unknown_ids: BTreeMap<(u32, bool), u64>,
    /// Short frames per message name.
    pub short_by_message: BTreeMap<String, u64>,
}

/// The result of a decode: one batch per message that had at least one decoded frame, in the
/// order of the spec, and the counts.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub batches: Vec<(String, RecordBatch)>,
    pub stats: DecodeStats,
}

/// The output column type of a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Int64,
    UInt64,
    Float64,
}

/// How raw bits are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    Unsigned,
    Signed,
    F16,
    F32,
    F64,
}

/// How a raw value becomes the output value, mirroring cantools' arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Calc {
    /// Integer raw, exact `raw * scale + offset`.
    Exact { scale: i128, offset: i128 },
    /// Integer raw, integer scale, float offset: `float(raw * scale) + offset`.
    ExactThenFloat { scale: i128, offset: f64 },
    /// `float(raw) * scale + offset` (integer or float raw).
    Float { scale: f64, offset: f64 },
}

/// When a signal is present.
#[derive(Debug, Clone, PartialEq)]
enum Presence {
    Always,
    /// Present where the multiplexer signal (index in the message) is present and its value is
    /// one of `ids` (sorted).
    Page {
        parent: usize,
        ids: Vec<i64>,
    },
    /// Never decodable (a missing or cyclic multiplexer, or bits beyond the message).
    Never,
}

#[derive(Debug, Clone)]
struct Signal {
    field: BitField,
    raw: Raw,
    calc: Calc,
    out: Out,
    presence: Presence,
    /// For multiplexer signals: the values with a known page (sorted), empty when none.
    pages: Vec<i64>,
    is_multiplexer: bool,
}

#[derive(Debug, Clone)]
struct Message {
    name: String,
    length: usize,
    signals: Vec<Signal>,
    /// Signal indices, multiplexers before the signals they select.
    order: Vec<usize>,
    schema: SchemaRef,
}

/// A DBC's messages compiled for decoding arrays of frames. Immutable and `Sync`: build once,
/// decode from any thread.
#[derive(Debug, Clone)]
pub struct CanDecoder {
    messages: Vec<Message>,
    /// Standard ids: message index + 1, 0 for none.
    standard: Vec<u32>,
    extended: HashMap<u32, u32>,
    warnings: Vec<String>,
}

impl CanDecoder {
    /// Compiles the JSON form of a [`DecoderSpec`].
    ///
    /// # Errors
    /// [`CoreError::Json`] for JSON that is not a spec, [`CoreError::InvalidArgument`] for a spec
    /// that cannot be decoded (see [`CanDecoder::new`]).
    pub fn from_json(json: &str) -> Result<Self> {
        let spec: DecoderSpec = serde_json::from_str(json)?;
        Self::new(&spec)
    }

    /// Compiles a spec.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] naming the message and signal for: an id out of range or
    /// used twice, a message name used twice, a signal name used twice in a message, a signal
    /// length outside 1..=64 (float: 16, 32 or 64), an integer conversion of a float signal, or
    /// a scale/offset that is not a number.
    pub fn new(spec: &DecoderSpec) -> Result<Self> {
        let mut messages = Vec::with_capacity(spec.messages.len());
        let mut standard = vec![0u32; MAX_STANDARD_ID as usize + 1];
        let mut extended = HashMap::new();
        let mut names = HashMap::new();
        let mut warnings = Vec::new();
        for (index, m) in spec.messages.iter().enumerate() {
            let max = if m.extended {
                MAX_EXTENDED_ID
            } else {
                MAX_STANDARD_ID
            };
            if m.id > max {
                return Err(invalid(format!(
                    "message {}: id {:#x} is out of range for {} frames",
                    m.name,
                    m.id,
                    if m.extended { "extended" } else { "standard" }
                )));
            }
            if let Some(other) = names.insert(m.name.clone(), index) {
                return Err(invalid(format!(
                    "message name {} is used twice (messages {other} and {index})",
                    m.name
                )));
            }
            let slot =
                u32::try_from(index + 1).map_err(|_| invalid("too many messages".to_string()))?;
            let previous = if m.extended {
                extended.insert(m.id, slot).unwrap_or(0)
            } else {
                std::mem::replace(&mut standard[m.id as usize], slot)
            };
            if previous != 0 {
                return Err(invalid(format!(
                    "messages {} and {} have the same id {:#x}",
                    spec.messages[previous as usize - 1].name,
                    m.name,
                    m.id
                )));
            }
            messages.push(compile_message(m, &mut warnings)?);
        }
        Ok(Self {
            messages,
            standard,
            extended,
            warnings,
        })
    }

    /// Things compiled but never decodable (signals beyond their message, multiplexers that do
    /// not exist), one sentence each.
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Number of messages.
    #[must_use]
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// The schema of a message's batches, by message name.
    #[must_use]
    pub fn schema(&self, message: &str) -> Option<SchemaRef> {
        self.messages
            .iter()
            .find(|m| m.name == message)
            .map(|m| m.schema.clone())
    }

    /// The message index for a frame id.
    #[inline]
    fn lookup(&self, id: u32, extended: Option<bool>) -> Option<usize> {
        let extended = extended.unwrap_or(id > MAX_STANDARD_ID);
        let slot = if extended {
            self.extended.get(&id).copied().unwrap_or(0)
        } else {
            self.standard.get(id as usize).copied().unwrap_or(0)
        };
        (slot != 0).then(|| slot as usize - 1)
    }

    /// Decodes a batch of frames into one batch per message.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] when the arrays differ in length; an Arrow error if a batch
    /// cannot be assembled. Bad frames are never errors: they are counted.
    pub fn decode<P: Payloads + ?Sized>(&self, frames: &Frames<'_, P>) -> Result<Decoded> {
        let n = frames.check()?;
        let mut stats = DecodeStats {
            frames: n as u64,
            ..DecodeStats::default()
        };
        // Route every frame to its message (two passes, so each message's row list is
        // allocated once at its final size).
        let mut owner = vec![u32::MAX; n];
        let mut counts = vec![0usize; self.messages.len()];
        for (i, slot) in owner.iter_mut().enumerate() {
            let id = frames.ids[i];
            let ext = frames.extended.map(|e| e[i]);
            let Some(m) = self.lookup(id, ext) else {
                stats.unknown_id += 1;
                *stats
                    .unknown_ids
                    .entry((id, ext.unwrap_or(id > MAX_STANDARD_ID)))
                    .or_insert(0) += 1;
                continue;
            };
            if frames.payloads.payload(i).len() < self.messages[m].length {
                stats.short += 1;
                *stats
                    .short_by_message
                    .entry(self.messages[m].name.clone())
                    .or_insert(0) += 1;
                continue;
            }
            #[allow(clippy::cast_possible_truncation)]
            {
                *slot = m as u32;
            }
            counts[m] += 1;
        }
        let mut rows: Vec<Vec<usize>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
        for (i, &m) in owner.iter().enumerate() {
            if let Some(r) = rows.get_mut(m as usize) {
                r.push(i);
            }
        }
        // Messages are independent: large batches spread them over a few threads, the biggest
        // first, each thread taking the next message left.
        let mut work: Vec<usize> = (0..rows.len()).filter(|&m| !rows[m].is_empty()).collect();
        work.sort_by_key(|&m| std::cmp::Reverse(rows[m].len()));
        let threads = if n >= PARALLEL_MIN_FRAMES {
            std::thread::available_parallelism()
                .map_or(1, usize::from)
                .min(MAX_THREADS)
                .min(work.len())
        } else {
            1
        };
        let next = std::sync::atomic::AtomicUsize::new(0);
        let run = || -> Result<Vec<(usize, RecordBatch, u64)>> {
            let mut done = Vec::new();
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&m) = work.get(k) else {
                    return Ok(done);
                };
                let (batch, mux_unknown) = self.messages[m].decode(&rows[m], frames)?;
                done.push((m, batch, mux_unknown));
            }
        };
        let mut results = if threads > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (1..threads).map(|_| scope.spawn(run)).collect();
                let mut all = run()?;
                for handle in handles {
                    let part = handle
                        .join()
                        .map_err(|_| invalid("a decoding thread failed".to_string()))??;
                    all.extend(part);
                }
                Ok::<_, CoreError>(all)
            })?
        } else {
            run()?
        };
        results.sort_by_key(|(m, _, _)| *m);
        let mut batches = Vec::with_capacity(results.len());
        for (m, batch, mux_unknown) in results {
            stats.decoded += batch.num_rows() as u64;
            stats.mux_unknown += mux_unknown;
            batches.push((self.messages[m].name.clone(), batch));
        }
        Ok(Decoded { batches, stats })
    }
}

fn invalid(msg: String) -> CoreError {
    CoreError::InvalidArgument(msg)
}

fn compile_message(m: &MessageSpec, warnings: &mut Vec<String>) -> Result<Message> {
    let mut by_name = HashMap::new();
    for (i, s) in m.signals.iter().enumerate() {
        if by_name.insert(s.name.as_str(), i).is_some() {
            return Err(invalid(format!(
                "message {}: signal name {} is used twice",
                m.name, s.name
            )));
        }
    }
    let mut signals = Vec::with_capacity(m.signals.len());
    for s in &m.signals {
        signals.push(compile_signal(m, s, &by_name, warnings)?);
    }
    // Multiplexers before the signals they select; anything in a cycle is never present.
    let mut depth: Vec<Option<usize>> = vec![None; signals.len()];
    for i in 0..signals.len() {
        let mut chain = vec![i];
        let mut at = i;
        let found = loop {
            if let Some(d) = depth[at] {
                break Some(d);
            }
            match &signals[at].presence {
                Presence::Always => break Some(0),
                Presence::Never => break Some(0),
                Presence::Page { parent, .. } => {
                    if chain.contains(parent) {
                        break None;
                    }
                    chain.push(*parent);
                    at = *parent;
                }
            }
        };
        match found {
            Some(base) => {
                for (k, &s) in chain.iter().rev().enumerate() {
                    if depth[s].is_none() {
                        depth[s] = Some(base + k);
                    }
                }
            }
            None => {
                for &s in &chain {
                    if depth[s].is_none() {
                        warnings.push(format!(
                            "message {}: signal {} is in a multiplexer cycle; never decoded",
                            m.name, m.signals[s].name
                        ));
                        signals[s].presence = Presence::Never;
                        depth[s] = Some(0);
                    }
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..signals.len()).collect();
    order.sort_by_key(|&i| depth[i].unwrap_or(0));

    let mut fields = Vec::with_capacity(signals.len() + 1);
    fields.push(Field::new("ts_ns", DataType::Int64, false));
    for (spec, signal) in m.signals.iter().zip(&signals) {
        let dtype = match signal.out {
            Out::Int64 => DataType::Int64,
            Out::UInt64 => DataType::UInt64,
            Out::Float64 => DataType::Float64,
        };
        let mut field = Field::new(
            spec.name.clone(),
            dtype,
            signal.presence != Presence::Always,
        );
        if let Some(unit) = spec.unit.as_ref().filter(|u| !u.is_empty()) {
            field = field.with_metadata([("unit".to_string(), unit.clone())].into());
        }
        fields.push(field);
    }
    let metadata = [
        ("message".to_string(), m.name.clone()),
        ("frame_id".to_string(), m.id.to_string()),
        ("extended".to_string(), m.extended.to_string()),
    ];
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata.into()));
    Ok(Message {
        name: m.name.clone(),
        length: m.length,
        signals,
        order,
        schema,
    })
}

fn compile_signal(
    m: &MessageSpec,
    s: &SignalSpec,
    by_name: &HashMap<&str, usize>,
    warnings: &mut Vec<String>,
) -> Result<Signal> {
    let at = || format!("message {} signal {}", m.name, s.name);
    if !(1..=64).contains(&s.length) {
        return Err(invalid(format!(
            "{}: length {} is outside 1..=64",
            at(),
            s.length
        )));
    }
    if s.start >= MAX_START_BIT {
        return Err(invalid(format!(
            "{}: start bit {} is out of range",
            at(),
            s.start
        )));
    }
    let raw = match (s.float, s.length, s.signed) {
        (true, 16, _) => Raw::F16,
        (true, 32, _) => Raw::F32,
        (true, 64, _) => Raw::F64,
        (true, other, _) => {
            return Err(invalid(format!(
                "{}: a float signal must be 16, 32 or 64 bits, not {other}",
                at()
            )))
        }
        (false, _, true) => Raw::Signed,
        (false, _, false) => Raw::Unsigned,
    };
    let field = BitField::new(s.start, s.length, s.byte_order);
    let number = |n: &Num| n.to_f64().map_err(|e| invalid(format!("{}: {e}", at())));
    let (calc, out) = match s.conversion {
        Conversion::Identity | Conversion::Integer if s.float => {
            if s.conversion == Conversion::Integer {
                return Err(invalid(format!(
                    "{}: integer conversion of a float signal",
                    at()
                )));
            }
            (
                Calc::Float {
                    scale: 1.0,
                    offset: 0.0,
                },
                Out::Float64,
            )
        }
        Conversion::Identity => exact(raw, s.length, 1, 0),
        Conversion::Integer => {
            let (Num::Int(scale), Num::Int(offset)) = (&s.scale, &s.offset) else {
                return Err(invalid(format!(
                    "{}: integer conversion needs integer scale and offset",
                    at()
                )));
            };
            exact(raw, s.length, i128::from(*scale), i128::from(*offset))
        }
        Conversion::Float => match (&s.scale, raw) {
            (Num::Int(scale), Raw::Unsigned | Raw::Signed) => (
                Calc::ExactThenFloat {
                    scale: i128::from(*scale),
                    offset: number(&s.offset)?,
                },
                Out::Float64,
            ),
            _ => (
                Calc::Float {
                    scale: number(&s.scale)?,
                    offset: number(&s.offset)?,
                },
                Out::Float64,
            ),
        },
    };
    let mut presence = match &s.multiplexer {
        None => Presence::Always,
        Some(mux) => match by_name.get(mux.signal.as_str()) {
            Some(&parent) => {
                let mut ids = mux.ids.clone();
                ids.sort_unstable();
                ids.dedup();
                Presence::Page { parent, ids }
            }
            None => {
                warnings.push(format!(
                    "{}: multiplexer {} does not exist; never decoded",
                    at(),
                    mux.signal
                ));
                Presence::Never
            }
        },
    };
    if field.bytes_needed() > m.length {
        warnings.push(format!(
            "{}: bits end in byte {} of a {}-byte message; never decoded",
            at(),
            field.bytes_needed(),
            m.length
        ));
        presence = Presence::Never;
    }
    let mut pages = s.pages.clone().unwrap_or_default();
    pages.sort_unstable();
    pages.dedup();
    Ok(Signal {
        field,
        raw,
        calc,
        out,
        presence,
        pages,
        is_multiplexer: s.pages.is_some(),
    })
}

/// An exact integer conversion and the narrowest of Int64 / UInt64 holding all its values
/// (Float64, rounding, past both).
fn exact(raw: Raw, length: u32, scale: i128, offset: i128) -> (Calc, Out) {
    let (lo, hi): (i128, i128) = match raw {
        Raw::Signed => (-(1i128 << (length - 1)), (1i128 << (length - 1)) - 1),
        _ => (0, (1i128 << length) - 1),
    };
    let (a, b) = (
        lo.saturating_mul(scale).saturating_add(offset),
        hi.saturating_mul(scale).saturating_add(offset),
    );
    let (min, max) = (a.min(b), a.max(b));
    let out = if min >= i128::from(i64::MIN) && max <= i128::from(i64::MAX) {
        Out::Int64
    } else if min >= 0 && max <= i128::from(u64::MAX) {
        Out::UInt64
    } else {
        Out::Float64
    };
    (Calc::Exact { scale, offset }, out)
}

impl Signal {
    /// The integer raw value of raw bits (sign-extended for signed signals).
    #[inline]
    fn raw_int(&self, bits: u64) -> i128 {
        match self.raw {
            Raw::Signed => i128::from(sign_extend(bits, self.field.length)),
            _ => i128::from(bits),
        }
    }

    /// The float raw value of a float signal's bits.
    #[inline]
    fn raw_float(&self, bits: u64) -> f64 {
        #[allow(clippy::cast_possible_truncation)]
        match self.raw {
            Raw::F16 => f16_to_f64(bits as u16),
            Raw::F32 => f64::from(f32::from_bits(bits as u32)),
            _ => f64::from_bits(bits),
        }
    }

    /// The output value as `f64`, computed as cantools computes it.
    #[inline]
    #[allow(clippy::cast_precision_loss)]
    fn value_f64(&self, bits: u64) -> f64 {
        match (self.calc, self.raw) {
            (Calc::Float { scale, offset }, Raw::F16 | Raw::F32 | Raw::F64) => {
                let v = self.raw_float(bits);
                if scale == 1.0 && offset == 0.0 {
                    v
                } else {
                    v * scale + offset
                }
            }
            (Calc::Float { scale, offset }, Raw::Signed) => {
                sign_extend(bits, self.field.length) as f64 * scale + offset
            }
            (Calc::Float { scale, offset }, _) => bits as f64 * scale + offset,
            (Calc::ExactThenFloat { scale, offset }, _) => {
                self.raw_int(bits).saturating_mul(scale) as f64 + offset
            }
            (Calc::Exact { scale, offset }, _) => {
                (self
                    .raw_int(bits)
                    .saturating_mul(scale)
                    .saturating_add(offset)) as f64
            }
        }
    }

    /// The exact integer output value.
    #[inline]
    fn value_i128(&self, bits: u64) -> i128 {
        match self.calc {
            Calc::Exact { scale, offset } => self
                .raw_int(bits)
                .saturating_mul(scale)
                .saturating_add(offset),
            _ => 0,
        }
    }

    /// The signal's column over `n` rows, `bits(r)` giving row `r`'s raw bits, null where
    /// `present` is false.
    fn column(&self, n: usize, bits: impl Fn(usize) -> u64, present: Option<&[bool]>) -> ArrayRef {
        match present {
            // Two instances: one without a presence test per value.
            None => self.column_with(n, bits, |_| true, None),
            Some(p) => self.column_with(n, bits, |r| p[r], present),
        }
    }

    #[inline]
    fn column_with(
        &self,
        n: usize,
        bits: impl Fn(usize) -> u64,
        on: impl Fn(usize) -> bool,
        present: Option<&[bool]>,
    ) -> ArrayRef {
        match self.out {
            Out::Int64 => {
                let values: Vec<i64> = match (self.calc, self.raw) {
                    // The result fits i64 (the output type says so) and the raw value does too,
                    // so wrapping arithmetic is exact.
                    (Calc::Exact { scale, offset }, Raw::Signed | Raw::Unsigned)
                        if self.raw == Raw::Signed || self.field.length < 64 =>
                    {
                        #[allow(clippy::cast_possible_truncation)]
                        let (scale, offset) = (scale as i64, offset as i64);
                        let signed = self.raw == Raw::Signed;
                        let length = self.field.length;
                        (0..n)
                            .map(|r| {
                                if !on(r) {
                                    return 0;
                                }
                                let b = bits(r);
                                let raw = if signed {
                                    sign_extend(b, length)
                                } else {
                                    b.cast_signed()
                                };
                                raw.wrapping_mul(scale).wrapping_add(offset)
                            })
                            .collect()
                    }
                    _ => (0..n)
                        .map(|r| {
                            #[allow(clippy::cast_possible_truncation)]
                            let v = if on(r) {
                                self.value_i128(bits(r)) as i64
                            } else {
                                0
                            };
                            v
                        })
                        .collect(),
                };
                primitive::<Int64Type>(values, present)
            }
            Out::UInt64 => {
                let values: Vec<u64> = (0..n)
                    .map(|r| {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let v = if on(r) {
                            self.value_i128(bits(r)) as u64
                        } else {
                            0
                        };
                        v
                    })
                    .collect();
                primitive::<UInt64Type>(values, present)
            }
            Out::Float64 => {
                #[allow(clippy::cast_precision_loss)]
                let values: Vec<f64> = match (self.calc, self.raw) {
                    // The common cases, without a match per value.
                    (Calc::Float { scale, offset }, Raw::Unsigned) => (0..n)
                        .map(|r| {
                            if on(r) {
                                bits(r) as f64 * scale + offset
                            } else {
                                0.0
                            }
                        })
                        .collect(),
                    (Calc::Float { scale, offset }, Raw::Signed) => {
                        let length = self.field.length;
                        (0..n)
                            .map(|r| {
                                if on(r) {
                                    sign_extend(bits(r), length) as f64 * scale + offset
                                } else {
                                    0.0
                                }
                            })
                            .collect()
                    }
                    _ => (0..n)
                        .map(|r| if on(r) { self.value_f64(bits(r)) } else { 0.0 })
                        .collect(),
                };
                primitive::<Float64Type>(values, present)
            }
        }
    }
}

impl Message {
    /// Decodes the frames at `rows` (all long enough) into this message's batch; also returns
    /// how many of them had a multiplexer value with no known page.
    fn decode<P: Payloads + ?Sized>(
        &self,
        rows: &[usize],
        frames: &Frames<'_, P>,
    ) -> Result<(RecordBatch, u64)> {
        let n = rows.len();
        let payloads = frames.payloads;
        // The payloads gathered once, contiguously: classic frames as one u64 each (the first 8
        // bytes, little-endian), longer ones as `width` bytes each.
        let narrow = self.length <= 8;
        let width = self.length.max(1);
        let (words, wide): (Vec<u64>, Vec<u8>) = if narrow {
            let words = rows
                .iter()
                .map(|&i| {
                    let p = payloads.payload(i);
                    if let Some(first) = p.first_chunk::<8>() {
                        u64::from_le_bytes(*first)
                    } else {
                        let mut b = [0u8; 8];
                        let k = p.len().min(8);
                        b[..k].copy_from_slice(&p[..k]);
                        u64::from_le_bytes(b)
                    }
                })
                .collect();
            (words, Vec::new())
        } else {
            let mut wide = Vec::with_capacity(n * width);
            for &i in rows {
                let p = payloads.payload(i);
                let k = p.len().min(width);
                wide.extend_from_slice(&p[..k]);
                wide.resize(wide.len() + width - k, 0);
            }
            (Vec::new(), wide)
        };
        let mut columns: Vec<Option<ArrayRef>> = vec![None; self.signals.len()];
        // Per multiplexer signal, its page key in each row.
        let mut keys: Vec<Option<Vec<Option<i64>>>> = vec![None; self.signals.len()];
        let mut unknown_page = vec![false; n];
        for &s in &self.order {
            let signal = &self.signals[s];
            let present: Option<Vec<bool>> = match &signal.presence {
                Presence::Always => None,
                Presence::Never => Some(vec![false; n]),
                Presence::Page { parent, ids } => Some(match keys[*parent].as_deref() {
                    Some(pk) => pk
                        .iter()
                        .map(|k| k.is_some_and(|k| ids.binary_search(&k).is_ok()))
                        .collect(),
                    None => vec![false; n],
                }),
            };
            let present = present.as_deref();
            let field = &signal.field;
            let column = if signal.presence == Presence::Never {
                signal.column(n, |_| 0, present)
            } else if let (true, Some(shift)) = (narrow, field.word_shift) {
                signal.column(n, |r| field.in_word(words[r], shift), present)
            } else if narrow {
                signal.column(n, |r| field.extract(&words[r].to_le_bytes()), present)
            } else {
                signal.column(
                    n,
                    |r| field.extract(&wide[r * width..(r + 1) * width]),
                    present,
                )
            };
            if signal.is_multiplexer {
                let k = mux_keys(&column, present);
                if !signal.pages.is_empty() {
                    for (r, key) in k.iter().enumerate() {
                        if present.is_none_or(|p| p[r])
                            && !key.is_some_and(|key| signal.pages.binary_search(&key).is_ok())
                        {
                            unknown_page[r] = true;
                        }
                    }
                }
                keys[s] = Some(k);
            }
            columns[s] = Some(column);
        }
        let ts: Vec<i64> = rows.iter().map(|&i| frames.ts_ns[i]).collect();
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.signals.len() + 1);
        arrays.push(Arc::new(PrimitiveArray::<Int64Type>::from(ts)));
        for column in columns {
            arrays.push(column.ok_or_else(|| invalid("signal not decoded".to_string()))?);
        }
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        Ok((batch, unknown_page.iter().filter(|&&u| u).count() as u64))
    }
}

/// A primitive array, with nulls where `present` is false.
fn primitive<T: ArrowPrimitiveType>(values: Vec<T::Native>, present: Option<&[bool]>) -> ArrayRef {
    let nulls = present.map(NullBuffer::from);
    Arc::new(PrimitiveArray::<T>::new(values.into(), nulls))
}

/// The page keys of a multiplexer column, as cantools takes them: `int(value)` (truncation),
/// `None` where the signal is absent or the value is not a finite number in range.
fn mux_keys(column: &ArrayRef, present: Option<&[bool]>) -> Vec<Option<i64>> {
    let present = |r: usize| present.is_none_or(|p| p[r]);
    if let Some(a) = column.as_any().downcast_ref::<PrimitiveArray<Int64Type>>() {
        return a
            .values()
            .iter()
            .enumerate()
            .map(|(r, &v)| present(r).then_some(v))
            .collect();
    }
    if let Some(a) = column.as_any().downcast_ref::<PrimitiveArray<UInt64Type>>() {
        return a
            .values()
            .iter()
            .enumerate()
            .map(|(r, &v)| present(r).then(|| i64::try_from(v).ok()).flatten())
            .collect();
    }
    if let Some(a) = column
        .as_any()
        .downcast_ref::<PrimitiveArray<Float64Type>>()
    {
        return a
            .values()
            .iter()
            .enumerate()
            .map(|(r, &v)| {
                #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
                let key = (v.is_finite()
                    && v.trunc() >= i64::MIN as f64
                    && v.trunc() < 9.223_372_036_854_776e18)
                    .then(|| v.trunc() as i64);
                present(r).then_some(key).flatten()
            })
            .collect();
    }
    vec![None; column.len()]
}
