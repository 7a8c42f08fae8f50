"""`python -m bench.run`: kanri against a bare FastAPI app, same machine, same load generator.

Measures, with one uvicorn worker per server and wrk with identical settings:

- an authenticated, rate-limit-checked `GET /v1/environments/{id}` (limit raised for the
  bench) against a bare FastAPI GET returning the same JSON, on SQLite and PostgreSQL
  (target: kanri >= 50 % of the bare app's requests/s);
- an authenticated `POST /v1/environments` (audit row + outbox event in the same
  transaction) against a bare FastAPI POST (target >= 35 % on SQLite; PostgreSQL is
  reported for information).

Then the run engine's section (`bench/engine.py`: runs/s on SQLite and on PostgreSQL
against a bare SKIP LOCKED loop, trigger → first step latency, deep list pages).
`--only engine` runs that section alone, `--only http` (or get/post) the HTTP one alone,
`--no-engine` skips it. `--only webhooks` runs the webhooks section (`bench/webhooks.py`:
deliveries/s outbox → loopback receiver against a bare httpx loop, outbox → SSE latency).
`--only agents` runs the agents section (`bench/agents.py`: agent runs/s against
three-step automation runs/s) alone.
The SSE section (`bench/sse.py`: events/s over one server-sent-events connection, kanri's
run-events and events streams against a bare StreamingResponse framing the same payloads;
a few seconds) ends the full run; `--only sse` runs it alone, `--no-sse` skips it.
`--only moderation` runs the moderation section alone (`bench/moderation.py`: rules-only
moderation through `items:batch` on SQLite against the same rules in a bare loop).
`--only knowledge` runs the knowledge base's section alone (`bench/knowledge.py`: retrieval
quality, ingestion chunks/s, hybrid search p50 over 100k chunks); it is not part of the
full run (it takes minutes of CPU for the embeddings).

Prints the numbers and ratios and writes them to `bench/results/latest.json` (each section
keeps what the other wrote). There are no timing assertions: BELOW a target is reported,
not failed. A run with error responses is INVALID and the exit status is 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import httpx

from bench import engine, knowledge, records, servers, sse, webhooks, wrk
from bench.servers import KanriTarget, Postgres, Server, ServerError

Method = Literal["get", "post"]
Database = Literal["sqlite", "postgresql"]

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
ENVIRONMENT_FIELDS = {"id", "project_id", "name", "description", "create_time", "update_time"}
PATHS: dict[Method, str] = {"get": "/v1/environments/{id}", "post": "/v1/environments"}


@dataclass(frozen=True)
class Scenario:
    method: Method
    database: Database
    target: float | None  # minimum kanri/bare ratio; None: for information

    @property
    def key(self) -> str:
        return f"{self.method}-{self.database}"

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {PATHS[self.method]} [{self.database}]"


SCENARIOS = [
    Scenario("get", "sqlite", 0.50),
    Scenario("post", "sqlite", 0.35),
    Scenario("get", "postgresql", 0.50),
    Scenario("post", "postgresql", None),
]


@dataclass
class Outcome:
    scenario: Scenario
    kanri: wrk.WrkResult | None = None
    error: str | None = None
    sample: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class Context:
    load: wrk.LoadSettings
    server_cpu: int | None
    workdir: Path
    post_script: Path
    notes: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- measuring


def _summary(exc: BaseException) -> str:
    """The first line of an error and, for long ones, its last (where the cause usually is)."""
    lines = [line.strip(" │") for line in str(exc).splitlines() if line.strip(" │")]
    if not lines:
        return type(exc).__name__
    return lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1]}"


def _headers(key: str | None) -> dict[str, str]:
    # The bare app gets the same Authorization header (and ignores it): equal bytes on the wire.
    return {"Authorization": f"Bearer {key or 'kanri_sk_bare'}", "Accept": "application/json"}


def _sample(base_url: str, method: Method, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """One request like wrk's, to check status and JSON shape before measuring."""
    with httpx.Client(base_url=base_url, timeout=10.0, headers=headers) as client:
        if method == "get":
            response = client.get(path)
        else:
            name = f"sample-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
            response = client.post(path, json={"name": name, "description": "bench"})
    expected = 200 if method == "get" else 201
    info: dict[str, Any] = {"status": response.status_code, "bytes": len(response.content)}
    if response.status_code != expected:
        raise ServerError(
            f"{method.upper()} {path}: HTTP {response.status_code}: {response.text[:300]}"
        )
    fields = set(response.json())
    if fields != ENVIRONMENT_FIELDS:
        raise ServerError(f"{method.upper()} {path} answered fields {sorted(fields)}")
    return info


