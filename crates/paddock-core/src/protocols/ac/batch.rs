//! Batch decoding of AC datagrams: straight from the bytes into Arrow column builders, one
//! `RecordBatch` per packet type. Columns: `ts_ns`, then every field in wire order, per-wheel
//! arrays flattened (`_fl/_fr/_rl/_rr`), `car_coordinates` as `_x/_y/_z`. Datagrams of one type
//! are copied into a block of fixed-size rows and each column is filled for the whole block in
//! one loop, as the Project CARS 2 batch decoder does.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{Array, Int64Array, RecordBatch, RecordBatchOptions, StructArray};
use arrow_schema::{ArrowError, DataType, Field, Schema};

use super::packets::{CarInfo, HandshakeResponse, Handshaker, Lap};
use super::{classify, Packet, PacketKind, PROTOCOL};
use crate::error::DecodeError;
use crate::protocols::pcars2::wire::{Codec, Columns};

/// Rows decoded together, column by column.
const BLOCK: usize = 128;
/// Rows of one batch before another of the same name is started.
const MAX_ROWS: usize = 1 << 22;

/// How many decode errors [`AcBatches::first_errors`] keeps.
pub const MAX_FIRST_ERRORS: usize = 8;

/// The result of [`decode_batch`].
#[derive(Debug, Default)]
pub struct AcBatches {
    /// One batch per packet type seen (`handshaker`, `handshake_response`, `car_info`, `lap`, in
    /// that order); a type with more than 2²² rows gets further batches of the same name.
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
            ts_ns: Vec::with_capacity(capacity),
            columns: R::builder(capacity),
            pending: Vec::with_capacity(BLOCK),
            rows: 0,
            done: Vec::new(),
        }
    }

    #[inline]
    fn push_bytes(&mut self, ts_ns: i64, datagram: &[u8]) -> Result<(), ArrowError> {
        let row = <[u8; L]>::try_from(datagram).map_err(|_| {
            ArrowError::InvalidArgumentError(format!(
                "ac {}: expected {L} bytes, got {}",
                self.kind.name(),
                datagram.len()
            ))
        })?;
        self.ts_ns.push(ts_ns);
        self.pending.push(row);
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
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ArrowError> {
        self.decode_pending();
        let rows = std::mem::take(&mut self.rows);
        let mut record = Columns::default();
        R::finish(self.kind.name(), &mut self.columns, &mut record)?;
        let mut fields = vec![Arc::new(Field::new(
            crate::channels::TS_NS,
            DataType::Int64,
            false,
        ))];
        let mut arrays: Vec<arrow_array::ArrayRef> =
            vec![Arc::new(Int64Array::from(std::mem::take(&mut self.ts_ns)))];
        for (field, array) in record.fields.into_iter().zip(record.arrays) {
            match array.as_any().downcast_ref::<StructArray>() {
                Some(inner) => {
                    fields.extend(inner.fields().iter().cloned());
                    arrays.extend(inner.columns().iter().cloned());
                }
                None => {
                    fields.push(field);
                    arrays.push(array);
                }
            }
        }
        let metadata = HashMap::from([
            ("protocol".to_string(), PROTOCOL.to_string()),
            ("packet".to_string(), self.kind.name().to_string()),
        ]);
        let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
        self.done.push(RecordBatch::try_new_with_options(
            schema,
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?);
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

/// One optional table per packet type.
struct Tables {
    capacity: usize,
    handshaker: Option<Table<Handshaker, { Handshaker::SIZE }>>,
    response: Option<Table<HandshakeResponse, { HandshakeResponse::SIZE }>>,
    car_info: Option<Table<CarInfo, { CarInfo::SIZE }>>,
    lap: Option<Table<Lap, { Lap::SIZE }>>,
}

macro_rules! table {
    ($tables:ident . $field:ident, $kind:expr, $capacity:expr) => {
        $tables
            .$field
            .get_or_insert_with(|| Table::new($kind, $capacity))
    };
}

impl Tables {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            handshaker: None,
            response: None,
            car_info: None,
            lap: None,
        }
    }

    fn push_bytes(&mut self, kind: PacketKind, ts: i64, d: &[u8]) -> Result<(), ArrowError> {
        let (all, few) = (self.capacity, self.capacity.min(64));
        match kind {
            PacketKind::Handshaker => table!(self.handshaker, kind, few).push_bytes(ts, d),
            PacketKind::HandshakeResponse => table!(self.response, kind, few).push_bytes(ts, d),
            PacketKind::CarInfo => table!(self.car_info, kind, all).push_bytes(ts, d),
            PacketKind::Lap => table!(self.lap, kind, few).push_bytes(ts, d),
        }
    }

    fn push_packet(&mut self, ts: i64, packet: &Packet) -> Result<(), ArrowError> {
        let kind = packet.kind();
        let all = self.capacity;
        match packet {
            Packet::Handshaker(p) => table!(self.handshaker, kind, all).push_value(ts, p),
            Packet::HandshakeResponse(p) => table!(self.response, kind, all).push_value(ts, p),
            Packet::CarInfo(p) => table!(self.car_info, kind, all).push_value(ts, p),
            Packet::Lap(p) => table!(self.lap, kind, all).push_value(ts, p),
        }
    }

    fn finish(self) -> Result<Vec<(&'static str, RecordBatch)>, ArrowError> {
        let mut out = Vec::new();
        if let Some(t) = self.handshaker {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.response {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.car_info {
            t.finish(&mut out)?;
        }
        if let Some(t) = self.lap {
            t.finish(&mut out)?;
        }
        Ok(out)
    }
}

/// Decodes many `(ts_ns, datagram)` pairs into one Arrow batch per packet type. Each row holds
/// exactly the values [`super::decode`] gives for that datagram. Rejected datagrams are counted,
/// the first few kept with their index, and skipped.
///
/// # Errors
/// An [`ArrowError`] only if a batch cannot be assembled; bad bytes are never an error here.
pub fn decode_batch<'a>(
    datagrams: impl IntoIterator<Item = (i64, &'a [u8])>,
) -> Result<AcBatches, ArrowError> {
    let datagrams = datagrams.into_iter();
    let mut tables = Tables::new(datagrams.size_hint().0);
    let mut out = AcBatches::default();
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
    let mut tables = Tables::new(packets.size_hint().0.min(1 << 12));
    for (ts_ns, packet) in packets {
        tables.push_packet(ts_ns, packet)?;
    }
    tables.finish()
}
