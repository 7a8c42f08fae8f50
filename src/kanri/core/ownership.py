"""Which project an id belongs to, and what the row is called. Features register their
project-scoped tables by id prefix (`aut`, `agt`, `kns`, …), so a definition's references to
other resources can be checked at save, and a run's policies read the names of its
automation, agent and environment, without `core` (or the engine) knowing any feature: a
definition never points outside its project."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.errors import FieldError
from kanri.core.ids import looks_like_id

# prefix → (a mapped class with `id` and `project_id`, what the product calls it)
_TABLES: dict[str, tuple[Any, str]] = {}
# prefix → a mapped class with `id`, `project_id` and `name`
_NAMED: dict[str, Any] = {}


def register(prefix: str, row: Any, noun: str, *, referenced: bool = True) -> None:
    """Declare that ids starting `prefix_` name rows of `row`, scoped by `project_id`
    (`referenced`: definitions may point at them, checked at save)."""
    if referenced:
        _TABLES[prefix] = (row, noun)
    if hasattr(row, "name"):
        _NAMED[prefix] = row


def resolve(tx: Session, project_id: str, prefix: str, ref: str) -> str | None:
    """The id of the project's row `ref` (its id, or its name) in the table registered
    under `prefix`; None when there is none."""
    row = _NAMED[prefix]
    column = row.id if looks_like_id(ref, prefix) else row.name
    found: str | None = tx.execute(
        select(row.id).where(row.project_id == project_id, column == ref)
    ).scalar_one_or_none()
    return found


def names(tx: Session, project_id: str, prefix: str, ids: list[str]) -> dict[str, str]:
    """id → name of the project's rows among `ids` in the table registered under `prefix`."""
    row = _NAMED[prefix]
    found = tx.execute(
        select(row.id, row.name).where(row.project_id == project_id, row.id.in_(ids))
    ).all()
    return {str(id_): str(name) for id_, name in found}


def name_of(tx: Session, project_id: str, ref: str | None) -> str | None:
    """The name of the project's row `ref` (a registered id); None when there is none."""
    if ref is None:
        return None
    row = _NAMED.get(ref.partition("_")[0])
    if row is None:
        return None
    found: str | None = tx.execute(
        select(row.name).where(row.id == ref, row.project_id == project_id)
    ).scalar_one_or_none()
    return found


def outside(tx: Session, project_id: str, refs: list[tuple[str, str]]) -> list[FieldError]:
    """One error per `(field, ref)` whose ref has the shape of a registered id and names no
    row of the project (another project's, or none at all). Names are not checked: they
    are looked up in the project when used."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for field, ref in refs:
        prefix = ref.partition("_")[0]
        if prefix in _TABLES and looks_like_id(ref, prefix):
            wanted.setdefault(prefix, []).append((field, ref))
    errors: list[FieldError] = []
    for prefix, items in wanted.items():
        row, noun = _TABLES[prefix]
        found = set(
            tx.execute(
                select(row.id).where(
                    row.project_id == project_id, row.id.in_({ref for _, ref in items})
                )
            ).scalars()
        )
        errors += [
            FieldError(field, f"no {noun} '{ref}' in this project")
            for field, ref in items
            if ref not in found
        ]
    return errors
