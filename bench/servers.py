"""Starting, readying and stopping the servers under test, and the PostgreSQL database."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
BENCH_RATE_LIMIT = 1_000_000  # the highest project limit kanri accepts


class ServerError(RuntimeError):
    """A server did not start or its setup failed."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_percent(seconds: float = 1.0) -> float | None:
    """How busy all CPUs were over `seconds` (0-100), from /proc/stat; None elsewhere."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total1 - total0
    return 100.0 * (total - (idle1 - idle0)) / total if total > 0 else None


def pin_prefix(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None else []


# Children keep compiled bytecode here, as an installed deployment has it: with
# PYTHONDONTWRITEBYTECODE every process would compile its whole dependency tree at start
# (seconds of CPU, inside a measured window when a worker starts next to a running one).
PYCACHE = Path(tempfile.gettempdir()) / "kanri-bench-pycache"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child: no inherited KANRI_* settings, bytecode cached, plus
    `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra)
    return env


class Server:
    """A server subprocess in its own session (Ctrl-C reaches us, we stop it)."""

    def __init__(
        self, name: str, cmd: list[str], *, env: dict[str, str], cwd: Path, log_path: Path
    ) -> None:
        self.name = name
        self.cmd = cmd
        self.log_path = log_path
        self.port = 0
        self._log: IO[bytes] = log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Poll `GET /health` until it answers 200."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise ServerError(
                        f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}"
                    )
                try:
                    response = client.get(f"{self.base_url}/health")
                    if response.status_code == 200:
                        return
                    last = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    last = type(exc).__name__
                time.sleep(0.1)
        raise ServerError(
            f"{self.name} not ready after {timeout:.0f} s ({last}):\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """SIGTERM the server's process group, SIGKILL after 10 s."""
        try:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=10)
        finally:
            self._log.close()


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        yield server
    finally:
        server.stop()


def start_bare(workdir: Path, cpu: int | None, *, app: str = "bench.bare_app:app") -> Server:
    """The bare FastAPI app (`app`) under uvicorn: one worker, no access log, like `kanri
    serve`."""
    port = free_port()
    cmd = [
        *pin_prefix(cpu),
        str(BIN / "python"),
        "-m",
        "uvicorn",
        app,
        "--app-dir",
        str(ROOT),
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
        "--no-server-header",
        "--no-proxy-headers",  # as `kanri serve` runs uvicorn
        "--log-level",
        "warning",
    ]
    server = Server("bare app", cmd, env=clean_env(), cwd=workdir, log_path=workdir / "bare.log")
    server.port = port
    return server


@dataclass(kw_only=True)
class KanriTarget:
    """A started kanri with the bench project: its secret key and `production` environment."""

    server: Server
    secret_key: str
    project_id: str
    environment_id: str
    database: str
    env: dict[str, str] = field(default_factory=dict)  # to restart it or start workers
    data_dir: Path | None = None


def kanri_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    extra = {
        "KANRI_DATA_DIR": str(data_dir),
        "KANRI_SECRET_KEY": secrets.token_urlsafe(48),
        "KANRI_LOG_LEVEL": "warning",  # no per-request access log lines
        "KANRI_ADMIN_RATE_LIMIT_PER_MINUTE": str(BENCH_RATE_LIMIT),
        "KANRI_CONFIG_FILE": str(data_dir / "absent-kanri.toml"),
    }
    if database_url:
        extra["KANRI_DATABASE_URL"] = database_url
    return clean_env(**extra)