def _measure(
    ctx: Context,
    who: str,
    server: Server,
    method: Method,
    path: str,
    headers: dict[str, str],
) -> wrk.WrkResult:
    base_url = server.base_url
    url = base_url + path
    script = ctx.post_script if method == "post" else None
    print(f"  {who}: {method.upper()} warm-up {ctx.load.warmup_seconds} s …", flush=True)
    warm = wrk.run(
        ctx.load, url, seconds=ctx.load.warmup_seconds, headers=headers, post_script=script
    )
    if not warm.valid:
        print(f"  !! warm-up had {warm.failures} failed requests", flush=True)
    print(f"  {who}: {method.upper()} measuring {ctx.load.duration_seconds} s …", flush=True)
    cpu_before = servers.process_cpu_seconds(server.proc.pid)
    result = wrk.run(
        ctx.load, url, seconds=ctx.load.duration_seconds, headers=headers, post_script=script
    )
    cpu_after = servers.process_cpu_seconds(server.proc.pid)
    result.warmup_requests = warm.requests
    if cpu_before is not None and cpu_after is not None and result.duration_seconds > 0:
        result.server_cpu_percent = 100.0 * (cpu_after - cpu_before) / result.duration_seconds
    cpu = f"{result.server_cpu_percent:.0f} %" if result.server_cpu_percent is not None else "?"
    print(
        f"  {who}: {result.requests_per_second:,.0f} req/s, "
        f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, server CPU {cpu}",
        flush=True,
    )
    if not result.valid:
        message = (
            f"{who} {method.upper()} {path}: {result.error_responses} error responses (>= 400) "
            f"and socket errors {result.socket_errors or 'none'} in {result.requests} requests"
        )
        ctx.invalid.append(message)
        print("\n" + "!" * 78, flush=True)
        print(f"!! INVALID RUN: {message}", flush=True)
        print("!! its requests/s counts failures and is NOT a valid number.", flush=True)
        try:
            _sample(base_url, method, path, headers)
        except (ServerError, httpx.HTTPError) as exc:
            print(f"!! a request now: {exc}", flush=True)
        print("!" * 78 + "\n", flush=True)
    return result


def measure_bare(ctx: Context, methods: list[Method]) -> dict[Method, wrk.WrkResult]:
    print("== bare FastAPI app", flush=True)
    server = servers.start_bare(ctx.workdir, ctx.server_cpu)
    results: dict[Method, wrk.WrkResult] = {}
    with servers.running(server):
        server.wait_ready()
        headers = _headers(None)
        path_of: dict[Method, str] = {
            "get": "/v1/environments/env_01JBENCH00000000000000000000",
            "post": "/v1/environments",
        }
        for method in methods:
            _sample(server.base_url, method, path_of[method], headers)
            results[method] = _measure(ctx, "bare", server, method, path_of[method], headers)
    return results


