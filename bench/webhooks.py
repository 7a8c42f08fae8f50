"""The webhooks benchmark (`python -m bench.run --only webhooks`).

Two measurements on PostgreSQL, one `kanri serve` (its embedded worker runs the dispatcher):

(a) deliveries/s from the outbox to a loopback receiver with 10 endpoints: N events are
    written straight into `outbox_events` in one transaction (as `events.emit` writes them),
    and the clock runs until the receiver has had all N x 10 deliveries and every delivery
    is recorded `succeeded`. Baseline: a bare aiohttp client (the client kanri uses; one
    session, keep-alive pool as large as the concurrency) posting bodies of the same shape,
    signed at send time with `standardwebhooks`, to the same 10 URLs at the same
    concurrency, no database; it runs before and after kanri and the faster run counts. A
    raw asyncio client (no HTTP library) measures the receiver's own ceiling, and the
    receiver's CPU share is reported for each run, so a saturated receiver shows.
    Target >= 1,000 deliveries/s.
(b) outbox → SSE client latency: an SSE client on `GET /v1/events/stream`; events are
    inserted one at a time (autocommit) and the time from just before the INSERT to the
    frame's arrival is taken, with the endpoints of (a) disabled so that no deliveries
    share the server's event loop. Target p50 <= 20 ms.

The receiver is an asyncio HTTP/1.1 server (keep-alive) in a process of its own.
Nothing asserts: BELOW a target is reported; failures make an ERROR (exit status 1).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import multiprocessing
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import asyncpg
import httpx
from standardwebhooks.webhooks import Webhook

from bench import servers
from bench.engine import BenchError, Figure, _dsn, _merge_json, _percentile, print_table
from bench.servers import BIN, Postgres, Server, ServerError
from kanri.core.ids import ulid

T = TypeVar("T")
ENDPOINTS = 10
CONCURRENCY = 64  # KANRI_WEBHOOK_CONCURRENCY for kanri, in-flight posts for the bare loop
EVENTS = 500  # times ENDPOINTS deliveries
LATENCY_SAMPLES = 200
DRAIN_TIMEOUT = 180.0


class Receiver:
    """Counts POSTs and answers 204, in a process of its own (uvloop when installed), so
    neither side's event loop competes with the other for this process's GIL."""

    def __init__(self) -> None:
        self._count = multiprocessing.Value("q", 0, lock=False)
        self._last = multiprocessing.Value("d", 0.0, lock=False)
        self._port = multiprocessing.Value("i", 0, lock=False)
        self._process = multiprocessing.Process(
            target=_receive, args=(self._count, self._last, self._port), daemon=True
        )
        self._process.start()
        deadline = time.monotonic() + 30
        while not self._port.value:
            if time.monotonic() > deadline or not self._process.is_alive():
                raise BenchError("the receiver did not start")
            time.sleep(0.01)
        self.port = int(self._port.value)

    @property
    def url(self) -> str:
        return f"http://{servers.HOST}:{self.port}/hook"

    @property
    def count(self) -> int:
        return int(self._count.value)

    @property
    def last_time(self) -> float:
        return float(self._last.value)

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self._process.pid)

    def reset(self) -> None:
        self._count.value = 0
        self._last.value = 0.0

    def stop(self) -> None:
        self._process.kill()
        self._process.join(10)


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time process `pid` has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _receive(count: Any, last: Any, port: Any) -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                count.value += 1
                last.value = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(serve, servers.HOST, 0)
        port.value = server.sockets[0].getsockname()[1]
        await server.serve_forever()

    asyncio.run(main())


# ---------------------------------------------------------------- setup


def _start(workdir: Path, postgres: Postgres) -> tuple[Server, str, str, str]:
    """`kanri serve` on the database; returns (server, key, project id, organization id)."""
    data_dir = workdir / "kanri-webhooks"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = servers.kanri_env(data_dir, postgres.url)
    env["KANRI_WEBHOOK_CONCURRENCY"] = str(CONCURRENCY)
    env["KANRI_DEFAULT_RATE_LIMIT_PER_MINUTE"] = str(servers.BENCH_RATE_LIMIT)
    boot = subprocess.run(
        [str(BIN / "kanri"), "admin", "bootstrap", "--org", "bench", "--json"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if boot.returncode != 0:
        raise ServerError(f"kanri admin bootstrap failed:\n{boot.stderr}{boot.stdout}")
    admin = {"Authorization": f"Bearer {json.loads(boot.stdout)['admin_key']}"}
    server = servers.serve_kanri(workdir, None, env, data_dir, "webhooks", [])
    server.wait_ready(120)
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        project = client.post(
            "/v1/projects",
            json={
                "name": "bench-webhooks",
                "allow_private_network": True,  # the receiver is on loopback
                "rate_limit_per_minute": servers.BENCH_RATE_LIMIT,
            },
            headers=admin,
        )
        if project.status_code != 201:
            raise ServerError(f"create project: {project.text}")
        key = client.post(
            f"/v1/projects/{project.json()['id']}/api-keys", json={"name": "b"}, headers=admin
        )
        if key.status_code != 201:
            raise ServerError(f"create key: {key.text}")
    body = project.json()
    return server, key.json()["key"], body["id"], body["organization_id"]


def _event_rows(project_id: str, organization_id: str, count: int) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC)
    return [
        (
            f"evt_{ulid()}",
            project_id,
            organization_id,
            project_id,
            None,
            "bench.happened",
            "bench",
            f"b{i}",
            json.dumps({"n": i, "text": "a benchmark event"}),
            None,
            now,
        )
        for i in range(count)
    ]


_INSERT = (
    "INSERT INTO outbox_events (id, scope_id, organization_id, project_id, environment_id, "
    "type, resource_type, resource_id, data, request_id, create_time) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)"
)


# ---------------------------------------------------------------- (a)


async def _wait_recorded(dsn: str, project_id: str, total: int, deadline: float) -> float:
    connection = await asyncpg.connect(dsn)
    try:
        while time.monotonic() < deadline:
            done = await connection.fetchval(
                "SELECT count(*) FROM webhook_deliveries WHERE project_id = $1 "
                "AND status = 'succeeded'",
                project_id,
            )
            if done >= total:
                return time.monotonic()
            await asyncio.sleep(0.02)
    finally:
        await connection.close()
    raise BenchError(f"deliveries not all recorded within {DRAIN_TIMEOUT:.0f} s")


async def _backends(connection: asyncpg.Connection) -> list[int]:
    """Process ids of the PostgreSQL backends serving kanri on this database (the server
    runs on this machine), so that their CPU time can be read."""
    rows = await connection.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'kanri'"
    )
    return [int(row["pid"]) for row in rows]


async def _kanri_deliveries(
    dsn: str,
    receiver: Receiver,
    project_id: str,
    organization_id: str,
    events: int,
    server_pid: int | None = None,
) -> dict[str, float]:
    total = events * ENDPOINTS
    receiver.reset()
    rows = _event_rows(project_id, organization_id, events)
    connection = await asyncpg.connect(dsn)
    try:
        backends = await _backends(connection)
        postgres_cpu = sum(_cpu_seconds(pid) for pid in backends)
        cpu = receiver.cpu_seconds()
        server_cpu = _cpu_seconds(server_pid)
        started = time.monotonic()
        async with connection.transaction():
            await connection.executemany(_INSERT, rows)
    finally:
        await connection.close()
    deadline = started + DRAIN_TIMEOUT
    while receiver.count < total:
        if time.monotonic() > deadline:
            raise BenchError(f"{receiver.count} of {total} deliveries arrived")
        await asyncio.sleep(0.01)
    received = receiver.last_time
    recorded = await _wait_recorded(dsn, project_id, total, deadline)
    seconds = recorded - started
    kanri_cpu = _cpu_seconds(server_pid) - server_cpu
    postgres_cpu = sum(_cpu_seconds(pid) for pid in backends) - postgres_cpu
    return {
        "deliveries": total,
        "cpu_ms_per_delivery": round(kanri_cpu * 1000 / total, 3),
        "received_seconds": round(received - started, 3),
        "recorded_seconds": round(seconds, 3),
        "per_second": total / seconds,
        "receiver_cpu_share": round((receiver.cpu_seconds() - cpu) / seconds, 3),
        "kanri_cpu_share": round(kanri_cpu / seconds, 3),
        "postgres_cpu_ms_per_delivery": round(postgres_cpu * 1000 / total, 3),
    }


def _bodies(total: int) -> list[tuple[str, bytes]]:
    """(webhook-id, body) of `total` distinct deliveries shaped like kanri's."""
    stamp = "2026-01-01T00:00:00.000000Z"
    return [
        (
            f"evt_{ulid()}",
            json.dumps(
                {
                    "type": "bench.happened",
                    "timestamp": stamp,
                    "data": {"n": i, "text": "a benchmark event"},
                },
                separators=(",", ":"),
            ).encode(),
        )
        for i in range(total)
    ]


