//! The one way paddock releases the GIL for work that touches more than one packet.

use pyo3::prelude::*;

use crate::errors;

/// Runs `work` with the GIL released and maps its error onto the Python tree.
pub(crate) fn detach<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, paddock_core::CoreError> + Send,
    T: Send,
{
    py.detach(work).map_err(errors::to_py)
}
