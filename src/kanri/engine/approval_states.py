"""The approval state machine, declared in one place: which status may follow which.

An open approval (pending, escalated) is decided (approved, rejected), expires (its
deadline passed, or its run or external execution was cancelled) or, once, escalates on
timeout; a settled one never changes again. Every status change goes through `move`.
"""

from __future__ import annotations

from kanri.core.errors import Conflict
from kanri.engine.models import ApprovalRow
from kanri.engine.statuses import ApprovalStatus

# Open approvals: still waiting for a decision (a tuple: the order of SQL `IN` lists).
OPEN = (ApprovalStatus.PENDING, ApprovalStatus.ESCALATED)
SETTLED = (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.EXPIRED)

# from → the statuses it may become.
TRANSITIONS: dict[str, frozenset[ApprovalStatus]] = {
    ApprovalStatus.PENDING: frozenset({ApprovalStatus.ESCALATED, *SETTLED}),
    ApprovalStatus.ESCALATED: frozenset(SETTLED),
}


def move(row: ApprovalRow, to: ApprovalStatus) -> None:
    """Set the approval's status to `to`; Conflict when the table does not allow it."""
    if to not in TRANSITIONS.get(row.status, ()):
        raise Conflict(f"the approval is already {row.status}")
    row.status = to


SEVERITIES = ("low", "medium", "high", "critical")


def raise_severity(severity: str) -> str:
    """One level up (critical stays critical)."""
    index = SEVERITIES.index(severity) if severity in SEVERITIES else 1
    return SEVERITIES[min(index + 1, len(SEVERITIES) - 1)]
