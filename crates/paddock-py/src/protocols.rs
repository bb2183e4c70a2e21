//! Wire-format functions: Project CARS 2, Project CARS 1 and Assetto Corsa decode/encode of one
//! datagram (JSON), batch decode to Arrow and canonical frames. Conversion only; every byte rule
//! lives in paddock-core.

use std::collections::HashMap;

use paddock_core::arrow::FrameBuilder;
use paddock_core::protocols::ac::{self, AcFrames};
use paddock_core::protocols::acc::{self, AccFrames};
use paddock_core::protocols::pcars1::{self, Pcars1Frames};
use paddock_core::protocols::pcars2::{self, Pcars2Frames};
use paddock_core::protocols::FrameDecoder;
use paddock_core::CoreError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::arrow::PyBatch;
use crate::detach::detach;
use crate::errors;

/// Collects the datagrams, runs a protocol's `decode_batch` over them with the GIL released and
/// returns the Python form of its result (every protocol's result has the same fields).
macro_rules! decode_many {
    ($py:expr, $datagrams:expr, $ts_ns:expr, $decode_batch:path) => {{
        let (held, ts_ns) = collect($datagrams, $ts_ns)?;
        let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
        let out = detach($py, || {
            Ok($decode_batch(
                ts_ns.iter().copied().zip(slices.iter().copied()),
            )?)
        })?;
        batches_to_py($py, out.batches, out.decoded, out.errors, &out.first_errors)
    }};
}

/// The error for JSON that is not a packet of `what`.
fn not_a_packet(what: &str, err: impl std::fmt::Display) -> PyErr {
    errors::to_py(CoreError::InvalidArgument(format!("not {what}: {err}")))
}

/// Decodes one datagram to the JSON form of its packet.
#[pyfunction]
fn pcars2_decode(datagram: &[u8]) -> PyResult<String> {
    let packet = pcars2::decode(datagram).map_err(errors::decode_to_py)?;
    pcars2::to_json(&packet).map_err(|e| errors::to_py(e.into()))
}

/// Encodes the JSON form of a packet to its datagram.
#[pyfunction]
fn pcars2_encode<'py>(py: Python<'py>, packet_json: &str) -> PyResult<Bound<'py, PyBytes>> {
    let packet = pcars2::from_json(packet_json).map_err(|e| not_a_packet("a pcars2 packet", e))?;
    Ok(PyBytes::new(py, &pcars2::encode(&packet)))
}

/// The datagrams as `bytes` objects (kept alive by the caller while their slices are in use),
/// and the timestamps (the datagram index when none are given).
fn collect<'py>(
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Option<Vec<i64>>,
) -> PyResult<(Vec<Bound<'py, PyBytes>>, Vec<i64>)> {
    let held: Vec<Bound<'py, PyBytes>> = if let Ok(list) = datagrams.cast::<PyList>() {
        let mut held = Vec::with_capacity(list.len());
        for item in list.iter() {
            held.push(item.cast_into::<PyBytes>()?);
        }
        held
    } else {
        datagrams
            .try_iter()?
            .map(|item| Ok(item?.cast_into::<PyBytes>()?))
            .collect::<PyResult<_>>()?
    };
    let ts_ns = match ts_ns {
        Some(ts) if ts.len() == held.len() => ts,
        Some(ts) => {
            return Err(errors::to_py(CoreError::InvalidArgument(format!(
                "ts_ns has {} entries for {} datagrams",
                ts.len(),
                held.len()
            ))))
        }
        None => (0..held.len())
            .map(|i| i64::try_from(i).unwrap_or(i64::MAX))
            .collect(),
    };
    Ok((held, ts_ns))
}

/// Decodes many datagrams into one Arrow batch per packet type:
/// `(batches by packet name, decoded, errors, first error messages)`.
#[pyfunction]
#[pyo3(signature = (datagrams, ts_ns=None))]
fn pcars2_decode_batch<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Option<Vec<i64>>,
) -> PyResult<(Bound<'py, PyDict>, u64, u64, Vec<String>)> {
    decode_many!(py, datagrams, ts_ns, pcars2::decode_batch)
}

