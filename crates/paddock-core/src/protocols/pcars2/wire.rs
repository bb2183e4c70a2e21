//! The byte-level machinery of the Project CARS 2 codec: a bounds-checked cursor over a datagram,
//! a writer, and the [`Codec`] trait that ties one wire field to its Rust value, its JSON form and
//! its Arrow column(s). Every record in `packets.rs` is a list of fields, each with a codec.
//!
//! Batch decoding is column-wise: for a block of datagrams of one type, each field's column is
//! filled in one tight loop reading that field's fixed offset in every datagram of the block
//! ([`Codec::read_column`]), which keeps the block in cache and the loops free of dispatch.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::{
    ArrowPrimitiveType, Float32Type, Int16Type, Int8Type, UInt16Type, UInt32Type, UInt8Type,
};
use arrow_array::{ArrayRef, ListArray, PrimitiveArray, StringArray};
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field, FieldRef};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

#[cfg(feature = "proptest")]
use crate::proptest::Gen;

/// A cursor over one datagram. Reads are bounds-checked and never panic: a read past the end
/// yields zeros and marks the reader as overrun. Decoding validates the datagram length first, so
/// the only legitimate overrun is the first-release 538-byte telemetry packet, whose missing
/// Patch-5 tail thereby reads as zeros (the fields' defaults).
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    overrun: bool,
}

impl<'a> Reader<'a> {
    /// A reader at offset 0 of `buf`.
    #[must_use]
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            overrun: false,
        }
    }

    /// True once a read went past the end of the buffer.
    #[must_use]
    pub fn overrun(&self) -> bool {
        self.overrun
    }

    /// The next `n` bytes, or an empty slice (and the overrun mark) if fewer remain.
    #[inline]
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos;
        self.pos = self.pos.saturating_add(n);
        if let Some(slice) = self.buf.get(start..self.pos) {
            slice
        } else {
            self.overrun = true;
            &[]
        }
    }

    /// The next `N` bytes as an array, or zeros (and the overrun mark) if fewer remain.
    #[inline]
    pub fn take<const N: usize>(&mut self) -> [u8; N] {
        let start = self.pos;
        self.pos = self.pos.saturating_add(N);
        if let Some(Ok(array)) = self.buf.get(start..self.pos).map(<[u8; N]>::try_from) {
            array
        } else {
            self.overrun = true;
            [0; N]
        }
    }

    /// Skips `n` padding bytes.
    #[inline]
    pub fn skip(&mut self, n: usize) {
        let _ = self.bytes(n);
    }
}

/// The `N` bytes at `offset` of `row`, or zeros if the row is shorter (the first-release
/// telemetry's missing tail).
#[inline(always)]
fn read_at<const N: usize, const L: usize>(row: &[u8; L], offset: usize) -> [u8; N] {
    row.get(offset..)
        .and_then(<[u8]>::first_chunk::<N>)
        .copied()
        .unwrap_or([0; N])
}

/// The `n` bytes at `offset` of `row`, or an empty slice if the row is shorter.
#[inline(always)]
fn bytes_at<const L: usize>(row: &[u8; L], offset: usize, n: usize) -> &[u8] {
    row.get(offset..)
        .and_then(|tail| tail.get(..n))
        .unwrap_or_default()
}

/// Appends little-endian fields to a datagram under construction.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer with room for `capacity` bytes.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// Appends raw bytes.
    pub fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Appends `n` zero bytes (padding).
    pub fn zeros(&mut self, n: usize) {
        self.buf.resize(self.buf.len() + n, 0);
    }

    /// The finished datagram.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Finished Arrow columns, in schema order.
#[derive(Debug, Default)]
pub struct Columns {
    /// One field per column.
    pub fields: Vec<FieldRef>,
    /// One array per column, all of the same length.
    pub arrays: Vec<ArrayRef>,
}

impl Columns {
    fn push(&mut self, field: Field, array: ArrayRef) {
        self.fields.push(Arc::new(field));
        self.arrays.push(array);
    }
}

/// One wire field: how it is read, written, (de)serialised and laid out in Arrow.
///
/// `Value` is the Rust type of the field in the typed records; `Builder` accumulates the field's
/// column(s) when decoding many datagrams straight from their bytes.
pub trait Codec {
    /// The Rust value of the field.
    type Value: Clone + PartialEq + fmt::Debug;
    /// The Arrow builder(s) of the field's column(s).
    type Builder;
    /// Bytes on the wire.
    const SIZE: usize;
    /// True for a record whose fields sit at its parent's level (the packet header).
    const FLATTEN: bool = false;

