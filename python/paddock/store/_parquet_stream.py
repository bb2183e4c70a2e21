"""The one module that uses pyarrow: re-writing a Parquet file as a stream of record batches.

pyarrow ships no type stubs, so it stays behind this small, typed function.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


class _Queue:
    """A write-only file object: pyarrow writes into it, the stream takes the bytes out."""

    closed = False

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def rewrite(path: Path, *, batch_rows: int) -> Iterator[bytes]:
    """The Parquet file at ``path`` as bytes of a new Parquet file, one record batch at a time.

    Each batch of at most ``batch_rows`` rows becomes one row group, sent as soon as it is
    written; the footer comes last. Only one batch is in memory at a time.
    """
    source = pq.ParquetFile(path)
    queue = _Queue()
    writer = pq.ParquetWriter(
        pa.PythonFile(queue, mode="w"), source.schema_arrow, compression="zstd"
    )
    try:
        for batch in source.iter_batches(batch_size=batch_rows):
            writer.write_batch(batch, row_group_size=batch_rows)
            data = queue.take()
            if data:
                yield data
    finally:
        writer.close()
        source.close()
    data = queue.take()
    if data:
        yield data
