"""Reads and write commands over SQLite (one writer thread, group commit) or PostgreSQL.

A write is a plain function over a SQLAlchemy `Session` (`def create(tx, who, body) -> T`)
submitted with `await db.write(fn, ...)`: it does its reads-for-write and writes in one
call with no awaits inside, so it can run in the SQLite writer thread or in a greenlet on a
pooled PostgreSQL connection alike (docs/architecture.md, "Database access").
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

import structlog
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from kanri.db.prepared import DriverReaders, Prepared

P = ParamSpec("P")
T = TypeVar("T")
Command = Callable[Concatenate[Session, P], T]

log = structlog.get_logger("kanri.db")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level; SQLAlchemy's "begin" event below issues BEGIN itself,
    # because pysqlite's default mode reads before BEGIN and forks the audit chain.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sqlite_engine(url: str, *, immediate: bool, pool_size: int = 5) -> Engine:
    """A pysqlite engine in WAL mode: writers BEGIN IMMEDIATE; readers run each statement in
    its own implicit transaction (no BEGIN/COMMIT round trips on the hot read path)."""
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    if immediate:

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@dataclass(kw_only=True)
class _Job:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _settle_all(settled: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in settled:
        _settle(future, result, error)


class SQLiteWriter:
    """One thread owns the write connection and commits queued commands in batches.

    Each command runs inside its own SAVEPOINT, so a failing command fails only its
    caller; callers are resolved only after COMMIT.
    """

    def __init__(self, engine: Engine, batch_size: int) -> None:
        self._engine = engine
        self._batch_size = batch_size
        self._queue: queue.SimpleQueue[list[_Job] | None] = queue.SimpleQueue()
        # Per event loop: the commands submitted during its current iteration. They are
        # handed over together once it ends, so the writer wakes (and takes the GIL) once
        # per iteration, not once per command, and its batches fill up.
        self._outgoing: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
        self._thread = threading.Thread(target=self._loop, name="kanri-sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, job: _Job) -> None:
        """Queue `job`; called on its event loop's thread."""
        waiting = self._outgoing.get(job.loop)
        if waiting is None:
            self._outgoing[job.loop] = [job]
            job.loop.call_soon(self._hand_over, job.loop)
        else:
            waiting.append(job)

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        jobs = self._outgoing.pop(loop, None)
        if jobs:
            self._queue.put(jobs)

    def close(self) -> None:
        for loop in list(self._outgoing):  # commands not handed over yet still run
            self._hand_over(loop)
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        with self._engine.connect() as conn:
            pending: list[_Job] = []
            stop = False
            while not stop or pending:
                if not pending:
                    jobs = self._queue.get()
                    if jobs is None:
                        return
                    pending = jobs
                while len(pending) < self._batch_size and not stop:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                    else:
                        pending.extend(more)
                batch, pending = pending[: self._batch_size], pending[self._batch_size :]
                self._run_batch(conn, batch)

    def _run_batch(self, conn: Any, batch: list[_Job]) -> None:
        while batch:
            batch = self._try_batch(conn, batch)

    def _try_batch(self, conn: Any, batch: list[_Job]) -> list[_Job]:
        """Run `batch` in one transaction; the jobs to run again in a new one, if any.

        A command whose flush fails (a unique violation, say) leaves SQLAlchemy's session
        transaction deactivated: its savepoint cannot save the batch. That command gets its
        error; the transaction is rolled back and the others run again without it.
        """
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        replay: list[_Job] = []
        try:
            session = Session(bind=conn, expire_on_commit=False, autoflush=True)
            with session, session.begin():
                session.connection()  # BEGIN IMMEDIATE, owned (and committed) by the session
                # Savepoints go straight to the driver: SQLAlchemy neither makes nor tracks them.
                driver = conn.connection.driver_connection
                for position, job in enumerate(batch):
                    # Plain SAVEPOINT statements: SQLAlchemy's nested transactions cost more
                    # than the commands they wrap. The ORM state of a failed command is
                    # discarded with expunge_all(); commands keep none across calls anyway.
                    driver.execute("SAVEPOINT kanri_command")
                    # Rows buffered in session.info lists until commit (audit, outbox) roll
                    # back with the command.
                    marks = {k: len(v) for k, v in session.info.items() if type(v) is list}
                    try:
                        result = job.context.run(job.fn, session, *job.args, **job.kwargs)
                        session.flush()
                        driver.execute("RELEASE kanri_command")
                        outcomes.append((job, result, None))
                    except Exception as exc:
                        if not session.is_active:  # a failed flush: the transaction is lost
                            job.loop.call_soon_threadsafe(_settle, job.future, None, exc)
                            replay = [done for done, _, _ in outcomes] + batch[position + 1 :]
                            raise _Replay from exc
                        driver.execute("ROLLBACK TO kanri_command")
                        driver.execute("RELEASE kanri_command")
                        session.expunge_all()
                        for key, value in session.info.items():
                            if type(value) is list:
                                del value[marks.get(key, 0) :]
                        outcomes.append((job, None, exc))
                    session.expunge_all()
        except _Replay:
            return replay
        except Exception as exc:
            log.error("sqlite_batch_commit_failed", error=type(exc).__name__, size=len(batch))
            for job in batch:
                job.loop.call_soon_threadsafe(_settle, job.future, None, exc)
            return []
        # One wake-up per event loop for the whole batch, not one per command.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Any, Any, Any]]] = {}
        for job, result, error in outcomes:
            by_loop.setdefault(job.loop, []).append((job.future, result, error))
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle_all, settled)
        return []


