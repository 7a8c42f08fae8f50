"""The SSE section (`python -m bench.run --only sse`; part of the full run).

Events per second over one server-sent-events connection, kanri against a bare FastAPI app
(`bench/bare_sse.py`: the same frames built in memory, framed by hand into a
`StreamingResponse`), one uvicorn worker each, on this machine in the same run:

(a) `GET /v1/runs/{id}/events` of a completed run with N `run.delta` events (written into
    the outbox of a `kanri serve` on SQLite): the time from sending the request until the
    stream has ended (the run is over, so kanri closes it after the last event);
(b) `GET /v1/events/stream` with `Last-Event-ID` just before those N events: the time from
    sending the request until the Nth event has arrived (replayed from the database; the
    stream then stays open and the client hangs up).

The client reads the raw socket (asyncio streams, no HTTP library) and counts frames, so
it does not limit the bare server; it runs on the other CPU when two are available. The
kinds alternate over ROUNDS rounds after a warm-up; each figure is the median of its
rounds, the ratio the median of the rounds' ratios (kanri and the bare app measured one
after the other), and the server's CPU time per event is printed beside it (what the
machine's other load moves least). No timing assertions: the figures are for information.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import httpx

from bench import bare_sse, servers
from bench.engine import BenchError, Figure, _merge_json, _pinned, create_automation, print_table
from bench.servers import KanriTarget, Server, ServerError

Stream = Literal["run", "project"]
EVENTS = 5000
ROUNDS = 5
WARMUP_EVENTS = 500
MARKER = b"id: evt_"  # one per event frame; the `retry:` frame has none
READ_TIMEOUT = 60.0


@dataclass(frozen=True, kw_only=True)
class SseSettings:
    events: int = EVENTS
    rounds: int = ROUNDS
    server_cpu: int | None = None
    client_cpu: int | None = None


@dataclass(kw_only=True)
class Sample:
    events: int
    seconds: float
    bytes: int
    server_cpu_seconds: float | None

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass(kw_only=True)
class Series:
    samples: list[Sample] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return statistics.median(s.per_second for s in self.samples)

    @property
    def cpu_us_per_event(self) -> float | None:
        values = [
            s.server_cpu_seconds * 1e6 / s.events
            for s in self.samples
            if s.server_cpu_seconds is not None
        ]
        return statistics.median(values) if values else None

    @property
    def bytes_per_event(self) -> float:
        return statistics.median(s.bytes / s.events for s in self.samples)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events_per_second_p50": round(self.per_second, 1),
            "server_cpu_us_per_event_p50": _round(self.cpu_us_per_event),
            "bytes_per_event": round(self.bytes_per_event, 1),
            "rounds": [
                {
                    "events": s.events,
                    "seconds": round(s.seconds, 4),
                    "events_per_second": round(s.per_second, 1),
                    "server_cpu_seconds": _round(s.server_cpu_seconds),
                }
                for s in self.samples
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# ---------------------------------------------------------------- the client


async def read_events(
    server: Server, path: str, headers: dict[str, str], events: int, *, until_end: bool
) -> Sample:
    """GET `path` on a raw connection; the time until `events` frames have arrived and, with
    `until_end`, the server has closed the stream (`Connection: close`)."""
    reader, writer = await asyncio.open_connection(servers.HOST, server.port)
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {servers.HOST}:{server.port}",
        "Accept: text/event-stream",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    if until_end:
        lines.append("Connection: close")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    cpu = servers.process_cpu_seconds(server.proc.pid)
    try:
        started = time.perf_counter()
        writer.write(request)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
        status = head.split(b"\r\n", 1)[0]
        if b" 200 " not in status or b"text/event-stream" not in head.lower():
            body = await asyncio.wait_for(reader.read(500), READ_TIMEOUT)
            raise BenchError(f"GET {path}: {status.decode()}: {body[:300]!r}")
        count = 0
        size = 0
        tail = b""
        while True:
            chunk = await asyncio.wait_for(reader.read(1 << 16), READ_TIMEOUT)
            if not chunk:
                break
            size += len(chunk)
            buffer = tail + chunk
            count += buffer.count(MARKER)
            tail = buffer[-(len(MARKER) - 1) :]
            if count >= events and not until_end:
                break
        seconds = time.perf_counter() - started
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    after = servers.process_cpu_seconds(server.proc.pid)
    if count < events or (until_end and count != events):
        raise BenchError(f"GET {path}: {count} events arrived, {events} expected")
    return Sample(
        events=count,
        seconds=seconds,
        bytes=size,
        server_cpu_seconds=None if cpu is None or after is None else after - cpu,
    )


def _run(coroutine: Coroutine[Any, Any, Sample]) -> Sample:
    """On uvloop when installed, as the servers run."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


