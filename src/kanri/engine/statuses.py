"""The statuses of runs, their steps and approvals (the database keeps their string values).

Comments, not docstrings: a docstring would become each status's description in OpenAPI.
"""

from __future__ import annotations

from enum import StrEnum

from kanri.db.base import stored_as_text


@stored_as_text
class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@stored_as_text
class StepStatus(StrEnum):
    # A step's checkpoint: done, failed (retried or failing the run), or parked.
    COMPLETED = "completed"
    FAILED = "failed"
    WAITING = "waiting"


@stored_as_text
class ApprovalStatus(StrEnum):
    # Open (pending, escalated) until decided (approved, rejected) or expired.
    PENDING = "pending"
    ESCALATED = "escalated"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
