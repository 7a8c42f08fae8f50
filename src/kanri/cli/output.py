"""How the client verbs print: tables that never cut an id, JSON, YAML, and problems."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from kanri.client import KanriError

out = Console()
err = Console(stderr=True)


class Output(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


OutputOption = Annotated[
    Output, typer.Option("--output", "-o", help="table, json or yaml", case_sensitive=False)
]


def plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def emit(value: Any, output: Output, columns: Sequence[str], *, title: str | None = None) -> None:
    """One object or a list: a table of `columns` (ids whole; other columns fold), or the
    whole objects as JSON or YAML."""
    data = plain(value)
    if output is Output.json:
        print(json.dumps(data, indent=2))
        return
    if output is Output.yaml:
        print(yaml.safe_dump(data, sort_keys=False), end="")
        return
    rows = data if isinstance(data, list) else [data]
    table = Table(title=title)
    for name in columns:
        if name == "id" or name.endswith("_id"):
            width = max([len(name), *(len(_cell(r.get(name))) for r in rows)])
            table.add_column(name, no_wrap=True, min_width=width, overflow="fold")
        else:
            table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(name)) for name in columns))
    out.print(table)


def take(items: Iterable[Any], limit: int | None) -> list[Any]:
    taken: list[Any] = []
    for item in items:
        if limit is not None and len(taken) >= limit:
            break
        taken.append(item)
    return taken


def problem(exc: KanriError) -> None:
    """A problem on stderr: title, detail, field errors, request id."""
    # Here, not at the top: `kanri serve` and the operator verbs start without the SDK.
    from kanri.client import APIStatusError

    if isinstance(exc, APIStatusError):
        err.print(f"[red]error:[/red] {exc.status} {exc.title}", highlight=False)
        if exc.detail and exc.detail != exc.title:
            err.print(f"  {exc.detail}", highlight=False, markup=False)
        for item in exc.errors:
            field, message = item.get("field", "?"), item.get("message", "")
            err.print(f"  {field}: {message}", highlight=False, markup=False)
        if exc.request_id:
            err.print(f"  request_id: {exc.request_id}", highlight=False)
    else:
        err.print(f"[red]error:[/red] {exc.message}", highlight=False)


@contextmanager
def problems() -> Iterator[None]:
    # Here, not at the top: `kanri serve` and the operator verbs start without the SDK.
    from kanri.client import KanriError

    try:
        yield
    except KanriError as exc:
        problem(exc)
        raise typer.Exit(1) from None


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A verb whose SDK errors print as problems and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with problems():
            return fn(*args, **kwargs)

    return wrapper
