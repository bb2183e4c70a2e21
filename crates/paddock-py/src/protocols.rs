//! Wire-format functions: Project CARS 2 and Assetto Corsa decode/encode of one datagram (JSON),
//! batch decode to Arrow and canonical frames. Conversion only; every byte rule lives in paddock-core.

use std::collections::HashMap;

use paddock_core::arrow::FrameBuilder;
use paddock_core::protocols::ac::{self, AcFrames};
use paddock_core::protocols::pcars2::{self, Pcars2Frames};
use paddock_core::protocols::FrameDecoder;
use paddock_core::CoreError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::arrow::PyBatch;
use crate::detach::detach;
use crate::errors;

/// Decodes one datagram to the JSON form of its packet.
#[pyfunction]
fn pcars2_decode(datagram: &[u8]) -> PyResult<String> {
    let packet = pcars2::decode(datagram).map_err(errors::decode_to_py)?;
    pcars2::to_json(&packet).map_err(|e| errors::to_py(e.into()))
}

/// Encodes the JSON form of a packet to its datagram.
#[pyfunction]
fn pcars2_encode<'py>(py: Python<'py>, packet_json: &str) -> PyResult<Bound<'py, PyBytes>> {
    let packet = pcars2::from_json(packet_json).map_err(|e| {
        errors::to_py(CoreError::InvalidArgument(format!(
            "not a pcars2 packet: {e}"
        )))
    })?;
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
    let (held, ts_ns) = collect(datagrams, ts_ns)?;
    let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
    let out = detach(py, || {
        Ok(pcars2::decode_batch(
            ts_ns.iter().copied().zip(slices.iter().copied()),
        )?)
    })?;
    let messages = out
        .first_errors
        .iter()
        .map(|(index, err)| format!("datagram {index}: {err}"))
        .collect();
    let dict = batch_dict(py, out.batches)?;
    Ok((dict, out.decoded, out.errors, messages))
}

/// The batches by packet name; an error if one name holds several batches.
fn batch_dict<'py>(
    py: Python<'py>,
    named: Vec<(&'static str, arrow_array::RecordBatch)>,
) -> PyResult<Bound<'py, PyDict>> {
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
    Ok(dict)
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
    let (held, ts_ns) = collect(datagrams, Some(ts_ns))?;
    let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
    let batch = detach(py, || run_frames(Pcars2Frames::new(), &ts_ns, &slices))?;
    Ok(PyBatch::from(batch))
}

/// Runs `frames` over the datagrams; decoded and rejected counts go in the schema metadata.
fn run_frames(
    mut frames: impl FrameDecoder,
    ts_ns: &[i64],
    slices: &[&[u8]],
) -> Result<arrow_array::RecordBatch, CoreError> {
    let mut out = FrameBuilder::new(frames.channels());
    let (mut decoded, mut errors) = (0u64, 0u64);
    for (&ts, datagram) in ts_ns.iter().zip(slices) {
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
    let packet = ac::from_json(packet_json)
        .map_err(|e| errors::to_py(CoreError::InvalidArgument(format!("not an ac packet: {e}"))))?;
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
    let (held, ts_ns) = collect(datagrams, ts_ns)?;
    let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
    let out = detach(py, || {
        Ok(ac::decode_batch(
            ts_ns.iter().copied().zip(slices.iter().copied()),
        )?)
    })?;
    let messages = out
        .first_errors
        .iter()
        .map(|(index, err)| format!("datagram {index}: {err}"))
        .collect();
    let dict = batch_dict(py, out.batches)?;
    Ok((dict, out.decoded, out.errors, messages))
}

/// Decodes Assetto Corsa datagrams into one canonical frame batch (one row per `car_info`);
/// rejected datagrams are counted in the schema metadata (`errors`) and skipped.
#[pyfunction]
fn ac_frames<'py>(
    py: Python<'py>,
    datagrams: &Bound<'py, PyAny>,
    ts_ns: Vec<i64>,
) -> PyResult<PyBatch> {
    let (held, ts_ns) = collect(datagrams, Some(ts_ns))?;
    let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
    let batch = detach(py, || run_frames(AcFrames::new(), &ts_ns, &slices))?;
    Ok(PyBatch::from(batch))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pcars2_decode, m)?)?;
    m.add_function(wrap_pyfunction!(pcars2_encode, m)?)?;
    m.add_function(wrap_pyfunction!(pcars2_decode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(pcars2_frames, m)?)?;
    m.add_function(wrap_pyfunction!(ac_decode, m)?)?;
    m.add_function(wrap_pyfunction!(ac_encode, m)?)?;
    m.add_function(wrap_pyfunction!(ac_decode_batch, m)?)?;
    m.add_function(wrap_pyfunction!(ac_frames, m)?)?;
    Ok(())
}