    /// The value a missing JSON field takes.
    fn default_value() -> Self::Value;
    /// Reads the field at the reader's position.
    fn read(r: &mut Reader<'_>) -> Self::Value;
    /// Writes the field, exactly [`Codec::SIZE`] bytes.
    fn write(v: &Self::Value, w: &mut Writer);
    /// Builders pre-sized for `rows` rows.
    fn builder(rows: usize) -> Self::Builder;
    /// Appends the field of every row to its column(s) straight from the bytes, without building
    /// a `Value`: `count` items per row, the `k`-th at `offset + k * stride`, rows in order.
    /// Rows are fixed-size arrays so that, once inlined with constant offsets, the reads need no
    /// run-time bounds checks; bytes past the end of a row would read as zeros.
    fn read_column<const L: usize>(
        rows: &[[u8; L]],
        offset: usize,
        count: usize,
        stride: usize,
        b: &mut Self::Builder,
    );
    /// Appends a decoded value to the column(s); must agree with [`Codec::read_column`].
    fn append(v: &Self::Value, b: &mut Self::Builder);
    /// Finishes the column(s) under `name` (suffixed for flattened arrays).
    ///
    /// # Errors
    /// An [`ArrowError`] if a list's offsets overflow `i32`.
    fn finish(name: &str, b: &mut Self::Builder, out: &mut Columns) -> Result<(), ArrowError>;
    /// Serialises the value as JSON-like data.
    ///
    /// # Errors
    /// Whatever the serializer reports.
    fn serialize<S: Serializer>(v: &Self::Value, s: S) -> Result<S::Ok, S::Error>;
    /// Deserialises the value; floats accept `null` as NaN (how JSON writes NaN).
    ///
    /// # Errors
    /// Wrong JSON type, out-of-range integer, wrong array length, unknown record field.
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error>;
    /// For [`Codec::FLATTEN`] records: writes the fields as entries of the parent's map.
    ///
    /// # Errors
    /// Whatever the serializer reports.
    fn serialize_entries<M: SerializeMap>(v: &Self::Value, m: &mut M) -> Result<(), M::Error> {
        let _ = (v, m);
        Ok(())
    }
    /// For records: takes the map entry `key` if it names one of the fields, returning whether it
    /// did.
    ///
    /// # Errors
    /// A bad value for a known field.
    fn deserialize_entry<'de, A: MapAccess<'de>>(
        key: &str,
        v: &mut Self::Value,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        let _ = (key, v, map);
        Ok(false)
    }
    /// An arbitrary value for property tests.
    #[cfg(feature = "proptest")]
    fn generate(g: &mut Gen) -> Self::Value;
}

/// Serialises a value through its codec.
pub struct Ser<'a, C: Codec>(pub &'a C::Value);

impl<C: Codec> Serialize for Ser<'_, C> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        C::serialize(self.0, s)
    }
}

/// Deserialises a value through its codec.
pub struct Seed<C>(PhantomData<C>);

impl<C> Seed<C> {
    /// The seed for codec `C`.
    #[must_use]
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<C> Default for Seed<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, C: Codec> DeserializeSeed<'de> for Seed<C> {
    type Value = C::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<C::Value, D::Error> {
        C::deserialize(d)
    }
}

