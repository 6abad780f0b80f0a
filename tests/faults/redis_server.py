"""A throw-away redis-server for the fault tests, on a free port of the loopback, with no
persistence: stopping it loses what it held, as an outage of an unpersisted broker would.

    with redis_server() as redis:
        redis.url            # redis://127.0.0.1:<port>/0
        redis.stop()         # the port refuses connections from now on
        redis.start()        # the same port again, empty
"""

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# How long start() waits for the server to answer PING, and stop() for it to exit, before
# giving up (a bound on a broken environment, not a measure of speed).
READY_TIMEOUT_SECONDS = 20


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_path() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """One redis-server process at a time on a fixed port, stopped and started at will."""

    def __init__(self, root: Path, port: int | None = None):
        self.root = root
        self.port = port or free_port()
        self.log_file = root / "redis.log"
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        command = [
            redis_server_path() or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.root),
            "--logfile",
            str(self.log_file),
        ]
        self._process = subprocess.Popen(  # noqa: S603 - fixed program and arguments
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self.ping():
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.log_file}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL): clients get connection refused."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=READY_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def ping(self) -> bool:
        """Whether a server answers on the port, spoken in Redis's own protocol."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A started server, stopped and its folder removed however the block ends."""
    root = Path(tempfile.mkdtemp(prefix="hamkorlik-redis-"))
    server = RedisServer(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
