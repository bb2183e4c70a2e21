//! Batch decoding: many datagrams straight from their bytes into Arrow column builders, one
//! `RecordBatch` per packet type. Columns: `ts_ns`, the header fields, then every field in wire
//! order; fixed arrays flattened to one column per element (`_fl/_fr/_rl/_rr`, `_x/_y/_z`,
//! `_0…`); per-participant lists as one `List<Struct>` column.
//!
//! Datagrams are classified one by one and copied, per type, into a contiguous block of
//! fixed-size rows; every [`BLOCK`] rows, each column is filled for the whole block in one loop
//! over a fixed stride, from cache, with offsets the compiler knows.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Int64Array, ListArray, RecordBatch, RecordBatchOptions, StructArray,
};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Fields, Schema};

use super::packets::{
    ClassNames, GameState, Participants, Race, Telemetry, TimeStats, Timings, VehicleNames,
};
use super::wire::{Codec, Columns};
use super::{classify, Packet, PacketKind, PROTOCOL};
use crate::error::DecodeError;

/// Datagrams of one type decoded together, column by column: small enough for the block to stay
/// in the CPU's first-level cache while each column is filled.
const BLOCK: usize = 128;

/// How many decode errors [`Pcars2Batches::first_errors`] keeps.
pub const MAX_FIRST_ERRORS: usize = 8;

/// The result of [`decode_batch`].
#[derive(Debug, Default)]
pub struct Pcars2Batches {
    /// One batch per packet type seen, in type order, named as the JSON tag (`telemetry`, …).
    /// A type with more rows than one batch can hold (2²⁴ rows; 2²⁰ for the name packets,
    /// whose string columns would overflow 32-bit offsets) gets further batches of the same name.
    pub batches: Vec<(&'static str, RecordBatch)>,
    /// Datagrams decoded.
    pub decoded: u64,
    /// Datagrams rejected.
    pub errors: u64,
    /// The first [`MAX_FIRST_ERRORS`] rejections: index of the datagram in the input, and why.
    pub first_errors: Vec<(usize, DecodeError)>,
}

/// Rows one batch of `kind` may hold before a new one is started.
fn max_rows(kind: PacketKind) -> usize {
    match kind {
        PacketKind::Participants | PacketKind::VehicleNames | PacketKind::ClassNames => 1 << 20,
        _ => 1 << 24,
    }
}

/// The builders of one packet type's batch; `L` is the type's wire size.
struct Table<R: Codec, const L: usize> {
    kind: PacketKind,
    max_rows: usize,
    capacity: usize,
    ts_ns: Vec<i64>,
    columns: R::Builder,
    /// Copies of the datagrams waiting for the next block decode, zero-padded to `L` bytes
    /// (first-release telemetry is shorter): contiguous, so that each column's pass over the
    /// block reads memory at a fixed stride from cache.
    pending: Vec<[u8; L]>,
    rows: usize,
    done: Vec<RecordBatch>,
}

impl<R: Codec, const L: usize> Table<R, L> {
    fn new(kind: PacketKind, capacity: usize, max_rows: usize) -> Self {
        const { assert!(L == R::SIZE) };
        let max_rows = max_rows.max(1);
        let capacity = capacity.min(max_rows);
        Self {
            kind,
            max_rows,
            capacity,
            ts_ns: Vec::with_capacity(capacity),
            columns: R::builder(capacity),
            pending: Vec::with_capacity(BLOCK),
            rows: 0,
            done: Vec::new(),
        }
    }

    /// Queues a datagram already classified as this table's kind.
    #[inline]
    fn push_bytes(&mut self, ts_ns: i64, datagram: &[u8]) -> Result<(), ArrowError> {
        self.ts_ns.push(ts_ns);
        match <&[u8; L]>::try_from(datagram) {
            Ok(full) => self.pending.push(*full),
            Err(_) => {
                let mut padded = [0u8; L];
                for (slot, byte) in padded.iter_mut().zip(datagram) {
                    *slot = *byte;
                }
                self.pending.push(padded);
            }
        }
        if self.pending.len() == BLOCK {
            self.decode_pending();
        }
        self.row_done()
    }

