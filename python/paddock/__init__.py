"""paddock: live, recorded and analysed telemetry with a Rust core.

The public names most people need::

    import paddock
    lf = paddock.open_recording("3f2a…")            # polars.LazyFrame of canonical channels
    laps = paddock.analysis.laps.lap_table(lf)      # one row per completed lap
    lf = paddock.open_session("sess_…")             # everything recorded for a session
"""

from paddock import analysis
from paddock._native import __version__
from paddock.store.recordings import open_recording
from paddock.store.session_data import open_session

__all__ = ["__version__", "analysis", "open_recording", "open_session"]
