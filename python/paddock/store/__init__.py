"""Metadata in SQLite, telemetry in files under the data directory."""

from paddock.store.catalog import Catalog
from paddock.store.recordings import Recorder, open_recording

__all__ = ["Catalog", "Recorder", "open_recording"]
