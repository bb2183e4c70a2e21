"""CAN: DBC decoding in Rust, python-can log files, for notebooks and the server.

::

    from paddock.can import CanDecoder, read_log

    decoder = CanDecoder.from_dbc("car.dbc")
    frames = decoder.decode(ts_ns, ids, data)        # {message_name: polars.DataFrame}
    log = read_log("session.asc", dbc="car.dbc")     # the same, plus log.frames (raw)
"""

from paddock.can._dbc import DbcError, MessageInfo, SignalInfo, load_database
from paddock.can._decoder import CanDecoder, Decoded, DecodeStats
from paddock.can._logs import DecodedLog, iter_frame_chunks, read_frames, read_log
from paddock.can.cars import CarConfig, CarConfigError, list_cars, load_car

__all__ = [
    "CanDecoder",
    "CarConfig",
    "CarConfigError",
    "DbcError",
    "DecodeStats",
    "Decoded",
    "DecodedLog",
    "MessageInfo",
    "SignalInfo",
    "iter_frame_chunks",
    "list_cars",
    "load_car",
    "load_database",
    "read_frames",
    "read_log",
]
