"""What the protocol wrappers share: the batch-decode result and JSON/list conversions."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from paddock import _native

_T = TypeVar("_T")


class DecodedBatches(NamedTuple):
    """The result of a protocol's ``decode_batch``."""

    batches: dict[str, _native.Batch]
    """One Arrow batch per packet type seen, by packet name."""
    decoded: int
    """Datagrams decoded."""
    errors: int
    """Datagrams rejected (and skipped)."""
    first_errors: list[str]
    """Messages of the first few rejections, each naming the datagram's index."""


def finite(value: Any) -> Any:
    """Replace non-finite floats (which JSON cannot hold) by ``None``, read back as NaN."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def as_list(items: Sequence[_T]) -> list[_T]:
    """``items`` as a list, without copying one that already is."""
    return items if isinstance(items, list) else list(items)
