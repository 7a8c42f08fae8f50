"""Which project an id belongs to. Features register their project-scoped tables by id
prefix (`aut`, `agt`, `kns`, …), so a definition's references to other resources can be
checked at save without `core` knowing any feature: a definition never points outside its
project."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.errors import FieldError
from kanri.core.ids import looks_like_id

# prefix → (a mapped class with `id` and `project_id`, what the product calls it)
_TABLES: dict[str, tuple[Any, str]] = {}


def register(prefix: str, row: Any, noun: str) -> None:
    """Declare that ids starting `prefix_` name rows of `row`, scoped by `project_id`."""
    _TABLES[prefix] = (row, noun)


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
