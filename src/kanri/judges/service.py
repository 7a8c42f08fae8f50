"""Business rules of judges: CRUD, rule evaluation, which runs await a score, score reports."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session

from kanri.agents import service as agents
from kanri.automations import service as automations
from kanri.core import audit, events, regex
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.engine.models import RunRow
from kanri.engine.statuses import RunStatus
from kanri.judges import schemas
from kanri.judges.models import JudgeRow, ScoreRow
from kanri.providers import service as providers
from kanri.runs import service as runs

JUDGE_FILTERS = FilterSpec(
    {
        "id": FilterField(JudgeRow.id),
        "name": FilterField(JudgeRow.name),
        "kind": FilterField(JudgeRow.kind),
        "agent_id": FilterField(JudgeRow.agent_id),
        "automation_id": FilterField(JudgeRow.automation_id),
        "create_time": FilterField(JudgeRow.create_time, "timestamp"),
    }
)
MAX_SCORES = 1000
# A regex check reads at most this much text: RE2 is linear, but a long text times a big
# pattern is still seconds of CPU.
MAX_REGEX_TEXT = 1_000_000


def _scoped(who: Principal) -> Select[JudgeRow]:
    return scoped(select(JudgeRow), who)


def judge_row(tx: Session, who: Principal, ref: str) -> JudgeRow:
    return by_ref(tx, JudgeRow, ref, who, prefix="jdg", name_column=JudgeRow.name, noun="judge")


def create(tx: Session, who: Principal, body: schemas.JudgeCreate) -> schemas.Judge:
    if tx.execute(_scoped(who).where(JudgeRow.name == body.name)).first() is not None:
        raise Conflict(
            f"a judge named '{body.name}' already exists",
            errors=[FieldError("body.name", "already used in this project")],
        )
    agent_id = automation_id = None
    try:
        if body.agent is not None:
            agent_id = agents.agent_row(tx, who, body.agent).id
        if body.automation is not None:
            automation_id = automations.automation_row(tx, who, body.automation).id
        if body.kind == "llm" and body.config.provider:
            providers.provider_row(tx, who, body.config.provider)
    except NotFound as exc:
        field = "body.agent" if body.agent else "body.automation"
        if "provider" in exc.detail:
            field = "body.config.provider"
        raise ValidationFailed(exc.detail, errors=[FieldError(field, exc.detail)]) from None
    now = utcnow()
    row = JudgeRow(
        id=new_id("jdg"),
        project_id=who.project(),
        name=body.name,
        kind=body.kind,
        agent_id=agent_id,
        automation_id=automation_id,
        config=body.config.model_dump(mode="json", exclude_none=True),
        sample_rate=body.sample_rate,
        enabled=body.enabled,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(tx, who, "judge.created", "judge", row.id, {"name": {"to": row.name}})
    events.emit(tx, who, "judge.created", "judge", row.id, {"id": row.id})
    return schemas.Judge.model_validate(row)


def get(tx: Session, who: Principal, ref: str) -> schemas.Judge:
    return schemas.Judge.model_validate(judge_row(tx, who, ref))


def list_judges(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Judge]:
    page = paginate(
        tx, _scoped(who), JUDGE_FILTERS, params, id_column=JudgeRow.id, default_order="create_time"
    )
    return page.map(schemas.Judge.model_validate)


def update(tx: Session, who: Principal, ref: str, body: schemas.JudgeUpdate) -> schemas.Judge:
    row = judge_row(tx, who, ref)
    summary: dict[str, Any] = {}
    if body.config is not None:
        if row.kind == "rule" and not body.config.checks:
            raise ValidationFailed(
                "a rule judge needs checks", errors=[FieldError("body.config.checks", "empty")]
            )
        row.config = body.config.model_dump(mode="json", exclude_none=True)
        summary["config"] = {"changed": True}
    if body.sample_rate is not None and body.sample_rate != row.sample_rate:
        summary["sample_rate"] = {"from": row.sample_rate, "to": body.sample_rate}
        row.sample_rate = body.sample_rate
    if body.enabled is not None and body.enabled != row.enabled:
        summary["enabled"] = {"from": row.enabled, "to": body.enabled}
        row.enabled = body.enabled
    if summary:
        row.update_time = utcnow()
        audit.record(tx, who, "judge.updated", "judge", row.id, summary)
    tx.flush()
    return schemas.Judge.model_validate(row)


def delete(tx: Session, who: Principal, ref: str) -> None:
    row = judge_row(tx, who, ref)
    audit.record(tx, who, "judge.deleted", "judge", row.id, {"name": {"from": row.name}})
    tx.delete(row)


# ---------------------------------------------------------------- scoring


def sampled(judge_id: str, run_id: str, rate: float) -> bool:
    """Deterministic sampling: the same run is in or out for a judge on every node."""
    digest = hashlib.sha256(f"{judge_id}:{run_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def lookup(value: Any, path: str) -> tuple[bool, Any]:
    """Follow `$.a.b[0]` / `a.b.0` into `value`; (found, what)."""
    parts = [p for p in re.split(r"[.\[\]]", path.removeprefix("$")) if p]
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _text(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def evaluate_rules(config: dict[str, Any], outputs: Any) -> tuple[float, bool, list[Any]]:
    """(score = share of checks passed, passed, per-check results). A check that cannot be
    evaluated fails with an `error` in its result. CPU-bound: run it off the event loop."""
    results: list[dict[str, Any]] = []
    for raw in config.get("checks", []):
        # Validated when saved; not again, so that a pattern saved before patterns ran on
        # RE2 fails its own check below instead of the whole score.
        check = schemas.RuleCheck.model_construct(**raw)
        found, value = lookup(outputs, check.path)
        kind = check.type
        error = None
        if kind == "exists":
            ok = found and value is not None
        elif not found:
            ok = False
        elif kind == "contains":
            ok = _text(check.value) in _text(value)
        elif kind == "not_contains":
            ok = _text(check.value) not in _text(value)
        elif kind == "equals":
            ok = value == check.value
        elif kind == "regex":
            ok, error = _regex_check(check.pattern or "", _text(value))
        else:
            size = len(value) if isinstance(value, list | dict | str) else len(_text(value))
            ok = (check.min is None or size >= check.min) and (
                check.max is None or size <= check.max
            )
        result: dict[str, Any] = {"type": kind, "path": check.path, "passed": ok}
        if error:
            result["error"] = error
        results.append(result)
    score = sum(1 for r in results if r["passed"]) / len(results) if results else 0.0
    return score, score >= float(config.get("pass_threshold", 1.0)), results


def _regex_check(pattern: str, text: str) -> tuple[bool, str | None]:
    if len(text) > MAX_REGEX_TEXT:
        return False, f"the value is longer than {MAX_REGEX_TEXT} characters"
    try:
        return regex.search(pattern, text), None
    except regex.UnsupportedPattern as exc:  # saved before patterns were checked
        return False, str(exc)


def pending(tx: Session, limit: int = 50) -> list[tuple[JudgeRow, RunRow]]:
    """Completed runs of enabled judges' targets that have no score from them yet."""
    out: list[tuple[JudgeRow, RunRow]] = []
    for judge in tx.execute(select(JudgeRow).where(JudgeRow.enabled.is_(True))).scalars():
        target = (
            RunRow.agent_id == judge.agent_id
            if judge.agent_id is not None
            else RunRow.automation_id == judge.automation_id
        )
        scored = exists().where(and_(ScoreRow.judge_id == judge.id, ScoreRow.run_id == RunRow.id))
        runs = tx.execute(
            select(RunRow)
            .where(
                RunRow.project_id == judge.project_id,
                target,
                RunRow.status == RunStatus.COMPLETED,
                RunRow.end_time >= judge.create_time,
                ~scored,
            )
            .order_by(RunRow.end_time)
            .limit(limit - len(out))
        ).scalars()
        out.extend((judge, run) for run in runs)
        if len(out) >= limit:
            break
    return out


