"""Public contract of audit log rows and chain verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kanri.core.schemas import Resource


class AuditLog(Resource):
    id: str
    seq: int = Field(description="position in the chain of its project (or organization)")
    action: str = Field(examples=["environment.created"])
    resource_type: str
    resource_id: str
    actor: dict[str, Any]
    changes: dict[str, Any] = Field(description="`{field: {from, to}}`")
    request_id: str | None
    ip: str | None
    create_time: datetime
    prev_hash: str
    hash: str


class BrokenRow(Resource):
    id: str | None
    seq: int
    reason: str


class Verification(Resource):
    valid: bool
    checked: int = Field(description="rows whose hash was recomputed")
    first_broken: BrokenRow | None = None
