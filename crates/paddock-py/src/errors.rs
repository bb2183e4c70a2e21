//! The Python exception tree and the one mapping from core errors onto it.

use paddock_core::{CoreError, DecodeError as CoreDecodeError};
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyPermissionError, PyValueError};
use pyo3::prelude::*;

pyo3::create_exception!(
    paddock.exceptions,
    PaddockError,
    PyException,
    "Base of every paddock error."
);
pyo3::create_exception!(
    paddock.exceptions,
    DecodeError,
    PaddockError,
    "Bytes a protocol does not accept."
);
pyo3::create_exception!(
    paddock.exceptions,
    RecordingError,
    PaddockError,
    "A recording could not be written or read."
);
pyo3::create_exception!(
    paddock.exceptions,
    FeedError,
    PaddockError,
    "A feed could not be configured or run."
);
pyo3::create_exception!(
    paddock.exceptions,
    InvalidArgument,
    PyValueError,
    "An argument paddock cannot use."
);

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("PaddockError", py.get_type::<PaddockError>())?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("RecordingError", py.get_type::<RecordingError>())?;
    m.add("FeedError", py.get_type::<FeedError>())?;
    m.add("InvalidArgument", py.get_type::<InvalidArgument>())?;
    Ok(())
}

/// Maps a core error onto the Python tree.
pub(crate) fn to_py(err: CoreError) -> PyErr {
    match err {
        CoreError::Decode(e) => DecodeError::new_err(e.to_string()),
        CoreError::Io(e) => match e.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(e.to_string()),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(e.to_string()),
            _ => RecordingError::new_err(e.to_string()),
        },
        CoreError::Mcap(e) => RecordingError::new_err(e.to_string()),
        CoreError::InvalidArgument(msg) => InvalidArgument::new_err(msg),
        CoreError::UnknownProtocol(name) => {
            InvalidArgument::new_err(format!("unknown protocol {name:?}"))
        }
        other => PaddockError::new_err(other.to_string()),
    }
}

/// Maps a decode error.
pub(crate) fn decode_to_py(err: CoreDecodeError) -> PyErr {
    DecodeError::new_err(err.to_string())
}
