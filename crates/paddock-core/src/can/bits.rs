//! Where a signal's bits are in the payload, and how to get them out.

use super::spec::ByteOrder;

/// A signal's position, precomputed: the bytes `lo..=hi` hold it, read in the signal's byte
/// order into one integer, then shifted right by `shift` and masked to `length` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BitField {
    pub lo: usize,
    pub hi: usize,
    pub shift: u32,
    pub length: u32,
    pub big_endian: bool,
    /// When the field lies in the first 8 bytes: its shift in the payload's first 8 bytes read
    /// as one little-endian (Intel) or big-endian (Motorola) `u64`.
    pub word_shift: Option<u32>,
}

impl BitField {
    /// The field of a signal with DBC start bit `start` and `length` bits (1..=64).
    ///
    /// Intel: `start` is the least significant bit, bits count up through the bytes in order.
    /// Motorola: `start` is the most significant bit in DBC's sawtooth numbering (bit 7 of byte 0
    /// is 7, bit 0 of byte 1 is 8); the signal runs towards later bytes in network order.
    pub(crate) fn new(start: u32, length: u32, order: ByteOrder) -> Self {
        debug_assert!((1..=64).contains(&length));
        let (start, length) = (start as usize, length as usize);
        match order {
            ByteOrder::LittleEndian => {
                let lo = start / 8;
                let hi = (start + length - 1) / 8;
                #[allow(clippy::cast_possible_truncation)]
                let shift = (start % 8) as u32;
                #[allow(clippy::cast_possible_truncation)]
                let word_shift = (start + length <= 64).then_some(start as u32);
                Self {
                    lo,
                    hi,
                    shift,
                    length: length as u32,
                    big_endian: false,
                    word_shift,
                }
            }
            ByteOrder::BigEndian => {
                // Network bit number of the MSB: bit 0 is the MSB of byte 0.
                let msb = 8 * (start / 8) + (7 - start % 8);
                let end = msb + length - 1;
                let lo = msb / 8;
                let hi = end / 8;
                #[allow(clippy::cast_possible_truncation)]
                let shift = (8 * (hi + 1) - 1 - end) as u32;
                #[allow(clippy::cast_possible_truncation)]
                let word_shift = (end < 64).then_some((63 - end) as u32);
                Self {
                    lo,
                    hi,
                    shift,
                    length: length as u32,
                    big_endian: true,
                    word_shift,
                }
            }
        }
    }

    /// Bytes a payload needs for this field to be inside it.
    pub(crate) fn bytes_needed(&self) -> usize {
        self.hi + 1
    }

    /// The raw bits, zero-extended. `data` must hold at least [`Self::bytes_needed`] bytes.
    #[inline]
    pub(crate) fn extract(&self, data: &[u8]) -> u64 {
        let bytes = &data[self.lo..=self.hi];
        let mut acc: u128 = 0;
        if self.big_endian {
            for &b in bytes {
                acc = (acc << 8) | u128::from(b);
            }
        } else {
            for &b in bytes.iter().rev() {
                acc = (acc << 8) | u128::from(b);
            }
        }
        #[allow(clippy::cast_possible_truncation)]
        let value = (acc >> self.shift) as u64;
        value & mask(self.length)
    }
}

impl BitField {
    /// The raw bits from the payload's first 8 bytes as a little-endian `u64` (zero-padded),
    /// for fields with a [`Self::word_shift`].
    #[inline]
    pub(crate) fn in_word(&self, word_le: u64, shift: u32) -> u64 {
        let word = if self.big_endian {
            word_le.swap_bytes()
        } else {
            word_le
        };
        (word >> shift) & mask(self.length)
    }
}

/// The low `length` bits set.
#[inline]
pub(crate) fn mask(length: u32) -> u64 {
    if length >= 64 {
        u64::MAX
    } else {
        (1u64 << length) - 1
    }
}

/// Two's-complement sign extension of a `length`-bit value.
#[inline]
pub(crate) fn sign_extend(raw: u64, length: u32) -> i64 {
    if length >= 64 {
        raw.cast_signed()
    } else if raw >> (length - 1) & 1 == 1 {
        (raw | !mask(length)).cast_signed()
    } else {
        raw.cast_signed()
    }
}

/// An IEEE 754 half-precision value, widened exactly.
pub(crate) fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 == 0 { 1.0 } else { -1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let frac = f64::from(bits & 0x3ff);
    match exp {
        0 => sign * frac * 2f64.powi(-24),
        0x1f if frac == 0.0 => sign * f64::INFINITY,
        0x1f => f64::NAN,
        _ => sign * (1.0 + frac / 1024.0) * 2f64.powi(exp - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intel_field_across_bytes() {
        let f = BitField::new(4, 12, ByteOrder::LittleEndian);
        assert_eq!((f.lo, f.hi, f.shift), (0, 1, 4));
        assert_eq!(f.extract(&[0xA0, 0xBC]), 0xBCA);
    }

    #[test]
    fn motorola_field_across_bytes() {
        // start 7 = MSB of byte 0, 16 bits: bytes 0 and 1 big-endian.
        let f = BitField::new(7, 16, ByteOrder::BigEndian);
        assert_eq!((f.lo, f.hi, f.shift), (0, 1, 0));
        assert_eq!(f.extract(&[0x12, 0x34]), 0x1234);
        // start 3, 8 bits: low nibble of byte 0 then high nibble of byte 1.
        let f = BitField::new(3, 8, ByteOrder::BigEndian);
        assert_eq!(f.extract(&[0xA5, 0xC3]), 0x5C);
    }

    #[test]
    fn sixty_four_bit_fields() {
        let data = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        let f = BitField::new(4, 64, ByteOrder::LittleEndian);
        let wide = u128::from_le_bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0]);
        #[allow(clippy::cast_possible_truncation)]
        let expected = (wide >> 4) as u64;
        assert_eq!(f.extract(&data), expected);
        let f = BitField::new(7, 64, ByteOrder::BigEndian);
        assert_eq!(
            f.extract(&data),
            u64::from_be_bytes([1, 2, 3, 4, 5, 6, 7, 8])
        );
    }

    #[test]
    fn word_extraction_agrees_with_byte_extraction() {
        let data = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0];
        let word = u64::from_le_bytes(data);
        for order in [ByteOrder::LittleEndian, ByteOrder::BigEndian] {
            for start in 0..64 {
                for length in 1..=64 {
                    let f = BitField::new(start, length, order);
                    if f.hi >= 8 {
                        continue;
                    }
                    let shift = f.word_shift.unwrap_or(99);
                    assert_eq!(
                        f.in_word(word, shift),
                        f.extract(&data),
                        "{order:?} {start} {length}"
                    );
                }
            }
        }
    }

    #[test]
    fn signs() {
        assert_eq!(sign_extend(0b111, 3), -1);
        assert_eq!(sign_extend(0b011, 3), 3);
        assert_eq!(sign_extend(u64::MAX, 64), -1);
    }

    #[test]
    fn halves() {
        assert!((f16_to_f64(0x3c00) - 1.0).abs() < f64::EPSILON);
        assert!((f16_to_f64(0xc000) + 2.0).abs() < f64::EPSILON);
        assert!(f16_to_f64(0x7e00).is_nan());
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
    }
}