/// The Python form of a batch decode: `(batches by packet name, decoded, errors, messages)`.
fn batches_to_py<'py>(
    py: Python<'py>,
    named: Vec<(&'static str, arrow_array::RecordBatch)>,
    decoded: u64,
    errors_count: u64,
    first_errors: &[(usize, paddock_core::DecodeError)],
) -> PyResult<(Bound<'py, PyDict>, u64, u64, Vec<String>)> {
    let mut batches = HashMap::with_capacity(named.len());
    for (name, batch) in named {
        if batches.insert(name, batch).is_some() {
            return Err(errors::to_py(CoreError::InvalidArgument(format!(
                "too many {name} packets for one batch; decode the datagrams in parts"
            ))));
        }
    }
    let dict = PyDict::new(py);
    for (name, batch) in batches {
        dict.set_item(name, Bound::new(py, PyBatch::from(batch))?)?;
    }
    let messages = first_errors
        .iter()
        .map(|(index, err)| format!("datagram {index}: {err}"))
        .collect();
    Ok((dict, decoded, errors_count, messages))
}

/// Decodes datagrams into one canonical frame batch (one row per telemetry packet) through the
/// stateful frame decoder; rejected datagrams are counted in the schema metadata (`errors`) and
/// skipped.
#[pyfunction]
fn pcars2_frames<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Vec<i64>,
) -> PyResult<PyBatch> {
    frames_with(py, datagrams, ts_ns, Box::new(Pcars2Frames::new()))
}

/// Runs `frames` over the datagrams: one canonical batch, with `protocol`, `decoded` and
/// `errors` in its schema metadata.
fn frames_with<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Vec<i64>,
    mut frames: Box<dyn FrameDecoder>,
) -> PyResult<PyBatch> {
    let (held, ts_ns) = collect(datagrams, Some(ts_ns))?;
    let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
    let batch = detach(py, || {
        let mut out = FrameBuilder::new(frames.channels());
        let (mut decoded, mut errors) = (0u64, 0u64);
        for (&ts, datagram) in ts_ns.iter().zip(&slices) {
            match frames.push(ts, datagram, &mut out) {
                Ok(_) => decoded += 1,
                Err(_) => errors += 1,
            }
        }
        let batch = out.finish()?;
        let metadata = HashMap::from([
            ("protocol".to_string(), frames.protocol().to_string()),
            ("decoded".to_string(), decoded.to_string()),
            ("errors".to_string(), errors.to_string()),
        ]);
        let schema = batch.schema().as_ref().clone().with_metadata(metadata);
        Ok(batch.with_schema(schema.into())?)
    })?;
    Ok(PyBatch::from(batch))
}

/// Decodes one Project CARS 1 datagram to the JSON form of its packet.
#[pyfunction]
fn pcars1_decode(datagram: &[u8]) -> PyResult<String> {
    let packet = pcars1::decode(datagram).map_err(errors::decode_to_py)?;
    pcars1::to_json(&packet).map_err(|e| errors::to_py(e.into()))
}

/// Encodes the JSON form of a Project CARS 1 packet to its datagram.
#[pyfunction]
fn pcars1_encode<'py>(py: Python<'py>, packet_json: &str) -> PyResult<Bound<'py, PyBytes>> {
    let packet = pcars1::from_json(packet_json).map_err(|e| not_a_packet("a pcars1 packet", e))?;
    Ok(PyBytes::new(py, &pcars1::encode(&packet)))
}

/// Decodes many Project CARS 1 datagrams into one Arrow batch per packet type:
/// `(batches by packet name, decoded, errors, first error messages)`.
#[pyfunction]
#[pyo3(signature = (datagrams, ts_ns=None))]
fn pcars1_decode_batch<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Option<Vec<i64>>,
) -> PyResult<(Bound<'py, PyDict>, u64, u64, Vec<String>)> {
    decode_many!(py, datagrams, ts_ns, pcars1::decode_batch)
}

/// Decodes datagrams into one canonical frame batch through a frame decoder: `protocol` is
/// `project_cars_1` (the default) or `project_cars` (auto-detecting PCARS1/PCARS2, union schema).
#[pyfunction]
#[pyo3(signature = (datagrams, ts_ns, protocol="project_cars_1"))]
fn pcars1_frames<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Vec<i64>,
    protocol: &str,
) -> PyResult<PyBatch> {
    let frames: Box<dyn FrameDecoder> = match protocol {
        pcars1::PROTOCOL => Box::new(Pcars1Frames::new()),
        paddock_core::protocols::pcars_auto::PROTOCOL => {
            paddock_core::protocols::frame_decoder(protocol).map_err(errors::to_py)?
        }
        other => {
            return Err(errors::to_py(CoreError::InvalidArgument(format!(
                "protocol must be project_cars_1 or project_cars, not {other:?}"
            ))))
        }
    };
    frames_with(py, datagrams, ts_ns, frames)
}

