"""Processes of a benchmark run: starting and stopping them, their peak memory, the figures
they print. Standard library only, so the measuring process loads no Django."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Where the portal keeps its files (settings.VAR_DIR), read as the settings read it."""
    return Path(os.environ.get("DJANGO_VAR_DIR") or ROOT / "var")


def shown(path: Path) -> str:
    """A path as printed: relative to the project when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """A server process in its own session: a Ctrl-C in the terminal reaches only the harness,
    which then stops the server in order (gunicorn and Celery stop gracefully on SIGTERM)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 - our own command line, no shell
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop(process: subprocess.Popen | None, *, grace: float = 30) -> None:
    """SIGTERM, then SIGKILL to the whole session if it has not ended after `grace` seconds
    (so no worker child is left behind)."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers, Celery's pool processes)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    if found:
        return sorted(set(found))
    # Kernels without /proc/<pid>/task/<tid>/children: scan every process's parent.
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM) in MiB, None once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def wait_until(predicate, *, timeout: float, interval: float = 0.25, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")


def figure_line(name: str, value, unit: str, note: str = "") -> str:
    """One figure as the benchmarks print it: `name value unit`, then an optional comment."""
    if isinstance(value, float):
        value = f"{value:.1f}" if abs(value) >= 100 else f"{value:.2f}"
    line = f"{name} {value} {unit}"
    return f"{line:<52}  # {note}" if note else line


def parse_figure(line: str) -> tuple[str, float | int | str, str] | None:
    """The (name, value, unit) of a line printed by figure_line, None for any other line."""
    parts = line.split("#", 1)[0].split()
    if len(parts) != 3:
        return None
    name, text, unit = parts
    try:
        value = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            value = text
    return name, value, unit
