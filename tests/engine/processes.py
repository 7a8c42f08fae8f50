"""Real kanri processes for the reliability tests, and a loopback server that counts calls.

Each process gets its own environment (inherited `KANRI_*` variables stripped), runs in its
own directory (so no stray `kanri.toml` is read) and logs to a file that a failing test
prints. Every helper that waits is bounded by a deadline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from kanri.db.database import Database
from tests.factories import bearer, unique

T = TypeVar("T")
KANRI = str(Path(sys.executable).with_name("kanri"))
SECRET = "reliability-secret-" + "r" * 40
LEASE_SECONDS = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], T | None], within: float, what: str, every: float = 0.02) -> T:
    """The first truthy value of `check()`; AssertionError naming `what` after `within` s."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        time.sleep(every)


def kanri_env(home: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of one kanri process: short leases, fast polls, no rate limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}
    env.update(
        {
            "KANRI_DATA_DIR": str(home),
            "KANRI_SECRET_KEY": SECRET,
            "KANRI_LEASE_SECONDS": str(LEASE_SECONDS),
            "KANRI_POLL_SECONDS": "0.1",
            "KANRI_DEFAULT_RATE_LIMIT_PER_MINUTE": "1000000",
            "KANRI_ADMIN_RATE_LIMIT_PER_MINUTE": "1000000",
            "KANRI_LOG_LEVEL": "info",
            # Three processes on a PostgreSQL server that other suites may share.
            "KANRI_DB_POOL_SIZE": "8",
        }
    )
    if database_url:
        env["KANRI_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def bootstrap(env: dict[str, str], cwd: Path) -> str:
    """`kanri admin bootstrap --json` for a new organization; returns its admin key."""
    done = subprocess.run(  # noqa: S603 - our own console script
        [KANRI, "admin", "bootstrap", "--org", unique("rel"), "--json"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    admin_key: str = json.loads(done.stdout)["admin_key"]
    return admin_key


@dataclass(kw_only=True)
class KanriProcess:
    """One `kanri …` process; restartable, its output appended to `log_path`."""

    name: str
    args: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0
    offset: int = 0  # where this start's output begins in the log

    def start(self) -> KanriProcess:
        assert not self.alive, f"{self.name} is already running"
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"=== {self.name} start #{self.starts}\n".encode())
            log.flush()
            self.offset = log.tell()
            self.popen = subprocess.Popen(  # noqa: S603 - our own console script
                [KANRI, *self.args],
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        assert self.alive, f"{self.name} is not running:\n{self.tail()}"
        self.popen.send_signal(sig)  # type: ignore[union-attr]

    def kill(self) -> None:
        """SIGKILL, and reap it."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def terminate(self, within: float = 20) -> int:
        """SIGTERM (after SIGCONT, in case it is stopped); SIGKILL if it outlives `within`."""
        assert self.popen is not None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGCONT)
            self.popen.terminate()
            try:
                self.popen.wait(timeout=within)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.popen.returncode

    def events(self) -> list[dict[str, Any]]:
        """The structured log lines of the current start (JSON objects), oldest first."""
        with self.log_path.open("rb") as log:
            log.seek(self.offset)
            text = log.read().decode(errors="replace")
        found = []
        for line in text.splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        kept = [
            line
            for line in self.log_path.read_text(errors="replace").splitlines()
            if '"event": "request"' not in line
        ]
        return "\n".join(kept[-lines:])


class Processes:
    """Every process a test started: all killed on exit, their logs printed (pytest shows
    captured output only when the test fails)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.started: list[KanriProcess] = []

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *_: object) -> None:
        for process in self.started:
            process.kill()
        for process in self.started:
            print(f"\n----- {process.name} ({process.log_path})\n{process.tail()}")  # noqa: T201

    def new(self, name: str, args: list[str], env: dict[str, str]) -> KanriProcess:
        process = KanriProcess(
            name=name, args=args, env=env, cwd=self.home / name, log_path=self.home / f"{name}.log"
        )
        self.started.append(process)
        return process

    def serve(self, name: str, env: dict[str, str], port: int, *extra: str) -> KanriProcess:
        return self.new(name, ["serve", "--port", str(port), *extra], env)

    def worker(self, name: str, env: dict[str, str], concurrency: int = 8) -> KanriProcess:
        return self.new(name, ["worker", "--concurrency", str(concurrency)], env)


def wait_healthy(base_url: str, process: KanriProcess, within: float = 30) -> None:
    def healthy() -> bool:
        assert process.alive, f"{process.name} exited:\n{process.tail()}"
        try:
            return httpx.get(f"{base_url}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(healthy, within, f"{process.name} to answer /health", every=0.05)


def wait_started(process: KanriProcess, within: float = 30) -> None:
    """Until a `kanri worker` logged `worker_started` (its loops are running)."""

    def started() -> bool:
        assert process.alive, f"{process.name} exited:\n{process.tail()}"
        return any(e.get("event") == "worker_started" for e in process.events())

    wait_until(started, within, f"{process.name} to start", every=0.05)


# ---------------------------------------------------------------- the API


class Api:
    """A project of a deployment, over HTTP with its full-access key."""

    def __init__(self, base_url: str, admin_key: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        created = self.http.post(
            "/v1/projects", json={"name": unique("rel")}, headers=bearer(admin_key)
        )
        assert created.status_code == 201, created.text
        self.project_id: str = created.json()["id"]
        allowed = self.http.patch(
            f"/v1/projects/{self.project_id}",
            json={"allow_private_network": True},
            headers=bearer(admin_key),
        )
        assert allowed.status_code == 200, allowed.text
        key = self.http.post(
            f"/v1/projects/{self.project_id}/api-keys",
            json={"name": "reliability"},
            headers=bearer(admin_key),
        )
        assert key.status_code == 201, key.text
        self.headers = bearer(key.json()["key"])

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def automation(self, steps: list[dict[str, Any]], **definition: Any) -> str:
        body = {"name": unique("auto"), "definition": {"steps": steps, **definition}}
        created = self.http.post("/v1/automations", json=body, headers=self.headers)
        assert created.status_code == 201, created.text
        automation_id: str = created.json()["id"]
        published = self.http.post(f"/v1/automations/{automation_id}/publish", headers=self.headers)
        assert published.status_code == 201, published.text
        return automation_id

    def start_run(self, automation_id: str, inputs: dict[str, Any]) -> str:
        started = self.http.post(
            f"/v1/automations/{automation_id}/runs", json={"inputs": inputs}, headers=self.headers
        )
        assert started.status_code == 202, started.text
        run_id: str = started.json()["id"]
        return run_id

    def run(self, run_id: str) -> dict[str, Any]:
        response = self.http.get(f"/v1/runs/{run_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        run: dict[str, Any] = response.json()
        return run

    def runs(self) -> dict[str, dict[str, Any]]:
        """Every run of the project, by id."""
        found: dict[str, dict[str, Any]] = {}
        token: str | None = None
        while True:
            params: dict[str, Any] = {"page_size": 100}
            if token:
                params["page_token"] = token
            response = self.http.get("/v1/runs", params=params, headers=self.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            found.update({run["id"]: run for run in page["data"]})
            token = page.get("next_page_token")
            if not token:
                return found

    def steps(self, run_id: str) -> list[dict[str, Any]]:
        response = self.http.get(f"/v1/runs/{run_id}/steps", headers=self.headers)
        assert response.status_code == 200, response.text
        steps: list[dict[str, Any]] = response.json()["data"]
        return steps


# ---------------------------------------------------------------- the loopback server


@dataclass(kw_only=True)
class Call:
    key: str  # the Idempotency-Key the engine sent: "<run id>:<step id>"
    path: str
    number: int  # 1 for the first call with this key
    start: float  # time.time()
    end: float | None = None


@dataclass(kw_only=True)
class Loopback:
    """An HTTP server on 127.0.0.1 that records every call by Idempotency-Key and echoes
    `{"key", "call", "n"}`. `/slow` answers after `delay` s; `/block` holds the first call of
    each key until `release()` (later calls of that key answer at once)."""

    delay: float = 0.2
    calls: list[Call] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    def __enter__(self) -> Loopback:
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                call = loopback._record(self.headers.get("Idempotency-Key", ""), self.path)
                try:
                    if self.path == "/block" and call.number == 1:
                        loopback.released.wait(60)
                    else:
                        time.sleep(loopback.delay)
                    answer = {"key": call.key, "call": call.number, "n": body.get("n")}
                    payload = json.dumps(answer).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the caller died mid-call: that is what these tests do
                finally:
                    call.end = time.time()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            # socketserver's backlog is 5: a burst of runs' calls past it can be reset by the
            # kernel, which a run would take for a failed call.
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                return  # a killed caller's broken pipe is expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.released.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _record(self, key: str, path: str) -> Call:
        with self.lock:
            number = 1 + sum(1 for c in self.calls if c.key == key)
            call = Call(key=key, path=path, number=number, start=time.time())
            self.calls.append(call)
            return call

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def release(self) -> None:
        self.released.set()

    def of(self, key: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.key == key]

    def in_flight(self) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.end is None]


# ---------------------------------------------------------------- looking into the database


def sqlite_rows(path: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows of a query on a SQLite file whose server process is dead (the state it left)."""
    connection = sqlite3.connect(path, timeout=10)
    try:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params).fetchall()]
    finally:
        connection.close()


class PgProbe:
    """Queries and engine commands on the PostgreSQL database from a thread of its own (tests
    here are sync, and the session's event loop must stay idle)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.database: Database | None = None
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.connection: Any = self._wait(asyncpg.connect(self.dsn))

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(
            coroutine, self.loop
        )
        return future.result(timeout=30)

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        records = self._wait(self.connection.fetch(sql, *params))
        return [dict(record) for record in records]

    def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(tx, *args, **kwargs)` in a transaction of its own, as a kanri process would
        run it."""
        if self.database is None:
            self.database = Database(self.url, pool_size=1)
            self._wait(self.database.start())
        return self._wait(self.database.write(fn, *args, **kwargs))

    def close(self) -> None:
        try:
            if self.database is not None:
                self._wait(self.database.stop())
            self._wait(self.connection.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()


@contextmanager
def pg_probe(url: str) -> Iterator[PgProbe]:
    probe = PgProbe(url)
    try:
        yield probe
    finally:
        probe.close()
