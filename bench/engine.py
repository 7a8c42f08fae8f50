"""The run engine's benchmark (`python -m bench.run --only engine`; part of the full run).

Four measurements, in one run on this machine:

(a) embedded SQLite, one `kanri serve`: three-step `transform` runs triggered over HTTP
    by wrk (32 in flight; a C client takes little of the 2 cores the server shares with it)
    until all are completed; runs/s = N / (last run's end - first trigger).
    Target >= 500 runs/s.
(b) PostgreSQL, the queue pre-filled over HTTP (`kanri serve --no-worker`), then drained by
    2 `kanri worker` processes (the runs are held back until both have registered, as the
    bare loop's processes are told to start together once connected); against a bare
    `FOR UPDATE SKIP LOCKED` claim/finish loop (asyncpg, 2 processes, same concurrency,
    3 checkpoint UPDATEs and a finish UPDATE per job, each its own transaction as the engine
    commits them) over a table in the same database. Target >= 1,000 runs/s and a cost
    ratio (bare runs/s / kanri runs/s, i.e. kanri's cost per run over the bare loop's)
    <= 2.
(c) trigger -> first step start on an idle worker (SQLite, runs one at a time): the first
    checkpoint's `start_time` minus the run's `create_time` (server clocks). Targets p50
    <= 10 ms, p99 <= 50 ms.
(d) `GET /v1/runs` with 100k runs in the project (rows copied into the stopped server's
    SQLite file from a real completed run): page 1,000 against page 1 (page_size 50),
    p50 of repeated requests. Target <= 1.5x.

Nothing here asserts: BELOW a target is reported. Failed runs or HTTP errors make the
measurement an ERROR (exit status 1).

`python -m bench.engine bare-worker DSN CONCURRENCY NAME` is the bare loop's process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

import asyncpg
import httpx

from bench import servers, wrk
from bench.servers import KanriTarget, Postgres, Server, ServerError

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
STEP_IDS = ("first", "second", "third")
DEFINITION: dict[str, Any] = {
    "steps": [
        {"id": "first", "kind": "transform", "output": {"n": 1, "text": "one"}},
        {"id": "second", "kind": "transform", "output": "{{ steps.first.output.n + 1 }}"},
        {"id": "third", "kind": "transform", "output": {"total": "{{ steps.second.output * 2 }}"}},
    ]
}
IN_FLIGHT = 32  # concurrent trigger requests
WORKERS = 2  # (b): worker processes, kanri and bare alike
WORKER_CONCURRENCY = 16  # runs at once per worker process (kanri's default)
PAGE_SIZE = 50
LIST_PAGE = 1000
DRAIN_TIMEOUT = 180.0


@dataclass(frozen=True, kw_only=True)
class EngineSettings:
    runs: int = 2000  # (a)
    pg_runs: int = 3000  # (b), for kanri and the bare loop alike
    latency_runs: int = 200  # (c)
    list_runs: int = 100_000  # (d)
    postgres: bool = True
    server_cpu: int | None = None  # pin `kanri serve` (SQLite) here
    client_cpu: int | None = None  # and this process here during the SQLite part


@dataclass(kw_only=True)
class Figure:
    """One printed row: a number, its target, and the verdict."""

    key: str
    label: str
    value: float | None = None
    unit: str = ""
    target: float | None = None
    higher_is_better: bool = True
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    brief: str = ""  # the key supporting numbers, printed in the table

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "SKIPPED" if self.error.startswith("skipped") else "ERROR"
        if self.value is None:
            return "—"
        if self.target is None:
            return "info"
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "PASS" if ok else "BELOW"

    def shown(self, value: float | None) -> str:
        if value is None:
            return "—"
        if self.unit == "x":
            return f"{value:.2f}×"
        if self.unit == "ms":
            return f"{value:.2f} ms"
        return f"{value:,.0f} {self.unit}".rstrip()

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "target_is": "minimum" if self.higher_is_better else "maximum",
            "verdict": self.verdict,
            "error": self.error,
            "brief": self.brief,
            "details": self.details,
        }


class BenchError(RuntimeError):
    """A measurement could not be made (HTTP errors, failed runs, a timeout)."""


# ---------------------------------------------------------------- small helpers


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0-100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100.0 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _time(value: str) -> datetime:
    """An RFC 3339 timestamp of the API, or SQLite's naive UTC text."""
    parsed = datetime.fromisoformat(value.replace(" ", "T"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _machine_busy_seconds() -> float | None:
    """CPU-seconds all CPUs spent not idle since boot (from /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _cpu_of(pids: list[int]) -> float | None:
    total = 0.0
    for pid in pids:
        seconds = servers.process_cpu_seconds(pid)
        if seconds is None:
            return None
        total += seconds
    return total


@contextlib.contextmanager
def _pinned(cpu: int | None) -> Iterator[None]:
    """Pin this process to `cpu` for the block (the load generator apart from the server)."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _check(response: httpx.Response, status: int, what: str) -> dict[str, Any]:
    if response.status_code != status:
        raise BenchError(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Accept": "application/json"}


def create_automation(base_url: str, key: str, name: str) -> str:
    """The three-step transform automation, published; its id."""
    with httpx.Client(base_url=base_url, headers=_headers(key), timeout=30.0) as client:
        created = _check(
            client.post("/v1/automations", json={"name": name, "definition": DEFINITION}),
            201,
            "create automation",
        )
        _check(client.post(f"/v1/automations/{created['id']}/publish"), 201, "publish")
        return str(created["id"])


@dataclass(kw_only=True)
class Triggered:
    count: int
    started_at: float  # wall clock (time.time()) just before the first request
    seconds: float  # until the last answer
    latencies_ms: list[float]
    run_ids: list[str]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


async def trigger_many(
    base_url: str, key: str, automation_id: str, count: int, labels: dict[str, str]
) -> Triggered:
    """`count` POST /v1/automations/{id}/runs, IN_FLIGHT at a time; 202 expected each."""
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    path = f"/v1/automations/{automation_id}/runs"
    body = {"inputs": {}, "labels": labels}
    latencies: list[float] = []
    run_ids: list[str] = []
    errors: list[str] = []
    todo = iter(range(count))
    async with httpx.AsyncClient(
        base_url=base_url, headers=_headers(key), timeout=30.0, limits=limits
    ) as client:

        async def sender() -> None:
            for _ in todo:
                t0 = time.perf_counter()
                response = await client.post(path, json=body)
                latencies.append((time.perf_counter() - t0) * 1000.0)
                if response.status_code != 202:
                    errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                    return
                run_ids.append(response.json()["id"])

        started_at = time.time()
        t0 = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(min(IN_FLIGHT, count))))
        seconds = time.perf_counter() - t0
    if errors:
        raise BenchError(f"{len(errors)} trigger requests failed, first: {errors[0]}")
    return Triggered(
        count=count, started_at=started_at, seconds=seconds, latencies_ms=latencies, run_ids=run_ids
    )


# (a)'s client: wrk (C, little CPU beside the server on a 2-core machine) POSTing the same
# body on IN_FLIGHT connections until `limit` requests have been sent. A few more may go out
# while the thread stops (requests already written): (a) counts the runs the batch created.
TRIGGER_LUA = """\
local limit = 0
local sent = 0

function init(args)
  limit = tonumber(args[1])
  wrk.method = "POST"
  wrk.body = args[2]
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  if sent > limit then wrk.thread:stop() end
  return wrk.format()
end
"""


def trigger_with_wrk(
    base_url: str,
    key: str,
    automation_id: str,
    count: int,
    labels: dict[str, str],
    created: Callable[[], int],
) -> Triggered:
    """About `count` POST /v1/automations/{id}/runs from wrk, IN_FLIGHT at a time. wrk
    sleeps for its whole -d whatever its threads do, so it is interrupted (it then prints its
    report) once `created()` reaches `count`."""
    body = json.dumps({"inputs": {}, "labels": labels})
    load = wrk.LoadSettings(
        threads=1, connections=IN_FLIGHT, duration_seconds=0, warmup_seconds=0, cpu=None
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(TRIGGER_LUA)
    try:
        cmd = load.command(
            f"{base_url}/v1/automations/{automation_id}/runs",
            int(DRAIN_TIMEOUT),
            _headers(key),
            Path(script.name),
            [str(count), body],
        )
        started_at, t0 = time.time(), time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + DRAIN_TIMEOUT
        made, still_since = 0, time.monotonic()
        while made < count and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            now_made = created()
            if now_made != made:
                made, still_since = now_made, time.monotonic()
            elif made and time.monotonic() - still_since > 1.0:
                break  # wrk's thread has stopped a few requests short of `count`
        seconds = time.perf_counter() - t0
        # wrk's SIGINT handler ends its sleep only when the main thread takes the signal.
        for _ in range(100):
            if proc.poll() is not None:
                break
            proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        os.unlink(script.name)
    if proc.returncode != 0:
        raise BenchError(f"wrk exited with {proc.returncode}: {stderr.strip()}")
    result = wrk.parse(stdout)
    if result.failures:
        raise BenchError(f"{result.failures} trigger requests failed: {result.socket_errors}")
    latencies = [result.p50_ms, result.p99_ms]
    return Triggered(
        count=result.requests,
        started_at=started_at,
        seconds=seconds,
        latencies_ms=latencies,
        run_ids=[],
    )


def _count_runs(client: httpx.Client, filter_: str) -> int:
    params: dict[str, str | int] = {"filter": filter_, "include_total": "true", "page_size": 1}
    body = _check(client.get("/v1/runs", params=params), 200, "count runs")
    return int(body["total_size"])


def _merge_json(section: str, data: dict[str, Any]) -> None:
    """Put `data` under `section` in latest.json, keeping what other sections wrote."""
    existing: dict[str, Any] = {}
    if RESULTS.exists():
        with contextlib.suppress(ValueError, OSError):
            loaded = json.loads(RESULTS.read_text())
            if isinstance(loaded, dict):
                existing = loaded
    existing[section] = data
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(existing, indent=2, default=str) + "\n")


# ---------------------------------------------------------------- SQLite: (c), (a), (d)


def measure_latency(target: KanriTarget, automation_id: str, runs: int) -> Figure:
    """(c) one run at a time on the idle embedded worker: first step start - create_time."""
    figure = Figure(
        key="trigger_to_first_step",
        label=f"(c) trigger → first step start, idle worker, p50 of {runs} [sqlite]",
        unit="ms",
        target=10.0,
        higher_is_better=False,
    )
    path = f"/v1/automations/{automation_id}/runs"
    claim_ms: list[float] = []
    first_step_ms: list[float] = []
    answer_ms: list[float] = []
    warmup = 10
    with httpx.Client(
        base_url=target.server.base_url, headers=_headers(target.secret_key), timeout=30.0
    ) as client:
        for i in range(warmup + runs):
            time.sleep(0.005)  # let the worker settle into waiting for work
            t0 = time.perf_counter()
            run = _check(
                client.post(path, params={"wait": 5}, json={"labels": {"batch": "latency"}}),
                202,
                "trigger (wait)",
            )
            elapsed = (time.perf_counter() - t0) * 1000.0
            if run["status"] != "completed":
                raise BenchError(f"run {run['id']} is {run['status']} after ?wait=5")
            steps = _check(client.get(f"/v1/runs/{run['id']}/steps"), 200, "steps")["data"]
            if i < warmup:
                continue
            created = _time(run["create_time"])
            answer_ms.append(elapsed)
            claim_ms.append((_time(run["start_time"]) - created).total_seconds() * 1000.0)
            first_step_ms.append((_time(steps[0]["start_time"]) - created).total_seconds() * 1e3)
    figure.value = _percentile(first_step_ms, 50)
    figure.brief = (
        f"p99 {_percentile(first_step_ms, 99):.2f} ms; claim (run start_time) "
        f"p50 {_percentile(claim_ms, 50):.2f} / p99 {_percentile(claim_ms, 99):.2f} ms"
    )
    figure.details = {
        "runs": runs,
        "warmup_runs": warmup,
        "first_step_ms": _summary_ms(first_step_ms),
        "claim_ms": _summary_ms(claim_ms),
        "trigger_with_wait_answer_ms": _summary_ms(answer_ms),
        "measured_as": "run_steps[0].start_time - runs.create_time (server timestamps)",
    }
    return figure


def _summary_ms(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(_percentile(values, 50), 3),
        "p90": round(_percentile(values, 90), 3),
        "p99": round(_percentile(values, 99), 3),
        "max": round(max(values), 3),
        "mean": round(statistics.fmean(values), 3),
    }


def measure_throughput_sqlite(
    target: KanriTarget, automation_id: str, runs: int, db_path: Path
) -> Figure:
    """(a) N runs triggered over HTTP, 32 in flight, until all are completed."""
    figure = Figure(
        key="sqlite_runs_per_second",
        label=f"(a) {runs:,} 3-step transform runs, HTTP trigger → completed [sqlite, 1 serve]",
        unit="runs/s",
        target=500.0,
    )
    batch = f"a{secrets.token_hex(4)}"
    server = target.server
    cpu0 = servers.process_cpu_seconds(server.proc.pid)

    def created() -> int:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            (n,) = conn.execute(
                "SELECT count(*) FROM runs WHERE json_extract(labels, '$.batch') = ?", (batch,)
            ).fetchone()
        return int(n)

    triggered = trigger_with_wrk(
        server.base_url, target.secret_key, automation_id, runs, {"batch": batch}, created
    )
    done_filter = f'labels.batch = "{batch}" AND status = "completed"'
    with httpx.Client(
        base_url=server.base_url, headers=_headers(target.secret_key), timeout=30.0
    ) as client:
        runs = _count_runs(client, f'labels.batch = "{batch}"')  # what wrk's requests made
    deadline = time.monotonic() + DRAIN_TIMEOUT
    with httpx.Client(
        base_url=server.base_url, headers=_headers(target.secret_key), timeout=30.0
    ) as client:
        completed = 0
        while completed < runs:
            if time.monotonic() > deadline:
                raise BenchError(f"only {completed:,} of {runs:,} runs completed in time")
            time.sleep(0.25)  # the end time comes from the database, not from this poll
            completed = _count_runs(client, done_filter)
        cpu1 = servers.process_cpu_seconds(server.proc.pid)
        failed = _count_runs(client, f'labels.batch = "{batch}" AND status = "failed"')
    if failed:
        raise BenchError(f"{failed} runs failed")
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        first_create, last_end = conn.execute(
            "SELECT min(create_time), max(end_time) FROM runs "
            "WHERE json_extract(labels, '$.batch') = ? AND status = 'completed'",
            (batch,),
        ).fetchone()
    started = datetime.fromtimestamp(triggered.started_at, UTC)
    elapsed = (_time(last_end) - started).total_seconds()
    figure.value = runs / elapsed
    cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    figure.brief = (
        f"{runs:,} runs in {elapsed:.1f} s; triggers answered at {triggered.per_second:,.0f}/s"
    )
    if cpu is not None:
        figure.brief += f"; server CPU {1000.0 * cpu / runs:.2f} ms/run"
    figure.details = {
        "runs": runs,
        "in_flight": IN_FLIGHT,
        "seconds_first_trigger_to_last_end": round(elapsed, 3),
        "trigger_seconds": round(triggered.seconds, 3),
        "trigger_requests_per_second": round(triggered.per_second, 1),
        "trigger_latency_ms": _summary_ms(triggered.latencies_ms),
        "server_cpu_seconds": round(cpu, 3) if cpu is not None else None,
        "server_cpu_ms_per_run": round(1000.0 * cpu / runs, 3) if cpu is not None else None,
        "first_create_time": first_create,
        "last_end_time": last_end,
    }
    return figure


def fill_runs(db_path: Path, count: int) -> dict[str, Any]:
    """Copy a real completed run `count` times into the (stopped) server's SQLite file.

    Every column comes from the template row (as `runs.service.trigger` and the engine wrote
    it); only id, batch label and the times differ. One transaction, executemany.
    """
    from sqlalchemy import Table, create_engine, insert, select

    from kanri.core.ids import new_id
    from kanri.engine.models import RunRow

    table = cast(Table, RunRow.__table__)
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.begin() as conn:
            template = (
                conn.execute(
                    select(table).where(table.c.status == "completed").order_by(table.c.id).limit(1)
                )
                .mappings()
                .one()
            )
            base = datetime.now(UTC) - timedelta(days=30)
            rows: list[dict[str, Any]] = []
            for i in range(count):
                created = base + timedelta(milliseconds=10 * i)
                row = dict(template)
                row.update(
                    id=new_id("run"),
                    labels={"batch": "list"},
                    create_time=created,
                    start_time=created + timedelta(milliseconds=2),
                    end_time=created + timedelta(milliseconds=5),
                    update_time=created + timedelta(milliseconds=5),
                    available_at=created,
                )
                rows.append(row)
            t0 = time.perf_counter()
            conn.execute(insert(table), rows)
            seconds = time.perf_counter() - t0
            total = conn.execute(
                select(table.c.id).where(table.c.project_id == template["project_id"])
            ).all()
    finally:
        engine.dispose()
    return {
        "inserted": count,
        "insert_seconds": round(seconds, 2),
        "project_runs": len(total),
        "environment_id": template["environment_id"],
    }


def measure_listing(target: KanriTarget, fill: dict[str, Any]) -> Figure:
    """(d) page 1,000 against page 1 of GET /v1/runs (page_size 50)."""
    figure = Figure(
        key="list_page_ratio",
        label=f"(d) GET /v1/runs page {LIST_PAGE:,} vs page 1 ({fill['project_runs']:,} runs)",
        unit="x",
        target=1.5,
        higher_is_better=False,
    )
    tokens: list[str | None] = [None]  # tokens[k]: the token that fetches page k + 1
    walk_ms: list[float] = []
    with httpx.Client(
        base_url=target.server.base_url, headers=_headers(target.secret_key), timeout=30.0
    ) as client:

        def page(token: str | None) -> tuple[float, dict[str, Any]]:
            params: dict[str, str | int] = {"page_size": PAGE_SIZE}
            if token is not None:
                params["page_token"] = token
            t0 = time.perf_counter()
            response = client.get("/v1/runs", params=params)
            ms = (time.perf_counter() - t0) * 1000.0
            body = _check(response, 200, "list runs")
            if len(body["data"]) != PAGE_SIZE:
                raise BenchError(f"a page of {len(body['data'])} runs, not {PAGE_SIZE}")
            return ms, body

        for _ in range(20):  # warm-up: caches, the statement cache, SQLite's page cache
            page(None)
        for _ in range(LIST_PAGE):
            ms, body = page(tokens[-1])
            walk_ms.append(ms)
            tokens.append(body.get("next_page_token"))
            if tokens[-1] is None:
                raise BenchError(f"no page after page {len(tokens) - 1}")
        last = tokens[LIST_PAGE - 1]
        first_ms: list[float] = []
        last_ms: list[float] = []
        for _ in range(50):  # interleaved, so both see the same machine
            first_ms.append(page(None)[0])
            last_ms.append(page(last)[0])
    figure.value = statistics.median(last_ms) / statistics.median(first_ms)
    early = statistics.median(walk_ms[:10])
    late = statistics.median(walk_ms[-10:])
    figure.brief = (
        f"p50 page 1 {statistics.median(first_ms):.2f} ms, page {LIST_PAGE:,} "
        f"{statistics.median(last_ms):.2f} ms; walk: pages 1-10 {early:.2f} ms, "
        f"{LIST_PAGE - 9:,}-{LIST_PAGE:,} {late:.2f} ms"
    )
    figure.details = {
        "page_size": PAGE_SIZE,
        "page_1_ms": _summary_ms(first_ms),
        f"page_{LIST_PAGE}_ms": _summary_ms(last_ms),
        "repeats": 50,
        "walk_p50_ms_pages_1_10": round(early, 3),
        f"walk_p50_ms_pages_{LIST_PAGE - 9}_{LIST_PAGE}": round(late, 3),
        "walk_ratio": round(late / early, 3),
        "walk_total_seconds": round(sum(walk_ms) / 1000.0, 2),
        **fill,
    }
    return figure


def measure_sqlite(workdir: Path, settings: EngineSettings) -> list[Figure]:
    print("== engine on SQLite: one `kanri serve` (embedded worker)", flush=True)
    latency = Figure(
        key="trigger_to_first_step",
        label="(c) trigger → first step start, idle worker [sqlite]",
        unit="ms",
        higher_is_better=False,
    )
    throughput = Figure(
        key="sqlite_runs_per_second", label="(a) HTTP trigger → completed [sqlite]", unit="runs/s"
    )
    listing = Figure(key="list_page_ratio", label="(d) GET /v1/runs page 1,000 vs page 1", unit="x")
    figures = [throughput, latency, listing]
    try:
        target = servers.start_kanri(workdir, settings.server_cpu, None, "engine-sqlite")
    except (ServerError, OSError) as exc:
        for f in figures:
            f.error = f"kanri did not start: {exc}"
        return figures
    assert target.data_dir is not None
    db_path = target.data_dir / "kanri.db"
    server: Server = target.server
    try:
        with _pinned(settings.client_cpu):
            automation_id = create_automation(server.base_url, target.secret_key, "bench-three")
            print(f"  (c) {settings.latency_runs} runs one at a time …", flush=True)
            figures[1] = latency = _attempt(
                latency, lambda: measure_latency(target, automation_id, settings.latency_runs)
            )
            print(f"  (a) {settings.runs:,} runs, {IN_FLIGHT} triggers in flight …", flush=True)
            figures[0] = throughput = _attempt(
                throughput,
                lambda: measure_throughput_sqlite(target, automation_id, settings.runs, db_path),
            )
            _report(latency)
            _report(throughput)
            server.stop()
            print(f"  (d) copying {settings.list_runs:,} runs into the database …", flush=True)
            fill = fill_runs(db_path, settings.list_runs)
            server = servers.serve_kanri(
                workdir, settings.server_cpu, target.env, target.data_dir, "engine-sqlite", []
            )
            target.server = server
            server.wait_ready()
            print(f"  (d) walking {LIST_PAGE:,} pages …", flush=True)
            figures[2] = listing = _attempt(listing, lambda: measure_listing(target, fill))
            _report(listing)
    except (ServerError, BenchError, httpx.HTTPError, sqlite3.Error) as exc:
        for i, f in enumerate(figures):
            if f.value is None and f.error is None:
                figures[i].error = _summary(exc)
        print(f"  !! {exc}", flush=True)
        if server.proc.poll() is not None:
            print(server.log_tail(), flush=True)
    finally:
        server.stop()
    return figures


def _attempt(blank: Figure, measure: Callable[[], Figure]) -> Figure:
    try:
        return measure()
    except (BenchError, httpx.HTTPError, sqlite3.Error, asyncpg.PostgresError, OSError) as exc:
        blank.error = _summary(exc)
        print(f"  !! {blank.label}: {exc}", flush=True)
        return blank


def _summary(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _report(figure: Figure) -> None:
    if figure.error is None:
        print(f"  {figure.label}: {figure.shown(figure.value)}", flush=True)


# ---------------------------------------------------------------- PostgreSQL: (b)


def _dsn(url: str) -> str:
    """An asyncpg DSN from kanri's SQLAlchemy URL."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


@dataclass(kw_only=True)
class Drain:
    """A queue drained by worker processes: DB timestamps and sampled CPU."""

    count: int
    seconds: float  # first claim -> last finish (database timestamps)
    steady_per_second: float  # between 10 % and 90 % of the finishes
    worker_cpu_ms_per_run: float | None  # worker processes, over the steady window
    machine_cpu_ms_per_run: float | None  # all CPUs (PostgreSQL included), same window
    wall_seconds: float  # from starting the workers until all done (includes start-up)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    @property
    def brief(self) -> str:
        text = f"{self.count:,} in {self.seconds:.1f} s (steady {self.steady_per_second:,.0f}/s)"
        if self.worker_cpu_ms_per_run is not None:
            text += f"; CPU/run: workers {self.worker_cpu_ms_per_run:.2f} ms"
        if self.machine_cpu_ms_per_run is not None:
            text += f", machine {self.machine_cpu_ms_per_run:.2f} ms"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.count,
            "runs_per_second": round(self.per_second, 1),
            "seconds_first_claim_to_last_finish": round(self.seconds, 3),
            "steady_runs_per_second_10_90": round(self.steady_per_second, 1),
            "worker_cpu_ms_per_run": _round(self.worker_cpu_ms_per_run),
            "machine_cpu_ms_per_run": _round(self.machine_cpu_ms_per_run),
            "wall_seconds_including_start": round(self.wall_seconds, 3),
        }


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


@dataclass
class _Sample:
    at: float
    done: int
    worker_cpu: float | None
    machine_cpu: float | None


async def _drain(
    conn: Any,
    count_sql: str,
    count_args: tuple[Any, ...],
    times_sql: str,
    pids: list[int],
    total: int,
    alive: Callable[[], str | None],
) -> Drain:
    """Poll until `total` are done; `alive()` names a dead process (then it fails)."""
    t0 = time.monotonic()
    samples: list[_Sample] = []
    while True:
        done, failed = await conn.fetchrow(count_sql, *count_args)
        samples.append(_Sample(time.monotonic(), done, _cpu_of(pids), _machine_busy_seconds()))
        if failed:
            raise BenchError(f"{failed} runs failed")
        if done >= total:
            break
        dead = alive()
        if dead is not None:
            raise BenchError(f"{dead} exited with {done:,} of {total:,} done")
        if time.monotonic() - t0 > DRAIN_TIMEOUT:
            raise BenchError(f"only {done:,} of {total:,} done after {DRAIN_TIMEOUT:.0f} s")
        await asyncio.sleep(0.1)  # the times come from the database, not from this poll
    wall = time.monotonic() - t0
    first, last, p10, p90 = await conn.fetchrow(times_sql, *count_args)
    low = next(s for s in samples if s.done >= 0.1 * total)
    high = next(s for s in samples if s.done >= 0.9 * total)
    runs_between = high.done - low.done
    worker_cpu = machine_cpu = None
    if runs_between > 0:
        if low.worker_cpu is not None and high.worker_cpu is not None:
            worker_cpu = 1000.0 * (high.worker_cpu - low.worker_cpu) / runs_between
        if low.machine_cpu is not None and high.machine_cpu is not None:
            machine_cpu = 1000.0 * (high.machine_cpu - low.machine_cpu) / runs_between
    steady_seconds = (p90 - p10).total_seconds()
    return Drain(
        count=total,
        seconds=(last - first).total_seconds(),
        steady_per_second=(0.8 * total) / steady_seconds if steady_seconds > 0 else 0.0,
        worker_cpu_ms_per_run=worker_cpu,
        machine_cpu_ms_per_run=machine_cpu,
        wall_seconds=wall,
    )


_TIMES = """
SELECT min(start_time), max(end_time),
       percentile_disc(0.1) WITHIN GROUP (ORDER BY end_time),
       percentile_disc(0.9) WITHIN GROUP (ORDER BY end_time)
FROM {table} WHERE {where}
"""


def _first_dead(procs: list[Server]) -> str | None:
    for proc in procs:
        if proc.proc.poll() is not None:
            return f"{proc.name} (exit {proc.proc.returncode}):\n{proc.log_tail()}"
    return None


def measure_kanri_postgres(workdir: Path, postgres: Postgres, runs: int) -> tuple[Drain, Triggered]:
    """Pre-fill the queue over HTTP (`serve --no-worker`), then drain it with 2 workers."""
    target = servers.start_kanri(
        workdir, None, postgres.url, "engine-postgresql", serve_args=["--no-worker"]
    )
    workers: list[Server] = []
    try:
        server = target.server
        automation_id = create_automation(server.base_url, target.secret_key, "bench-three")
        batch = f"b{secrets.token_hex(4)}"
        print(f"  (b) queueing {runs:,} runs over HTTP (no worker running) …", flush=True)
        triggered = asyncio.run(
            trigger_many(server.base_url, target.secret_key, automation_id, runs, {"batch": batch})
        )
        print(
            f"      {triggered.per_second:,.0f} triggers/s; "
            f"draining with {WORKERS} × `kanri worker --concurrency {WORKER_CONCURRENCY}` …",
            flush=True,
        )
        assert target.data_dir is not None
        # Held back until both workers are up, as the bare loop's processes start together.
        asyncio.run(_hold(postgres.url, batch))
        for i in range(WORKERS):
            cmd = [
                str(servers.BIN / "kanri"),
                "worker",
                "--concurrency",
                str(WORKER_CONCURRENCY),
            ]
            workers.append(
                Server(
                    f"kanri worker {i + 1}",
                    cmd,
                    env=target.env,
                    cwd=target.data_dir,
                    log_path=workdir / f"kanri-worker-{i + 1}.log",
                )
            )

        async def drain() -> Drain:
            conn = await asyncpg.connect(_dsn(postgres.url))
            try:
                where = "labels->>'batch' = $1"
                return await _drain(
                    conn,
                    f"SELECT count(*) FILTER (WHERE status = 'completed'), "
                    f"count(*) FILTER (WHERE status = 'failed') FROM runs WHERE {where}",
                    (batch,),
                    _TIMES.format(table="runs", where=where),
                    [w.proc.pid for w in workers],
                    runs,
                    lambda: _first_dead(workers),
                )
            finally:
                await conn.close()

        asyncio.run(_release(postgres.url, batch, [w.proc.pid for w in workers]))
        result = asyncio.run(drain())
        result_steps = asyncio.run(_count_steps(postgres.url, batch))
        if result_steps != STEP_COUNT * runs:
            raise BenchError(f"{result_steps} checkpoints for {runs} runs")
        return result, triggered
    finally:
        for worker in workers:
            worker.stop()
        target.server.stop()


STEP_COUNT = len(STEP_IDS)
HELD = "UPDATE runs SET available_at = {when} WHERE labels->>'batch' = $1 AND status = 'pending'"


async def _hold(url: str, batch: str) -> None:
    """Make the queued runs of `batch` ready only in an hour (they stay as triggered)."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute(HELD.format(when="now() + interval '1 hour'"), batch)
    finally:
        await conn.close()


async def _release(url: str, batch: str, pids: list[int]) -> None:
    """Once every worker process has registered (and listens), make the runs ready and
    wake the workers, as a trigger does."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        deadline = time.monotonic() + 60
        while await conn.fetchval(
            "SELECT count(*) FROM workers WHERE pid = ANY($1::int[]) AND stop_time IS NULL", pids
        ) < len(pids):
            if time.monotonic() > deadline:
                raise BenchError("the workers did not register within 60 s")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # past their first (empty) claim
        await conn.execute(HELD.format(when="now()"), batch)
        await conn.execute("NOTIFY kanri_runs")
    finally:
        await conn.close()


async def _count_steps(url: str, batch: str) -> int:
    conn = await asyncpg.connect(_dsn(url))
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM run_steps s JOIN runs r ON r.id = s.run_id "
            "WHERE r.labels->>'batch' = $1 AND s.status = 'completed'",
            batch,
        )
        return count
    finally:
        await conn.close()


BARE_TABLE = "bench_bare_jobs"
BARE_SCHEMA = f"""
DROP TABLE IF EXISTS {BARE_TABLE};
CREATE TABLE {BARE_TABLE} (
    id bigserial PRIMARY KEY,
    status text NOT NULL,
    cursor text,
    outputs jsonb NOT NULL DEFAULT '{{}}',
    attempt integer NOT NULL DEFAULT 0,
    lease_owner text,
    lease_expires_at timestamptz,
    create_time timestamptz NOT NULL DEFAULT clock_timestamp(),
    start_time timestamptz,
    end_time timestamptz,
    update_time timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ON {BARE_TABLE} (status, id);
"""
BARE_CLAIM = f"""
UPDATE {BARE_TABLE}
SET status = 'running', lease_owner = $1, attempt = attempt + 1,
    lease_expires_at = clock_timestamp() + interval '30 seconds',
    start_time = coalesce(start_time, clock_timestamp()), update_time = clock_timestamp()
WHERE id IN (
    SELECT id FROM {BARE_TABLE} WHERE status = 'pending'
    ORDER BY id FOR UPDATE SKIP LOCKED LIMIT $2
)
RETURNING id, attempt
"""
BARE_CHECKPOINT = f"""
UPDATE {BARE_TABLE}
SET cursor = $3, outputs = outputs || jsonb_build_object($3::text, $4::jsonb),
    update_time = clock_timestamp()
WHERE id = $1 AND attempt = $2 AND status = 'running'
"""
BARE_FINISH = f"""
UPDATE {BARE_TABLE}
SET status = 'completed', lease_owner = NULL, lease_expires_at = NULL,
    end_time = clock_timestamp(), update_time = clock_timestamp()
WHERE id = $1 AND attempt = $2 AND status = 'running'
"""


def measure_bare_postgres(workdir: Path, postgres: Postgres, jobs: int) -> Drain:
    """The bare loop: WORKERS processes of `bare-worker` over a pre-filled table."""
    dsn = _dsn(postgres.url)

    async def prepare() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(BARE_SCHEMA)
            await conn.execute(
                f"INSERT INTO {BARE_TABLE} (status) SELECT 'pending' FROM generate_series(1, $1)",
                jobs,
            )
            await conn.execute(f"ANALYZE {BARE_TABLE}")
        finally:
            await conn.close()

    asyncio.run(prepare())
    procs: list[subprocess.Popen[str]] = []
    logs: list[IO[bytes]] = []
    try:
        for i in range(WORKERS):
            log_file: IO[bytes] = (workdir / f"bare-worker-{i + 1}.log").open("wb")
            logs.append(log_file)
            cmd = [
                sys.executable,
                "-m",
                "bench.engine",
                "bare-worker",
                dsn,
                str(WORKER_CONCURRENCY),
                f"bare-{i + 1}",
            ]
            procs.append(
                subprocess.Popen(
                    cmd,
                    cwd=ROOT,
                    env=servers.clean_env(),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log_file,
                    text=True,
                    start_new_session=True,
                )
            )
        for proc in procs:  # connected and waiting
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise BenchError(f"bare worker did not start ({line!r}); see its log")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()

        def dead() -> str | None:
            for i, proc in enumerate(procs):
                code = proc.poll()
                if code not in (None, 0):
                    log_text = (workdir / f"bare-worker-{i + 1}.log").read_text(errors="replace")
                    return f"bare worker {i + 1} (exit {code}): {log_text[-2000:]}"
            return None

        async def drain() -> Drain:
            conn = await asyncpg.connect(dsn)
            try:
                return await _drain(
                    conn,
                    f"SELECT count(*) FILTER (WHERE status = 'completed'), 0 FROM {BARE_TABLE} "
                    "WHERE $1::int IS NOT NULL",
                    (1,),
                    _TIMES.format(table=BARE_TABLE, where="$1::int IS NOT NULL"),
                    [p.pid for p in procs],
                    jobs,
                    dead,
                )
            finally:
                await conn.close()

        result = asyncio.run(drain())
        for proc in procs:
            proc.wait(timeout=30)
        return result
    finally:
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 15)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        for log_file in logs:
            log_file.close()


async def bare_worker(dsn: str, concurrency: int, name: str) -> None:
    """One bare process: claim up to the free slots, 3 checkpoints + finish per job."""
    pool = await asyncpg.create_pool(dsn, min_size=concurrency + 1, max_size=concurrency + 1)
    print("ready", flush=True)
    if not await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline):
        await pool.close()  # the bench went away before the start
        return
    inflight: set[asyncio.Task[None]] = set()
    wake = asyncio.Event()
    errors: list[BaseException] = []

    async def run_job(job_id: int, attempt: int) -> None:
        for step in STEP_IDS:
            await pool.execute(BARE_CHECKPOINT, job_id, attempt, step, '{"n": 1}')
        await pool.execute(BARE_FINISH, job_id, attempt)

    def finished(task: asyncio.Task[None]) -> None:
        inflight.discard(task)
        wake.set()
        if not task.cancelled() and task.exception() is not None:
            errors.append(task.exception())  # type: ignore[arg-type]

    try:
        while not errors:
            free = concurrency - len(inflight)
            rows: list[Any] = []
            if free > 0:
                wake.clear()
                rows = await pool.fetch(BARE_CLAIM, name, free)
                for row in rows:
                    task = asyncio.create_task(run_job(row["id"], row["attempt"]))
                    inflight.add(task)
                    task.add_done_callback(finished)
                if not rows and not inflight:
                    break  # the queue is empty
            if not rows or len(inflight) >= concurrency:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), 1.0)
        if errors:
            raise errors[0]
    finally:
        await pool.close()


def measure_postgres(workdir: Path, settings: EngineSettings) -> list[Figure]:
    kanri = Figure(
        key="postgres_runs_per_second",
        label=f"(b) {settings.pg_runs:,} runs drained by {WORKERS} × kanri worker [postgresql]",
        unit="runs/s",
        target=1000.0,
    )
    bare = Figure(
        key="postgres_bare_runs_per_second",
        label=f"(b) bare SKIP LOCKED loop, {WORKERS} processes [postgresql]",
        unit="runs/s",
    )
    ratio = Figure(
        key="postgres_cost_ratio",
        label="(b) cost per run, kanri / bare (= bare runs/s ÷ kanri runs/s)",
        unit="x",
        target=2.0,
        higher_is_better=False,
    )
    figures = [kanri, bare, ratio]
    if not settings.postgres:
        for f in figures:
            f.error = "skipped (--no-postgres)"
        return figures
    print("== engine on PostgreSQL: `kanri serve --no-worker` + 2 × `kanri worker`", flush=True)
    postgres: Postgres | None = None
    try:
        postgres = servers.postgres_database()
        postgres.create()
    except ServerError as exc:
        print(f"  PostgreSQL skipped: {exc}", flush=True)
        for f in figures:
            f.error = f"skipped: PostgreSQL unavailable ({exc})"
        return figures
    kanri_drain: Drain | None = None
    bare_drain: Drain | None = None
    try:
        try:
            kanri_drain, trig = measure_kanri_postgres(workdir, postgres, settings.pg_runs)
            kanri.value = kanri_drain.per_second
            kanri.brief = kanri_drain.brief
            kanri.details = {
                **kanri_drain.as_dict(),
                "workers": WORKERS,
                "worker_concurrency": WORKER_CONCURRENCY,
                "queued_over_http_per_second": round(trig.per_second, 1),
                "queue_trigger_latency_ms": _summary_ms(trig.latencies_ms),
            }
            _report(kanri)
        except (ServerError, BenchError, httpx.HTTPError, asyncpg.PostgresError, OSError) as exc:
            kanri.error = _summary(exc)
            print(f"  !! kanri on PostgreSQL: {type(exc).__name__}: {exc}", flush=True)
        print(f"  (b) bare loop: {settings.pg_runs:,} jobs, {WORKERS} processes …", flush=True)
        try:
            bare_drain = measure_bare_postgres(workdir, postgres, settings.pg_runs)
            bare.value = bare_drain.per_second
            bare.brief = bare_drain.brief
            bare.details = {
                **bare_drain.as_dict(),
                "processes": WORKERS,
                "concurrency": WORKER_CONCURRENCY,
            }
            _report(bare)
        except (BenchError, asyncpg.PostgresError, OSError, subprocess.SubprocessError) as exc:
            bare.error = _summary(exc)
            print(f"  !! bare loop: {exc}", flush=True)
    finally:
        try:
            if postgres.owned is None:  # a given database: leave only kanri's own tables
                asyncio.run(_drop_bare(postgres.url))
            postgres.drop()
        except (ServerError, asyncpg.PostgresError, OSError) as exc:
            print(f"  could not clean up PostgreSQL: {exc}", file=sys.stderr)
    if kanri_drain is not None and bare_drain is not None and kanri_drain.per_second > 0:
        ratio.value = bare_drain.per_second / kanri_drain.per_second
        cpu: dict[str, Any] = {}
        for name in ("worker_cpu_ms_per_run", "machine_cpu_ms_per_run"):
            k, b = getattr(kanri_drain, name), getattr(bare_drain, name)
            if k is not None and b:
                cpu[f"{name}_ratio"] = round(k / b, 2)
        ratio.details = cpu
        ratio.brief = ", ".join(
            f"{name.split('_')[0]} CPU/run {value:.1f}×" for name, value in cpu.items()
        )
    else:
        ratio.error = "needs both measurements"
    return figures


async def _drop_bare(url: str) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
    finally:
        await conn.close()


# ---------------------------------------------------------------- the section


def print_table(figures: list[Figure]) -> None:
    header = ("measurement", "figure", "target", "verdict", "supporting numbers")
    rows: list[tuple[str, ...]] = []
    for f in figures:
        sign = "≥" if f.higher_is_better else "≤"
        target = f"{sign} {f.shown(f.target)}" if f.target is not None else "(info)"
        rows.append((f.label, f.shown(f.value), target, f.verdict, f.brief))
    latency = next((f for f in figures if f.key == "trigger_to_first_step"), None)
    if latency is not None and latency.value is not None:
        p99 = latency.details["first_step_ms"]["p99"]
        rows.insert(
            figures.index(latency) + 1,
            (
                "(c) … p99",
                f"{p99:.2f} ms",
                "≤ 50.00 ms",
                "PASS" if p99 <= 50.0 else "BELOW",
                "",
            ),
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in (1, 2) else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    print()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    for f in figures:
        if f.error:
            print(f"  {f.label}: {f.error}")
    print()


def p99_verdict(figures: list[Figure]) -> str | None:
    for f in figures:
        if f.key == "trigger_to_first_step" and f.value is not None:
            return "PASS" if f.details["first_step_ms"]["p99"] <= 50.0 else "BELOW"
    return None


def run(settings: EngineSettings, notes: list[str] | None = None) -> int:
    """The engine section: measure, print the table, merge into latest.json. Exit status."""
    print(
        f"kanri engine bench: (a) {settings.runs:,} runs, (b) {settings.pg_runs:,} runs × 2, "
        f"(c) {settings.latency_runs} runs one at a time, (d) {settings.list_runs:,} runs listed",
        flush=True,
    )
    notes = list(notes or [])
    if settings.server_cpu is not None:
        notes.append(
            f"SQLite part: kanri serve pinned to CPU {settings.server_cpu}, the bench clients "
            f"((a): wrk; (c), (d): httpx) to CPU {settings.client_cpu}; PostgreSQL part "
            "unpinned (workers, "
            "bare processes and PostgreSQL share all CPUs)"
        )
    busy = servers.machine_busy_percent()
    busy_note = "CPU busy before the start: " + (f"{busy:.0f} %" if busy is not None else "?")
    if busy is not None and busy > 10:
        busy_note += " (other processes are running: they skew the numbers)"
    print(busy_note, flush=True)
    notes.append(busy_note)
    started = time.monotonic()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="kanri-engine-bench-") as tmp:
        workdir = Path(tmp)
        figures += measure_sqlite(workdir, settings)
        figures += measure_postgres(workdir, settings)
    order = [
        "sqlite_runs_per_second",
        "postgres_runs_per_second",
        "postgres_bare_runs_per_second",
        "postgres_cost_ratio",
        "trigger_to_first_step",
        "list_page_ratio",
    ]
    figures.sort(key=lambda f: order.index(f.key))
    print_table(figures)
    for note in notes:
        print(f"note: {note}")
    seconds = time.monotonic() - started
    print(f"engine section took {seconds:.0f} s")
    _merge_json(
        "engine",
        {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "machine": {"cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg()},
            "settings": {
                "runs": settings.runs,
                "pg_runs": settings.pg_runs,
                "latency_runs": settings.latency_runs,
                "list_runs": settings.list_runs,
                "in_flight": IN_FLIGHT,
                "workers": WORKERS,
                "worker_concurrency": WORKER_CONCURRENCY,
                "server_cpu": settings.server_cpu,
                "client_cpu": settings.client_cpu,
            },
            "definition": DEFINITION,
            "notes": notes,
            "figures": [f.as_dict() for f in figures],
            "p99_verdict": p99_verdict(figures),
        },
    )
    shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    print(f"engine results merged into {shown} (key `engine`)")
    return 1 if any(f.verdict == "ERROR" for f in figures) else 0


def _main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "bare-worker":
        asyncio.run(bare_worker(argv[1], int(argv[2]), argv[3]))
        return 0
    print("usage: python -m bench.engine bare-worker DSN CONCURRENCY NAME", file=sys.stderr)
    print("(the engine bench itself: python -m bench.run --only engine)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
