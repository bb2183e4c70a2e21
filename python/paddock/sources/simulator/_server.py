"""The receive side of games that act as servers (Assetto Corsa, ACC) in the simulator."""

from __future__ import annotations

import socket
from collections.abc import Callable

Address = tuple[str, int]


def answer_pending(sock: socket.socket, respond: Callable[[bytes, Address], list[bytes]]) -> int:
    """Answer every datagram waiting on the non-blocking ``sock``; returns replies sent.

    ``respond`` gets each datagram and its sender and returns the replies to send back (none for
    datagrams the game ignores). Send errors are skipped: the client may be gone.
    """
    sent = 0
    while True:
        try:
            data, addr = sock.recvfrom(2048)
        except (BlockingIOError, InterruptedError):
            return sent
        except ConnectionError:  # an ICMP error for an earlier send (Windows)
            continue
        for answer in respond(data, (str(addr[0]), int(addr[1]))):
            try:
                sock.sendto(answer, addr)
                sent += 1
            except OSError:
                continue
