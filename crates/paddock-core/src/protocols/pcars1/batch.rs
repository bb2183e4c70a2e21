//! Batch decoding: many datagrams straight from their bytes into Arrow column builders, one
//! `RecordBatch` per packet type. Columns: `ts_ns`, the header fields, then every field in wire
//! order; fixed arrays flattened to one column per element (`_fl/_fr/_rl/_rr`, `_x/_y/_z`,
//! `_0…`); the telemetry's 56 participants as one `List<Struct>` column, the 16 names (and
//! fastest laps) of the strings packets as `List` columns.
//!
//! As in the Project CARS 2 codec, datagrams are copied per type into a block of fixed-size rows
//! and each column is filled for the whole block in one loop over a fixed stride.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{Array, Int64Array, RecordBatch, RecordBatchOptions, StructArray};
use arrow_schema::{ArrowError, DataType, Field, Schema};

use super::packets::{ParticipantStrings, ParticipantStringsAdditional, Telemetry};
use super::{classify, Packet, PacketKind, PROTOCOL};
use crate::error::DecodeError;
use crate::protocols::pcars2::wire::{Codec, Columns};

/// Datagrams of one type decoded together, column by column.
const BLOCK: usize = 64;

/// Rows per batch: a type with more rows gets further batches of the same name (names packets
/// hold 1 KiB of text per row, so 2²⁰ rows stay within 32-bit string offsets).
const MAX_ROWS: usize = 1 << 20;

/// How many decode errors [`Pcars1Batches::first_errors`] keeps.
pub const MAX_FIRST_ERRORS: usize = 8;

/// The result of [`decode_batch`].
#[derive(Debug, Default)]
pub struct Pcars1Batches {
    /// One batch per packet type seen, in type order, named as the JSON tag (`telemetry`, …);
    /// more than 2²⁰ rows of one type give further batches of the same name.
    pub batches: Vec<(&'static str, RecordBatch)>,
    /// Datagrams decoded.
    pub decoded: u64,
    /// Datagrams rejected.
    pub errors: u64,
    /// The first [`MAX_FIRST_ERRORS`] rejections: index of the datagram in the input, and why.
    pub first_errors: Vec<(usize, DecodeError)>,
}

/// The builders of one packet type's batch; `L` is the type's wire size.
struct Table<R: Codec, const L: usize> {
    kind: PacketKind,
    capacity: usize,
    ts_ns: Vec<i64>,
    columns: R::Builder,
    pending: Vec<[u8; L]>,
    rows: usize,
    done: Vec<RecordBatch>,
}

impl<R: Codec, const L: usize> Table<R, L> {
    fn new(kind: PacketKind, capacity: usize) -> Self {
        const { assert!(L == R::SIZE) };
        let capacity = capacity.min(MAX_ROWS);
        Self {
            kind,
            capacity,
            ts_ns: Vec::with_capacity(capacity),
            columns: R::builder(capacity),
            pending: Vec::with_capacity(BLOCK),
            rows: 0,
            done: Vec::new(),
        }
    }

    /// Queues a datagram already classified as this table's kind (so exactly `L` bytes).
    fn push_bytes(&mut self, ts_ns: i64, datagram: &[u8]) -> Result<(), ArrowError> {
        let row = <&[u8; L]>::try_from(datagram)
            .map_err(|_| ArrowError::InvalidArgumentError(format!("datagram not {L} bytes")))?;
        self.ts_ns.push(ts_ns);
        self.pending.push(*row);
        if self.pending.len() == BLOCK {
            self.decode_pending();
        }
        self.row_done()
    }

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

    fn row_done(&mut self) -> Result<(), ArrowError> {
        self.rows += 1;
        if self.rows >= MAX_ROWS {
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
        columns
            .arrays
            .push(Arc::new(Int64Array::from(std::mem::take(&mut self.ts_ns))));
        // The record finishes as one struct column (the header flat); spread its children.
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

/// One optional table per packet type, created on the type's first datagram.
struct Tables {
    capacity: usize,
    telemetry: Option<Table<Telemetry, { Telemetry::SIZE }>>,
    strings: Option<Table<ParticipantStrings, { ParticipantStrings::SIZE }>>,
    additional: Option<Table<ParticipantStringsAdditional, { ParticipantStringsAdditional::SIZE }>>,
}

/// Rows pre-sized for the strings packets, which are rare.
const SMALL_CAPACITY: usize = 64;

impl Tables {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            telemetry: None,
            strings: None,
            additional: None,
        }
    }

    fn push_bytes(&mut self, kind: PacketKind, ts: i64, d: &[u8]) -> Result<(), ArrowError> {
        let (all, few) = (self.capacity, self.capacity.min(SMALL_CAPACITY));
        match kind {
            PacketKind::Telemetry => self
                .telemetry
                .get_or_insert_with(|| Table::new(kind, all))
                .push_bytes(ts, d),
            PacketKind::ParticipantStrings => self
                .strings
                .get_or_insert_with(|| Table::new(kind, few))
                .push_bytes(ts, d),
            PacketKind::ParticipantStringsAdditional => self
                .additional
                .get_or_insert_with(|| Table::new(kind, few))
                .push_bytes(ts, d),
        }
    }

    fn push_packet(&mut self, ts: i64, packet: &Packet) -> Result<(), ArrowError> {
        let kind = packet.kind();
        let few = self.capacity.min(SMALL_CAPACITY);
        match packet {
            Packet::Telemetry(p) => self
                .telemetry
                .get_or_insert_with(|| Table::new(kind, few))
                .push_value(ts, p),
            Packet::ParticipantStrings(p) => self
                .strings
                .get_or_insert_with(|| Table::new(kind, few))
                .push_value(ts, p),
            Packet::ParticipantStringsAdditional(p) => self
                .additional
                .get_or_insert_with(|| Table::new(kind, few))
                .push_value(ts, p),
        }
    }

    fn finish(self) -> Result<Vec<(&'static str, RecordBatch)>, ArrowError> {
        let mut out = Vec::new();
        if let Some(t) = self.telemetry {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.strings {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.additional {
            t.finish(&mut out)?;
        }
        Ok(out)
    }
}

/// Decodes many `(ts_ns, datagram)` pairs into one Arrow batch per packet type, straight from the
/// bytes into column builders. Each row holds exactly the values [`super::decode`] gives for that
/// datagram. Rejected datagrams are counted, the first few kept with their index, and skipped.
///
/// # Errors
/// An [`ArrowError`] only if a batch cannot be assembled, which the per-batch row limit rules
/// out; bad bytes are never an error here.
pub fn decode_batch<'a>(
    datagrams: impl IntoIterator<Item = (i64, &'a [u8])>,
) -> Result<Pcars1Batches, ArrowError> {
    let datagrams = datagrams.into_iter();
    let mut tables = Tables::new(datagrams.size_hint().0);
    let mut out = Pcars1Batches::default();
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
/// records.
///
/// # Errors
/// As [`decode_batch`].
pub fn batch_from_packets<'a>(
    packets: impl IntoIterator<Item = (i64, &'a Packet)>,
) -> Result<Vec<(&'static str, RecordBatch)>, ArrowError> {
    let packets = packets.into_iter();
    let mut tables = Tables::new(packets.size_hint().0);
    for (ts_ns, packet) in packets {
        tables.push_packet(ts_ns, packet)?;
    }
    tables.finish()
}
