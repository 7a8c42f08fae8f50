"""Public contract of reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, StringConstraints, model_validator

from kanri.core.schemas import Model, Resource, UtcDatetime, examples

ReportType = Literal["daily", "weekly", "audit", "incident", "custom"]
ReportFormat = Literal["html", "markdown", "text"]
MAX_CONTENT = 1_000_000  # characters (the request body cap is 1 MiB)
Labels = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,63}$")], str],
    Field(json_schema_extra={"additionalProperties": False}),
]
Author = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(description="who wrote it: an agent id, an automation, a key, a person"),
]


class ReportCreate(Model):
    model_config = examples(
        {
            "type": "daily",
            "title": "Daily operations 2026-12-07",
            "content": "<h1>All green</h1><p>42 runs, 0 failures.</p>",
            "format": "html",
            "author": "agt_01JF0Q6Y0V9ZKQH1N4S2D3F4G5",
            "period_start": "2026-12-07T00:00:00Z",
            "period_end": "2026-12-08T00:00:00Z",
            "labels": {"team": "ops"},
        },
    )

    type: ReportType
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    content: Annotated[str, StringConstraints(max_length=MAX_CONTENT)] = Field(
        description="the report; HTML is sanitised on the way in (scripts, event handlers "
        "and javascript: URLs are removed)"
    )
    format: ReportFormat = Field(default="markdown", description="how `content` is written")
    author: Author | None = Field(
        default=None, description="who wrote it (default: the calling key's id)"
    )
    period_start: UtcDatetime | None = None
    period_end: UtcDatetime | None = Field(
        default=None, description="the end of the period it covers; not before period_start"
    )
    metadata: dict[str, Any] = Field(default_factory=dict, max_length=64)
    labels: Labels = Field(default_factory=dict, max_length=64)

    @model_validator(mode="after")
    def _period(self) -> ReportCreate:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class ReportSummary(Resource):
    id: str
    project_id: str
    type: ReportType
    title: str
    format: ReportFormat
    author: str
    period_start: datetime | None
    period_end: datetime | None
    labels: dict[str, str]
    create_time: datetime


class Report(ReportSummary):
    content: str
    metadata: dict[str, Any] = Field(validation_alias=AliasChoices("extra", "metadata"))
    created_by: dict[str, Any] = Field(description="the key (or system actor) that submitted it")
