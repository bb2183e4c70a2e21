"""Recordings: start, stop, list, inspect, delete, download (raw feed, MCAP, Parquet) and laps."""

from __future__ import annotations

import io
from typing import Any

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from paddock.analysis.laps import lap_table
from paddock.api.runtime import Runtime
from paddock.api.schemas.recordings import Lap, Recording, RecordingRequest
from paddock.store.recordings import MCAP_FILE, open_recording, validate_feed_name


def _recording(manifest: dict[str, Any]) -> Recording:
    return msgspec.convert(manifest, Recording, strict=False)


class RecordingsController(Controller):
    """``/api/recordings``."""

    path = "/api/recordings"
    tags = ["recordings"]

    @get("/", sync_to_thread=False)
    def list_recordings(self, runtime: NamedDependency[Runtime]) -> list[Recording]:
        """Every recording, newest first."""
        return [_recording(m) for m in runtime.recorder.list()]

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def start(
        self, runtime: NamedDependency[Runtime], data: JSONBody[RecordingRequest | None] = None
    ) -> Recording:
        """Starts recording every live feed. Every body field is optional. 409 while one runs."""
        return _recording(runtime.recorder.start(data or RecordingRequest()))

    @post("/stop", status_code=HTTP_200_OK, sync_to_thread=True)
    def stop_active(self, runtime: NamedDependency[Runtime]) -> Recording:
        """Stops the recording that is running. 404 when none is."""
        return _recording(runtime.recorder.stop())

    @post("/{recording_id:str}/stop", status_code=HTTP_200_OK, sync_to_thread=True)
    def stop(self, runtime: NamedDependency[Runtime], recording_id: FromPath[str]) -> Recording:
        """Stops this recording. 409 when it is not the one running."""
        return _recording(runtime.recorder.stop(recording_id))

    @get("/{recording_id:str}", sync_to_thread=False)
    def get_recording(
        self, runtime: NamedDependency[Runtime], recording_id: FromPath[str]
    ) -> Recording:
        """The recording's manifest."""
        return _recording(runtime.recorder.get(recording_id))

    @delete("/{recording_id:str}", status_code=HTTP_204_NO_CONTENT, sync_to_thread=True)
    def delete_recording(
        self, runtime: NamedDependency[Runtime], recording_id: FromPath[str]
    ) -> None:
        """Deletes the recording and its directory. 409 while it runs."""
        runtime.recorder.delete(recording_id)

    @get("/{recording_id:str}/data/{feed_name:str}", sync_to_thread=False)
    def raw_data(
        self,
        runtime: NamedDependency[Runtime],
        recording_id: FromPath[str],
        feed_name: FromPath[str],
    ) -> File:
        """The feed's datagrams exactly as received.

        In paddock's raw framing, ``pdkraw/1`` (see docs/formats.md).
        """
        path = runtime.recorder.raw_path(recording_id, feed_name)
        return File(
            path,
            filename=f"{recording_id}-{feed_name}.pdkraw",
            media_type="application/octet-stream",
        )

    @get("/{recording_id:str}/mcap", sync_to_thread=False)
    def mcap(self, runtime: NamedDependency[Runtime], recording_id: FromPath[str]) -> File:
        """The recording's MCAP file (opens in Foxglove)."""
        path = runtime.recorder.file_path(recording_id, MCAP_FILE)
        return File(path, filename=f"{recording_id}.mcap", media_type="application/x-mcap")

    @get("/{recording_id:str}/frames.parquet", sync_to_thread=True)
    def parquet(
        self,
        runtime: NamedDependency[Runtime],
        recording_id: FromPath[str],
        feed: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """Every decoded frame of the recording as one Parquet file (``feed`` filters)."""
        runtime.recorder.get(recording_id)
        if feed is not None:
            validate_feed_name(feed)
        frames = open_recording(
            recording_id, data_dir=runtime.settings.data_dir, feed=feed
        ).collect()
        buffer = io.BytesIO()
        frames.write_parquet(buffer, compression="zstd")
        return Response(
            buffer.getvalue(),
            media_type="application/vnd.apache.parquet",
            headers={"Content-Disposition": f'attachment; filename="{recording_id}.parquet"'},
        )

    @get("/{recording_id:str}/laps", sync_to_thread=True)
    def laps(self, runtime: NamedDependency[Runtime], recording_id: FromPath[str]) -> list[Lap]:
        """Completed laps of the recording with lap and sector times."""
        runtime.recorder.get(recording_id)
        table = lap_table(open_recording(recording_id, data_dir=runtime.settings.data_dir))
        return msgspec.convert(table.to_dicts(), list[Lap])
