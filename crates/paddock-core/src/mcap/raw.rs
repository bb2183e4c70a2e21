//! The raw datagram file: magic `PDKRAW01`, a length-prefixed JSON header, then one
//! `(i64 LE ts_ns, u32 LE length, payload)` record per datagram. Readers keep every whole record
//! and count a truncated last one instead of failing, so a file cut short by a crash still reads.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BinaryViewArray, Int64Array, LargeBinaryArray, RecordBatch,
    RecordBatchOptions,
};
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use serde::{Deserialize, Serialize};

use super::corrupt;
use crate::channels::TS_NS;
use crate::error::{CoreError, Result};

/// The first 8 bytes of every raw file.
pub const RAW_MAGIC: &[u8; 8] = b"PDKRAW01";
/// Bytes before each payload: `i64` LE `ts_ns` then `u32` LE payload length.
pub const RECORD_HEADER_BYTES: usize = 12;
/// Name of the payload column of raw batches.
pub const PAYLOAD: &str = "payload";

/// The JSON header of a raw file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawHeader {
    /// Wire protocol of the datagrams (`project_cars_2`).
    pub protocol: String,
    /// Name of the feed that received them.
    pub feed: String,
    /// When the recording started, ns since the Unix epoch.
    pub started_ns: i64,
}

/// What a [`RawWriter`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RawStats {
    /// Records (datagrams) written.
    pub records: u64,
    /// File size in bytes, header included.
    pub bytes: u64,
}

/// What a [`RawReader`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RawReadStats {
    /// Whole records read.
    pub records: u64,
    /// Bytes of a truncated last record that were dropped (0 for an intact file).
    pub truncated_tail_bytes: u64,
}

/// The schema of raw batches: `ts_ns` Int64 and `payload` Binary, both non-null.
#[must_use]
pub fn raw_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new(TS_NS, DataType::Int64, false),
        Field::new(PAYLOAD, DataType::Binary, false),
    ]))
}

/// The payload column of a raw batch, whichever binary layout it has.
pub(super) enum Payloads<'a> {
    Binary(&'a BinaryArray),
    Large(&'a LargeBinaryArray),
    View(&'a BinaryViewArray),
}

impl Payloads<'_> {
    /// The bytes of `row`, which must be in range.
    pub(super) fn value(&self, row: usize) -> &[u8] {
        match self {
            Self::Binary(a) => a.value(row),
            Self::Large(a) => a.value(row),
            Self::View(a) => a.value(row),
        }
    }
}

/// The `ts_ns` and `payload` columns of a raw batch.
///
/// # Errors
/// [`CoreError::InvalidArgument`] if either is missing, mistyped or holds nulls.
pub(super) fn raw_columns(batch: &RecordBatch) -> Result<(&Int64Array, Payloads<'_>)> {
    let ts = batch
        .column_by_name(TS_NS)
        .and_then(|c| c.as_primitive_opt::<Int64Type>())
        .ok_or_else(|| CoreError::InvalidArgument(format!("raw batch has no Int64 {TS_NS}")))?;
    let payload = batch
        .column_by_name(PAYLOAD)
        .ok_or_else(|| CoreError::InvalidArgument(format!("raw batch has no {PAYLOAD} column")))?;
    let payloads = if let Some(a) = payload.as_binary_opt::<i32>() {
        Payloads::Binary(a)
    } else if let Some(a) = payload.as_binary_opt::<i64>() {
        Payloads::Large(a)
    } else if let Some(a) = payload.as_binary_view_opt() {
        Payloads::View(a)
    } else {
        return Err(CoreError::InvalidArgument(format!(
            "raw column {PAYLOAD:?} has type {}; use Binary, LargeBinary or BinaryView",
            payload.data_type()
        )));
    };
    let nulls = ts.null_count() + payload.null_count();
    if nulls > 0 {
        return Err(CoreError::InvalidArgument(format!(
            "raw batch has {nulls} null {TS_NS} or {PAYLOAD} values"
        )));
    }
    Ok((ts, payloads))
}

/// Accumulates `(ts_ns, payload)` rows into a raw batch, refusing more than Binary can hold.
#[derive(Debug)]
pub(super) struct RawBatchBuilder {
    ts: Vec<i64>,
    offsets: Vec<i32>,
    values: Vec<u8>,
}

impl RawBatchBuilder {
    pub(super) fn new() -> Self {
        Self {
            ts: Vec::new(),
            offsets: vec![0],
            values: Vec::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.ts.len()
    }

    /// Appends the payload bytes already placed at the end of `values` as one row.
    fn commit(&mut self, ts_ns: i64) -> Result<()> {
        let end = i32::try_from(self.values.len()).map_err(|_| {
            CoreError::InvalidArgument(format!(
                "raw payloads exceed {} bytes, the most one batch holds",
                i32::MAX
            ))
        })?;
        self.ts.push(ts_ns);
        self.offsets.push(end);
        Ok(())
    }

    /// Appends one row.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] once the payloads pass 2 GiB (nothing is appended then).
    pub(super) fn push(&mut self, ts_ns: i64, payload: &[u8]) -> Result<()> {
        let before = self.values.len();
        self.values.extend_from_slice(payload);
        self.commit(ts_ns)
            .inspect_err(|_| self.values.truncate(before))
    }

    pub(super) fn finish(self) -> Result<RecordBatch> {
        let rows = self.ts.len();
        let payloads = BinaryArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(self.offsets)),
            Buffer::from_vec(self.values),
            None,
        )?;
        let columns: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(self.ts)), Arc::new(payloads)];
        Ok(RecordBatch::try_new_with_options(
            raw_schema(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?)
    }
}

