"""Where telemetry comes from: every feed is configured, started and stopped the same way."""

from paddock.sources.base import Feed, FeedBatch, FeedStatus
from paddock.sources.udp import UdpSource

__all__ = ["Feed", "FeedBatch", "FeedStatus", "UdpSource"]
