"""Recordings: start, stop, list, inspect, delete, download (raw feed, MCAP, Parquet) and laps."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File, Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from paddock.analysis.laps import lap_table
from paddock.api.runtime import Runtime
from paddock.api.schemas.recordings import Lap, Recording, RecordingRequest
from paddock.exceptions import Conflict, InvalidArgument
from paddock.store.integrity import MCAP_SEGMENT, inventory
from paddock.store.recordings import open_recording, validate_feed_name

ZIP_CHUNK = 1 << 20


def _zip_directory(directory: Path, into: Path) -> None:
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            archive.write(path, str(path.relative_to(directory)))


def _stream_and_remove(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as f:
            while chunk := f.read(ZIP_CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)


def _plain_name(name: str) -> str:
    """``name`` if it names a file directly (no separators, no ``..``, no leading dot)."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        raise InvalidArgument(f"invalid file name {name!r}: a plain file name is expected")
    return name


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
    def stop_active(
        self, runtime: NamedDependency[Runtime], force: FromQuery[bool] = False
    ) -> Recording:
        """Stops the recording that is running and checks its files (``integrity``).

        404 when none is; 409 inside the protected-stop window unless ``force=true``.
        """
        return _recording(runtime.recorder.stop(force=force))

    @post("/{recording_id:str}/stop", status_code=HTTP_200_OK, sync_to_thread=True)
    def stop(
        self,
        runtime: NamedDependency[Runtime],
        recording_id: FromPath[str],
        force: FromQuery[bool] = False,
    ) -> Recording:
        """Stops this recording and checks its files (``integrity``).

        409 when it is not the one running, or inside its protected-stop window unless
        ``force=true``.
        """
        return _recording(runtime.recorder.stop(recording_id, force=force))

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
        manifest = runtime.recorder.get(recording_id)
        name = manifest.get("files", {}).get("mcap", "recording.mcap")
        path = runtime.recorder.file_path(recording_id, name)
        return File(path, filename=f"{recording_id}.mcap", media_type="application/x-mcap")

    @get("/{recording_id:str}/segments", sync_to_thread=True)
    def segments(
        self, runtime: NamedDependency[Runtime], recording_id: FromPath[str]
    ) -> dict[str, Any]:
        """Every file of the recording grouped as ``mcap``, ``raw``, ``parquet`` and ``other``."""
        manifest = runtime.recorder.get(recording_id)
        return {
            "recording_id": recording_id,
            "status": manifest["status"],
            "segments": inventory(runtime.recorder.recordings_dir / recording_id),
        }

    @get("/{recording_id:str}/segments/{segment_name:str}", sync_to_thread=False)
    def segment(
        self,
        runtime: NamedDependency[Runtime],
        recording_id: FromPath[str],
        segment_name: FromPath[str],
    ) -> File:
        """One MCAP segment of the recording (``recording.mcap``, ``recording-00000.mcap``, …)."""
        if not MCAP_SEGMENT.fullmatch(segment_name):
            raise InvalidArgument(f"invalid segment name {segment_name!r}")
        path = runtime.recorder.file_path(recording_id, segment_name)
        return File(path, filename=segment_name, media_type="application/x-mcap")

    @get("/{recording_id:str}/files/{file_name:str}", sync_to_thread=False)
    def file(
        self,
        runtime: NamedDependency[Runtime],
        recording_id: FromPath[str],
        file_name: FromPath[str],
    ) -> File:
        """A file at the top of the recording's directory, by name. 400 for names with a path."""
        path = runtime.recorder.file_path(recording_id, _plain_name(file_name))
        return File(path, filename=file_name, media_type="application/octet-stream")

    @get("/{recording_id:str}/download", sync_to_thread=True)
    def download(self, runtime: NamedDependency[Runtime], recording_id: FromPath[str]) -> Stream:
        """Every file of the stopped recording in one zip. 409 while it is being written."""
        manifest = runtime.recorder.get(recording_id)
        if manifest["status"] == "recording":
            raise Conflict(f"recording {recording_id} is being written; stop it first")
        directory = runtime.recorder.recordings_dir / recording_id
        fd, name = tempfile.mkstemp(
            prefix=f".{recording_id}-", suffix=".zip.tmp", dir=runtime.recorder.recordings_dir
        )
        os.close(fd)
        archive = Path(name)
        try:
            _zip_directory(directory, archive)
        except BaseException:
            archive.unlink(missing_ok=True)
            raise
        return Stream(
            _stream_and_remove(archive),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{recording_id}.zip"',
                "Content-Length": str(archive.stat().st_size),
            },
        )

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