# ---------------------------------------------------------------- kanri's side


@dataclass(frozen=True, kw_only=True)
class KanriStreams:
    target: KanriTarget
    run_id: str
    before_id: str  # the project's newest event id before the N events
    run_events: int  # in the run's stream: the N events and the run's own before them

    def path(self, stream: Stream) -> str:
        return f"/v1/runs/{self.run_id}/events" if stream == "run" else "/v1/events/stream"

    def headers(self, stream: Stream) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.target.secret_key}"}
        return auth if stream == "run" else {**auth, "Last-Event-ID": self.before_id}


def _completed_run(target: KanriTarget) -> str:
    automation_id = create_automation(target.server.base_url, target.secret_key, "sse")
    with httpx.Client(
        base_url=target.server.base_url,
        headers={"Authorization": f"Bearer {target.secret_key}"},
        timeout=30.0,
    ) as client:
        answer = client.post(f"/v1/automations/{automation_id}/runs", params={"wait": 10}, json={})
        if answer.status_code != 202 or answer.json()["status"] != "completed":
            raise BenchError(f"trigger: HTTP {answer.status_code}: {answer.text[:300]}")
        return str(answer.json()["id"])


def fill_events(db_path: Path, run_id: str, count: int) -> tuple[str, int]:
    """Write `count` `run.delta` events of the run into the outbox (one transaction), as the
    engine writes a streaming agent's deltas. Returns the project's newest id before them and
    how many events the run had already (its stream sends those first)."""
    from sqlalchemy import Table, create_engine, func, insert, select

    from kanri.core.ids import new_id
    from kanri.core.models import OutboxEventRow

    table = cast(Table, OutboxEventRow.__table__)
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.begin() as conn:
            template = (
                conn.execute(select(table).where(table.c.resource_id == run_id).limit(1))
                .mappings()
                .one()
            )
            before: str = conn.execute(
                select(func.max(table.c.id)).where(table.c.scope_id == template["scope_id"])
            ).scalar_one()
            existing: int = conn.execute(
                select(func.count()).where(table.c.resource_id == run_id)
            ).scalar_one()
            now = datetime.now(UTC)
            rows = [
                {
                    **template,
                    "id": new_id("evt"),
                    "type": bare_sse.EVENT_TYPE,
                    "data": bare_sse.EVENT_DATA,
                    "request_id": None,
                    "create_time": now,
                }
                for _ in range(count)
            ]
            conn.execute(insert(table), rows)
    finally:
        engine.dispose()
    return before, existing


# ---------------------------------------------------------------- the section


def _figures(
    events: int, rounds: int, kanri: dict[Stream, Series], bare: dict[Stream, Series]
) -> list[Figure]:
    figures: list[Figure] = []
    labels: dict[Stream, tuple[str, str]] = {
        "run": ("(a)", f"GET /v1/runs/{{id}}/events, {events:,} events to the end"),
        "project": ("(b)", f"GET /v1/events/stream, {events:,} events after Last-Event-ID"),
    }
    for stream, (mark, what) in labels.items():
        ours, theirs = kanri[stream], bare[stream]
        if not ours.samples or not theirs.samples:
            continue
        figures += [
            Figure(
                key=f"sse_{stream}_events_per_second",
                label=f"{mark} {what} [sqlite]",
                unit="events/s",
                value=ours.per_second,
                brief=_brief(ours, rounds),
                details=ours.as_dict(),
            ),
            Figure(
                key=f"sse_{stream}_bare_events_per_second",
                label=f"{mark} bare StreamingResponse, same frames",
                unit="events/s",
                value=theirs.per_second,
                brief=_brief(theirs, rounds),
                details=theirs.as_dict(),
            ),
            Figure(
                key=f"sse_{stream}_ratio",
                label=f"{mark} kanri / bare",
                unit="x",
                value=statistics.median(
                    k.per_second / b.per_second
                    for k, b in zip(ours.samples, theirs.samples, strict=True)
                ),
                brief=_cpu_ratio(ours, theirs),
            ),
        ]
    return figures


def _brief(series: Series, rounds: int) -> str:
    cpu = series.cpu_us_per_event
    shown = f"{cpu:.1f} µs" if cpu is not None else "?"
    return (
        f"p50 of {rounds} rounds; server CPU {shown} per event; "
        f"{series.bytes_per_event:.0f} bytes per event"
    )