def record_score(
    tx: Session,
    *,
    judge_id: str,
    project_id: str,
    run_id: str,
    status: str,
    score: float | None,
    passed: bool | None,
    reasoning: str,
    details: dict[str, Any],
) -> None:
    """Store a score once (a concurrent scorer's duplicate is dropped)."""
    found = tx.execute(
        select(ScoreRow.id).where(ScoreRow.judge_id == judge_id, ScoreRow.run_id == run_id)
    ).first()
    if found is not None:
        return
    tx.add(
        ScoreRow(
            id=new_id("scr"),
            project_id=project_id,
            judge_id=judge_id,
            run_id=run_id,
            status=status,
            score=score,
            passed=passed,
            reasoning=reasoning[:10_000],
            details=details,
            create_time=utcnow(),
        )
    )


def run_scores(tx: Session, who: Principal, run_id: str) -> list[schemas.Score]:
    run = runs.run_row(tx, who, run_id)
    rows = tx.execute(
        select(ScoreRow)
        .where(ScoreRow.run_id == run.id, ScoreRow.status != "skipped")
        .order_by(ScoreRow.create_time)
    ).scalars()
    return [schemas.Score.model_validate(r) for r in rows]


def judge_scores(tx: Session, who: Principal, ref: str) -> schemas.JudgeScores:
    """The judge's latest scores with the mean, the pass rate and both per UTC day."""
    judge = judge_row(tx, who, ref)
    rows = list(
        tx.execute(
            select(ScoreRow)
            .where(ScoreRow.judge_id == judge.id, ScoreRow.status == "scored")
            .order_by(ScoreRow.create_time.desc())
            .limit(MAX_SCORES)
        ).scalars()
    )

    def aggregate(items: list[ScoreRow]) -> tuple[float | None, float | None]:
        if not items:
            return None, None
        mean = sum(r.score or 0.0 for r in items) / len(items)
        return mean, sum(1 for r in items if r.passed) / len(items)

    days: dict[str, list[ScoreRow]] = {}
    for row in rows:
        days.setdefault(row.create_time.date().isoformat(), []).append(row)
    per_day = []
    for day in sorted(days):
        mean, rate = aggregate(days[day])
        per_day.append(
            schemas.DayAggregate(day=day, count=len(days[day]), mean=mean, pass_rate=rate)
        )
    mean, rate = aggregate(rows)
    return schemas.JudgeScores(
        data=[schemas.Score.model_validate(r) for r in rows],
        count=len(rows),
        mean=mean,
        pass_rate=rate,
        per_day=per_day,
    )
