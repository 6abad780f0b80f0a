"""A throw-away PostgreSQL cluster for the fault tests, so that stopping or restarting the
database never touches the server the rest of the suite (and everyone else) uses.

The cluster is made with the server's own initdb (the Debian layout,
/usr/lib/postgresql/<version>/bin, newest version first), listens on 127.0.0.1 on a free port
and in a socket folder of its own, and trusts every local connection. initdb and the server
refuse to run as root: as root they run as the `postgres` system user, which then owns the
cluster's folder.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "postgres"
SUPERUSER = "postgres"
# How long pg_ctl waits for the server to start or stop before it gives up.
PG_CTL_TIMEOUT_SECONDS = 60


def server_bin_dir() -> Path | None:
    """The newest installed server's bin folder (the one holding initdb and pg_ctl)."""

    def version(folder: str) -> tuple[int, ...]:
        name = Path(folder).parent.name
        return tuple(int(part) for part in name.split(".") if part.isdigit())

    found = [
        folder
        for folder in glob.glob(SERVER_BIN_GLOB)
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists()
    ]
    return Path(max(found, key=version)) if found else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """A cluster in its own folder: start, stop, restart, make databases, give their URLs."""

    def __init__(self, bin_dir: Path, root: Path):
        self.bin_dir = bin_dir
        self.root = root
        self.data_dir = root / "data"
        self.socket_dir = root / "socket"
        self.log_file = root / "server.log"
        self.port = free_port()
        self.as_server_user = os.geteuid() == 0

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / program), *args]
        if self.as_server_user:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(  # noqa: S603 - the server's own programs, no shell
            command,
            check=check,
            capture_output=True,
            text=True,
            timeout=PG_CTL_TIMEOUT_SECONDS + 30,
            cwd=self.root,
        )

    def _server_options(self) -> str:
        # fsync off: the cluster lives for one test; durability across a power cut is not what
        # is tested, only a clean restart of the server.
        return (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )

    def init(self) -> None:
        self.socket_dir.mkdir(parents=True)
        if self.as_server_user:
            server_user = pwd.getpwnam(SERVER_USER)
            for path in (self.root, self.socket_dir):
                os.chown(path, server_user.pw_uid, server_user.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run(
            "pg_ctl",
            action,
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            str(PG_CTL_TIMEOUT_SECONDS),
            *args,
        )

    def start(self) -> None:
        self._pg_ctl("start", "-o", self._server_options())

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        """Stops the server (`fast`: open sessions are ended, their transactions rolled
        back) and starts it again on the same port."""
        self._pg_ctl("restart", "-m", mode, "-o", self._server_options())

    def is_running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)

    def url(self, name: str) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A started throw-away cluster, stopped and deleted on the way out whatever happened.

    The folder is made in the system's temporary folder, not pytest's: pytest's folders are
    readable by their owner only, and the server may run as another user.
    """
    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise RuntimeError(f"No PostgreSQL server found under {SERVER_BIN_GLOB}.")
    root = Path(tempfile.mkdtemp(prefix="hamkorlik-pg-"))
    cluster = PostgresCluster(bin_dir, root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop(mode="immediate")
        shutil.rmtree(root, ignore_errors=True)