macro_rules! scalar_codec {
    ($t:ident, $arrow:ty) => {
        impl Codec for $t {
            type Value = $t;
            type Builder = Vec<$t>;
            const SIZE: usize = std::mem::size_of::<$t>();
            fn default_value() -> $t {
                <$t>::default()
            }
            #[inline]
            fn read(r: &mut Reader<'_>) -> $t {
                <$t>::from_le_bytes(r.take())
            }
            fn write(v: &$t, w: &mut Writer) {
                w.put(&v.to_le_bytes());
            }
            fn builder(rows: usize) -> Vec<$t> {
                Vec::with_capacity(rows)
            }
            #[inline]
            fn read_column<const L: usize>(
                rows: &[[u8; L]],
                offset: usize,
                count: usize,
                stride: usize,
                b: &mut Vec<$t>,
            ) {
                if count == 1 {
                    b.extend(rows.iter().map(|row| <$t>::from_le_bytes(read_at(row, offset))));
                } else {
                    b.reserve(rows.len().saturating_mul(count));
                    for row in rows {
                        for k in 0..count {
                            b.push(<$t>::from_le_bytes(read_at(row, offset + k * stride)));
                        }
                    }
                }
            }
            fn append(v: &$t, b: &mut Vec<$t>) {
                b.push(*v);
            }
            fn finish(
                name: &str,
                b: &mut Self::Builder,
                out: &mut Columns,
            ) -> Result<(), ArrowError> {
                let values = ScalarBuffer::from(std::mem::take(b));
                out.push(
                    Field::new(name, <$arrow as ArrowPrimitiveType>::DATA_TYPE, false),
                    Arc::new(PrimitiveArray::<$arrow>::new(values, None)),
                );
                Ok(())
            }
            fn serialize<S: Serializer>(v: &$t, s: S) -> Result<S::Ok, S::Error> {
                v.serialize(s)
            }
            scalar_codec!(@de $t);
            #[cfg(feature = "proptest")]
            fn generate(g: &mut Gen) -> $t {
                scalar_codec!(@gen $t, g)
            }
        }
    };
    (@de f32) => {
        fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
            Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
        }
    };
    (@de $t:ty) => {
        fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
            <$t as Deserialize>::deserialize(d)
        }
    };
    (@gen f32, $g:ident) => {
        $g.f32()
    };
    (@gen $t:ty, $g:ident) => {
        <$t>::from_le_bytes($g.bytes())
    };
}

scalar_codec!(u8, UInt8Type);
scalar_codec!(i8, Int8Type);
scalar_codec!(u16, UInt16Type);
scalar_codec!(i16, Int16Type);
scalar_codec!(u32, UInt32Type);
scalar_codec!(f32, Float32Type);

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
    #[inline]
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

/// How the elements of a flattened fixed array are named: `name` + suffix.
pub trait Suffixes {
    /// The suffix of element `i`.
    fn suffix(i: usize) -> String;
}

/// Wheel order FL, FR, RL, RR: `_fl`, `_fr`, `_rl`, `_rr`.
pub struct WheelSuffix;
impl Suffixes for WheelSuffix {
    fn suffix(i: usize) -> String {
        ["_fl", "_fr", "_rl", "_rr"]
            .get(i)
            .map_or_else(|| format!("_{i}"), |s| (*s).to_string())
    }
}

/// Vector axes: `_x`, `_y`, `_z`.
pub struct AxisSuffix;
impl Suffixes for AxisSuffix {
    fn suffix(i: usize) -> String {
        ["_x", "_y", "_z"]
            .get(i)
            .map_or_else(|| format!("_{i}"), |s| (*s).to_string())
    }
}

/// Plain indices: `_0`, `_1`, …
pub struct IndexSuffix;
impl Suffixes for IndexSuffix {
    fn suffix(i: usize) -> String {
        format!("_{i}")
    }
}

/// A fixed array of `N` elements, one Arrow column per element (named by `S`).
pub struct Arr<C, const N: usize, S>(PhantomData<(C, S)>);

/// A per-wheel array (FL, FR, RL, RR).
pub type Wheels<C> = Arr<C, 4, WheelSuffix>;
/// A 3-vector (x, y, z).
pub type Xyz<C> = Arr<C, 3, AxisSuffix>;
/// Any other fixed array.
pub type Indexed<C, const N: usize> = Arr<C, N, IndexSuffix>;

fn default_array<C: Codec, const N: usize>() -> [C::Value; N] {
    std::array::from_fn(|_| C::default_value())
}

fn read_array<C: Codec, const N: usize>(r: &mut Reader<'_>) -> [C::Value; N] {
    let mut out = default_array::<C, N>();
    for slot in &mut out {
        *slot = C::read(r);
    }
    out
}

fn serialize_seq<'v, C: Codec + 'v, S: Serializer>(
    items: impl IntoIterator<Item = &'v C::Value>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(items.into_iter().map(Ser::<C>))
}

/// Deserialises a JSON list of at most `max` elements (exactly `max` when `exact`).
struct ListVisitor<C> {
    max: usize,
    exact: bool,
    marker: PhantomData<C>,
}

impl<'de, C: Codec> Visitor<'de> for ListVisitor<C> {
    type Value = Vec<C::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exact {
            write!(f, "a list of exactly {} elements", self.max)
        } else {
            write!(f, "a list of at most {} elements", self.max)
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(self.max);
        while let Some(item) = seq.next_element_seed(Seed::<C>::new())? {
            if out.len() == self.max {
                return Err(de::Error::invalid_length(out.len() + 1, &self));
            }
            out.push(item);
        }
        if self.exact && out.len() != self.max {
            return Err(de::Error::invalid_length(out.len(), &self));
        }
        Ok(out)
    }
}

