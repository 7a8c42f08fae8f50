"""The one tenancy helper: every query of project data goes through `scoped`."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select

from kanri.core.auth import Principal

T = TypeVar("T")


def scoped(stmt: Select[T], who: Principal, *, environment: bool = False) -> Select[T]:
    """`stmt` limited to who's project (and environment, for environment-scoped tables).

    The statement's first entity must have `project_id` (and `environment_id` when asked).
    Raises Forbidden for a principal without a project.
    """
    entity: Any = stmt.column_descriptions[0]["entity"]
    stmt = stmt.where(entity.project_id == who.project())
    if environment:
        stmt = stmt.where(entity.environment_id == who.environment_id)
    return stmt