    /// Decodes the queued datagrams, column by column.
    fn decode_pending(&mut self) {
        if !self.pending.is_empty() {
            R::read_column(&self.pending, 0, 1, L, &mut self.columns);
            self.pending.clear();
        }
    }

    fn push_value(&mut self, ts_ns: i64, value: &R::Value) -> Result<(), ArrowError> {
        self.decode_pending();
        self.ts_ns.push(ts_ns);
        R::append(value, &mut self.columns);
        self.row_done()
    }

    #[inline]
    fn row_done(&mut self) -> Result<(), ArrowError> {
        self.rows += 1;
        if self.rows >= self.max_rows {
            self.flush()?;
            self.columns = R::builder(self.capacity);
            self.ts_ns = Vec::with_capacity(self.capacity);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ArrowError> {
        self.decode_pending();
        let rows = std::mem::take(&mut self.rows);
        let mut record = Columns::default();
        R::finish(self.kind.name(), &mut self.columns, &mut record)?;
        let mut columns = Columns::default();
        columns.fields.push(Arc::new(Field::new(
            crate::channels::TS_NS,
            DataType::Int64,
            false,
        )));
        let ts_ns = Int64Array::from(std::mem::take(&mut self.ts_ns));
        columns.arrays.push(Arc::new(ts_ns));
        // A record finishes as one struct column (the header finishes flat); spread its
        // children over the batch.
        for (field, array) in record.fields.into_iter().zip(record.arrays) {
            match array.as_any().downcast_ref::<StructArray>() {
                Some(fields) if matches!(field.data_type(), DataType::Struct(_)) => {
                    columns.fields.extend(fields.fields().iter().cloned());
                    columns.arrays.extend(fields.columns().iter().cloned());
                }
                _ => {
                    columns.fields.push(field);
                    columns.arrays.push(array);
                }
            }
        }
        if self.kind == PacketKind::Participants {
            zip_participants(&mut columns)?;
        }
        let metadata = HashMap::from([
            ("protocol".to_string(), PROTOCOL.to_string()),
            ("packet".to_string(), self.kind.name().to_string()),
        ]);
        let schema = Arc::new(Schema::new_with_metadata(columns.fields, metadata));
        let batch = RecordBatch::try_new_with_options(
            schema,
            columns.arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?;
        self.done.push(batch);
        Ok(())
    }

    fn finish(mut self, out: &mut Vec<(&'static str, RecordBatch)>) -> Result<(), ArrowError> {
        if self.rows > 0 {
            self.flush()?;
        }
        let name = self.kind.name();
        out.extend(self.done.into_iter().map(|b| (name, b)));
        Ok(())
    }
}

/// Merges the participants packet's three parallel list columns (`name`, `nationality`,
/// `index`, 16 items per row each) into one `participants: List<Struct>` column.
fn zip_participants(columns: &mut Columns) -> Result<(), ArrowError> {
    const PARTS: [&str; 3] = ["name", "nationality", "index"];
    let mut lists: Vec<ListArray> = Vec::with_capacity(3);
    let mut first = None;
    for part in PARTS {
        let pos = columns
            .fields
            .iter()
            .position(|f| f.name() == part)
            .ok_or_else(|| ArrowError::SchemaError(format!("participants: no {part} column")))?;
        first = Some(first.map_or(pos, |p: usize| p.min(pos)));
        columns.fields.remove(pos);
        let array = columns.arrays.remove(pos);
        let list = array
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(|| ArrowError::SchemaError(format!("participants: {part} not a list")))?
            .clone();
        lists.push(list);
    }
    let offsets = lists
        .first()
        .map(|l| l.offsets().clone())
        .ok_or_else(|| ArrowError::SchemaError("participants: no lists".into()))?;
    let children: Vec<FieldRef> = PARTS
        .iter()
        .zip(&lists)
        .map(|(name, l)| Arc::new(Field::new(*name, l.value_type(), false)))
        .collect();
    let values: Vec<ArrayRef> = lists.iter().map(|l| l.values().clone()).collect();
    let children = Fields::from(children);
    let items = StructArray::try_new(children.clone(), values, None)?;
    let item = Arc::new(Field::new("item", DataType::Struct(children), false));
    let list = ListArray::try_new(item.clone(), offsets, Arc::new(items), None)?;
    let at = first
        .unwrap_or(columns.fields.len())
        .min(columns.fields.len());
    columns.fields.insert(
        at,
        Arc::new(Field::new("participants", DataType::List(item), false)),
    );
    columns.arrays.insert(at, Arc::new(list));
    Ok(())
}

/// One optional table per packet type, created on the type's first datagram.
struct Tables {
    capacity: usize,
    max_rows: fn(PacketKind) -> usize,
    telemetry: Option<Table<Telemetry, { Telemetry::SIZE }>>,
    race: Option<Table<Race, { Race::SIZE }>>,
    participants: Option<Table<Participants, { Participants::SIZE }>>,
    timings: Option<Table<Timings, { Timings::SIZE }>>,
    game_state: Option<Table<GameState, { GameState::SIZE }>>,
    time_stats: Option<Table<TimeStats, { TimeStats::SIZE }>>,
    vehicle_names: Option<Table<VehicleNames, { VehicleNames::SIZE }>>,
    class_names: Option<Table<ClassNames, { ClassNames::SIZE }>>,
}

/// Rows pre-sized for types other than telemetry, which are rarer or grow as needed.
const SMALL_CAPACITY: usize = 1 << 12;

macro_rules! table {
    ($tables:ident . $field:ident, $kind:expr, $capacity:expr) => {
        $tables
            .$field
            .get_or_insert_with(|| Table::new($kind, $capacity, ($tables.max_rows)($kind)))
    };
}

impl Tables {
    fn new(capacity: usize, max_rows: fn(PacketKind) -> usize) -> Self {
        Self {
            capacity,
            max_rows,
            telemetry: None,
            race: None,
            participants: None,
            timings: None,
            game_state: None,
            time_stats: None,
            vehicle_names: None,
            class_names: None,
        }
    }

    #[inline]
    fn push_bytes(&mut self, kind: PacketKind, ts: i64, d: &[u8]) -> Result<(), ArrowError> {
        let (all, few) = (self.capacity, self.capacity.min(SMALL_CAPACITY));
        match kind {
            PacketKind::Telemetry => table!(self.telemetry, kind, all).push_bytes(ts, d),
            PacketKind::Race => table!(self.race, kind, few).push_bytes(ts, d),
            PacketKind::Participants => table!(self.participants, kind, few).push_bytes(ts, d),
            PacketKind::Timings => table!(self.timings, kind, few).push_bytes(ts, d),
            PacketKind::GameState => table!(self.game_state, kind, few).push_bytes(ts, d),
            PacketKind::TimeStats => table!(self.time_stats, kind, few).push_bytes(ts, d),
            PacketKind::VehicleNames => table!(self.vehicle_names, kind, few).push_bytes(ts, d),
            PacketKind::ClassNames => table!(self.class_names, kind, few).push_bytes(ts, d),
        }
    }

    fn push_packet(&mut self, ts: i64, packet: &Packet) -> Result<(), ArrowError> {
        let kind = packet.kind();
        let few = self.capacity.min(SMALL_CAPACITY);
        match packet {
            Packet::Telemetry(p) => table!(self.telemetry, kind, few).push_value(ts, p),
            Packet::Race(p) => table!(self.race, kind, few).push_value(ts, p),
            Packet::Participants(p) => table!(self.participants, kind, few).push_value(ts, p),
            Packet::Timings(p) => table!(self.timings, kind, few).push_value(ts, p),
            Packet::GameState(p) => table!(self.game_state, kind, few).push_value(ts, p),
            Packet::TimeStats(p) => table!(self.time_stats, kind, few).push_value(ts, p),
            Packet::VehicleNames(p) => table!(self.vehicle_names, kind, few).push_value(ts, p),
            Packet::ClassNames(p) => table!(self.class_names, kind, few).push_value(ts, p),
        }
    }

    fn finish(self) -> Result<Vec<(&'static str, RecordBatch)>, ArrowError> {
        let mut out = Vec::new();
        if let Some(t) = self.telemetry {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.race {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.participants {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.timings {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.game_state {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.time_stats {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.vehicle_names {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.class_names {
            t.finish(&mut out)?;
        }
        Ok(out)
    }
}

/// Decodes many `(ts_ns, datagram)` pairs into one Arrow batch per packet type, straight from
/// the bytes into column builders. Each row holds exactly the values [`super::decode`] gives for
/// that datagram (first-release 538-byte telemetry included, its Patch-5 fields zero). Rejected
/// datagrams are counted, the first few kept with their index, and skipped.
///
/// # Errors
/// An [`ArrowError`] only if a batch cannot be assembled, which the per-batch row limits rule
/// out; bad bytes are never an error here.
pub fn decode_batch<'a>(
    datagrams: impl IntoIterator<Item = (i64, &'a [u8])>,
) -> Result<Pcars2Batches, ArrowError> {
    decode_batch_limited(datagrams, max_rows)
}

fn decode_batch_limited<'a>(
    datagrams: impl IntoIterator<Item = (i64, &'a [u8])>,
    max_rows: fn(PacketKind) -> usize,
) -> Result<Pcars2Batches, ArrowError> {
    let datagrams = datagrams.into_iter();
    let mut tables = Tables::new(datagrams.size_hint().0, max_rows);
    let mut out = Pcars2Batches::default();
    for (index, (ts_ns, datagram)) in datagrams.enumerate() {
        match classify(datagram) {
            Ok(kind) => {
                tables.push_bytes(kind, ts_ns, datagram)?;
                out.decoded += 1;
            }
            Err(err) => {
                out.errors += 1;
                if out.first_errors.len() < MAX_FIRST_ERRORS {
                    out.first_errors.push((index, err));
                }
            }
        }
    }
    out.batches = tables.finish()?;
    Ok(out)
}

/// Builds the batches [`decode_batch`] would give for the encoded `packets`, from the typed
/// records (for callers that hold records, and to check the byte path against [`super::decode`]).
///
/// # Errors
/// As [`decode_batch`].
pub fn batch_from_packets<'a>(
    packets: impl IntoIterator<Item = (i64, &'a Packet)>,
) -> Result<Vec<(&'static str, RecordBatch)>, ArrowError> {
    let packets = packets.into_iter();
    let mut tables = Tables::new(packets.size_hint().0, max_rows);
    for (ts_ns, packet) in packets {
        tables.push_packet(ts_ns, packet)?;
    }
    tables.finish()
}

#[cfg(test)]
mod tests {
    use arrow_select::concat::concat_batches;

    use super::*;
    use crate::protocols::pcars2::{encode, Telemetry};

    #[test]
    fn a_full_batch_starts_another_of_the_same_name() {
        let datagrams: Vec<Vec<u8>> = (0..300u16)
            .map(|i| {
                encode(&Packet::Telemetry(Telemetry {
                    rpm: i,
                    ..Telemetry::default()
                }))
            })
            .collect();
        let pairs = || datagrams.iter().zip(0..).map(|(d, ts)| (ts, d.as_slice()));
        let whole = decode_batch(pairs()).unwrap();
        let parts = decode_batch_limited(pairs(), |_| 130).unwrap();
        let sizes: Vec<_> = parts
            .batches
            .iter()
            .map(|(n, b)| (*n, b.num_rows()))
            .collect();
        assert_eq!(
            sizes,
            [("telemetry", 130), ("telemetry", 130), ("telemetry", 40)]
        );
        let batches: Vec<_> = parts.batches.into_iter().map(|(_, b)| b).collect();
        let joined = concat_batches(&batches[0].schema(), &batches).unwrap();
        assert_eq!(joined, whole.batches[0].1);
    }
}