def measure_kanri(
    ctx: Context, database: Database, url: str | None, scenarios: list[Scenario]
) -> list[Outcome]:
    print(f"== kanri on {database}", flush=True)
    outcomes = [Outcome(s) for s in scenarios]
    try:
        target: KanriTarget = servers.start_kanri(ctx.workdir, ctx.server_cpu, url, database)
    except (ServerError, OSError) as exc:
        print(f"  !! kanri on {database} did not start: {exc}", flush=True)
        for outcome in outcomes:
            outcome.error = f"did not start: {_summary(exc)}"
        return outcomes
    server: Server = target.server
    with servers.running(server):
        headers = _headers(target.secret_key)
        for outcome in outcomes:
            method = outcome.scenario.method
            path = (
                f"/v1/environments/{target.environment_id}"
                if method == "get"
                else "/v1/environments"
            )
            try:
                outcome.sample = _sample(server.base_url, method, path, headers)
                outcome.kanri = _measure(ctx, "kanri", server, method, path, headers)
                if method == "post":
                    created = outcome.kanri.warmup_requests + outcome.kanri.requests
                    ctx.notes.append(
                        f"kanri POST [{database}] created ~{created:,} environments in one "
                        "project (warm-up + measurement)"
                    )
            except (ServerError, wrk.WrkError, httpx.HTTPError) as exc:
                outcome.error = _summary(exc)
                print(f"  !! {outcome.scenario.label}: {exc}", flush=True)
                if server.proc.poll() is not None:
                    print(server.log_tail(), flush=True)
    return outcomes


# ---------------------------------------------------------------- reporting


def _ratio(bare: wrk.WrkResult | None, kanri: wrk.WrkResult | None) -> float | None:
    if bare is None or kanri is None or bare.requests_per_second <= 0:
        return None
    return kanri.requests_per_second / bare.requests_per_second


def _verdict(outcome: Outcome, bare: wrk.WrkResult | None) -> str:
    if outcome.error is not None:
        return "ERROR"
    if bare is None or outcome.kanri is None:
        return "—"
    if not (bare.valid and outcome.kanri.valid):
        return "INVALID"
    ratio = _ratio(bare, outcome.kanri)
    if outcome.scenario.target is None or ratio is None:
        return "info"
    return "PASS" if ratio >= outcome.scenario.target else "BELOW"


def _latency(result: wrk.WrkResult | None) -> str:
    if result is None:
        return "—"
    return f"{result.p50_ms:.2f} / {result.p99_ms:.2f}"


def _cpu(result: wrk.WrkResult | None) -> str:
    if result is None or result.server_cpu_percent is None:
        return "—"
    return f"{result.server_cpu_percent:.0f} %"


