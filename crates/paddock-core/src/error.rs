//! The crate's error types: `DecodeError` for bad bytes, `CoreError` for everything else.

/// Why a datagram could not be decoded. Every variant carries the numbers needed to act on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The datagram is shorter than its packet type requires.
    #[error("{protocol} {packet} packet too short: expected {expected} bytes, got {got}")]
    TooShort {
        protocol: &'static str,
        packet: &'static str,
        expected: usize,
        got: usize,
    },
    /// The datagram is longer than its packet type allows.
    #[error("{protocol} {packet} packet too long: expected {expected} bytes, got {got}")]
    TooLong {
        protocol: &'static str,
        packet: &'static str,
        expected: usize,
        got: usize,
    },
    /// The datagram length matches no packet of the protocol.
    #[error("{protocol} datagram of {got} bytes matches no packet type (type byte {packet_type})")]
    UnknownLength {
        protocol: &'static str,
        got: usize,
        packet_type: u8,
    },
    /// The type byte names no packet type the protocol knows.
    #[error("{protocol} packet type {packet_type} is unknown ({got} bytes)")]
    UnknownType {
        protocol: &'static str,
        packet_type: u8,
        got: usize,
    },
    /// The type byte and the length disagree.
    #[error("{protocol} packet type {packet_type} must be {expected} bytes, got {got}")]
    LengthMismatch {
        protocol: &'static str,
        packet_type: u8,
        expected: usize,
        got: usize,
    },
    /// The protocol has no type byte and the datagram length matches none of its packets.
    #[error("{protocol} datagram of {got} bytes matches no packet size (accepted: {sizes})")]
    UnknownSize {
        protocol: &'static str,
        got: usize,
        sizes: &'static str,
    },
    /// The protocol's layout is not known, so the datagram is kept raw and not decoded.
    #[error("{protocol} datagram of {got} bytes not decoded: the layout is not public; kept raw")]
    UnknownLayout { protocol: &'static str, got: usize },
    /// A field holds a value the protocol does not allow.
    #[error("{protocol} field {field} holds invalid value {value}")]
    InvalidField {
        protocol: &'static str,
        field: &'static str,
        value: i64,
    },
}

/// Errors of the core outside decoding: I/O, Arrow, MCAP, bad arguments.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("Arrow error: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("MCAP error: {0}")]
    Mcap(#[from] ::mcap::McapError),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("unknown protocol {0:?}")]
    UnknownProtocol(String),
}

/// Result alias over [`CoreError`].
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
