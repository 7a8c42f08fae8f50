"""The records benchmark (`python -m bench.run --only records`; part of the full run).

For each database (SQLite, then PostgreSQL), one `kanri serve` and an object of 10 fields
(`email` unique, `status` an indexed select of 100 options, eight others kept only in the
JSON document):

(a) creation through `POST …/records:batchCreate` (500 records a call, 4 calls in flight)
    of `--records-http` records: records/s. Target >= 1,000. Baseline in the same run: a
    bare SQLAlchemy Core INSERT of the same JSON documents, 500 rows a statement, into a
    table of (id, object_id, JSON, time) with no index but its primary key.
(b) the object filled up to `--records-count` records (default 1,000,000) by inserting rows
    as kanri stores them (records and their side index rows) straight into the database,
    then `GET …/records?filter=email = "…"` (one match) and `filter=status = "s42"` (1 %
    of the records, first page of 50): p50 of 200 requests each. Target p50 <= 20 ms.
    Baseline: the same equality as a bare indexed SELECT on a plain column through
    SQLAlchemy Core (no HTTP).
(c) `GET …/records` page 1,000 against page 1 (page_size 50): p50 ratio, target <= 1.5x.

Nothing here asserts: BELOW a target is reported. HTTP errors make a figure an ERROR.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import create_async_engine

from bench import servers
from bench.engine import RESULTS, BenchError, Figure, _merge_json, _summary, print_table
from bench.servers import KanriTarget, ServerError

BATCH = 500
IN_FLIGHT = 4
PAGE_SIZE = 50
LIST_PAGE = 1000
FILTER_REPEATS = 200
FILL_CHUNK = 20_000
STATUSES = [f"s{i}" for i in range(100)]
FIELDS: list[dict[str, Any]] = [
    {"slug": "name", "name": "Name", "type": "text", "required": True},
    {"slug": "email", "name": "Email", "type": "email", "unique": True},
    {"slug": "status", "name": "Status", "type": "select", "options": STATUSES, "indexed": True},
    {"slug": "amount", "name": "Amount", "type": "number"},
    {"slug": "stage", "name": "Stage", "type": "select", "options": ["lead", "won", "lost"]},
    {"slug": "score", "name": "Score", "type": "number"},
    {"slug": "active", "name": "Active", "type": "boolean"},
    {"slug": "since", "name": "Since", "type": "date"},
    {"slug": "website", "name": "Website", "type": "url"},
    {"slug": "notes", "name": "Notes", "type": "long_text"},
]


@dataclass(frozen=True)
class RecordsSettings:
    count: int = 1_000_000  # records in the object for (b) and (c)
    http_records: int = 20_000  # created through batchCreate for (a)
    postgres: bool = True


def values(i: int) -> dict[str, Any]:
    """The field values (by slug) of the i-th record."""
    return {
        "name": f"Company {i}",
        "email": f"user{i}@example.com",
        "status": STATUSES[i % len(STATUSES)],
        "amount": (i * 37) % 100_000,
        "stage": ("lead", "won", "lost")[i % 3],
        "score": (i * 7) % 101,
        "active": i % 2 == 0,
        "since": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
        "website": f"https://c{i}.example.com",
        "notes": "A customer since the early days; renewal discussed every spring.",
    }


def _check(response: httpx.Response, status: int, what: str) -> dict[str, Any]:
    if response.status_code != status:
        raise BenchError(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_object(client: httpx.Client) -> dict[str, Any]:
    _check(
        client.post("/v1/objects", json={"slug": "companies", "name": "Companies"}), 201, "object"
    )
    for definition in FIELDS:
        _check(client.post("/v1/objects/companies/fields", json=definition), 201, "field")
    return _check(client.get("/v1/objects/companies"), 200, "get object")


# ---------------------------------------------------------------- (a) creation


def measure_create(target: KanriTarget, total: int) -> tuple[Figure, int]:
    figure = Figure(key="records_create_per_second", label="", unit="records/s", target=1000)
    batches = [list(range(start, min(start + BATCH, total))) for start in range(0, total, BATCH)]

    def send(client: httpx.Client, batch: list[int]) -> None:
        body = {"records": [{"field_values": values(i)} for i in batch]}
        created = _check(
            client.post("/v1/objects/companies/records:batchCreate", json=body), 200, "batchCreate"
        )
        if len(created["data"]) != len(batch):
            raise BenchError(f"batchCreate made {len(created['data'])} of {len(batch)} records")

    with httpx.Client(
        base_url=target.server.base_url, headers=_headers(target.secret_key), timeout=120.0
    ) as client:
        started = time.perf_counter()
        with ThreadPoolExecutor(IN_FLIGHT) as pool:
            list(pool.map(lambda b: send(client, b), batches))
        seconds = time.perf_counter() - started
    figure.value = total / seconds
    figure.brief = (
        f"{total:,} records in {seconds:.1f} s "
        f"({len(batches)} calls of {BATCH}, {IN_FLIGHT} in flight)"
    )
    figure.details = {
        "records": total,
        "seconds": round(seconds, 2),
        "batch": BATCH,
        "in_flight": IN_FLIGHT,
    }
    return figure, total


_BARE = MetaData()
BARE_TABLE = Table(
    "bench_bare_records",
    _BARE,
    Column("id", String(40), primary_key=True),
    Column("object_id", String(40)),
    Column("email", String(254), index=True),
    Column("field_values", JSON),
    Column("create_time", DateTime(timezone=True)),
)


def _bare_rows(start: int, stop: int, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": f"bare_{i:026d}",
            "object_id": "obj_bench",
            "email": f"user{i}@example.com",
            "field_values": values(i),
            "create_time": now,
        }
        for i in range(start, stop)
    ]


def _bare_sqlite(url: str, total: int) -> tuple[float, list[float]]:
    engine = create_engine(url)
    try:
        _BARE.drop_all(engine)
        _BARE.create_all(engine)
        now = datetime.now(UTC)
        started = time.perf_counter()
        for start in range(0, total, BATCH):
            with engine.begin() as connection:
                connection.execute(
                    insert(BARE_TABLE), _bare_rows(start, min(start + BATCH, total), now)
                )
        seconds = time.perf_counter() - started
        timings = []
        with engine.connect() as connection:
            for _ in range(FILTER_REPEATS):
                wanted = f"user{random.randrange(total)}@example.com"
                t0 = time.perf_counter()
                connection.execute(select(BARE_TABLE).where(BARE_TABLE.c.email == wanted)).all()
                timings.append((time.perf_counter() - t0) * 1000)
        _BARE.drop_all(engine)
    finally:
        engine.dispose()
    return seconds, timings


async def _bare_postgres(url: str, total: int) -> tuple[float, list[float]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_BARE.drop_all)
            await connection.run_sync(_BARE.create_all)
        now = datetime.now(UTC)
        started = time.perf_counter()
        for start in range(0, total, BATCH):
            async with engine.begin() as connection:
                await connection.execute(
                    insert(BARE_TABLE), _bare_rows(start, min(start + BATCH, total), now)
                )
        seconds = time.perf_counter() - started
        timings = []
        async with engine.connect() as connection:
            for _ in range(FILTER_REPEATS):
                wanted = f"user{random.randrange(total)}@example.com"
                t0 = time.perf_counter()
                (
                    await connection.execute(select(BARE_TABLE).where(BARE_TABLE.c.email == wanted))
                ).all()
                timings.append((time.perf_counter() - t0) * 1000)
        async with engine.begin() as connection:
            await connection.run_sync(_BARE.drop_all)
    finally:
        await engine.dispose()
    return seconds, timings


def measure_bare(url: str, total: int) -> tuple[Figure, float]:
    """The baseline: rows/s of bare INSERTs, and the p50 ms of a bare indexed SELECT."""
    figure = Figure(key="records_bare_insert_per_second", label="", unit="rows/s")
    if url.startswith("sqlite"):
        seconds, timings = _bare_sqlite(url, total)
    else:
        seconds, timings = asyncio.run(_bare_postgres(url, total))
    figure.value = total / seconds
    figure.brief = f"{total:,} rows in {seconds:.1f} s, {BATCH} a transaction, one client"
    return figure, statistics.median(timings)


# ---------------------------------------------------------------- (b) fill


def _fill_rows(
    obj: dict[str, Any], project_id: str, start: int, stop: int, base: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    ids = {f["slug"]: f["id"] for f in obj["fields"]}
    records = []
    side = []
    for i in range(start, stop):
        record_id = f"rec_{i:026d}"
        given = values(i)
        document = {ids[slug]: value for slug, value in given.items()}
        moment = base + timedelta(microseconds=i)
        records.append((record_id, project_id, obj["id"], document, "bench", moment, moment, None))
        email = given["email"]
        side.append((record_id, ids["email"], 0, email, None, email, moment))
        side.append((record_id, ids["status"], 0, given["status"], None, None, moment))
    return records, side


def fill_sqlite(
    db_path: Path, obj: dict[str, Any], project_id: str, start: int, total: int
) -> float:
    started = time.perf_counter()
    base = datetime(2027, 1, 1, tzinfo=UTC)
    connection = sqlite3.connect(db_path, timeout=60)
    try:
        for chunk in range(start, total, FILL_CHUNK):
            records, side = _fill_rows(obj, project_id, chunk, min(chunk + FILL_CHUNK, total), base)
            with connection:
                connection.executemany(
                    "INSERT INTO records (id, project_id, object_id, field_values, created_by,"
                    " create_time, update_time, deleted_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            *r[:3],
                            json.dumps(r[3]),
                            r[4],
                            r[5].strftime("%Y-%m-%d %H:%M:%S.%f"),
                            r[6].strftime("%Y-%m-%d %H:%M:%S.%f"),
                            None,
                        )
                        for r in records
                    ],
                )
                connection.executemany(
                    "INSERT INTO record_values (record_id, field_id, position, text_value,"
                    " number_value, unique_value, create_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(*s[:6], s[6].strftime("%Y-%m-%d %H:%M:%S.%f")) for s in side],
                )
        connection.execute("ANALYZE")
    finally:
        connection.close()
    return time.perf_counter() - started


async def fill_postgres(
    dsn: str, obj: dict[str, Any], project_id: str, start: int, total: int
) -> float:
    started = time.perf_counter()
    base = datetime(2027, 1, 1, tzinfo=UTC)
    connection = await asyncpg.connect(dsn)
    try:
        for chunk in range(start, total, FILL_CHUNK):
            records, side = _fill_rows(obj, project_id, chunk, min(chunk + FILL_CHUNK, total), base)
            async with connection.transaction():
                await connection.copy_records_to_table(
                    "records",
                    records=[(*r[:3], json.dumps(r[3]), *r[4:]) for r in records],
                    columns=[
                        "id",
                        "project_id",
                        "object_id",
                        "field_values",
                        "created_by",
                        "create_time",
                        "update_time",
                        "deleted_time",
                    ],
                )
                await connection.copy_records_to_table(
                    "record_values",
                    records=side,
                    columns=[
                        "record_id",
                        "field_id",
                        "position",
                        "text_value",
                        "number_value",
                        "unique_value",
                        "create_time",
                    ],
                )
        await connection.execute("ANALYZE records; ANALYZE record_values")
    finally:
        await connection.close()
    return time.perf_counter() - started


# ---------------------------------------------------------------- (b) filters and (c) pages


def _timed(
    client: httpx.Client, params: dict[str, Any], expect: int | None
) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    response = client.get("/v1/objects/companies/records", params=params)
    ms = (time.perf_counter() - t0) * 1000
    body = _check(response, 200, f"list {params}")
    if expect is not None and len(body["data"]) != expect:
        raise BenchError(f"{params}: {len(body['data'])} records, expected {expect}")
    return ms, body


def measure_filters(target: KanriTarget, total: int, bare_ms: float) -> list[Figure]:
    unique = Figure(
        key="records_filter_unique_p50", label="", unit="ms", target=20, higher_is_better=False
    )
    common = Figure(
        key="records_filter_select_p50", label="", unit="ms", target=20, higher_is_better=False
    )
    with httpx.Client(
        base_url=target.server.base_url, headers=_headers(target.secret_key), timeout=60.0
    ) as client:
        for _ in range(20):
            _timed(client, {"filter": 'status = "s1"', "page_size": PAGE_SIZE}, PAGE_SIZE)
        unique_ms = [
            _timed(client, {"filter": f'email = "user{random.randrange(total)}@example.com"'}, 1)[0]
            for _ in range(FILTER_REPEATS)
        ]
        common_ms = [
            _timed(
                client,
                {"filter": f'status = "{random.choice(STATUSES)}"', "page_size": PAGE_SIZE},
                PAGE_SIZE,
            )[0]
            for _ in range(FILTER_REPEATS)
        ]
    unique.value = statistics.median(unique_ms)
    unique.brief = (
        f"1 match of {total:,}; p99 {_pct(unique_ms, 99):.2f} ms; bare indexed SELECT "
        f"p50 {bare_ms:.2f} ms (table of the (a) rows, no HTTP)"
    )
    common.value = statistics.median(common_ms)
    common.brief = (
        f"{total // len(STATUSES):,} matches, first page of {PAGE_SIZE}; "
        f"p99 {_pct(common_ms, 99):.2f} ms"
    )
    return [unique, common]


def _pct(values_ms: list[float], pct: float) -> float:
    ordered = sorted(values_ms)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def measure_pages(target: KanriTarget, total: int) -> Figure:
    figure = Figure(
        key="records_page_ratio", label="", unit="x", target=1.5, higher_is_better=False
    )
    with httpx.Client(
        base_url=target.server.base_url, headers=_headers(target.secret_key), timeout=60.0
    ) as client:
        token: str | None = None
        for _ in range(LIST_PAGE - 1):
            params: dict[str, Any] = {"page_size": PAGE_SIZE}
            if token:
                params["page_token"] = token
            token = _timed(client, params, PAGE_SIZE)[1]["next_page_token"]
            if token is None:
                raise BenchError("the list ended before page 1,000")
        first: list[float] = []
        last: list[float] = []
        for _ in range(50):
            first.append(_timed(client, {"page_size": PAGE_SIZE}, PAGE_SIZE)[0])
            last.append(_timed(client, {"page_size": PAGE_SIZE, "page_token": token}, PAGE_SIZE)[0])
    figure.value = statistics.median(last) / statistics.median(first)
    figure.brief = (
        f"p50 page 1 {statistics.median(first):.2f} ms, "
        f"page {LIST_PAGE:,} {statistics.median(last):.2f} ms"
    )
    return figure


# ---------------------------------------------------------------- one database


def _label(figures: list[Figure], database: str, total: int) -> list[Figure]:
    labels = {
        "records_create_per_second": "(a) batchCreate records/s",
        "records_bare_insert_per_second": "(a) bare Core INSERT rows/s (baseline)",
        "records_create_ratio": "(a) kanri / bare",
        "records_filter_unique_p50": f"(b) filter email = … p50 ({total:,} records)",
        "records_filter_select_p50": f"(b) filter status = … p50 ({total:,} records)",
        "records_page_ratio": f"(c) page {LIST_PAGE:,} vs page 1 ({total:,} records)",
    }
    for figure in figures:
        figure.label = f"{labels[figure.key]} [{database}]"
        figure.key = f"{database}_{figure.key}"
    return figures


def measure_database(
    workdir: Path,
    database: str,
    url: str | None,
    settings: RecordsSettings,
    fill: Callable[[dict[str, Any], str, int, int], float],
    bare_url: str,
) -> list[Figure]:
    print(f"== records on {database}", flush=True)
    target = servers.start_kanri(workdir, None, url, f"records-{database}")
    figures: list[Figure] = []
    with servers.running(target.server):
        with httpx.Client(
            base_url=target.server.base_url, headers=_headers(target.secret_key), timeout=60.0
        ) as client:
            obj = make_object(client)
        print(f"  (a) {settings.http_records:,} records through batchCreate …", flush=True)
        created, made = measure_create(target, settings.http_records)
        bare, bare_ms = measure_bare(bare_url, settings.http_records)
        ratio = Figure(key="records_create_ratio", label="", unit="x")
        ratio.value = (created.value or 0) / (bare.value or 1)
        ratio.brief = "kanri's records/s over the bare INSERT's rows/s"
        figures += [created, bare, ratio]
        print(f"  filling to {settings.count:,} records …", flush=True)
        seconds = fill(obj, target.project_id, made, settings.count)
        print(f"  filled in {seconds:.0f} s; (b) filters …", flush=True)
        figures += measure_filters(target, settings.count, bare_ms)
        print("  (c) pages …", flush=True)
        figures.append(measure_pages(target, settings.count))
    for figure in figures:
        print(f"  {figure.key}: {figure.shown(figure.value)}  {figure.brief}", flush=True)
    return _label(figures, database, settings.count)


def run(settings: RecordsSettings, notes: list[str] | None = None) -> int:
    """The records section: measure, print, merge into latest.json. Exit status."""
    print(
        f"kanri records bench: {settings.http_records:,} records through batchCreate, "
        f"{settings.count:,} records in the object for filters and pages",
        flush=True,
    )
    notes = list(notes or [])
    busy = servers.machine_busy_percent()
    note = "CPU busy before the start: " + (f"{busy:.0f} %" if busy is not None else "?")
    print(note, flush=True)
    notes.append(note)
    started = time.monotonic()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="kanri-records-bench-") as tmp:
        workdir = Path(tmp)
        db_path = workdir / "kanri-records-sqlite" / "kanri.db"
        figures += _attempt(
            lambda: measure_database(
                workdir,
                "sqlite",
                None,
                settings,
                lambda obj, project, start, total: fill_sqlite(db_path, obj, project, start, total),
                f"sqlite:///{workdir / 'bare.db'}",
            ),
            "sqlite",
        )
        if settings.postgres:
            postgres = servers.postgres_database()
            try:
                postgres.create()
                dsn = postgres.url.replace("postgresql+asyncpg://", "postgresql://")
                figures += _attempt(
                    lambda: measure_database(
                        workdir,
                        "postgresql",
                        postgres.url,
                        settings,
                        lambda obj, project, start, total: asyncio.run(
                            fill_postgres(dsn, obj, project, start, total)
                        ),
                        postgres.url,
                    ),
                    "postgresql",
                )
            except ServerError as exc:
                figures.append(
                    Figure(
                        key="postgresql_records", label="records [postgresql]", error=_summary(exc)
                    )
                )
            finally:
                postgres.drop()
    print_table(figures)
    for line in notes:
        print(f"note: {line}")
    seconds = time.monotonic() - started
    print(f"records section took {seconds:.0f} s")
    _merge_json(
        "records",
        {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "settings": {
                "count": settings.count,
                "http_records": settings.http_records,
                "batch": BATCH,
                "in_flight": IN_FLIGHT,
            },
            "fields": FIELDS,
            "notes": notes,
            "figures": [f.as_dict() for f in figures],
        },
    )
    print(f"records results merged into {RESULTS} (key `records`)")
    return 1 if any(f.verdict == "ERROR" for f in figures) else 0


def _attempt(measure: Callable[[], list[Figure]], database: str) -> list[Figure]:
    try:
        return measure()
    except (BenchError, ServerError, httpx.HTTPError, OSError) as exc:
        print(f"  !! {database}: {_summary(exc)}", flush=True)
        return [
            Figure(key=f"{database}_records", label=f"records [{database}]", error=_summary(exc))
        ]
