//! `wire_record!`: declares a record once as an ordered list of wire fields and derives from that
//! one list its struct, reader, writer, Arrow column builders, JSON (de)serialisation and test
//! generator, so the layouts cannot drift apart.
//!
//! ```text
//! wire_record! {
//!     /// docs
//!     pub struct GameState, columns GameStateColumns {
//!         header: Header => Header;                 // field: Rust type => codec
//!         build_version_number: u16 => u16;
//!         wind_direction_y: i8 => i8, pad 2;        // 2 padding bytes after the field
//!     }
//! }
//! ```
//! A field may also carry `= expr` to override its default. A record's fields are laid out back
//! to back; the codec of each field fixes its size, so offsets follow from the order.

macro_rules! wire_record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, columns $cols:ident $(, $flatten:ident)? {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty => $codec:ty $(= $default:expr)? $(, pad $pad:literal)?;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self {
                    $( $field: wire_record!(@default $codec $(, $default)?), )*
                }
            }
        }

        impl $name {
            /// Field names in wire order, for error messages.
            pub const FIELD_NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        #[doc(hidden)]
        /// Arrow builders, one per field, for decoding many records straight from bytes.
        pub struct $cols {
            $( $field: <$codec as $crate::protocols::pcars2::wire::Codec>::Builder, )*
        }

        impl $crate::protocols::pcars2::wire::Codec for $name {
            type Value = $name;
            type Builder = $cols;
            const SIZE: usize = 0 $( + <$codec as $crate::protocols::pcars2::wire::Codec>::SIZE
                $( + $pad )? )*;
            const FLATTEN: bool = wire_record!(@flatten $($flatten)?);

            fn default_value() -> Self {
                Self::default()
            }

            #[inline]
            fn read(r: &mut $crate::protocols::pcars2::wire::Reader<'_>) -> Self {
                Self {
                    $( $field: {
                        let value = <$codec as $crate::protocols::pcars2::wire::Codec>::read(r);
                        $( r.skip($pad); )?
                        value
                    }, )*
                }
            }

            fn write(v: &Self, w: &mut $crate::protocols::pcars2::wire::Writer) {
                $(
                    <$codec as $crate::protocols::pcars2::wire::Codec>::write(&v.$field, w);
                    $( w.zeros($pad); )?
                )*
            }

            fn builder(rows: usize) -> $cols {
                $cols {
                    $( $field: <$codec as $crate::protocols::pcars2::wire::Codec>::builder(rows), )*
                }
            }

            #[inline(always)]
            fn read_column<const L: usize>(
                rows: &[[u8; L]],
                offset: usize,
                count: usize,
                stride: usize,
                b: &mut $cols,
            ) {
                let mut at = offset;
                $(
                    <$codec as $crate::protocols::pcars2::wire::Codec>::read_column(
                        rows, at, count, stride, &mut b.$field);
                    at += <$codec as $crate::protocols::pcars2::wire::Codec>::SIZE $( + $pad )?;
                )*
                let _ = at;
            }

            fn append(v: &Self, b: &mut $cols) {
                $( <$codec as $crate::protocols::pcars2::wire::Codec>::append(&v.$field, &mut b.$field); )*
            }

            fn finish(
                name: &str,
                b: &mut $cols,
                out: &mut $crate::protocols::pcars2::wire::Columns,
            ) -> Result<(), arrow_schema::ArrowError> {
                if <Self as $crate::protocols::pcars2::wire::Codec>::FLATTEN {
                    $( <$codec as $crate::protocols::pcars2::wire::Codec>::finish(
                        stringify!($field), &mut b.$field, out)?; )*
                    return Ok(());
                }
                let mut inner = $crate::protocols::pcars2::wire::Columns::default();
                $( <$codec as $crate::protocols::pcars2::wire::Codec>::finish(
                    stringify!($field), &mut b.$field, &mut inner)?; )*
                let fields = arrow_schema::Fields::from(inner.fields);
                let array = arrow_array::StructArray::try_new(fields.clone(), inner.arrays, None)?;
                out.fields.push(std::sync::Arc::new(arrow_schema::Field::new(
                    name,
                    arrow_schema::DataType::Struct(fields),
                    false,
                )));
                out.arrays.push(std::sync::Arc::new(array));
                Ok(())
            }

            fn serialize<S: serde::Serializer>(v: &Self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = s.serialize_map(None)?;
                <Self as $crate::protocols::pcars2::wire::Codec>::serialize_entries(v, &mut map)?;
                map.end()
            }

            fn serialize_entries<M: serde::ser::SerializeMap>(
                v: &Self,
                m: &mut M,
            ) -> Result<(), M::Error> {
                $(
                    if <$codec as $crate::protocols::pcars2::wire::Codec>::FLATTEN {
                        <$codec as $crate::protocols::pcars2::wire::Codec>::serialize_entries(
                            &v.$field, m)?;
                    } else {
                        m.serialize_entry(
                            stringify!($field),
                            &$crate::protocols::pcars2::wire::Ser::<$codec>(&v.$field),
                        )?;
                    }
                )*
                Ok(())
            }

            fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct RecordVisitor;
                impl<'de> serde::de::Visitor<'de> for RecordVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<String>()? {
                            let taken = <$name as $crate::protocols::pcars2::wire::Codec>
                                ::deserialize_entry(&key, &mut out, &mut map)?;
                            if !taken {
                                return Err(serde::de::Error::unknown_field(
                                    &key,
                                    $name::FIELD_NAMES,
                                ));
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(RecordVisitor)
            }

            fn deserialize_entry<'de, A: serde::de::MapAccess<'de>>(
                key: &str,
                v: &mut Self,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                $(
                    if !<$codec as $crate::protocols::pcars2::wire::Codec>::FLATTEN
                        && key == stringify!($field)
                    {
                        v.$field = map.next_value_seed(
                            $crate::protocols::pcars2::wire::Seed::<$codec>::new())?;
                        return Ok(true);
                    }
                )*
                $(
                    if <$codec as $crate::protocols::pcars2::wire::Codec>::FLATTEN
                        && <$codec as $crate::protocols::pcars2::wire::Codec>::deserialize_entry(
                            key, &mut v.$field, map)?
                    {
                        return Ok(true);
                    }
                )*
                Ok(false)
            }

            #[cfg(feature = "proptest")]
            fn generate(g: &mut $crate::proptest::Gen) -> Self {
                Self {
                    $( $field: <$codec as $crate::protocols::pcars2::wire::Codec>::generate(g), )*
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <Self as $crate::protocols::pcars2::wire::Codec>::serialize(self, s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <Self as $crate::protocols::pcars2::wire::Codec>::deserialize(d)
            }
        }
    };
    (@default $codec:ty) => {
        <$codec as $crate::protocols::pcars2::wire::Codec>::default_value()
    };
    (@default $codec:ty, $default:expr) => {
        $default
    };
    (@flatten) => {
        false
    };
    (@flatten flatten) => {
        true
    };
}