async def _bare_deliveries(receiver: Receiver, total: int) -> dict[str, float]:
    """The strong bare client: one aiohttp session (the client kanri uses) with a keep-alive
    pool as large as the concurrency, CONCURRENCY posts in flight over the 10 endpoint URLs,
    each body signed at send time with `standardwebhooks` (as kanri signs); no database."""
    receiver.reset()
    signer = Webhook("whsec_" + base64.b64encode(b"k" * 32).decode())
    bodies = _bodies(total)
    urls = [f"{receiver.url}?e={i}" for i in range(ENDPOINTS)]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:

        async def sender() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                webhook_id, body = bodies[i]
                sent_at = datetime.now(UTC)
                headers = {
                    "content-type": "application/json",
                    "webhook-id": webhook_id,
                    "webhook-timestamp": str(int(sent_at.timestamp())),
                    "webhook-signature": signer.sign(webhook_id, sent_at, body.decode()),
                }
                async with session.post(urls[i % ENDPOINTS], data=body, headers=headers) as answer:
                    await answer.read()
                    if not 200 <= answer.status < 300:
                        raise BenchError(f"bare post answered {answer.status}")

        cpu = receiver.cpu_seconds()
        own_cpu = time.process_time()
        started = time.monotonic()
        await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
        seconds = time.monotonic() - started
        own_cpu = time.process_time() - own_cpu
        receiver_cpu = receiver.cpu_seconds() - cpu
    return {
        "deliveries": total,
        "seconds": round(seconds, 3),
        "per_second": total / seconds,
        "cpu_ms_per_delivery": round(own_cpu * 1000 / total, 3),
        "receiver_cpu_share": round(receiver_cpu / seconds, 3),
    }