/// Writes a raw datagram file.
pub struct RawWriter {
    out: BufWriter<File>,
    records: u64,
}

impl RawWriter {
    /// Creates (or truncates) `path` and writes the magic and `header`.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] if the header's JSON passes 65,535 bytes;
    /// [`CoreError::Io`] if the file cannot be written.
    pub fn create(path: impl AsRef<Path>, header: &RawHeader) -> Result<Self> {
        let json = serde_json::to_vec(header)?;
        let len = u16::try_from(json.len()).map_err(|_| {
            CoreError::InvalidArgument(format!(
                "raw header is {} bytes of JSON; at most 65535 fit",
                json.len()
            ))
        })?;
        let mut out = BufWriter::with_capacity(64 << 10, File::create(path)?);
        out.write_all(RAW_MAGIC)?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(&json)?;
        Ok(Self { out, records: 0 })
    }

    /// Appends every row of a raw batch (`ts_ns` Int64, `payload` Binary, LargeBinary or
    /// BinaryView) as one record; returns the records written.
    ///
    /// # Errors
    /// [`CoreError::InvalidArgument`] for missing, mistyped or null columns or a payload over
    /// 4 GiB (nothing is written then); [`CoreError::Io`] if writing fails.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<usize> {
        let (ts, payloads) = raw_columns(batch)?;
        let mut lengths = Vec::with_capacity(ts.len());
        for row in 0..ts.len() {
            let len = payloads.value(row).len();
            lengths.push(u32::try_from(len).map_err(|_| {
                CoreError::InvalidArgument(format!("raw payload of row {row} is {len} bytes"))
            })?);
        }
        for (row, (ts_ns, len)) in ts.values().iter().zip(lengths).enumerate() {
            self.out.write_all(&ts_ns.to_le_bytes())?;
            self.out.write_all(&len.to_le_bytes())?;
            self.out.write_all(payloads.value(row))?;
        }
        self.records += ts.len() as u64;
        Ok(ts.len())
    }

    /// Hands every record written so far to the OS.
    ///
    /// # Errors
    /// [`CoreError::Io`] if writing fails.
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }

    /// Flushes, syncs the file to disk and returns what was written.
    ///
    /// # Errors
    /// [`CoreError::Io`] if writing or syncing fails.
    pub fn finish(self) -> Result<RawStats> {
        let file = self
            .out
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok(RawStats {
            records: self.records,
            bytes: file.metadata()?.len(),
        })
    }
}

/// Reads as many bytes as `input` has, up to `buf.len()`; returns how many.
fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match input.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Streams a raw datagram file in batches.
pub struct RawReader {
    input: BufReader<File>,
    header: RawHeader,
    stats: RawReadStats,
    /// A record header read but left for the next batch, which it would have overflowed.
    pending: Option<(i64, u32)>,
    done: bool,
}