class _Replay(Exception):
    """A command broke the batch's transaction: run the rest of the batch again."""


class Database:
    """The one door to the database for services: `read` and `write` commands."""

    def __init__(self, url: str, *, pool_size: int = 10, write_batch_size: int = 64) -> None:
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        self._pool_size = pool_size
        self._batch_size = write_batch_size
        self._writer: SQLiteWriter | None = None
        self._read_engine: Engine | None = None
        self._write_engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[Any] | None = None
        self._read_sessions: async_sessionmaker[Any] | None = None
        self._readers: dict[int, Session] = {}
        self._driver_engine: AsyncEngine | None = None
        self._driver_readers: DriverReaders | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    async def start(self) -> None:
        if self.is_sqlite:
            self._write_engine = sqlite_engine(self.url, immediate=True, pool_size=1)
            self._read_engine = sqlite_engine(self.url, immediate=False, pool_size=4)
            self._writer = SQLiteWriter(self._write_engine, self._batch_size)
        else:
            self._async_engine = create_async_engine(
                self.url,
                pool_size=self._pool_size,
                max_overflow=self._pool_size,
                pool_pre_ping=False,
                skip_autocommit_rollback=True,  # reads run in autocommit: nothing to roll back
                connect_args={"server_settings": {"application_name": "kanri"}},
            )
            self._sessions = async_sessionmaker(self._async_engine, expire_on_commit=False)
            # Hot reads (`read_one`) hold their own connections, outside the pool above.
            self._driver_engine = create_async_engine(
                self.url,
                pool_size=self._pool_size,
                max_overflow=0,
                connect_args={"server_settings": {"application_name": "kanri-reader"}},
            )
            self._driver_readers = DriverReaders(self._driver_engine, self._pool_size)
            # Reads run without BEGIN/COMMIT: one round trip per statement.
            self._read_sessions = async_sessionmaker(
                self._async_engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )

    def _inline_reader(self) -> Session:
        """The loop thread's long-lived read session on its own WAL connection.

        Reads are synchronous and never interleave, so one session serves them all; its
        identity map is emptied after each read (no stale objects), and with the driver in
        autocommit each statement reads the newest committed data. Session set-up and pool
        checkout would otherwise cost more than the query.
        """
        thread = threading.get_ident()
        reader = self._readers.get(thread)
        if reader is None:
            assert self._read_engine is not None
            reader = Session(bind=self._read_engine.connect(), expire_on_commit=False)
            self._readers[thread] = reader
        return reader

    async def stop(self) -> None:
        for reader in self._readers.values():
            connection = reader.get_bind()
            reader.close()
            if isinstance(connection, Connection):
                connection.close()
        self._readers.clear()
        if self._writer is not None:
            await asyncio.to_thread(self._writer.close)
            self._writer = None
        for engine in (self._read_engine, self._write_engine):
            if engine is not None:
                engine.dispose()
        if self._driver_readers is not None:
            await self._driver_readers.close()
            self._driver_readers = None
        if self._driver_engine is not None:
            await self._driver_engine.dispose()
        if self._async_engine is not None:
            await self._async_engine.dispose()

    async def write(self, fn: Command[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(tx, *args)` in its own transaction and return its result after commit."""
        if self._writer is not None:
            loop = asyncio.get_running_loop()
            future: asyncio.Future[T] = loop.create_future()
            self._writer.submit(_Job(fn=fn, args=args, kwargs=kwargs, loop=loop, future=future))
            return await future
        assert self._sessions is not None, "Database.start() was not awaited"
        async with self._sessions() as session, session.begin():
            result: T = await session.run_sync(fn, *args, **kwargs)
            return result

    async def read(self, fn: Command[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(tx, *args)` for reading; each statement sees the newest committed data.

        On SQLite the read runs inline: an indexed WAL read costs less than a thread hop.
        """
        if self._read_engine is not None:
            session = self._inline_reader()
            try:
                return fn(session, *args, **kwargs)
            finally:
                session.expunge_all()
        assert self._read_sessions is not None, "Database.start() was not awaited"
        async with self._read_sessions() as session:
            result: T = await session.run_sync(fn, *args, **kwargs)
            return result

    async def read_one(
        self, prepared: Prepared, params: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The first row of a prepared hot read, or None: inline on SQLite, one round trip on
        a held connection on PostgreSQL."""
        if self._read_engine is not None:
            connection = self._inline_reader().get_bind()
            assert isinstance(connection, Connection)
            return prepared.first_on(connection, params)
        assert self._driver_readers is not None, "Database.start() was not awaited"
        return await self._driver_readers.first(prepared, params)


RUNS_CHANNEL = "kanri_runs"


def notify_runs_ready(tx: Session) -> None:
    """Tell idle workers on other processes that a run is ready (PostgreSQL NOTIFY, sent at
    commit); SQLite has one process, whose worker is woken in-process."""
    if tx.get_bind().dialect.name == "postgresql":
        tx.execute(text(f"NOTIFY {RUNS_CHANNEL}"))
