"""Hot statements compiled once: a Core SELECT or INSERT run straight on the driver's cursor.

`Connection.execute` rebuilds the statement's cache key, its execution context and a
result object for every call: about 60 µs for a one-row indexed read whose SQL costs
10 µs on SQLite. A `Prepared` statement compiles its statement once per dialect (the SQL, the
order of its parameters, the bind and result type processors SQLAlchemy itself would
apply) and then only runs the cursor. On PostgreSQL `DriverReaders` runs it on held
asyncpg connections (asyncpg keeps the server-side prepared statement). For reads on the
hottest paths only; anything else goes through `tx.execute`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Connection, Insert, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import Session


@dataclass(frozen=True, kw_only=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # parameter names in positional order
    fixed: dict[str, Any]  # values bound in the statement itself
    bind: tuple[Callable[[Any], Any] | None, ...]
    keys: tuple[str, ...]  # result column names
    result: tuple[Callable[[Any], Any] | None, ...]


class Prepared:
    """A SELECT (read with `first`) or an INSERT (`run`, every column given) with named
    bind parameters, compiled once per dialect."""

    def __init__(self, stmt: Select[*tuple[Any, ...]] | Insert) -> None:
        self._stmt = stmt
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Any) -> _Compiled:
        compiled: Any = self._stmt.compile(dialect=dialect)
        if not compiled.positional or any(b.expanding for b in compiled.binds.values()):
            raise TypeError("Prepared needs a positional driver and no IN lists")
        names = tuple(compiled.positiontup)
        binds = compiled.binds
        return _Compiled(
            sql=compiled.string,
            names=names,
            fixed={n: b.value for n, b in binds.items() if not b.required},
            bind=tuple(binds[n].type._cached_bind_processor(dialect) for n in names),
            keys=tuple(column[0] for column in compiled._result_columns),
            result=tuple(
                column[3]._cached_result_processor(dialect, None)
                for column in compiled._result_columns
            ),
        )

    def compiled_for(self, dialect: Any) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def parameters(self, compiled: _Compiled, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional driver parameters for `params` (named as in the statement)."""
        values = []
        for name, process in zip(compiled.names, compiled.bind, strict=True):
            value = params[name] if name in params else compiled.fixed[name]
            values.append(process(value) if process is not None else value)
        return tuple(values)

    @staticmethod
    def row(compiled: _Compiled, row: Any) -> dict[str, Any]:
        """A driver row as {column: value}, typed as SQLAlchemy would."""
        return {
            key: process(value) if process is not None else value
            for key, process, value in zip(compiled.keys, compiled.result, row, strict=True)
        }

    def first(self, tx: Session, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as {column: value} (values as SQLAlchemy would type them), or None."""
        return self.first_on(tx.connection(), params)

    def first_on(self, connection: Connection, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """`first` on a connection (no session needed)."""
        compiled = self.compiled_for(connection.dialect)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, self.parameters(compiled, params))
            row = cursor.fetchone()
        except Exception:
            # Again through SQLAlchemy, which wraps the error and invalidates a connection
            # the server dropped; a read is safe to repeat.
            found = connection.execute(self._stmt, dict(params)).first()
            return None if found is None else dict(found._mapping)
        finally:
            cursor.close()
        return None if row is None else self.row(compiled, row)

    def read(self, tx: Session, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """`first` in the transaction of `tx`: straight on the driver on SQLite (the single
        writer's hot path), through SQLAlchemy elsewhere."""
        connection = tx.connection()
        if connection.dialect.name == "sqlite":
            return self.first_on(connection, params)
        found = connection.execute(self._stmt, dict(params)).first()
        return None if found is None else dict(found._mapping)

    def run(self, tx: Session, params: Mapping[str, Any]) -> None:
        """Execute the statement (an INSERT) in the transaction of `tx`."""
        connection = tx.connection()
        if connection.dialect.name != "sqlite":
            # A failed statement aborts a PostgreSQL transaction: no second try possible.
            connection.execute(self._stmt, dict(params))
            return
        compiled = self.compiled_for(connection.dialect)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, self.parameters(compiled, params))
        except Exception:
            # SQLite undid the statement only: again through SQLAlchemy, which raises the
            # error as the rest of kanri expects it (IntegrityError -> 409).
            connection.execute(self._stmt, dict(params))
        finally:
            cursor.close()

    def run_many(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """Execute the INSERT once per row (each row giving every column). On SQLite the
        driver's executemany; elsewhere, or for rows that leave columns to their defaults,
        SQLAlchemy's."""
        compiled = self.compiled_for(connection.dialect)
        if connection.dialect.name != "sqlite" or any(
            len(row) != len(compiled.names) for row in rows
        ):
            connection.execute(self._stmt, rows)
            return
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(compiled.sql, [self.parameters(compiled, row) for row in rows])
        except connection.dialect.loaded_dbapi.Error as exc:
            # Raised as SQLAlchemy would (IntegrityError, OperationalError, …: a DBAPIError),
            # which is what callers tell a database's refusal by.
            raise DBAPIError.instance(
                compiled.sql, None, exc, connection.dialect.loaded_dbapi.Error
            ) from exc
        finally:
            cursor.close()


class DriverReaders:
    """Long-lived asyncpg connections (autocommit) for `Prepared` reads on PostgreSQL:
    one round trip per read, with no pool checkout, session, greenlet or transaction.

    Connections are opened on first use, up to `size`; a read that fails on the connection
    (or is cancelled mid-flight) closes it and frees its slot for a new one.
    """

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._engine = engine
        self._slots: asyncio.LifoQueue[_Held | None] = asyncio.LifoQueue()
        for _ in range(size):
            self._slots.put_nowait(None)
        self._held: set[_Held] = set()
        self._closing: set[asyncio.Task[None]] = set()

    async def first(self, prepared: Prepared, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row of `prepared` for `params`, or None."""
        compiled = prepared.compiled_for(self._engine.dialect)
        values = prepared.parameters(compiled, params)
        held = await self._slots.get()
        try:
            if held is None:
                held = await self._open()
            record = await held.driver.fetchrow(compiled.sql, *values)
        except BaseException as error:
            if held is not None and not isinstance(error, asyncpg.PostgresError):
                self._discard(held)  # broken or interrupted: its state is unknown
                held = None
            self._slots.put_nowait(held)
            raise
        self._slots.put_nowait(held)
        return None if record is None else prepared.row(compiled, record)

    async def _open(self) -> _Held:
        connection = await self._engine.connect()
        try:
            raw = await connection.get_raw_connection()
        except BaseException:
            await connection.close()
            raise
        held = _Held(connection, raw.driver_connection)
        self._held.add(held)
        return held

    def _discard(self, held: _Held) -> None:
        self._held.discard(held)
        task = asyncio.get_running_loop().create_task(held.connection.invalidate())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        for held in list(self._held):
            await held.connection.close()
        self._held.clear()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)


@dataclass(eq=False)
class _Held:
    connection: AsyncConnection
    driver: Any  # asyncpg.Connection
