//! `paddock._core`: the PyO3 binding of paddock-core. It converts, releases the GIL and maps
//! errors; every rule about bytes lives in paddock-core.

use pyo3::prelude::*;

mod arrow;
mod can;
mod channels;
mod detach;
mod errors;
mod mcap;
mod protocols;
mod ring;
mod udp;

/// The extension module.
#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "build_profile",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    )?;
    errors::register(m)?;
    arrow::register(m)?;
    can::register(m)?;
    channels::register(m)?;
    protocols::register(m)?;
    ring::register(m)?;
    udp::register(m)?;
    mcap::register(m)?;
    Ok(())
}
