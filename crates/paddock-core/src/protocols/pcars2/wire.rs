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

use arrow_array::types::{
    ArrowPrimitiveType, Float32Type, Int16Type, Int32Type, Int8Type, UInt16Type, UInt32Type,
    UInt8Type,
};
use arrow_array::{ArrayRef, PrimitiveArray};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{ArrowError, Field, FieldRef};
use serde::de::{DeserializeSeed, Deserializer, MapAccess};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

#[cfg(feature = "proptest")]
use crate::proptest::Gen;

mod arrays;
mod text;

pub use arrays::{ArrList, Indexed, List, Wheels, Xyz};
pub use text::Str;

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
    /// Rows are fixed-size arrays so that, once inlined with constant offsets (the scalar, array
    /// and record implementations are `inline(always)`), the reads need no run-time bounds
    /// checks; bytes past the end of a row would read as zeros.
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
            #[inline(always)]
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
scalar_codec!(i32, Int32Type);
scalar_codec!(f32, Float32Type);
