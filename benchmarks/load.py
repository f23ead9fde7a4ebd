"""A loopback HTTP load tool and a gunicorn server for the city benchmark.

The client is the standard library's ``http.client`` on keep-alive
connections, one per thread, so that what is timed is the server: on this
2-core machine a separate load tool would compete for the same cores anyway,
and a request costs the client well under a millisecond.
"""

import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Timings:
    """Latencies in milliseconds, and the statuses they ended with."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, other: "Timings") -> None:
        self.latencies.extend(other.latencies)
        self.statuses.update(other.statuses)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)

    @property
    def rate(self) -> float:
        """Requests per second over the whole run."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def percentile(values: list[float], rank: int) -> float:
    """Return the nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    index = max(0, -(-rank * len(ordered) // 100) - 1)  # ceil, 1-based
    return ordered[index]


class Connection:
    """One keep-alive connection that reconnects when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def send(self, request: Request) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.http.request(
                    request.method, request.path, request.body, request.headers
                )
                response = self.http.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.http.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


def sequential(port: int, make: Callable[[int], Request], count: int) -> Timings:
    """Send ``count`` requests one after another and time each."""
    connection, timings = Connection(port), Timings()
    started = time.perf_counter()
    for number in range(count):
        request = make(number)
        begun = time.perf_counter()
        status, _body = connection.send(request)
        timings.latencies.append((time.perf_counter() - begun) * 1000)
        timings.statuses[status] += 1
    timings.seconds = time.perf_counter() - started
    return timings


def concurrent(
    port: int, makers: list[Callable[[int], Request]], seconds: float
) -> Timings:
    """Keep one request in flight per maker for ``seconds``; time every one."""
    deadline = time.perf_counter() + seconds
    results = [Timings() for _ in makers]

    def run(make, timings: Timings) -> None:
        connection, number = Connection(port), 0
        while time.perf_counter() < deadline:
            request = make(number)
            begun = time.perf_counter()
            status, _body = connection.send(request)
            timings.latencies.append((time.perf_counter() - begun) * 1000)
            timings.statuses[status] += 1
            number += 1

    threads = [
        threading.Thread(target=run, args=(make, timings))
        for make, timings in zip(makers, results, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Timings(seconds=time.perf_counter() - started)
    for timings in results:
        total.add(timings)
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, *, workers: int) -> Iterator[int]:
    """Run the project under gunicorn on a free loopback port; yield the port."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "policing.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        "--threads=2",
        "--timeout=300",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        _wait_until_listening(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_listening(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start listening within 60 s")
