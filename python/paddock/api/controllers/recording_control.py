"""The active recording in FootballVision's shape: ``/api/recording`` and ``/api/recording-health``.

Start and stop answer with service-level results (``{"success", "message", ...}``, status 200)
rather than errors, as that API does: a stop inside the protected-stop window, or with a file
that fails its integrity check, says so in ``success`` and ``message``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from paddock.api.runtime import Runtime
from paddock.exceptions import Conflict, NotFound
from paddock.store.integrity import latest_segment
from paddock.store.recordings import RecordingRequest


class StartRecording(msgspec.Struct, kw_only=True):
    """``POST /api/recording``: every field optional."""

    match_id: str | None = None
    name: str | None = None
    force: bool = False
    game: str | None = None
    track: str | None = None
    car: str | None = None
    notes: str | None = None


def _state(runtime: Runtime) -> dict[str, Any]:
    active = runtime.recorder.active
    if active is None:
        return {"recording": False, "match_id": None, "duration": 0.0, "protected_for_s": 0.0}
    manifest = active.snapshot()
    return {
        "recording": True,
        "match_id": manifest["id"],
        "name": manifest["name"],
        "duration": manifest["duration_s"],
        "protected_for_s": round(runtime.recorder.protected_for(), 3),
        "feeds": [f["name"] for f in manifest["feeds"]],
        "segments": manifest.get("mcap_segments", []),
    }


class RecordingControlController(Controller):
    """``/api/recording`` (state, start, stop) and ``/api/recording-health``."""

    path = "/api"
    tags = ["recordings"]

    @get("/recording", sync_to_thread=False)
    def state(self, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        """Whether a recording runs, its id, duration and protected-stop time left."""
        return _state(runtime)

    @post("/recording", status_code=HTTP_200_OK, sync_to_thread=True)
    def start(
        self, runtime: NamedDependency[Runtime], data: JSONBody[StartRecording | None] = None
    ) -> dict[str, Any]:
        """Starts recording every live feed; ``force=true`` stops a running one first."""
        body = data or StartRecording()
        recorder = runtime.recorder
        if recorder.active is not None:
            if not body.force:
                return {
                    "success": False,
                    "message": f"Recording {recorder.active.id} already running; "
                    "use force=true to replace it",
                    "match_id": recorder.active.id,
                }
            recorder.stop(force=True)
        request = RecordingRequest(
            name=body.name or body.match_id,
            game=body.game,
            track=body.track,
            car=body.car,
            notes=body.notes,
        )
        manifest = recorder.start(request)
        return {
            "success": True,
            "message": f"Recording started for match: {manifest['name']}",
            "match_id": manifest["id"],
            "recording": manifest,
        }

    @delete("/recording", status_code=HTTP_200_OK, sync_to_thread=True)
    def stop(
        self, runtime: NamedDependency[Runtime], force: FromQuery[bool] = False
    ) -> dict[str, Any]:
        """Stops the recording and re-reads every file it wrote.

        ``success`` is false inside the protected-stop window (unless ``force=true``), when no
        recording runs, or when an integrity check fails (message ``Recording pipelines stopped
        but integrity checks failed``).
        """
        try:
            manifest = runtime.recorder.stop(force=force)
        except NotFound:
            return {"success": False, "message": "No recording is running"}
        except Conflict as exc:
            return {
                "success": False,
                "message": str(exc),
                "protected_for_s": round(runtime.recorder.protected_for(), 3),
            }
        result: dict[str, Any] = dict(manifest.get("stop_result") or {})
        result["integrity"] = manifest.get("integrity")
        result["match_id"] = manifest["id"]
        result["recording"] = manifest
        return result

    @get("/recording-health", sync_to_thread=True)
    def health(self, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        """The running recording's latest MCAP segment (name, size, age) and its feeds' files."""
        active = runtime.recorder.active
        if active is None:
            return {
                "healthy": True,
                "recording": False,
                "message": "No recording running",
                "recovery_attempts": {},
                "diagnostics": {},
            }
        directory = runtime.recorder.recordings_dir / active.id
        segment = latest_segment(directory)
        issues = []
        if segment is None:
            issues.append("no MCAP segment on disk")
        diagnostics: dict[str, Any] = {
            "mcap": {
                "pipeline_present": True,
                "pipeline_state": "running",
                **(segment or {"latest_segment": None, "latest_segment_size": 0}),
                "integrity_probe": {"checked": False, "ok": None, "error": None},
            }
        }
        for feed in active.snapshot()["feeds"]:
            raw = directory / feed["raw_file"]
            diagnostics[feed["name"]] = {
                "pipeline_present": True,
                "pipeline_state": "running",
                "latest_segment": feed["raw_file"],
                "latest_segment_size": raw.stat().st_size if raw.exists() else 0,
                "packets": feed["packets"],
                "frames": feed["frames"],
            }
        return {
            "healthy": not issues,
            "recording": True,
            "match_id": active.id,
            "message": "Recording healthy" if not issues else "; ".join(issues),
            "recovery_attempts": {},
            "diagnostics": diagnostics,
        }