async def _receiver_ceiling(receiver: Receiver, total: int) -> dict[str, float]:
    """What the receiver can take: CONCURRENCY raw keep-alive connections (asyncio streams,
    no HTTP library) posting the same requests as fast as the 204s come back."""
    receiver.reset()
    bodies = _bodies(total)
    requests = [
        (
            f"POST /hook?e={i % ENDPOINTS} HTTP/1.1\r\nHost: {servers.HOST}:{receiver.port}\r\n"
            f"content-type: application/json\r\nwebhook-id: {webhook_id}\r\n"
            f"webhook-timestamp: 1767225600\r\nwebhook-signature: v1,{'A' * 44}\r\n"
            f"content-length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for i, (webhook_id, body) in enumerate(bodies)
    ]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(servers.HOST, receiver.port)
        try:
            while not queue.empty():
                writer.write(requests[queue.get_nowait()])
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 2"):
                    raise BenchError(f"raw post answered {head[:40]!r}")
        finally:
            writer.close()

    cpu = receiver.cpu_seconds()
    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(CONCURRENCY)))
    seconds = time.monotonic() - started
    receiver_cpu = receiver.cpu_seconds() - cpu
    return {
        "deliveries": total,
        "seconds": round(seconds, 3),
        "per_second": total / seconds,
        "receiver_cpu_share": round(receiver_cpu / seconds, 3),
    }


# ---------------------------------------------------------------- (b)


