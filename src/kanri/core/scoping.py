"""The one tenancy helper: every query of project data goes through `scoped`."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, bindparam

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


PROJECT_PARAM = "scope_project_id"
ENVIRONMENT_PARAM = "scope_environment_id"


def scoped_template(stmt: Select[T], *, environment: bool = False) -> Select[T]:
    """`scoped` for statements built once at import: the tenant filter is a bind parameter
    that `scope_params(who)` fills at execution (hot paths skip building statements)."""
    entity: Any = stmt.column_descriptions[0]["entity"]
    stmt = stmt.where(entity.project_id == bindparam(PROJECT_PARAM))
    if environment:
        stmt = stmt.where(entity.environment_id == bindparam(ENVIRONMENT_PARAM))
    return stmt


def scope_params(who: Principal, *, environment: bool = False) -> dict[str, str | None]:
    """The bind parameters of a `scoped_template` statement for this principal."""
    params: dict[str, str | None] = {PROJECT_PARAM: who.project()}
    if environment:
        params[ENVIRONMENT_PARAM] = who.environment_id
    return params