/// Decodes one Assetto Corsa datagram (by length: 12, 212, 328 or 408 bytes) to the JSON form of
/// its packet.
#[pyfunction]
fn ac_decode(datagram: &[u8]) -> PyResult<String> {
    let packet = ac::decode(datagram).map_err(errors::decode_to_py)?;
    ac::to_json(&packet).map_err(|e| errors::to_py(e.into()))
}

/// Encodes the JSON form of an Assetto Corsa packet to its datagram.
#[pyfunction]
fn ac_encode<'py>(py: Python<'py>, packet_json: &str) -> PyResult<Bound<'py, PyBytes>> {
    let packet = ac::from_json(packet_json).map_err(|e| not_a_packet("an ac packet", e))?;
    Ok(PyBytes::new(py, &ac::encode(&packet)))
}

/// Decodes many Assetto Corsa datagrams into one Arrow batch per packet type:
/// `(batches by packet name, decoded, errors, first error messages)`.
#[pyfunction]
#[pyo3(signature = (datagrams, ts_ns=None))]
fn ac_decode_batch<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Option<Vec<i64>>,
) -> PyResult<(Bound<'py, PyDict>, u64, u64, Vec<String>)> {
    decode_many!(py, datagrams, ts_ns, ac::decode_batch)
}

/// Decodes Assetto Corsa datagrams into one canonical frame batch (one row per `car_info`);
/// rejected datagrams are counted in the schema metadata (`errors`) and skipped.
#[pyfunction]
fn ac_frames<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Vec<i64>,
) -> PyResult<PyBatch> {
    frames_with(py, datagrams, ts_ns, Box::new(AcFrames::new()))
}

/// Decodes one ACC broadcasting datagram to the JSON form of its message; `outbound` reads the
/// client → ACC messages (type 1 is then REGISTER instead of REGISTRATION_RESULT).
#[pyfunction]
#[pyo3(signature = (datagram, outbound=false))]
fn acc_decode(datagram: &[u8], outbound: bool) -> PyResult<String> {
    let packet = if outbound {
        acc::decode_outbound(datagram)
    } else {
        acc::decode(datagram)
    }
    .map_err(errors::decode_to_py)?;
    acc::to_json(&packet).map_err(|e| errors::to_py(e.into()))
}

/// Encodes the JSON form of an ACC broadcasting message to its datagram.
#[pyfunction]
fn acc_encode<'py>(py: Python<'py>, packet_json: &str) -> PyResult<Bound<'py, PyBytes>> {
    let packet = acc::from_json(packet_json).map_err(|e| not_a_packet("an acc message", e))?;
    Ok(PyBytes::new(py, &acc::encode(&packet)))
}

/// Decodes many ACC datagrams (as a client receives them) into one Arrow batch per message type:
/// `(batches by message name, decoded, errors, first error messages)`.
#[pyfunction]
#[pyo3(signature = (datagrams, ts_ns=None))]
fn acc_decode_batch<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Option<Vec<i64>>,
) -> PyResult<(Bound<'py, PyDict>, u64, u64, Vec<String>)> {
    decode_many!(py, datagrams, ts_ns, acc::decode_batch)
}

/// Decodes ACC datagrams into one canonical frame batch (one row per REALTIME_CAR_UPDATE of the
/// focused car, or of every car with `all_cars`); rejected datagrams are counted in the schema
/// metadata (`errors`) and skipped.
#[pyfunction]
#[pyo3(signature = (datagrams, ts_ns, all_cars=false))]
fn acc_frames<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Vec<i64>,
    all_cars: bool,
) -> PyResult<PyBatch> {
    let frames = if all_cars {
        AccFrames::new().all_cars()
    } else {
        AccFrames::new()
    };
    frames_with(py, datagrams, ts_ns, Box::new(frames))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pcars2_decode, m)?)?;
    m.add_function(wrap_pyfunction!(pcars2_encode, m)?)?;
    m.add_function(wrap_pyfunction!(pcars2_decode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(pcars2_frames, m)?)?;
    m.add_function(wrap_pyfunction!(pcars1_decode, m)?)?;
    m.add_function(wrap_pyfunction!(pcars1_encode, m)?)?;
    m.add_function(wrap_pyfunction!(pcars1_decode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(pcars1_frames, m)?)?;
    m.add_function(wrap_pyfunction!(ac_decode, m)?)?;
    m.add_function(wrap_pyfunction!(ac_encode, m)?)?;
    m.add_function(wrap_pyfunction!(ac_decode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(ac_frames, m)?)?;
    m.add_function(wrap_pyfunction!(acc_decode, m)?)?;
    m.add_function(wrap_pyfunction!(acc_encode, m)?)?;
    m.add_function(wrap_pyfunction!(acc_decode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(acc_frames, m)?)?;
    Ok(())
}