def start_kanri(
    workdir: Path,
    cpu: int | None,
    database_url: str | None,
    label: str,
    *,
    serve_args: list[str] | None = None,
) -> KanriTarget:
    """`kanri admin bootstrap --json`, then `kanri serve` as users run it, then the project.

    `serve_args` are added to `kanri serve` (e.g. `--no-worker`).
    """
    data_dir = workdir / f"kanri-{label}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = kanri_env(data_dir, database_url)
    kanri_bin = str(BIN / "kanri")
    boot = subprocess.run(
        [kanri_bin, "admin", "bootstrap", "--org", "bench", "--json"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if boot.returncode != 0:
        raise ServerError(f"kanri admin bootstrap failed:\n{boot.stderr}{boot.stdout}")
    admin_key: str = json.loads(boot.stdout)["admin_key"]

    server = serve_kanri(workdir, cpu, env, data_dir, label, serve_args or [])
    try:
        server.wait_ready()
        project_id, secret_key, environment_id = _bench_project(server.base_url, admin_key)
    except BaseException:
        server.stop()
        raise
    return KanriTarget(
        server=server,
        secret_key=secret_key,
        project_id=project_id,
        environment_id=environment_id,
        database=label,
        env=env,
        data_dir=data_dir,
    )


def serve_kanri(
    workdir: Path,
    cpu: int | None,
    env: dict[str, str],
    data_dir: Path,
    label: str,
    serve_args: list[str],
) -> Server:
    """`kanri serve` on a free port (not yet ready: call `wait_ready()`)."""
    port = free_port()
    cmd = [
        *pin_prefix(cpu),
        str(BIN / "kanri"),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        *serve_args,
    ]
    log_path = workdir / f"kanri-{label}.log"
    if log_path.exists():  # a restart: keep the first log
        log_path = workdir / f"kanri-{label}-{time.monotonic_ns()}.log"
    server = Server(f"kanri ({label})", cmd, env=env, cwd=data_dir, log_path=log_path)
    server.port = port
    return server


def _expect(response: httpx.Response, status: int, what: str) -> dict[str, Any]:
    if response.status_code != status:
        raise ServerError(f"{what}: HTTP {response.status_code}: {response.text[:500]}")
    body: dict[str, Any] = response.json()
    return body


def _bench_project(base_url: str, admin_key: str) -> tuple[str, str, str]:
    """A project with the limit raised, a secret key, and its `production` environment id."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        admin = {"Authorization": f"Bearer {admin_key}"}
        project = _expect(
            client.post(
                "/v1/projects",
                json={"name": "bench", "rate_limit_per_minute": BENCH_RATE_LIMIT},
                headers=admin,
            ),
            201,
            "create project",
        )
        created = _expect(
            client.post(
                f"/v1/projects/{project['id']}/api-keys", json={"name": "bench"}, headers=admin
            ),
            201,
            "create key",
        )
        key: str = created["key"]
        listing = _expect(
            client.get("/v1/environments", headers={"Authorization": f"Bearer {key}"}),
            200,
            "list environments",
        )
        production = [e["id"] for e in listing["data"] if e["name"] == "production"]
        if not production:
            raise ServerError(f"no production environment in {listing}")
        return str(project["id"]), key, str(production[0])


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class Postgres:
    """The PostgreSQL database of the run; one named in `owned` is created and dropped here."""

    url: str
    owned: str | None = None

    def create(self) -> None:
        if self.owned is not None:
            _psql(f'DROP DATABASE IF EXISTS "{self.owned}"')
            _psql(f'CREATE DATABASE "{self.owned}"')

    def drop(self) -> None:
        if self.owned is not None:
            _psql(f'DROP DATABASE IF EXISTS "{self.owned}" WITH (FORCE)')


def _psql(sql: str) -> None:
    proc = subprocess.run(
        [
            "psql",
            "-h",
            HOST,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise ServerError(f"psql failed: {proc.stderr.strip() or proc.stdout.strip()}")


def postgres_database() -> Postgres:
    """`KANRI_BENCH_DATABASE_URL` as given, else `kanri_bench_<pid>` on the local server.

    Call `create()` (a no-op for a given URL) and, in a `finally`, `drop()`.
    """
    given = os.environ.get("KANRI_BENCH_DATABASE_URL")
    if given:
        return Postgres(given)
    if shutil.which("psql") is None:
        raise ServerError("psql not found; set KANRI_BENCH_DATABASE_URL or pass --no-postgres")
    name = f"kanri_bench_{os.getpid()}"
    return Postgres(f"postgresql+asyncpg://postgres@{HOST}:5432/{name}", owned=name)