impl RawReader {
    /// Opens `path` and reads its header.
    ///
    /// # Errors
    /// [`CoreError::Io`]: the file cannot be read, or (`InvalidData`) it does not start with
    /// `PDKRAW01`, ends inside the header, or the header is not the expected JSON.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let mut input = BufReader::with_capacity(256 << 10, File::open(path)?);
        let mut start = [0_u8; 10];
        let got = read_up_to(&mut input, &mut start)?;
        let (magic, len) = start.split_at(RAW_MAGIC.len());
        if got < RAW_MAGIC.len() || magic != RAW_MAGIC {
            return Err(corrupt(format!(
                "not a paddock raw file: starts with {:?}, expected {:?}",
                String::from_utf8_lossy(start.get(..got.min(8)).unwrap_or_default()),
                "PDKRAW01"
            )));
        }
        let len = <[u8; 2]>::try_from(len)
            .map(u16::from_le_bytes)
            .unwrap_or(0);
        let mut json = vec![0_u8; usize::from(len)];
        let json_got = read_up_to(&mut input, &mut json)?;
        if got < start.len() || json_got < json.len() {
            return Err(corrupt(format!(
                "raw file ends inside its header: {} bytes, need {}",
                got + json_got,
                start.len() + json.len()
            )));
        }
        let header = serde_json::from_slice(&json)
            .map_err(|e| corrupt(format!("raw file header is not the expected JSON: {e}")))?;
        Ok(Self {
            input,
            header,
            stats: RawReadStats::default(),
            pending: None,
            done: false,
        })
    }

    /// The file's header.
    #[must_use]
    pub fn header(&self) -> &RawHeader {
        &self.header
    }

    /// Records read and truncated bytes dropped so far.
    #[must_use]
    pub fn stats(&self) -> RawReadStats {
        self.stats
    }

    /// The next batch of up to `max_rows` records (at least 1), or `None` at the end of the file.
    /// A truncated last record ends the file; its bytes are counted in
    /// [`RawReadStats::truncated_tail_bytes`].
    ///
    /// A batch is also cut short before its payloads would pass 2 GiB (the most an Arrow Binary
    /// column holds); the next call continues from there.
    ///
    /// # Errors
    /// [`CoreError::Io`] if reading fails; [`CoreError::InvalidArgument`] for a single payload over
    /// 2 GiB.
    pub fn next_batch(&mut self, max_rows: usize) -> Result<Option<RecordBatch>> {
        let mut rows = RawBatchBuilder::new();
        while !self.done && rows.len() < max_rows.max(1) {
            let (ts_ns, len) = match self.pending.take() {
                Some(head) => head,
                None => {
                    let mut head = [0_u8; RECORD_HEADER_BYTES];
                    let got = read_up_to(&mut self.input, &mut head)?;
                    if got < head.len() {
                        self.stats.truncated_tail_bytes = got as u64;
                        self.done = true;
                        break;
                    }
                    let (ts, len) = head.split_at(8);
                    (
                        <[u8; 8]>::try_from(ts).map(i64::from_le_bytes).unwrap_or(0),
                        <[u8; 4]>::try_from(len)
                            .map(u32::from_le_bytes)
                            .unwrap_or(0),
                    )
                }
            };
            let before = rows.values.len();
            if before.saturating_add(len as usize) > i32::MAX as usize {
                if rows.len() > 0 {
                    // The batch is full; this record starts the next one.
                    self.pending = Some((ts_ns, len));
                    break;
                }
                return Err(CoreError::InvalidArgument(format!(
                    "raw record {} has a {len}-byte payload; a batch holds at most {} bytes",
                    self.stats.records,
                    i32::MAX
                )));
            }
            // Read through `take` so a damaged length cannot allocate more than the file holds.
            let got = (&mut self.input)
                .take(u64::from(len))
                .read_to_end(&mut rows.values)?;
            if got < len as usize {
                rows.values.truncate(before);
                self.stats.truncated_tail_bytes = (RECORD_HEADER_BYTES + got) as u64;
                self.done = true;
                break;
            }
            rows.commit(ts_ns)?;
            self.stats.records += 1;
        }
        if rows.len() == 0 {
            return Ok(None);
        }
        rows.finish().map(Some)
    }
}

/// Reads a whole raw file: its header, every whole record as one batch (empty if none), and
/// the read statistics (a truncated last record is dropped and counted, not an error).
///
/// # Errors
/// As [`RawReader::open`] and [`RawReader::next_batch`].
pub fn read_raw_file(path: impl AsRef<Path>) -> Result<(RawHeader, RecordBatch, RawReadStats)> {
    let mut reader = RawReader::open(path)?;
    let batch = match reader.next_batch(usize::MAX)? {
        Some(batch) => batch,
        None => RawBatchBuilder::new().finish()?,
    };
    Ok((reader.header, batch, reader.stats))
}
