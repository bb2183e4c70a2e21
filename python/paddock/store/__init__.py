"""Metadata in SQLite, telemetry in files under the data directory."""

from paddock.store.catalog import Catalog
from paddock.store.recordings import Recorder, open_recording
from paddock.store.session_data import SessionData, open_session
from paddock.store.sessions import SessionStore

__all__ = ["Catalog", "Recorder", "SessionData", "SessionStore", "open_recording", "open_session"]
