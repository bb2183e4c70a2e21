//! The ACC broadcasting byte stream (spec §2.1): a bounds-checked sequential reader and a writer
//! of little-endian integers, floats and u16-length-prefixed UTF-8 strings.

use super::NAME;
use crate::error::DecodeError;

/// Reads one message front to back; every read checks the remaining length.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    packet: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader of `bytes` (the whole datagram) positioned after the type byte.
    pub(crate) fn new(bytes: &'a [u8], packet: &'static str) -> Self {
        Self {
            bytes,
            pos: 1,
            packet,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::TooShort {
            protocol: NAME,
            packet: self.packet,
            expected: usize::MAX,
            got: self.bytes.len(),
        })?;
        let out = self.bytes.get(self.pos..end).ok_or(DecodeError::TooShort {
            protocol: NAME,
            packet: self.packet,
            expected: end,
            got: self.bytes.len(),
        })?;
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let got = self.bytes.len();
        let packet = self.packet;
        let end = self.pos.saturating_add(N);
        self.take(N)?.try_into().map_err(|_| DecodeError::TooShort {
            protocol: NAME,
            packet,
            expected: end,
            got,
        })
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(u8::from_le_bytes(self.array()?))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub(crate) fn f32(&mut self) -> Result<f32, DecodeError> {
        Ok(f32::from_le_bytes(self.array()?))
    }

    /// A u16 byte count then that many UTF-8 bytes.
    ///
    /// # Errors
    /// [`DecodeError::TooShort`] past the end; [`DecodeError::InvalidField`] (`string`, value =
    /// byte offset of the string) for bytes that are not UTF-8.
    pub(crate) fn string(&mut self) -> Result<String, DecodeError> {
        let len = usize::from(self.u16()?);
        let start = self.pos;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| DecodeError::InvalidField {
                protocol: NAME,
                field: "string",
                value: i64::try_from(start).unwrap_or(i64::MAX),
            })
    }

    /// Succeeds when every byte was read.
    ///
    /// # Errors
    /// [`DecodeError::TooLong`] with the length the message should have had.
    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(DecodeError::TooLong {
                protocol: NAME,
                packet: self.packet,
                expected: self.pos,
                got: self.bytes.len(),
            })
        }
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }
}

/// Writes one message.
pub(crate) struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// A writer that has written the type byte.
    pub(crate) fn new(type_id: u8) -> Self {
        let mut bytes = Vec::with_capacity(128);
        bytes.push(type_id);
        Self { bytes }
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn i32(&mut self, v: i32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn f32(&mut self, v: f32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    /// The string's UTF-8 bytes, cut before the first character that would pass 65 535 bytes.
    pub(crate) fn string(&mut self, s: &str) {
        let mut end = s.len().min(usize::from(u16::MAX));
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let cut = s.get(..end).unwrap_or("");
        self.u16(u16::try_from(cut.len()).unwrap_or(u16::MAX));
        self.bytes.extend_from_slice(cut.as_bytes());
    }

    /// A u8 count of at most 255 items of `items`, returning how many to write.
    pub(crate) fn count8<T>(&mut self, items: &[T]) -> usize {
        let n = u8::try_from(items.len()).unwrap_or(u8::MAX);
        self.u8(n);
        usize::from(n)
    }

    /// A u16 count of at most 65 535 items of `items`, returning how many to write.
    pub(crate) fn count16<T>(&mut self, items: &[T]) -> usize {
        let n = u16::try_from(items.len()).unwrap_or(u16::MAX);
        self.u16(n);
        usize::from(n)
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}
