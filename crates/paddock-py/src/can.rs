//! `CanDecoder` pyclass: a compiled core decoder fed with Arrow arrays of frames. Conversion only;
//! every bit rule lives in paddock-core.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use paddock_core::can::{CanDecoder, DecodeStats, Decoded, Frames, Payloads};
use paddock_core::CoreError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use pyo3_arrow::PyArray;

use crate::arrow::PyBatch;
use crate::detach::detach;
use crate::errors;

/// A DBC compiled for decoding: built from the JSON description `paddock.can` writes.
#[pyclass(frozen, module = "paddock._core", name = "CanDecoder")]
pub(crate) struct PyCanDecoder(Arc<CanDecoder>);

fn invalid(msg: String) -> CoreError {
    CoreError::InvalidArgument(msg)
}

/// The ids as `u32`; ids that are null, negative or too large become `u32::MAX` (no message has
/// it, so the frame is counted as unknown).
fn ids_of(array: &ArrayRef) -> Result<Vec<u32>, CoreError> {
    let array = array.as_ref();
    macro_rules! convert {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            Ok((0..a.len())
                .map(|i| {
                    if a.is_null(i) {
                        u32::MAX
                    } else {
                        u32::try_from(a.value(i)).unwrap_or(u32::MAX)
                    }
                })
                .collect())
        }};
    }
    match array.data_type() {
        DataType::UInt32 => convert!(UInt32Type),
        DataType::Int64 => convert!(Int64Type),
        DataType::Int32 => convert!(Int32Type),
        DataType::UInt64 => convert!(UInt64Type),
        other => Err(invalid(format!(
            "ids must be an integer array (int32, int64, uint32 or uint64), not {other}"
        ))),
    }
}

fn ts_of(array: &ArrayRef) -> Result<Vec<i64>, CoreError> {
    match array.data_type() {
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            Ok((0..a.len())
                .map(|i| if a.is_null(i) { 0 } else { a.value(i) })
                .collect())
        }
        other => Err(invalid(format!(
            "ts_ns must be an int64 array, not {other}"
        ))),
    }
}

fn extended_of(array: &ArrayRef) -> Result<Vec<bool>, CoreError> {
    match array.data_type() {
        DataType::Boolean => {
            let a = array.as_boolean();
            Ok((0..a.len()).map(|i| a.is_valid(i) && a.value(i)).collect())
        }
        other => Err(invalid(format!(
            "extended must be a boolean array, not {other}"
        ))),
    }
}

fn extended_opt(array: Option<&ArrayRef>) -> Result<Option<Vec<bool>>, CoreError> {
    array.map(extended_of).transpose()
}

/// Bytes per payload slot of the fixed layout: a classic CAN frame's data.
const SLOT: usize = 8;

/// The payloads of a list of `bytes` copied once into one buffer: the decoder then reads
/// contiguous memory instead of a million scattered Python objects (once per signal). Payloads of
/// up to 8 bytes (classic CAN) go into fixed 8-byte slots with their lengths; a list holding a
/// longer one (CAN FD) is copied back to back with offsets instead.
enum Joined {
    Fixed { buf: Vec<u8>, lens: Vec<u8> },
    Variable { buf: Vec<u8>, offsets: Vec<usize> },
}

fn not_bytes() -> PyErr {
    errors::to_py(invalid("data: every item of a list must be bytes".into()))
}

impl Joined {
    fn from_list(list: &Bound<'_, PyList>) -> PyResult<Self> {
        let n = list.len();
        let mut buf = vec![0u8; n * SLOT];
        let mut lens = Vec::with_capacity(n);
        for (i, item) in list.iter().enumerate() {
            let bytes = item.cast::<PyBytes>().map_err(|_| not_bytes())?;
            let payload = bytes.as_bytes();
            let start = i * SLOT;
            match (
                u8::try_from(payload.len()),
                buf.get_mut(start..start + payload.len()),
            ) {
                (Ok(len), Some(slot)) if payload.len() <= SLOT => {
                    slot.copy_from_slice(payload);
                    lens.push(len);
                }
                _ => return Self::variable(list),
            }
        }
        Ok(Self::Fixed { buf, lens })
    }

    fn variable(list: &Bound<'_, PyList>) -> PyResult<Self> {
        let n = list.len();
        let mut buf = Vec::with_capacity(n * SLOT);
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        for item in list.iter() {
            let bytes = item.cast::<PyBytes>().map_err(|_| not_bytes())?;
            buf.extend_from_slice(bytes.as_bytes());
            offsets.push(buf.len());
        }
        Ok(Self::Variable { buf, offsets })
    }
}

impl Payloads for Joined {
    fn count(&self) -> usize {
        match self {
            Self::Fixed { lens, .. } => lens.len(),
            Self::Variable { offsets, .. } => offsets.len().saturating_sub(1),
        }
    }
    fn payload(&self, i: usize) -> &[u8] {
        match self {
            Self::Fixed { buf, lens } => match lens.get(i) {
                Some(&len) => buf
                    .get(i * SLOT..i * SLOT + usize::from(len))
                    .unwrap_or(&[]),
                None => &[],
            },
            Self::Variable { buf, offsets } => match (offsets.get(i), offsets.get(i + 1)) {
                (Some(&a), Some(&b)) => buf.get(a..b).unwrap_or(&[]),
                _ => &[],
            },
        }
    }
}

