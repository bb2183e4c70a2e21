"""paddock's exception tree: the native classes, re-exported with their meaning.

- ``PaddockError``: base of everything paddock raises on purpose.
- ``DecodeError``: bytes a protocol does not accept.
- ``RecordingError``: a recording could not be written or read.
- ``FeedError``: a feed could not be configured or run.
- ``InvalidArgument`` (also a ``ValueError``): an argument paddock cannot use.
- ``NotFound``: a recording, feed or file that does not exist.
- ``Conflict``: the request contradicts the current state (a recording already running).
"""

from paddock._native import DecodeError, FeedError, InvalidArgument, PaddockError, RecordingError


class NotFound(PaddockError):
    """Something asked for by id or name does not exist."""


class Conflict(PaddockError):
    """The request contradicts the current state."""


__all__ = [
    "Conflict",
    "DecodeError",
    "FeedError",
    "InvalidArgument",
    "NotFound",
    "PaddockError",
    "RecordingError",
]
