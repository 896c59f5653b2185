"""A throw-away PostgreSQL 15 cluster for fault tests: initdb in a fresh
directory, a free port on loopback, trust authentication. initdb refuses to
run as root, so as root the cluster belongs to the `postgres` system user."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> str | None:
    """None when a cluster can be made here, else why not."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server binaries in {PG_BIN}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres system user for initdb"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="bolots-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._user = None
        if os.geteuid() == 0:
            self._user = "postgres"
            shutil.chown(self.root, user="postgres")

    def _run(self, *args, check=True, timeout=60):
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=timeout)

    def url(self, database="postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        return self

    def pg_ctl(self, action, *extra):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        return self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                         "-w", "-t", "30", action, *extra)

    def psql(self, sql, database="postgres") -> str:
        result = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.url(database), "-c", sql],
                                check=True, capture_output=True, text=True, timeout=30)
        return result.stdout.strip()

    def wait_for(self, sql, expected, database="postgres", timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.psql(sql, database) == expected:
                return
            time.sleep(0.1)
        raise AssertionError(f"{sql!r} never gave {expected!r}")

    def destroy(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
