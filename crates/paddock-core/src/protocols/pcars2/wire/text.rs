//! Fixed-width string fields (`char[W]`): NUL search, UTF-8 text, and the Utf8 column builder
//! that validates a whole column at once.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::StringArray;
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field};
use serde::{Deserialize, Deserializer, Serializer};

use super::{bytes_at, Codec, Columns, Reader, Writer};
#[cfg(feature = "proptest")]
use crate::proptest::Gen;

/// Index of the first NUL in `raw` (its length if none), eight bytes at a time.
#[inline]
fn nul_index(raw: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let (words, tail) = raw.as_chunks::<8>();
    for (i, word) in words.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        // The lowest flagged byte is the first zero byte (borrows only flag bytes above it).
        let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
        if zeros != 0 {
            return i * 8 + (zeros.trailing_zeros() / 8) as usize;
        }
    }
    words.len() * 8 + tail.iter().position(|&b| b == 0).unwrap_or(tail.len())
}

/// The bytes of a fixed-width string field before its first NUL (stale bytes after the NUL
/// are ignored).
#[inline]
fn until_nul(raw: &[u8]) -> &[u8] {
    raw.get(..nul_index(raw)).unwrap_or(raw)
}

/// The text of a fixed-width string field: UTF-8 up to the first NUL, invalid sequences
/// replaced by U+FFFD.
fn text(raw: &[u8]) -> String {
    String::from_utf8_lossy(until_nul(raw)).into_owned()
}

/// A Utf8 column built from raw field bytes. UTF-8 is validated once, over the whole column,
/// when it is finished; only if that fails are the fields converted one by one (invalid
/// sequences replaced by U+FFFD, as [`super::decode`] does).
pub struct StrColumn {
    offsets: Vec<i32>,
    bytes: Vec<u8>,
    overflow: bool,
}

impl StrColumn {
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows.saturating_add(1));
        offsets.push(0);
        Self {
            offsets,
            bytes: Vec::with_capacity(bytes),
            overflow: false,
        }
    }

    #[inline]
    fn push(&mut self, raw: &[u8]) {
        self.bytes.extend_from_slice(raw);
        let end = i32::try_from(self.bytes.len()).unwrap_or_else(|_| {
            self.overflow = true;
            i32::MAX
        });
        self.offsets.push(end);
    }

    fn finish(&mut self) -> Result<StringArray, ArrowError> {
        let offsets = std::mem::replace(&mut self.offsets, vec![0]);
        let bytes = std::mem::take(&mut self.bytes);
        if std::mem::take(&mut self.overflow) {
            return Err(ArrowError::ComputeError(format!(
                "string column of {} bytes overflows i32 offsets",
                bytes.len()
            )));
        }
        let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
        let values = Buffer::from_vec(bytes);
        if let Ok(array) = StringArray::try_new(offsets.clone(), values.clone(), None) {
            return Ok(array);
        }
        let mut lossy = StringBuilder::with_capacity(offsets.len(), values.len());
        for window in offsets.windows(2) {
            let (Some(&start), Some(&end)) = (window.first(), window.get(1)) else {
                continue;
            };
            let range = usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
            lossy.append_value(String::from_utf8_lossy(
                values.get(range).unwrap_or_default(),
            ));
        }
        Ok(lossy.finish())
    }
}

/// A fixed-width `char[W]` string: UTF-8, NUL-terminated, NUL-padded.
pub struct Str<const W: usize>;

impl<const W: usize> Codec for Str<W> {
    type Value = String;
    type Builder = StrColumn;
    const SIZE: usize = W;
    fn default_value() -> String {
        String::new()
    }
    fn read(r: &mut Reader<'_>) -> String {
        text(r.bytes(W))
    }
    /// Writes at most `W - 1` bytes, cut at a character boundary, then NULs up to `W`.
    fn write(v: &String, w: &mut Writer) {
        let mut end = v.len().min(W.saturating_sub(1));
        while !v.is_char_boundary(end) {
            end -= 1;
        }
        let kept = v.as_bytes().get(..end).unwrap_or_default();
        w.put(kept);
        w.zeros(W - kept.len());
    }
    fn builder(rows: usize) -> StrColumn {
        StrColumn::with_capacity(rows, rows.saturating_mul(W.min(16)))
    }
    #[inline(always)]
    fn read_column<const L: usize>(
        rows: &[[u8; L]],
        offset: usize,
        count: usize,
        stride: usize,
        b: &mut StrColumn,
    ) {
        for row in rows {
            for k in 0..count {
                b.push(until_nul(bytes_at(row, offset + k * stride, W)));
            }
        }
    }
    fn append(v: &String, b: &mut StrColumn) {
        b.push(v.as_bytes());
    }
    fn finish(name: &str, b: &mut StrColumn, out: &mut Columns) -> Result<(), ArrowError> {
        out.push(
            Field::new(name, DataType::Utf8, false),
            Arc::new(b.finish()?),
        );
        Ok(())
    }
    fn serialize<S: Serializer>(v: &String, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        String::deserialize(d)
    }
    #[cfg(feature = "proptest")]
    fn generate(g: &mut Gen) -> String {
        g.text(W.saturating_sub(1))
    }
}