def print_table(outcomes: list[Outcome], bare: dict[Method, wrk.WrkResult]) -> None:
    header = (
        "scenario",
        "bare req/s",
        "kanri req/s",
        "ratio",
        "target",
        "bare p50/p99 ms",
        "kanri p50/p99 ms",
        "server CPU b/k",
        "verdict",
    )
    rows: list[tuple[str, ...]] = []
    for outcome in outcomes:
        b = bare.get(outcome.scenario.method)
        ratio = _ratio(b, outcome.kanri)
        target = outcome.scenario.target
        rows.append(
            (
                outcome.scenario.label,
                f"{b.requests_per_second:,.0f}" if b else "—",
                f"{outcome.kanri.requests_per_second:,.0f}" if outcome.kanri else "—",
                f"{ratio:.1%}" if ratio is not None else "—",
                f"≥ {target:.0%}" if target is not None else "(info)",
                _latency(b),
                _latency(outcome.kanri),
                f"{_cpu(b)} / {_cpu(outcome.kanri)}",
                _verdict(outcome, b),
            )
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {1, 2, 3, 4, 5, 6, 7}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    print()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    for outcome in outcomes:
        if outcome.error:
            print(f"  {outcome.scenario.label}: {outcome.error}")
    print()


def write_json(
    ctx: Context,
    args: argparse.Namespace,
    outcomes: list[Outcome],
    bare: dict[Method, wrk.WrkResult],
) -> None:
    data = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_at_end": os.getloadavg(),
        },
        "load": {
            "tool": wrk.version(),
            "threads": ctx.load.threads,
            "connections": ctx.load.connections,
            "duration_seconds": ctx.load.duration_seconds,
            "warmup_seconds": ctx.load.warmup_seconds,
            "server_cpu": ctx.server_cpu,
            "wrk_cpu": ctx.load.cpu,
        },
        "options": {"only": args.only, "no_postgres": args.no_postgres},
        "notes": ctx.notes,
        "bare": {method: result.as_dict() for method, result in bare.items()},
        "scenarios": [
            {
                "key": o.scenario.key,
                "label": o.scenario.label,
                "method": o.scenario.method,
                "database": o.scenario.database,
                "target_ratio": o.scenario.target,
                "kanri": o.kanri.as_dict() if o.kanri else None,
                "ratio": _ratio(bare.get(o.scenario.method), o.kanri),
                "verdict": _verdict(o, bare.get(o.scenario.method)),
                "error": o.error,
                "sample_response": o.sample,
            }
            for o in outcomes
        ],
        "invalid_runs": ctx.invalid,
    }
    previous = _previous_results()
    if "engine" in previous:  # the engine section's figures stay until it runs again
        data["engine"] = previous["engine"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    print(f"results written to {shown}")


def _previous_results() -> dict[str, Any]:
    try:
        loaded = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


# ---------------------------------------------------------------- main


def _cpus() -> tuple[int | None, int | None, str]:
    """(server CPU, wrk CPU, note): pinned apart when taskset and two CPUs are available."""
    available = sorted(os.sched_getaffinity(0))
    if shutil.which("taskset") is None:
        return None, None, "taskset not found: server and wrk are not pinned"
    if len(available) < 2:
        return None, None, "fewer than two CPUs: server and wrk share the CPU, unpinned"
    return (
        available[0],
        available[1],
        (
            f"server pinned to CPU {available[0]}, wrk to CPU {available[1]} (taskset); "
            "PostgreSQL's backends are not pinned"
        ),
    )


def _uvicorn_stack() -> str:
    """What uvicorn's `auto` loop and HTTP choices pick in this environment."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description="kanri vs a bare FastAPI app (ratios)."
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each (3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--only",
        choices=[
            "get",
            "post",
            "http",
            "engine",
            "records",
            "sse",
            "webhooks",
            "agents",
            "moderation",
            "knowledge",
        ],
        help="one HTTP method only (no other section), or one section",
    )
    parser.add_argument("--no-engine", action="store_true", help="skip the engine section")
    parser.add_argument("--no-records", action="store_true", help="skip the records section")
    parser.add_argument("--no-sse", action="store_true", help="skip the SSE section")
    sse_group = parser.add_argument_group("SSE section")
    sse_group.add_argument(
        "--sse-events",
        type=int,
        default=sse.EVENTS,
        help=f"events streamed per connection ({sse.EVENTS})",
    )
    sse_group.add_argument(
        "--sse-rounds", type=int, default=sse.ROUNDS, help=f"rounds of each kind ({sse.ROUNDS})"
    )
    records_group = parser.add_argument_group("records section")
    records_group.add_argument(
        "--records-count",
        type=int,
        default=1_000_000,
        help="records in the object for filters and pages (1000000)",
    )
    records_group.add_argument(
        "--records-http",
        type=int,
        default=20_000,
        help="records created through batchCreate and timed (20000)",
    )
    parser.add_argument(
        "--agents-runs", type=int, default=500, help="agents section: runs of each kind (500)"
    )
    webhooks_group = parser.add_argument_group("webhooks section")
    webhooks_group.add_argument(
        "--webhooks-events",
        type=int,
        default=webhooks.EVENTS,
        help=f"(a) events, each delivered to {webhooks.ENDPOINTS} endpoints ({webhooks.EVENTS})",
    )
    webhooks_group.add_argument(
        "--webhooks-samples",
        type=int,
        default=webhooks.LATENCY_SAMPLES,
        help=f"(b) events timed outbox → SSE ({webhooks.LATENCY_SAMPLES})",
    )
    engine_group = parser.add_argument_group("engine section")
    engine_group.add_argument(
        "--engine-runs", type=int, default=2000, help="(a) runs triggered on SQLite (2000)"
    )
    engine_group.add_argument(
        "--engine-pg-runs",
        type=int,
        default=3000,
        help="(b) runs drained on PostgreSQL, by kanri and the bare loop each (3000)",
    )
    engine_group.add_argument(
        "--engine-latency-runs", type=int, default=200, help="(c) runs one at a time (200)"
    )
    engine_group.add_argument(
        "--engine-list-runs", type=int, default=100_000, help="(d) runs in the list (100000)"
    )
    knowledge_group = parser.add_argument_group("knowledge section")
    knowledge_group.add_argument(
        "--knowledge-ingest-chunks", type=int, default=64, help="(b) chunks ingested (64)"
    )
    knowledge_group.add_argument(
        "--knowledge-search-chunks",
        type=int,
        default=100_000,
        help="(c) chunks searched (100000)",
    )
    knowledge_group.add_argument(
        "--knowledge-queries", type=int, default=100, help="(c) search queries timed (100)"
    )
    args = parser.parse_args(argv)
    if min(args.knowledge_ingest_chunks, args.knowledge_search_chunks, args.knowledge_queries) < 10:
        parser.error("the --knowledge-* counts must be >= 10")
    if args.duration < 1 or args.warmup < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--duration, --warmup, --connections and --threads must be >= 1")
    if min(args.engine_runs, args.engine_pg_runs, args.engine_latency_runs) < 20:
        parser.error("--engine-runs, --engine-pg-runs and --engine-latency-runs must be >= 20")
    if args.engine_list_runs < engine.PAGE_SIZE * (engine.LIST_PAGE + 1):
        parser.error(
            f"--engine-list-runs must be at least {engine.PAGE_SIZE * (engine.LIST_PAGE + 1)} "
            f"(page {engine.LIST_PAGE} of {engine.PAGE_SIZE})"
        )
    if args.records_http < records.BATCH or args.records_count < max(
        args.records_http, records.PAGE_SIZE * (records.LIST_PAGE + 1)
    ):
        parser.error(
            f"--records-http must be >= {records.BATCH} and --records-count >= --records-http "
            f"and >= {records.PAGE_SIZE * (records.LIST_PAGE + 1)} (page {records.LIST_PAGE})"
        )
    if args.sse_events < 100 or args.sse_rounds < 1:
        parser.error("--sse-events must be >= 100 and --sse-rounds >= 1")
    if args.webhooks_events < 10 or args.webhooks_samples < 10:
        parser.error("--webhooks-events and --webhooks-samples must be >= 10")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return args


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.only == "knowledge":
        return knowledge.run(
            knowledge.KnowledgeSettings(
                ingest_chunks=args.knowledge_ingest_chunks,
                search_chunks=args.knowledge_search_chunks,
                queries=args.knowledge_queries,
            )
        )
    if args.only == "webhooks":
        return webhooks.run(args.webhooks_events, args.webhooks_samples)
    if args.only == "agents":
        from bench import agents

        return agents.run(args.agents_runs)
    if args.only == "moderation":
        from bench import moderation

        return moderation.run()
    http_section = args.only not in ("engine", "records", "sse")
    engine_section = args.only in (None, "engine") and not args.no_engine
    records_section = args.only in (None, "records") and not args.no_records
    sse_section = args.only in (None, "sse") and not args.no_sse
    if http_section and shutil.which("wrk") is None:
        print("wrk not found: `apt-get install -y wrk` (make bench installs it)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    status = 0
    if http_section:
        status = run_http(args)
        if status in (2, 130):
            return status
    if engine_section:
        if http_section:
            print()
        server_cpu, client_cpu, pin_note = _cpus()
        settings = engine.EngineSettings(
            runs=args.engine_runs,
            pg_runs=args.engine_pg_runs,
            latency_runs=args.engine_latency_runs,
            list_runs=args.engine_list_runs,
            postgres=not args.no_postgres,
            server_cpu=server_cpu,
            client_cpu=client_cpu,
        )
        try:
            status = max(
                status, engine.run(settings, notes=[] if server_cpu is not None else [pin_note])
            )
        except KeyboardInterrupt:
            print("\ninterrupted; servers and workers stopped", file=sys.stderr)
            return 130
    if records_section:
        settings_records = records.RecordsSettings(
            count=args.records_count, http_records=args.records_http, postgres=not args.no_postgres
        )
        try:
            status = max(status, records.run(settings_records))
        except KeyboardInterrupt:
            print("\ninterrupted; servers stopped", file=sys.stderr)
            return 130
    if sse_section:
        if http_section or engine_section or records_section:
            print()
        server_cpu, client_cpu, pin_note = _cpus()
        settings_sse = sse.SseSettings(
            events=args.sse_events,
            rounds=args.sse_rounds,
            server_cpu=server_cpu,
            client_cpu=client_cpu,
        )
        try:
            status = max(
                status, sse.run(settings_sse, notes=[] if server_cpu is not None else [pin_note])
            )
        except KeyboardInterrupt:
            print("\ninterrupted; servers stopped", file=sys.stderr)
            return 130
    return status


def run_http(args: argparse.Namespace) -> int:
    """The HTTP section: kanri against the bare FastAPI app (wrk)."""
    methods: list[Method] = [args.only] if args.only in ("get", "post") else ["get", "post"]
    server_cpu, wrk_cpu, pin_note = _cpus()
    load = wrk.LoadSettings(
        threads=args.threads,
        connections=args.connections,
        duration_seconds=args.duration,
        warmup_seconds=args.warmup,
        cpu=wrk_cpu,
    )
    scenarios = [s for s in SCENARIOS if s.method in methods]
    if args.no_postgres:
        scenarios = [s for s in scenarios if s.database == "sqlite"]

    print(
        f"kanri bench: wrk -t{load.threads} -c{load.connections} -d{load.duration_seconds}s "
        f"--latency (warm-up {load.warmup_seconds} s before each); one uvicorn worker per server "
        f"({_uvicorn_stack()}); access logs off (kanri at KANRI_LOG_LEVEL=warning, "
        "uvicorn --no-access-log)"
    )
    print(pin_note, flush=True)
    busy = servers.machine_busy_percent()
    load_note = "CPU busy before the start: " + (f"{busy:.0f} %" if busy is not None else "?")
    if busy is not None and busy > 10:
        load_note += " (other processes are running: they skew the numbers)"
    print(load_note, flush=True)
    outcomes: list[Outcome] = []
    bare: dict[Method, wrk.WrkResult] = {}
    postgres: Postgres | None = None
    with tempfile.TemporaryDirectory(prefix="kanri-bench-") as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(wrk.POST_LUA)
        ctx = Context(
            load=load,
            server_cpu=server_cpu,
            workdir=Path(tmp),
            post_script=script,
            notes=[pin_note, load_note],
        )
        ctx.notes.append("access logs off: KANRI_LOG_LEVEL=warning, uvicorn --no-access-log")
        try:
            try:
                bare = measure_bare(ctx, methods)
            except (ServerError, wrk.WrkError, httpx.HTTPError) as exc:
                print(f"the bare baseline failed, nothing to compare with: {exc}", file=sys.stderr)
                return 1
            sqlite = [s for s in scenarios if s.database == "sqlite"]
            outcomes += measure_kanri(ctx, "sqlite", None, sqlite)
            pg = [s for s in scenarios if s.database == "postgresql"]
            if pg:
                try:
                    postgres = servers.postgres_database()
                    postgres.create()
                except ServerError as exc:
                    print(f"== PostgreSQL skipped: {exc}", flush=True)
                    outcomes += [Outcome(s, error=f"PostgreSQL unavailable: {exc}") for s in pg]
                else:
                    outcomes += measure_kanri(ctx, "postgresql", postgres.url, pg)
        except KeyboardInterrupt:
            print("\ninterrupted; servers stopped", file=sys.stderr)
            return 130
        finally:
            if postgres is not None:
                try:
                    postgres.drop()
                except ServerError as exc:
                    print(f"could not drop {postgres.owned}: {exc}", file=sys.stderr)

        order = {s.key: i for i, s in enumerate(SCENARIOS)}
        outcomes.sort(key=lambda o: order[o.scenario.key])
        print_table(outcomes, bare)
        for note in ctx.notes:
            print(f"note: {note}")
        if ctx.invalid:
            print("\n!! INVALID runs (error responses; their req/s is not a valid number):")
            for message in ctx.invalid:
                print(f"!!   {message}")
        write_json(ctx, args, outcomes, bare)
    failed = bool(ctx.invalid) or any(o.error for o in outcomes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