fn result_to_py(py: Python<'_>, out: Decoded) -> PyResult<(Bound<'_, PyDict>, Bound<'_, PyDict>)> {
    let batches = PyDict::new(py);
    for (name, batch) in out.batches {
        batches.set_item(name, Bound::new(py, PyBatch::from(batch))?)?;
    }
    Ok((batches, stats_to_py(py, &out.stats)?))
}

fn run<P: Payloads + ?Sized>(
    decoder: &CanDecoder,
    ts: &[i64],
    ids: &[u32],
    extended: Option<&[bool]>,
    payloads: &P,
) -> Result<Decoded, CoreError> {
    decoder.decode(&Frames::new(ts, ids, extended, payloads))
}

fn stats_to_py<'py>(py: Python<'py>, stats: &DecodeStats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("frames", stats.frames)?;
    d.set_item("decoded", stats.decoded)?;
    d.set_item("unknown_id", stats.unknown_id)?;
    d.set_item("short", stats.short)?;
    d.set_item("mux_unknown", stats.mux_unknown)?;
    let unknown = PyDict::new(py);
    for ((id, ext), count) in &stats.unknown_ids {
        unknown.set_item((id, ext), count)?;
    }
    d.set_item("unknown_ids", unknown)?;
    let short = PyDict::new(py);
    for (name, count) in &stats.short_by_message {
        short.set_item(name, count)?;
    }
    d.set_item("short_by_message", short)?;
    Ok(d)
}

#[pymethods]
impl PyCanDecoder {
    /// Compiles the JSON description of the messages and signals.
    #[new]
    fn new(py: Python<'_>, spec_json: String) -> PyResult<Self> {
        let decoder = detach(py, move || CanDecoder::from_json(&spec_json))?;
        Ok(Self(Arc::new(decoder)))
    }

    /// Signals compiled but never decodable, one sentence each.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.0.warnings().to_vec()
    }

    /// Number of messages.
    #[getter]
    fn message_count(&self) -> usize {
        self.0.message_count()
    }

    /// Decodes frames with the GIL released: `ts_ns` (Arrow int64), `ids` (Arrow integers),
    /// `data` (an Arrow binary array, or a list of `bytes` read in place), `extended` (Arrow
    /// booleans or None). Returns `(batches by message name, stats)`.
    #[pyo3(signature = (ts_ns, ids, data, extended=None))]
    fn decode<'py>(
        &self,
        py: Python<'py>,
        ts_ns: PyArray,
        ids: PyArray,
        data: &Bound<'py, PyAny>,
        extended: Option<PyArray>,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
        let decoder = Arc::clone(&self.0);
        let (ts_ns, ids) = (ts_ns.into_inner().0, ids.into_inner().0);
        let extended = extended.map(|e| e.into_inner().0);
        if let Ok(list) = data.cast::<PyList>() {
            let joined = Joined::from_list(list)?;
            let out = detach(py, move || {
                let (ts, ids, ext) = (
                    ts_of(&ts_ns)?,
                    ids_of(&ids)?,
                    extended_opt(extended.as_ref())?,
                );
                run(&decoder, &ts, &ids, ext.as_deref(), &joined)
            })?;
            return result_to_py(py, out);
        }
        let data = data.extract::<PyArray>()?.into_inner().0;
        let out = detach(py, move || {
            // Int64 timestamps and UInt32 ids without nulls are read in place.
            let ts_owned;
            let ts: &[i64] = match ts_ns.data_type() {
                DataType::Int64 if ts_ns.null_count() == 0 => {
                    ts_ns.as_primitive::<Int64Type>().values()
                }
                _ => {
                    ts_owned = ts_of(&ts_ns)?;
                    &ts_owned
                }
            };
            let ids_owned;
            let ids: &[u32] = match ids.data_type() {
                DataType::UInt32 if ids.null_count() == 0 => {
                    ids.as_primitive::<UInt32Type>().values()
                }
                _ => {
                    ids_owned = ids_of(&ids)?;
                    &ids_owned
                }
            };
            let ext = extended_opt(extended.as_ref())?;
            let ext = ext.as_deref();
            match data.data_type() {
                DataType::Binary => run(&decoder, ts, ids, ext, data.as_binary::<i32>()),
                DataType::LargeBinary => run(&decoder, ts, ids, ext, data.as_binary::<i64>()),
                DataType::FixedSizeBinary(_) => {
                    run(&decoder, ts, ids, ext, data.as_fixed_size_binary())
                }
                other => Err(invalid(format!(
                    "data must be a binary array (binary, large_binary or fixed_size_binary), \
                     not {other}"
                ))),
            }
        })?;
        result_to_py(py, out)
    }

    fn __repr__(&self) -> String {
        format!("CanDecoder(messages={})", self.0.message_count())
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCanDecoder>()
}
