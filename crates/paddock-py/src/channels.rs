//! The channel registry, as a list of dicts.

use paddock_core::channels::{self, ChannelType};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Every registered channel: name, unit, min, max, description, dtype.
#[pyfunction]
fn channel_registry(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    channels::all()
        .map(|c| {
            let d = PyDict::new(py);
            d.set_item("name", c.name)?;
            d.set_item("unit", c.unit)?;
            d.set_item("min", c.min)?;
            d.set_item("max", c.max)?;
            d.set_item("description", c.description)?;
            d.set_item(
                "dtype",
                match c.dtype {
                    ChannelType::Float64 => "float64",
                    ChannelType::Int32 => "int32",
                },
            )?;
            Ok(d)
        })
        .collect()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(channel_registry, m)?)
}