fn deserialize_list<'de, C: Codec, D: Deserializer<'de>>(
    d: D,
    max: usize,
    exact: bool,
) -> Result<Vec<C::Value>, D::Error> {
    d.deserialize_seq(ListVisitor::<C> {
        max,
        exact,
        marker: PhantomData,
    })
}

fn deserialize_array<'de, C: Codec, const N: usize, D: Deserializer<'de>>(
    d: D,
) -> Result<[C::Value; N], D::Error> {
    let items = deserialize_list::<C, D>(d, N, true)?;
    let got = items.len();
    <[C::Value; N]>::try_from(items)
        .map_err(|_| de::Error::invalid_length(got, &"a list of the array's length"))
}

impl<C: Codec, const N: usize, S: Suffixes> Codec for Arr<C, N, S> {
    type Value = [C::Value; N];
    type Builder = [C::Builder; N];
    const SIZE: usize = C::SIZE * N;
    fn default_value() -> Self::Value {
        default_array::<C, N>()
    }
    fn read(r: &mut Reader<'_>) -> Self::Value {
        read_array::<C, N>(r)
    }
    fn write(v: &Self::Value, w: &mut Writer) {
        for item in v {
            C::write(item, w);
        }
    }
    fn builder(rows: usize) -> Self::Builder {
        std::array::from_fn(|_| C::builder(rows))
    }
    #[inline]
    fn read_column<const L: usize>(
        rows: &[[u8; L]],
        offset: usize,
        count: usize,
        stride: usize,
        b: &mut Self::Builder,
    ) {
        for (i, column) in b.iter_mut().enumerate() {
            C::read_column(rows, offset + i * C::SIZE, count, stride, column);
        }
    }
    fn append(v: &Self::Value, b: &mut Self::Builder) {
        for (item, column) in v.iter().zip(b) {
            C::append(item, column);
        }
    }
    fn finish(name: &str, b: &mut Self::Builder, out: &mut Columns) -> Result<(), ArrowError> {
        for (i, column) in b.iter_mut().enumerate() {
            C::finish(&format!("{name}{}", S::suffix(i)), column, out)?;
        }
        Ok(())
    }
    fn serialize<Sr: Serializer>(v: &Self::Value, s: Sr) -> Result<Sr::Ok, Sr::Error> {
        serialize_seq::<C, Sr>(v, s)
    }
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        deserialize_array::<C, N, D>(d)
    }
    #[cfg(feature = "proptest")]
    fn generate(g: &mut Gen) -> Self::Value {
        let mut out = default_array::<C, N>();
        for slot in &mut out {
            *slot = C::generate(g);
        }
        out
    }
}

/// The builders of a list column whose rows all hold exactly `N` items.
pub struct ListColumns<B> {
    rows: usize,
    items: B,
}

/// Fills a list column: each of the `count` lists per row holds `n` items laid back to back.
fn read_list_column<C: Codec, const L: usize>(
    n: usize,
    rows: &[[u8; L]],
    offset: usize,
    count: usize,
    stride: usize,
    b: &mut ListColumns<C::Builder>,
) {
    if count == 1 {
        C::read_column(rows, offset, n, C::SIZE, &mut b.items);
    } else {
        for row in rows {
            for k in 0..count {
                let row = std::slice::from_ref(row);
                C::read_column(row, offset + k * stride, n, C::SIZE, &mut b.items);
            }
        }
    }
    b.rows += rows.len() * count;
}

fn finish_list<C: Codec>(
    name: &str,
    n: usize,
    b: &mut ListColumns<C::Builder>,
    out: &mut Columns,
) -> Result<(), ArrowError> {
    let mut inner = Columns::default();
    C::finish("item", &mut b.items, &mut inner)?;
    let (Some(item), Some(values)) = (inner.fields.pop(), inner.arrays.pop()) else {
        return Err(ArrowError::SchemaError(format!(
            "list column {name} has no item column"
        )));
    };
    let offsets = (0..=b.rows)
        .map(|row| {
            row.checked_mul(n)
                .and_then(|o| i32::try_from(o).ok())
                .ok_or_else(|| {
                    ArrowError::ComputeError(format!(
                        "list column {name}: {} rows of {n} items overflow i32 offsets",
                        b.rows
                    ))
                })
        })
        .collect::<Result<Vec<i32>, _>>()?;
    b.rows = 0;
    let list = ListArray::try_new(
        item.clone(),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        values,
        None,
    )?;
    out.push(
        Field::new(name, DataType::List(item), false),
        Arc::new(list),
    );
    Ok(())
}

