"""Analysis stages: pure functions from a ``polars.LazyFrame`` of canonical channels to tables."""

from paddock.analysis import laps

__all__ = ["laps"]
