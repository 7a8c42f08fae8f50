"""`Idempotency-Key` on creating POSTs, with Stripe's semantics.

The first response is stored in the same transaction as the resource it created and
replayed for 24 h with `Idempotent-Replayed: true`; the same key with a different body
is a 409. Records are scoped to the calling API key, as Stripe scopes them: another key
sending the same Idempotency-Key creates its own resource and never sees this answer. A
concurrent duplicate on PostgreSQL waits on the unique index and then replays; on SQLite
the single writer makes it see the stored response.

Stored bodies are encrypted at rest (SecretBox, purpose `idempotency-response`): some
creates answer with a secret shown once (API keys, webhook signing secrets), and their
replay must show it again without the table holding it in clear.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Header, Request, Response
from pydantic import BaseModel
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.canonical import canonical_json
from kanri.core.errors import Conflict, FieldError
from kanri.core.ids import new_id
from kanri.core.models import IdempotencyRow
from kanri.core.secrets import SecretBox, box
from kanri.core.time import utcnow
from kanri.db.database import Database

M = TypeVar("M", bound=BaseModel)
HEADER = "Idempotency-Key"
BOX_PURPOSE = "idempotency-response"


class Replay(Exception):
    """Raised to answer with a stored response; the app's handler sends it."""

    def __init__(self, status_code: int, body: str, location: str | None) -> None:
        super().__init__("idempotent replay")
        self.status_code = status_code
        self.body = body
        self.location = location


def _fingerprint(request: Request, body: bytes) -> str:
    try:
        normal = canonical_json(json.loads(body)) if body else b""
    except ValueError:
        normal = body
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + normal)
    return digest.hexdigest()


def _stored(tx: Session, scope_id: str, key: str) -> IdempotencyRow | None:
    row = tx.execute(
        select(IdempotencyRow).where(IdempotencyRow.scope_id == scope_id, IdempotencyRow.key == key)
    ).scalar_one_or_none()
    if row is not None and row.expire_time <= utcnow():
        return None
    return row


def _answer(row: IdempotencyRow, fingerprint: str, sealer: SecretBox) -> Replay:
    if row.fingerprint != fingerprint:
        raise Conflict(
            "this Idempotency-Key was already used with a different request",
            errors=[FieldError(f"header.{HEADER}", "reused with a different body or path")],
        )
    return Replay(row.status_code, open_body(row.body, sealer), row.location)


def open_body(stored: str, sealer: SecretBox) -> str:
    """The response body of a stored row (JSON). Rows stored in clear before bodies were
    encrypted (a JSON object, never a Fernet token) are read as they are."""
    if stored.startswith("{"):
        return stored
    return sealer.decrypt(stored)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",  # printable ASCII, no spaces
        description="makes the create safe to retry: the first response is replayed for 24 h",
    ),
]


async def create(
    request: Request,
    response: Response,
    db: Database,
    who: Principal,
    key: str | None,
    command: Callable[..., M],
    *args: Any,
    location: Callable[[M], str],
    status_code: int | Callable[[M], int] = 201,
) -> M:
    """Run a creating write command once per Idempotency-Key; set `Location` on the response.
    `status_code` may depend on what was created (e.g. 202 while it is processed)."""
    if key is None:
        created = await db.write(command, *args)
        response.headers["Location"] = location(created)
        return created
    # Per calling key: another key of the project never sees this key's answers (some
    # carry a secret shown once), and may use the same Idempotency-Key for its own create.
    scope_id = f"{who.project_id or who.organization_id}:{who.key_id or who.kind}"
    fingerprint = _fingerprint(request, await request.body())
    settings = request.app.state.kanri.settings
    ttl = timedelta(seconds=settings.idempotency_ttl_seconds)
    sealer = box(settings.secret, BOX_PURPOSE)
    existing = await db.read(_stored, scope_id, key)
    if existing is not None:
        raise _answer(existing, fingerprint, sealer)

    def once(tx: Session) -> M | Replay:
        if tx.get_bind().dialect.name == "postgresql":
            # Same-key requests queue here until the first commits, then replay its answer.
            tx.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                {"k": f"idempotency:{scope_id}:{key}"},
            )
        stored = _stored(tx, scope_id, key)
        if stored is not None:
            return _answer(stored, fingerprint, sealer)
        tx.execute(
            delete(IdempotencyRow).where(
                IdempotencyRow.scope_id == scope_id, IdempotencyRow.key == key
            )
        )
        created = command(tx, *args)
        now = utcnow()
        tx.add(
            IdempotencyRow(
                id=new_id("idk"),
                scope_id=scope_id,
                key=key,
                fingerprint=fingerprint,
                status_code=status_code(created) if callable(status_code) else status_code,
                body=sealer.encrypt(created.model_dump_json()),
                location=location(created),
                create_time=now,
                expire_time=now + ttl,
            )
        )
        tx.flush()
        return created

    try:
        outcome = await db.write(once)
    except IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        stored = await db.read(_stored, scope_id, key)
        if stored is None:
            raise
        raise _answer(stored, fingerprint, sealer) from None
    if isinstance(outcome, Replay):
        raise outcome
    response.headers["Location"] = location(outcome)
    return outcome
