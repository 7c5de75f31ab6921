"""The real database engines for tests: SQLite files, and a PostgreSQL server from the
Debian package that the tests start themselves (initdb as the `postgres` user, in a temp
dir, on a free port) and stop.

`postgres` is run in the foreground as a child of pytest rather than daemonised with
`pg_ctl start`, so that it dies with the tests (PDEATHSIG) if pytest is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import free_port

PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))


def postgres_available() -> bool:
    return bool(PG_BINS) and _postgres_user() is not None and os.geteuid() == 0


def _postgres_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def _as_postgres(die_with_parent: bool) -> None:
    user = _postgres_user()
    assert user is not None
    os.setgroups([])
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    if die_with_parent:  # after setuid: a change of credentials clears PDEATHSIG
        ctypes.CDLL(None).prctl(1, signal.SIGINT, 0, 0, 0)  # SIGINT: PostgreSQL's fast stop


class PostgresServer:
    """One PostgreSQL cluster in a temp dir, listening on 127.0.0.1 only, trust auth."""

    def __init__(self, *, fsync: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tp-postgres-"))
        self.fsync = fsync
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bin(self) -> Path:
        return PG_BINS[-1]

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def start(self) -> PostgresServer:
        user = _postgres_user()
        assert user is not None
        os.chown(self.root, user.pw_uid, user.pw_gid)
        data = self.root / "data"
        subprocess.run(
            [self.bin / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            check=True, capture_output=True, preexec_fn=lambda: _as_postgres(False),
        )  # fmt: skip
        self.port = free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.root),
            "max_connections": "200",
            "fsync": "on" if self.fsync else "off",
            "log_min_messages": "warning",
        }
        args = [f"--{key}={value}" for key, value in settings.items()]
        self.process = subprocess.Popen(
            [self.bin / "postgres", "-D", data, "-p", str(self.port), *args],
            stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT,
            preexec_fn=lambda: _as_postgres(True),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(psycopg.OperationalError):
                psycopg.connect(self.dsn("postgres"), connect_timeout=2).close()
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"postgres did not start:\n{self.log_path.read_text()[-3000:]}")

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL the app is given (PLAYGROUND_DATABASE_URL)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def query(self, database: str, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.dsn(database), autocommit=True) as connection:
            cursor = connection.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if not postgres_available():
        pytest.skip("PostgreSQL is not installed (.ci/run apt-gets postgresql) or not root")
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each engine: what PLAYGROUND_DATABASE_URL would name."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'playground.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.url(server.create_database())