/// A list of exactly `N` records on the wire, held as a `Vec` (shorter vectors are padded with
/// defaults on write, longer ones cut to `N`) and stored as one `List<item>` column.
pub struct List<C, const N: usize>(PhantomData<C>);

impl<C: Codec, const N: usize> Codec for List<C, N> {
    type Value = Vec<C::Value>;
    type Builder = ListColumns<C::Builder>;
    const SIZE: usize = C::SIZE * N;
    fn default_value() -> Self::Value {
        (0..N).map(|_| C::default_value()).collect()
    }
    fn read(r: &mut Reader<'_>) -> Self::Value {
        (0..N).map(|_| C::read(r)).collect()
    }
    fn write(v: &Self::Value, w: &mut Writer) {
        let filler = C::default_value();
        for i in 0..N {
            C::write(v.get(i).unwrap_or(&filler), w);
        }
    }
    fn builder(rows: usize) -> Self::Builder {
        ListColumns {
            rows: 0,
            items: C::builder(rows.saturating_mul(N)),
        }
    }
    #[inline]
    fn read_column<const L: usize>(
        rows: &[[u8; L]],
        offset: usize,
        count: usize,
        stride: usize,
        b: &mut Self::Builder,
    ) {
        read_list_column::<C, L>(N, rows, offset, count, stride, b);
    }
    fn append(v: &Self::Value, b: &mut Self::Builder) {
        let filler = C::default_value();
        for i in 0..N {
            C::append(v.get(i).unwrap_or(&filler), &mut b.items);
        }
        b.rows += 1;
    }
    fn finish(name: &str, b: &mut Self::Builder, out: &mut Columns) -> Result<(), ArrowError> {
        finish_list::<C>(name, N, b, out)
    }
    fn serialize<S: Serializer>(v: &Self::Value, s: S) -> Result<S::Ok, S::Error> {
        serialize_seq::<C, S>(v, s)
    }
    /// Accepts up to `N` items and pads a shorter list with defaults, so the value always holds
    /// `N` items as a decoded packet does.
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        let mut items = deserialize_list::<C, D>(d, N, false)?;
        items.resize_with(N, C::default_value);
        Ok(items)
    }
    #[cfg(feature = "proptest")]
    fn generate(g: &mut Gen) -> Self::Value {
        (0..N).map(|_| C::generate(g)).collect()
    }
}

/// A fixed array of `N` elements held as an array but stored as one `List<item>` column (the
/// parallel per-participant arrays of the participants packet).
pub struct ArrList<C, const N: usize>(PhantomData<C>);

impl<C: Codec, const N: usize> Codec for ArrList<C, N> {
    type Value = [C::Value; N];
    type Builder = ListColumns<C::Builder>;
    const SIZE: usize = C::SIZE * N;
    fn default_value() -> Self::Value {
        default_array::<C, N>()
    }
    fn read(r: &mut Reader<'_>) -> Self::Value {
        read_array::<C, N>(r)
    }
    fn write(v: &Self::Value, w: &mut Writer) {
        for item in v {
            C::write(item, w);
        }
    }
    fn builder(rows: usize) -> Self::Builder {
        List::<C, N>::builder(rows)
    }
    #[inline]
    fn read_column<const L: usize>(
        rows: &[[u8; L]],
        offset: usize,
        count: usize,
        stride: usize,
        b: &mut Self::Builder,
    ) {
        read_list_column::<C, L>(N, rows, offset, count, stride, b);
    }
    fn append(v: &Self::Value, b: &mut Self::Builder) {
        for item in v {
            C::append(item, &mut b.items);
        }
        b.rows += 1;
    }
    fn finish(name: &str, b: &mut Self::Builder, out: &mut Columns) -> Result<(), ArrowError> {
        finish_list::<C>(name, N, b, out)
    }
    fn serialize<S: Serializer>(v: &Self::Value, s: S) -> Result<S::Ok, S::Error> {
        serialize_seq::<C, S>(v, s)
    }
    fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        deserialize_array::<C, N, D>(d)
    }
    #[cfg(feature = "proptest")]
    fn generate(g: &mut Gen) -> Self::Value {
        Indexed::<C, N>::generate(g)
    }
}