def _cpu_ratio(ours: Series, theirs: Series) -> str:
    a, b = ours.cpu_us_per_event, theirs.cpu_us_per_event
    return (
        f"median of the rounds' ratios; server CPU per event {a / b:.2f}× the bare app's"
        if a and b
        else ""
    )


def measure(workdir: Path, settings: SseSettings) -> list[Figure]:
    kanri: dict[Stream, Series] = {"run": Series(), "project": Series()}
    bare: dict[Stream, Series] = {"run": Series(), "project": Series()}
    streams: tuple[Stream, ...] = ("run", "project")
    with contextlib.ExitStack() as stack:
        bare_server = servers.start_bare(workdir, settings.server_cpu, app="bench.bare_sse:app")
        stack.enter_context(servers.running(bare_server))
        target = servers.start_kanri(workdir, settings.server_cpu, None, "sse")
        stack.enter_context(servers.running(target.server))
        bare_server.wait_ready()
        run_id = _completed_run(target)
        if target.data_dir is None:
            raise BenchError("kanri's data directory is unknown")
        before, existing = fill_events(target.data_dir / "kanri.db", run_id, settings.events)
        ours = KanriStreams(
            target=target, run_id=run_id, before_id=before, run_events=settings.events + existing
        )
        # The run's stream also sends the run's own events: the bare one sends as many.
        count: dict[Stream, int] = {"run": ours.run_events, "project": settings.events}

        def bare_path(stream: Stream, n: int) -> str:
            path = f"/v1/runs/{bare_sse.RUN_ID}/events" if stream == "run" else "/v1/events/stream"
            return f"{path}?n={n}"

        def one(stream: Stream, who: str, events: int | None = None) -> Sample:
            events = events or count[stream]
            if who == "bare":
                return _run(
                    read_events(
                        bare_server,
                        bare_path(stream, events),
                        {"Authorization": "Bearer kanri_sk_bare"},  # equal bytes on the wire
                        events,
                        until_end=stream == "run",
                    )
                )
            return _run(
                read_events(
                    target.server,
                    ours.path(stream),
                    ours.headers(stream),
                    events,
                    until_end=stream == "run",
                )
            )

        with _pinned(settings.client_cpu):
            print("  warm-up …", flush=True)
            for stream in streams:
                one(stream, "bare", WARMUP_EVENTS)
                one(stream, "kanri")
            for i in range(settings.rounds):
                for stream in streams:
                    bare[stream].samples.append(one(stream, "bare"))
                    kanri[stream].samples.append(one(stream, "kanri"))
                print(
                    f"  round {i + 1}/{settings.rounds}: "
                    + ", ".join(
                        f"{stream} kanri {kanri[stream].samples[-1].per_second:,.0f} / bare "
                        f"{bare[stream].samples[-1].per_second:,.0f} events/s"
                        for stream in streams
                    ),
                    flush=True,
                )
    return _figures(settings.events, settings.rounds, kanri, bare)


def run(settings: SseSettings, notes: list[str] | None = None) -> int:
    """The SSE section: measure, print, merge into latest.json. Exit status."""
    print(
        f"kanri SSE bench: {settings.events:,} events over one connection, {settings.rounds} "
        "rounds, kanri [sqlite] vs a bare StreamingResponse",
        flush=True,
    )
    notes = list(notes or [])
    busy = servers.machine_busy_percent()
    busy_note = "CPU busy before the start: " + (f"{busy:.0f} %" if busy is not None else "?")
    if busy is not None and busy > 10:
        busy_note += " (other processes are running: they skew the numbers)"
    print(busy_note, flush=True)
    notes.append(busy_note)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kanri-sse-bench-") as tmp:
        try:
            figures = measure(Path(tmp), settings)
        except (BenchError, ServerError, OSError, TimeoutError, httpx.HTTPError) as exc:
            message = f"{type(exc).__name__}: {exc}"[:2000]
            figures = [Figure(key="sse", label="SSE streams", error=message)]
    print_table(figures)
    for note in notes:
        print(f"note: {note}")
    seconds = time.monotonic() - started
    print(f"SSE section took {seconds:.0f} s")
    _merge_json(
        "sse",
        {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "machine": {"cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg()},
            "settings": {
                "events": settings.events,
                "rounds": settings.rounds,
                "server_cpu": settings.server_cpu,
                "client_cpu": settings.client_cpu,
            },
            "notes": notes,
            "figures": [f.as_dict() for f in figures],
        },
    )
    return 1 if any(f.verdict == "ERROR" for f in figures) else 0
