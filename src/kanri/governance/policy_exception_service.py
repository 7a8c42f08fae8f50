"""Business rules of policy exceptions: one rule of a policy does not match, within an
optional scope, until the exception expires (within a year)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import FieldError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.governance import schemas
from kanri.governance.models import PolicyExceptionRow
from kanri.governance.policy_service import policy_row

EXCEPTION_FILTERS = FilterSpec(
    {
        "id": FilterField(PolicyExceptionRow.id),
        "policy_id": FilterField(PolicyExceptionRow.policy_id),
        "rule_id": FilterField(PolicyExceptionRow.rule_id),
        "expires_at": FilterField(PolicyExceptionRow.expires_at, "timestamp"),
        "create_time": FilterField(PolicyExceptionRow.create_time, "timestamp"),
    }
)
MAX_EXCEPTION_DAYS = 366


def _exceptions(who: Principal) -> Select[PolicyExceptionRow]:
    return scoped(select(PolicyExceptionRow), who)


def _exception_out(row: PolicyExceptionRow) -> schemas.PolicyException:
    return schemas.PolicyException(
        id=row.id,
        policy_id=row.policy_id,
        rule_id=row.rule_id,
        scope=row.scope,
        justification=row.justification,
        expires_at=row.expires_at,
        active=row.expires_at > utcnow(),
        created_by=row.created_by,
        create_time=row.create_time,
    )


def create_exception(
    tx: Session, who: Principal, body: schemas.PolicyExceptionCreate
) -> schemas.PolicyException:
    """An exception to one rule until `expires_at` (within a year), optionally scoped."""
    policy = policy_row(tx, who, body.policy, field="body.policy")
    if isinstance(body.rule, int):
        if body.rule > len(policy.rules):
            raise ValidationFailed(
                f"policy '{policy.name}' has {len(policy.rules)} rules",
                errors=[FieldError("body.rule", f"a position from 1 to {len(policy.rules)}")],
            )
        rule_id = policy.rules[body.rule - 1]["id"]
    else:
        ids = [rule["id"] for rule in policy.rules]
        if body.rule not in ids:
            raise ValidationFailed(
                f"policy '{policy.name}' has no rule '{body.rule}'",
                errors=[FieldError("body.rule", f"one of: {', '.join(ids) or '(no rules)'}")],
            )
        rule_id = body.rule
    now = utcnow()
    if body.expires_at <= now:
        raise ValidationFailed(
            "expires_at is in the past", errors=[FieldError("body.expires_at", "must be later")]
        )
    if body.expires_at > now + timedelta(days=MAX_EXCEPTION_DAYS):
        raise ValidationFailed(
            "expires_at is too far away",
            errors=[FieldError("body.expires_at", f"at most {MAX_EXCEPTION_DAYS} days ahead")],
        )
    scope = body.scope.model_dump(exclude_none=True) if body.scope else {}
    row = PolicyExceptionRow(
        id=new_id("pex"),
        project_id=who.project(),
        policy_id=policy.id,
        rule_id=rule_id,
        scope=scope,
        justification=body.justification,
        expires_at=body.expires_at,
        created_by=who.actor["id"],
        create_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx,
        who,
        "policy_exception.created",
        "policy_exception",
        row.id,
        {
            "policy_id": {"to": policy.id},
            "rule_id": {"to": rule_id},
            "scope": {"to": scope},
            "expires_at": {"to": body.expires_at},
            "justification": {"to": body.justification},
        },
    )
    events.emit(
        tx,
        who,
        "policy_exception.created",
        "policy_exception",
        row.id,
        {"id": row.id, "policy_id": policy.id, "rule_id": rule_id},
    )
    return _exception_out(row)


def exception_row(tx: Session, who: Principal, exception_id: str) -> PolicyExceptionRow:
    return by_ref(tx, PolicyExceptionRow, exception_id, who, prefix="pex", noun="policy exception")


def get_exception(tx: Session, who: Principal, exception_id: str) -> schemas.PolicyException:
    return _exception_out(exception_row(tx, who, exception_id))


def list_exceptions(
    tx: Session, who: Principal, params: ListParams
) -> Page[schemas.PolicyException]:
    page = paginate(
        tx,
        _exceptions(who),
        EXCEPTION_FILTERS,
        params,
        id_column=PolicyExceptionRow.id,
        default_order="create_time desc",
    )
    return page.map(_exception_out)


def delete_exception(tx: Session, who: Principal, exception_id: str) -> None:
    row = exception_row(tx, who, exception_id)
    tx.delete(row)
    audit.record(
        tx,
        who,
        "policy_exception.deleted",
        "policy_exception",
        row.id,
        {"rule_id": {"from": row.rule_id}},
    )
