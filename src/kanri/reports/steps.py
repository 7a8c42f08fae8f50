"""`report`: render a built-in report over a period and store it as a report.

With a schedule (`0 6 * * *`) this gives a daily report. The step acts in the run's
project as the system actor `engine`; the stored report emits `report.created`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.time import rfc3339, utcnow
from kanri.engine.registry import Done, Outcome, StepConfig, StepContext, step_kind
from kanri.reports import generate, schemas, service
from kanri.tenancy import service as tenancy

PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7)}


class ReportConfig(StepConfig):
    """`report`: render the built-in `report` over the last `period` (ending now) to HTML
    and store it as a report of `type`; the output is the report's id, title and type."""

    report: generate.BuiltIn = Field(
        description="costs (spend by day, agent and model, with a chart), exceptions (failed "
        "and waiting runs), audit (actions and the chain's verification) or observability "
        "(log lines by level and service, top metrics)"
    )
    period: Literal["day", "week"] = Field(default="day", description="what it covers")
    type: schemas.ReportType = Field(
        default="daily", description="the stored report's type (daily, weekly, audit, …)"
    )
    title: str | None = Field(
        default=None, max_length=500, description="default: the report's name and period"
    )
    labels: dict[str, str] = Field(default_factory=dict, description="the report's labels")


def _store(
    tx: Session, project_id: str, environment_id: str | None, config: ReportConfig, author: str
) -> schemas.Report:
    project = tenancy.project_settings(tx, project_id)
    assert project is not None  # the run's project
    who = Principal(
        organization_id=project.organization_id,
        project_id=project_id,
        environment_id=environment_id,
        key_id="engine",
        kind="system",
        scopes=frozenset({"*"}),
    )
    end = utcnow()
    start = end - PERIODS[config.period]
    content = generate.render(tx, who, config.report, start, end)
    title = config.title or (
        f"{generate.TITLES[config.report]}: {rfc3339(start)[:10]} to {rfc3339(end)[:10]}"
    )
    body = schemas.ReportCreate(
        type=config.type,
        title=title,
        content=content,
        format="html",
        author=author,
        period_start=start,
        period_end=end,
        labels=config.labels,
        metadata={"report": config.report, "period": config.period},
    )
    return service.create(tx, who, body, generated=True)


@step_kind("report", ReportConfig)
async def run(ctx: StepContext, config: ReportConfig) -> Outcome:
    author = ctx.automation_id or ctx.run_id
    report = await ctx.services.kanri.db.write(
        _store, ctx.project_id, ctx.environment_id, config, author
    )
    return Done({"id": report.id, "title": report.title, "type": report.type})
