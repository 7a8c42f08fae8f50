"""Typed dependency aliases every router uses (async: FastAPI runs sync ones in a thread pool)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from kanri.core.pagination import ListParams, list_params
from kanri.db.database import Database

if TYPE_CHECKING:
    from kanri.runtime import Kanri


async def get_kanri(request: Request) -> Kanri:
    kanri: Kanri = request.app.state.kanri
    return kanri


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.kanri.db
    return db


Db = Annotated[Database, Depends(get_db)]
Runtime = Annotated["Kanri", Depends(get_kanri)]
Listing = Annotated[ListParams, Depends(list_params)]
