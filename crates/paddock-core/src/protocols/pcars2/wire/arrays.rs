//! Fixed arrays and per-participant lists: flattened to one column per element, or stored as
//! one `List<item>` column; JSON lists of the wire length.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::ListArray;
use arrow_buffer::{OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Serializer;

use super::{Codec, Columns, Reader, Seed, Ser, Writer};
#[cfg(feature = "proptest")]
use crate::proptest::Gen;

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
    #[inline(always)]
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
