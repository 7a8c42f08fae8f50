"""The one tenancy helper: every query of project data goes through `scoped`, and every
lookup of a tenant's row by id or name through `by_ref` (`PreparedByRef` on hot paths)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kanri.core.auth import Principal
from kanri.core.errors import not_found
from kanri.core.ids import looks_like_id
from kanri.db.prepared import Prepared

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


def scoped(stmt: Select[*Ts], who: Principal, *, environment: bool = False) -> Select[*Ts]:
    """`stmt` limited to who's project (and environment, for environment-scoped tables).

    The statement's first entity must have `project_id` (and `environment_id` when asked).
    Raises Forbidden for a principal without a project.
    """
    entity: Any = stmt.column_descriptions[0]["entity"]
    stmt = stmt.where(entity.project_id == who.project())
    if environment:
        stmt = stmt.where(entity.environment_id == who.environment_id)
    return stmt


def find_by_ref(
    tx: Session,
    row: type[T],
    ref: str,
    who: Principal,
    *,
    prefix: str,
    name_column: InstrumentedAttribute[str] | None = None,
    environment: bool = False,
    where: tuple[ColumnElement[bool], ...] = (),
) -> T | None:
    """The `row` of who's project (and environment) whose id is `ref` when `ref` has the
    shape of a `prefix` id, else whose `name_column` is `ref` (without a name column: ids
    only), also matching `where`; None when there is none."""
    entity: Any = row
    column = entity.id if name_column is None or looks_like_id(ref, prefix) else name_column
    stmt = scoped(select(row), who, environment=environment).where(column == ref, *where)
    return tx.execute(stmt).scalar_one_or_none()


def by_ref(
    tx: Session,
    row: type[T],
    ref: str,
    who: Principal,
    *,
    prefix: str,
    noun: str,
    name_column: InstrumentedAttribute[str] | None = None,
    environment: bool = False,
    where: tuple[ColumnElement[bool], ...] = (),
) -> T:
    """`find_by_ref`'s row; NotFound `<noun> '<ref>' not found` when there is none (as for
    another tenant's row)."""
    found = find_by_ref(
        tx,
        row,
        ref,
        who,
        prefix=prefix,
        name_column=name_column,
        environment=environment,
        where=where,
    )
    if found is None:
        raise not_found(noun, ref)
    return found


PROJECT_PARAM = "scope_project_id"
ENVIRONMENT_PARAM = "scope_environment_id"


def scoped_template(stmt: Select[*Ts], *, environment: bool = False) -> Select[*Ts]:
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


class PreparedByRef:
    """`by_ref` for hot paths: `stmt` (built once, its tenant filter a bind parameter, e.g.
    `scoped_template`) narrowed to `id = :ref` and to `name = :ref`, each compiled once;
    `ref` picks one the way `by_ref` does."""

    def __init__(
        self,
        stmt: Select[*tuple[Any, ...]],
        *,
        prefix: str,
        id_column: InstrumentedAttribute[str],
        name_column: InstrumentedAttribute[str],
    ) -> None:
        self._prefix = prefix
        self._by_id = Prepared(stmt.where(id_column == bindparam("ref")))
        self._by_name = Prepared(stmt.where(name_column == bindparam("ref")))

    def lookup(self, ref: str, params: Mapping[str, Any]) -> tuple[Prepared, dict[str, Any]]:
        """The prepared read of `ref` and its parameters (`params` plus `ref`), e.g. for
        `Database.read_one`."""
        prepared = self._by_id if looks_like_id(ref, self._prefix) else self._by_name
        return prepared, {**params, "ref": ref}

    def read(self, tx: Session, ref: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The row `ref` in the transaction of `tx` ({column: value}), or None."""
        prepared, values = self.lookup(ref, params)
        return prepared.read(tx, values)
