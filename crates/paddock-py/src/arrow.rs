//! `Batch`: a RecordBatch handed to Python through the Arrow PyCapsule interface, without copies.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_schema::Field;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyTuple};
use pyo3_arrow::error::PyArrowResult;
use pyo3_arrow::ffi::{
    to_array_pycapsules, to_schema_pycapsule, to_stream_pycapsule, ArrayIterator,
};
use pyo3_arrow::{PyRecordBatch, PySchema};

use crate::errors::to_py;

/// An immutable Arrow record batch owned by Rust. `pyarrow.record_batch(b)` and
/// `polars.from_arrow(b)` read it in place.
#[pyclass(frozen, module = "paddock._core", name = "Batch")]
pub(crate) struct PyBatch(pub(crate) RecordBatch);

impl PyBatch {
    fn struct_field(&self) -> Arc<Field> {
        let schema = self.0.schema();
        Arc::new(
            Field::new_struct("", schema.fields().clone(), false)
                .with_metadata(schema.metadata().clone()),
        )
    }
}

impl From<RecordBatch> for PyBatch {
    fn from(batch: RecordBatch) -> Self {
        Self(batch)
    }
}

#[pymethods]
impl PyBatch {
    /// A batch holding the rows of any Arrow record batch (anything with `__arrow_c_array__`,
    /// e.g. a `pyarrow.RecordBatch`), without copying its buffers.
    #[staticmethod]
    fn from_arrow(batch: PyRecordBatch) -> Self {
        Self(batch.into_inner())
    }

    /// A batch of the named columns only, in the order given; names the batch lacks and repeats
    /// are skipped. Cheap (the columns are shared), and it makes handing the batch to Polars or
    /// pyarrow cheap too: they import each column separately.
    fn select(&self, names: Vec<String>) -> PyResult<Self> {
        let schema = self.0.schema();
        let mut indices: Vec<usize> = Vec::with_capacity(names.len());
        for index in names.iter().filter_map(|name| schema.index_of(name).ok()) {
            if !indices.contains(&index) {
                indices.push(index);
            }
        }
        self.0
            .project(&indices)
            .map(Self)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
    }

    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.0.num_rows()
    }

    /// Column names in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.0
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    fn __len__(&self) -> usize {
        self.0.num_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "Batch(rows={}, columns={})",
            self.0.num_rows(),
            self.0.num_columns()
        )
    }

    fn __arrow_c_schema__<'py>(&'py self, py: Python<'py>) -> PyArrowResult<Bound<'py, PyCapsule>> {
        to_schema_pycapsule(py, self.0.schema_ref().as_ref())
    }

    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &'py self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyArrowResult<Bound<'py, PyTuple>> {
        let array: ArrayRef = Arc::new(StructArray::from(self.0.clone()));
        to_array_pycapsules(py, self.struct_field(), array.as_ref(), requested_schema)
    }

    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &'py self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyArrowResult<Bound<'py, PyCapsule>> {
        let array: ArrayRef = Arc::new(StructArray::from(self.0.clone()));
        let reader = ArrayIterator::new(std::iter::once(Ok(array)), self.struct_field());
        to_stream_pycapsule(py, Box::new(reader), requested_schema)
    }
}

/// One Arrow IPC record batch message of `parts` (`(feed, batch)` pairs) in the columns of
/// `schema` (anything with `__arrow_c_schema__`, its first column the `feed` string): each batch
/// cast to the schema's types, its missing channels null, its extra columns dropped.
#[pyfunction]
fn live_message<'py>(
    py: Python<'py>,
    parts: Vec<(String, PyRef<'py, PyBatch>)>,
    schema: PySchema,
) -> PyResult<Bound<'py, PyBytes>> {
    let schema = schema.into_inner();
    let pairs: Vec<(&str, &RecordBatch)> = parts
        .iter()
        .map(|(feed, batch)| (feed.as_str(), &batch.0))
        .collect();
    let bytes = paddock_core::arrow::live::live_message(&pairs, &schema).map_err(to_py)?;
    Ok(PyBytes::new(py, &bytes))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBatch>()?;
    m.add_function(wrap_pyfunction!(live_message, m)?)
}