async def _sse_latency(
    base_url: str, key: str, dsn: str, project_id: str, organization_id: str, samples: int
) -> list[float]:
    latencies: list[float] = []
    arrived: dict[str, float] = {}
    got = asyncio.Event()

    async def listen(client: httpx.AsyncClient, ready: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        async with client.stream(
            "GET", "/v1/events/stream", params={"type": "bench.*"}, headers=headers
        ) as response:
            if response.status_code != 200:
                raise BenchError(f"stream answered {response.status_code}")
            ready.set()
            async for line in response.aiter_lines():
                if line.startswith("id: "):
                    arrived[line[4:]] = time.perf_counter()
                    got.set()

    connection = await asyncpg.connect(dsn)
    async with httpx.AsyncClient(base_url=base_url, timeout=None) as client:
        ready = asyncio.Event()
        task = asyncio.create_task(listen(client, ready))
        try:
            await asyncio.wait_for(ready.wait(), 30)
            await asyncio.sleep(0.5)  # the hub's tail is running
            for _ in range(samples):
                (row,) = _event_rows(project_id, organization_id, 1)
                got.clear()
                sent = time.perf_counter()
                await connection.execute(_INSERT, *row)
                deadline = time.monotonic() + 10
                while row[0] not in arrived:
                    if time.monotonic() > deadline:
                        raise BenchError(f"event {row[0]} never reached the SSE client")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(got.wait(), 1)
                    got.clear()
                latencies.append((arrived[row[0]] - sent) * 1000)
                await asyncio.sleep(0.02)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await connection.close()
    return latencies


# ---------------------------------------------------------------- the section


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop when installed, as `kanri serve` (uvicorn) does."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


@contextlib.contextmanager
def _postgres() -> Iterator[Postgres]:
    postgres = servers.postgres_database()
    postgres.create()
    try:
        yield postgres
    finally:
        postgres.drop()


def measure(workdir: Path, events: int, samples: int) -> list[Figure]:
    kanri_figure = Figure(
        key="webhook_deliveries_per_second",
        label=f"(a) outbox → receiver, {ENDPOINTS} endpoints [postgresql]",
        unit="deliveries/s",
        target=1000.0,
    )
    bare_figure = Figure(
        key="webhook_bare_deliveries_per_second",
        label="(a) bare aiohttp client → same receiver",
        unit="deliveries/s",
    )
    ceiling_figure = Figure(
        key="webhook_receiver_ceiling_per_second",
        label="(a) raw asyncio client → same receiver",
        unit="deliveries/s",
    )
    ratio_figure = Figure(key="webhook_ratio", label="(a) kanri / bare", unit="x")
    latency_figure = Figure(
        key="sse_latency_p50",
        label="(b) outbox → SSE client p50 [postgresql]",
        unit="ms",
        target=20.0,
        higher_is_better=False,
    )
    figures = [kanri_figure, bare_figure, ratio_figure, ceiling_figure, latency_figure]
    receiver = Receiver()
    try:
        with _postgres() as postgres, contextlib.ExitStack() as stack:
            server, key, project_id, organization_id = _start(workdir, postgres)
            stack.callback(server.stop)
            dsn = _dsn(postgres.url)
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                for i in range(ENDPOINTS):
                    made = client.post(
                        "/v1/webhooks",
                        json={"url": f"{receiver.url}?e={i}", "event_types": ["bench.*"]},
                        headers={"Authorization": f"Bearer {key}"},
                    )
                    if made.status_code != 201:
                        raise BenchError(f"create webhook: {made.text}")
            total = events * ENDPOINTS
            ceiling = _run(_receiver_ceiling(receiver, total))
            ceiling_figure.value = ceiling["per_second"]
            ceiling_figure.details = ceiling
            ceiling_figure.brief = (
                f"{CONCURRENCY} raw keep-alive connections; receiver CPU "
                f"{ceiling['receiver_cpu_share']:.0%} of a core"
            )
            bare_runs = [_run(_bare_deliveries(receiver, total))]
            warm = _run(_kanri_deliveries(dsn, receiver, project_id, organization_id, 20))
            kanri = _run(
                _kanri_deliveries(
                    dsn, receiver, project_id, organization_id, events, server.proc.pid
                )
            )
            kanri_figure.value = kanri["per_second"]
            kanri_figure.details = {"warm_up": warm, **kanri}
            kanri_figure.brief = (
                f"{kanri['deliveries']:,.0f} deliveries; all received in "
                f"{kanri['received_seconds']:.2f} s, recorded in "
                f"{kanri['recorded_seconds']:.2f} s; "
                f"kanri CPU {kanri['kanri_cpu_share']:.0%} of a core, "
                f"{kanri['cpu_ms_per_delivery']:.3f} ms per delivery (+ PostgreSQL "
                f"{kanri['postgres_cpu_ms_per_delivery']:.3f} ms); receiver CPU "
                f"{kanri['receiver_cpu_share']:.0%} of a core"
            )
            # The baseline runs before and after kanri; the faster run counts (the strong one).
            bare_runs.append(_run(_bare_deliveries(receiver, total)))
            bare = max(bare_runs, key=lambda run: run["per_second"])
            bare_figure.value = bare["per_second"]
            bare_figure.details = {"runs": bare_runs}
            bare_figure.brief = (
                f"{CONCURRENCY} in flight over keep-alive, signed, no database; "
                f"{bare['cpu_ms_per_delivery']:.3f} ms CPU per delivery; receiver CPU "
                f"{bare['receiver_cpu_share']:.0%} of a core"
            )
            ratio_figure.value = kanri["per_second"] / bare["per_second"]
            # (b) measures the stream alone: no deliveries compete for the server's loop.
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                auth = {"Authorization": f"Bearer {key}"}
                for hook in client.get("/v1/webhooks", headers=auth).json()["data"]:
                    path = f"/v1/webhooks/{hook['id']}"
                    client.patch(path, json={"enabled": False}, headers=auth)
            latencies = _run(
                _sse_latency(server.base_url, key, dsn, project_id, organization_id, samples)
            )
            latency_figure.value = statistics.median(latencies)
            summary = {
                "p50": round(statistics.median(latencies), 2),
                "p90": round(_percentile(latencies, 90), 2),
                "p99": round(_percentile(latencies, 99), 2),
                "max": round(max(latencies), 2),
            }
            latency_figure.details = {"samples": len(latencies), "latency_ms": summary}
            latency_figure.brief = (
                f"{len(latencies)} events; p90 {summary['p90']} ms, p99 {summary['p99']} ms"
            )
    except (BenchError, ServerError, OSError, httpx.HTTPError, asyncpg.PostgresError) as exc:
        message = f"{type(exc).__name__}: {exc}"[:2000]
        for figure in figures:
            if figure.value is None:
                figure.error = message
    finally:
        receiver.stop()
    return figures


def run(events: int = EVENTS, samples: int = LATENCY_SAMPLES) -> int:
    """The webhooks section: measure, print, merge into latest.json. Exit status."""
    print(
        f"kanri webhooks bench: (a) {events:,} events × {ENDPOINTS} endpoints on PostgreSQL "
        f"vs a bare aiohttp client, (b) {samples} events outbox → SSE",
        flush=True,
    )
    busy = servers.machine_busy_percent()
    note = "CPU busy before the start: " + (f"{busy:.0f} %" if busy is not None else "?")
    if busy is not None and busy > 10:
        note += " (other processes are running: they skew the numbers)"
    print(note, flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kanri-webhooks-bench-") as tmp:
        figures = measure(Path(tmp), events, samples)
    print_table(figures)
    print(f"note: {note}")
    seconds = time.monotonic() - started
    print(f"webhooks section took {seconds:.0f} s")
    _merge_json(
        "webhooks",
        {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "machine": {"cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg()},
            "settings": {
                "events": events,
                "endpoints": ENDPOINTS,
                "concurrency": CONCURRENCY,
                "sse_samples": samples,
            },
            "notes": [note],
            "figures": [f.as_dict() for f in figures],
        },
    )
    return 1 if any(f.verdict == "ERROR" for f in figures) else 0
