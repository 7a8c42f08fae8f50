"""The SQLite writer's group commit: one command's failure costs no other command its write."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from kanri.db.database import Database


class _Base(DeclarativeBase):
    pass


class _Item(_Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)


def _add(tx: Session, item_id: int) -> int:
    tx.add(_Item(id=item_id))
    return item_id


def _hold(_tx: Session, seconds: float) -> None:
    time.sleep(seconds)  # keeps the writer busy so that the next commands share a batch


def _ids(tx: Session) -> list[int]:
    return list(tx.execute(select(_Item.id).order_by(_Item.id)).scalars())


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite:///{tmp_path / 'writer.db'}"
    engine = create_engine(url)
    _Base.metadata.create_all(engine)
    engine.dispose()
    db = Database(url, write_batch_size=64)
    await db.start()
    yield db
    await db.stop()


async def test_a_failed_flush_loses_no_other_command_of_its_batch(sqlite_db: Database) -> None:
    await sqlite_db.write(_add, 1)
    results = await asyncio.gather(
        sqlite_db.write(_hold, 0.2),
        sqlite_db.write(_add, 2),
        sqlite_db.write(_add, 1),  # duplicate key: fails when flushed
        sqlite_db.write(_add, 3),
        return_exceptions=True,
    )
    assert results[1] == 2
    assert isinstance(results[2], IntegrityError)
    assert results[3] == 3
    assert await sqlite_db.read(_ids) == [1, 2, 3]
