"""End-to-end stream latency: a UDP packet leaving the sender to its frame reaching clients.

Starts ``paddock serve`` on loopback, sends Project CARS 2 telemetry packets at ``--rate-hz``
(333 by default) to its ``pcars`` feed, and measures, for N concurrent clients of one transport:

- SSE (``/api/stream/telemetry?channels=pcars2.packet_number``): each frame's packet number maps
  back to the moment the packet was sent, so the latency is send → decoded → hub → SSE → client.
- WebSocket (``/ws/live?channels=speed_kmh`` Arrow IPC, at up to 1000 batches/s): each packet's
  speed is its number (m/s), so ``speed_kmh / 3.6`` maps a row back to the moment its packet was
  sent, and the latency is the same send → decoded → hub → WS → client.

Prints p50/p99 latency and the frames/s delivered across clients. Not run by ``just test``.

Run: ``python benches/bench_stream_latency.py [--clients 1 10 50] [--seconds 5]
[--transports sse ws]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyarrow as pa
import websockets
from httpx_sse import aconnect_sse

from paddock.protocols import pcars2


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str, int]:
    port, pcars = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
    args = [
        sys.executable,
        "-m",
        "paddock.cli",
        "serve",
        "--port",
        str(port),
        "--pcars-port",
        str(pcars),
        "--listen",
        "127.0.0.1",
        "--ttool-port",
        "0",
        "--data-dir",
        str(data_dir),
    ]
    env = {**os.environ, "PADDOCK_LOG_LEVEL": "warning", "PADDOCK_CLIENT_QUEUE": "4096"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return proc, base, pcars
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


SPEED_KEYS = 4096
"""Packets are told apart on the WebSocket by their speed: ``n % SPEED_KEYS`` m/s (exact in f32)."""


async def send_packets(
    port: int,
    rate_hz: float,
    seconds: float,
    sent: dict[int, float],
    sent_by_speed: dict[int, float],
) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    loop = asyncio.get_running_loop()
    start = loop.time()
    n = 0
    while (now := loop.time()) - start < seconds:
        packet = pcars2.encode(
            {
                "packet": "telemetry",
                "packet_number": n % 256,
                "category_packet_number": n % 256,
                "speed": float(n % SPEED_KEYS),
            }
        )
        sent[n % 256] = sent_by_speed[n % SPEED_KEYS] = time.time()
        sock.sendto(packet, ("127.0.0.1", port))
        n += 1
        await asyncio.sleep(max(0.0, start + n / rate_hz - now))
    sock.close()


async def sse_client(
    base: str, sent: dict[int, float], out: list[float], stop: asyncio.Event
) -> None:
    url = base + "/api/stream/telemetry?channels=pcars2.packet_number"
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(5, read=30)) as client,
        aconnect_sse(client, "GET", url) as source,
    ):
        async for event in source.aiter_sse():
            if stop.is_set():
                return
            if event.event != "telemetry":
                continue
            now = time.time()
            for frame in json.loads(event.data)["frames"]:
                number = frame.get("pcars2.packet_number")
                if number is not None and int(number) in sent:
                    out.append((now - sent[int(number)]) * 1000)


async def ws_client(
    base: str, sent_by_speed: dict[int, float], out: list[float], stop: asyncio.Event
) -> None:
    url = base.replace("http", "ws") + "/ws/live?channels=speed_kmh&rate_hz=1000"
    async with websockets.connect(url, max_size=None) as ws:
        schema = pa.ipc.read_schema(pa.py_buffer(await ws.recv()))
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(ws.recv(), 1)
            except TimeoutError:
                continue
            if isinstance(message, bytes):
                now = time.time()
                batch = pa.ipc.read_record_batch(pa.py_buffer(message), schema)
                for kmh in batch.column("speed_kmh").to_pylist():
                    sent = sent_by_speed.get(round(kmh / 3.6)) if kmh is not None else None
                    if sent is not None:
                        out.append((now - sent) * 1000)


async def run(
    base: str, pcars: int, transport: str, clients: int, rate: float, secs: float
) -> None:
    sent: dict[int, float] = {}
    sent_by_speed: dict[int, float] = {}
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = asyncio.Event()
    if transport == "sse":
        tasks = [
            asyncio.create_task(sse_client(base, sent, latencies[i], stop)) for i in range(clients)
        ]
    else:
        tasks = [
            asyncio.create_task(ws_client(base, sent_by_speed, latencies[i], stop))
            for i in range(clients)
        ]
    await asyncio.sleep(1.0)
    await send_packets(pcars, rate, secs, sent, sent_by_speed)
    await asyncio.sleep(0.5)
    stop.set()
    for task in tasks:
        task.cancel()
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, Exception):
            print(f"client failed: {result!r}")
    flat = sorted(x for per in latencies for x in per)
    if not flat:
        print(f"{transport:4} {clients:3} clients: no frames received")
        return
    p50 = statistics.median(flat)
    p99 = flat[min(len(flat) - 1, int(len(flat) * 0.99))]
    print(
        f"{transport:4} {clients:3} clients: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
        f"{len(flat) / secs:8.0f} frames/s delivered"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate-hz", type=float, default=333.0)
    parser.add_argument("--transports", nargs="+", choices=("sse", "ws"), default=["sse", "ws"])
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average before: {load} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, pcars = start_server(Path(tmp) / "data")
        try:
            for transport in args.transports:
                for clients in args.clients:
                    asyncio.run(run(base, pcars, transport, clients, args.rate_hz, args.seconds))
        finally:
            os.kill(proc.pid, signal.SIGINT)
            proc.wait(20)


if __name__ == "__main__":
    main()
