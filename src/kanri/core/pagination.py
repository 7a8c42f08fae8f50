"""Keyset pagination with opaque, signed page tokens.

A token carries the sort values of the last row returned and a fingerprint of the filter
and order it was made for; it is HMAC-signed so a tampered token is a 400, and a token
reused with another filter or order is a 400 too. Pages never use OFFSET, so page 10,000
costs what page 1 costs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kanri.core.errors import BadRequest, FieldError
from kanri.core.filtering import DEFAULT_MAX_FILTER_LENGTH, FilterSpec, OrderTerm

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_PAGE_TOKEN = 2000
T = TypeVar("T")


class PageCodec:
    """Signs and checks page tokens with a key derived from the master secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"kanri/page-token/v1", hashlib.sha256).digest()

    def _mac(self, payload: bytes) -> str:
        digest = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def encode(self, values: list[Any], fingerprint: str) -> str:
        payload = json.dumps({"v": [_encode_value(v) for v in values], "f": fingerprint})
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{body}.{self._mac(body.encode())}"

    def decode(self, token: str, fingerprint: str) -> list[Any]:
        body, _, mac = token.partition(".")
        if not mac or not hmac.compare_digest(mac, self._mac(body.encode())):
            raise _token_error("page_token is not valid (altered or from another server)")
        try:
            payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            values = [_decode_value(v) for v in payload["v"]]
            made_for = payload["f"]
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise _token_error("page_token is not valid") from exc
        if made_for != fingerprint:
            raise _token_error("page_token was made for another filter or order_by")
        return values


def _token_error(message: str) -> BadRequest:
    return BadRequest(message, errors=[FieldError("query.page_token", message)])


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        return datetime.fromisoformat(value["dt"])
    return value


@dataclass(frozen=True, kw_only=True)
class ListParams:
    """The query parameters every list endpoint takes."""

    page_size: int
    page_token: str | None
    filter: str | None
    order_by: str | None
    include_total: bool
    codec: PageCodec


async def list_params(
    request: Request,
    page_size: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"items per page, 1 to {MAX_PAGE_SIZE}",
        ),
    ] = DEFAULT_PAGE_SIZE,
    page_token: Annotated[str | None, Query(max_length=MAX_PAGE_TOKEN)] = None,
    filter: Annotated[
        str | None, Query(description="AIP-160 filter", max_length=DEFAULT_MAX_FILTER_LENGTH)
    ] = None,
    order_by: Annotated[str | None, Query(description="`field [desc], …`", max_length=500)] = None,
    include_total: Annotated[bool, Query(description="also count all matches")] = False,
) -> ListParams:
    """Dependency: validated list parameters (any of them out of bounds is a 400)."""
    codec: PageCodec = request.app.state.kanri.page_codec
    return ListParams(
        page_size=page_size,
        page_token=page_token,
        filter=filter,
        order_by=order_by,
        include_total=include_total,
        codec=codec,
    )


U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str | None
    total_size: int | None = None

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page with each item converted (rows → response models)."""
        return Page([fn(item) for item in self.items], self.next_page_token, self.total_size)


def _after(terms: list[OrderTerm], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order `terms` (lexicographic keyset).

    The first column is also bounded on its own (`col >= v` ascending, `<=` descending), a
    redundant condition that lets both databases seek the index instead of scanning from
    its start: page 1,000 then costs what page 1 costs.
    """
    clauses: list[ColumnElement[bool]] = []
    for i, term in enumerate(terms):
        equal = [terms[j].column == values[j] for j in range(i)]
        step = term.column < values[i] if term.descending else term.column > values[i]
        clauses.append(and_(*equal, step))
    first = terms[0]
    bound = first.column <= values[0] if first.descending else first.column >= values[0]
    return and_(bound, or_(false(), *clauses))


def paginate(
    tx: Session,
    stmt: Select[T],
    spec: FilterSpec,
    params: ListParams,
    *,
    id_column: InstrumentedAttribute[str],
    default_order: str,
) -> Page[T]:
    """One page of `stmt` (already scoped to the caller) filtered and ordered as asked."""
    condition = spec.compile(params.filter)
    if condition is not None:
        stmt = stmt.where(condition)
    terms = spec.order_by(params.order_by, default_order)
    if not any(t.name == "id" for t in terms):
        tiebreak = OrderTerm("id", id_column.expression, terms[-1].descending if terms else False)
        terms = [*terms, tiebreak]
    fingerprint = hashlib.sha256(
        json.dumps([params.filter or "", [(t.name, t.descending) for t in terms]]).encode()
    ).hexdigest()[:24]
    total = None
    if params.include_total:
        total = tx.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    paged = stmt
    if params.page_token:
        paged = paged.where(_after(terms, params.codec.decode(params.page_token, fingerprint)))
    paged = paged.order_by(*[t.column.desc() if t.descending else t.column.asc() for t in terms])
    rows: list[T] = list(tx.execute(paged.limit(params.page_size + 1)).scalars().all())
    next_token = None
    if len(rows) > params.page_size:
        rows = rows[: params.page_size]
        last = rows[-1]
        values = [getattr(last, _attr(t.column)) for t in terms]
        next_token = params.codec.encode(values, fingerprint)
    return Page(rows, next_token, total)


def _attr(column: ColumnElement[Any]) -> str:
    key = getattr(column, "key", None)
    if not isinstance(key, str):
        raise TypeError("only plain columns can be sorted on")
    return key
