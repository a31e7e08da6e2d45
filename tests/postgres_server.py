"""A throw-away PostgreSQL server on loopback for the tests of the deployment's Dagster storage:
Debian's packaged server (`scripts/setup-postgres` installs it), a fresh cluster in a temporary
folder, password authentication over TCP, stopped and removed afterwards. PostgreSQL refuses to
run as root, so as root the server runs as the `postgres` system user the package creates."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

USER = "dagster"
PASSWORD = "test-only-password"
DATABASE = "dagster"


def server_binaries() -> Optional[Path]:
    """The folder holding initdb and pg_ctl: WORKFORCE_PG_BINDIR, else Debian's newest version."""
    configured = os.environ.get("WORKFORCE_PG_BINDIR")
    candidates = [configured] if configured else sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                        key=lambda p: int(Path(p).parent.name))[::-1]
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="workforce-pg-"))
        self.data = self.folder / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def start(self) -> "PostgresServer":
        password_file = self.folder / "password"
        password_file.write_text(PASSWORD + "\n")
        if self.as_root:
            shutil.chown(password_file, "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER, f"--pwfile={password_file}",
                  "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--no-instructions")
        options = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off -c full_page_writes=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.connect().close()
                break
            except Exception:  # noqa: BLE001 (starting up)
                time.sleep(0.5)
        con = self.connect(database="postgres")
        try:
            con.autocommit = True
            con.cursor().execute(f"create database {DATABASE}")
        finally:
            con.close()
        return self

    def connect(self, database: str = DATABASE):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, dbname=database)

    @property
    def environment(self) -> dict[str, str]:
        """The variables deploy/dagster.yaml reads."""
        return {"DAGSTER_POSTGRES_HOST": "127.0.0.1", "DAGSTER_POSTGRES_PORT": str(self.port),
                "DAGSTER_POSTGRES_DB": DATABASE, "DAGSTER_POSTGRES_USER": USER,
                "DAGSTER_POSTGRES_PASSWORD": PASSWORD}

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
