"""Wire formats paddock decodes: thin wrappers over the Rust codecs (``paddock._core``).

Each protocol module decodes one datagram to a dict, encodes a dict back to its datagram, decodes
many datagrams into Arrow batches and maps them onto canonical channels.
"""

from paddock.protocols import ac, acc, pcars1, pcars2

__all__ = ["ac", "acc", "pcars1", "pcars2"]
