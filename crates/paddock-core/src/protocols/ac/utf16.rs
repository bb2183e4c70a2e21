//! The `Utf16<N>` wire field: AC's `char[50]` strings, which travel as `N` UTF-16LE code units
//! (2·N bytes), end with `%` (U+0025) and may carry NULs or stale garbage after it (spec §1.3).

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_schema::{ArrowError, DataType, Field};
use serde::{Deserialize, Deserializer, Serializer};

#[cfg(feature = "proptest")]
use crate::proptest::Gen;
use crate::protocols::pcars2::wire::{Codec, Columns, Reader, Writer};

/// The text of a raw field: UTF-16LE units up to the first `%` or NUL, unpaired surrogates
/// replaced by U+FFFD.
fn text(raw: &[u8]) -> String {
    let units = raw
        .chunks_exact(2)
        .map(|pair| {
            u16::from_le_bytes([
                pair.first().copied().unwrap_or(0),
                pair.get(1).copied().unwrap_or(0),
            ])
        })
        .take_while(|&u| u != 0 && u != u16::from(b'%'));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// A `char[N]` string of AC: `N` UTF-16LE code units, `%`-terminated.
pub struct Utf16<const N: usize>;

impl<const N: usize> Codec for Utf16<N> {
    type Value = String;
    type Builder = StringBuilder;
    const SIZE: usize = 2 * N;
    fn default_value() -> String {
        String::new()
    }
    fn read(r: &mut Reader<'_>) -> String {
        text(r.bytes(2 * N))
    }
    /// Writes at most `N - 1` code units (cut before a character that would not fit whole), then
    /// the `%` terminator, then NULs up to `N` units. A `%` or NUL inside the text ends it there.
    fn write(v: &String, w: &mut Writer) {
        let mut units = 0usize;
        for c in v.chars().take_while(|&c| c != '%' && c != '\0') {
            let mut buf = [0u16; 2];
            let encoded = c.encode_utf16(&mut buf);
            if units + encoded.len() > N.saturating_sub(1) {
                break;
            }
            for u in encoded.iter() {
                w.put(&u.to_le_bytes());
            }
            units += encoded.len();
        }
        if units < N {
            w.put(&u16::from(b'%').to_le_bytes());
            units += 1;
        }
        w.zeros(2 * (N - units));
    }
    fn builder(rows: usize) -> StringBuilder {
        StringBuilder::with_capacity(rows, rows.saturating_mul(16))
    }
    #[inline(always)]
    fn read_column<const L: usize>(
        rows: &[[u8; L]],
        offset: usize,
        count: usize,
        stride: usize,
        b: &mut StringBuilder,
    ) {
        for row in rows {
            for k in 0..count {
                let start = offset + k * stride;
                let raw = row.get(start..start + 2 * N).unwrap_or_default();
                b.append_value(text(raw));
            }
        }
    }
    fn append(v: &String, b: &mut StringBuilder) {
        b.append_value(v);
    }
    fn finish(name: &str, b: &mut StringBuilder, out: &mut Columns) -> Result<(), ArrowError> {
        out.fields
            .push(Arc::new(Field::new(name, DataType::Utf8, false)));
        out.arrays.push(Arc::new(b.finish()));
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
        // UTF-8 bytes bound UTF-16 units from above, and the pool holds neither `%` nor NUL.
        g.text(N.saturating_sub(1))
    }
}
