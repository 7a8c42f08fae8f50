"""Public contract of automations, their definitions and versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from kanri.core.schemas import Description, Model, Resource, Slug, VersionNumber, examples

StepId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,62}$")]
# Keys outside the pattern are refused, and the document says so (not only what matching
# keys hold).
Labels = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,63}$")], str],
    Field(json_schema_extra={"additionalProperties": False}),
]


class RetryPolicy(Model):
    max_attempts: int = Field(default=1, ge=1, le=20)
    backoff_seconds: float = Field(default=1.0, ge=0, le=86_400)


class Definition(Model):
    """What an automation does: its steps, run in order (a `condition` jumps)."""

    inputs: dict[str, Any] | None = Field(default=None, description="JSON Schema of inputs")
    steps: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=200,
        description="objects `{id, kind, …the kind's fields}`; a field may hold a template",
    )
    outputs: Any = Field(default=None, description="templates; default: the last step's output")
    concurrency: int | None = Field(
        default=None, ge=1, le=10_000, description="runs of this automation running at once"
    )
    concurrency_key: str | None = Field(
        default=None,
        max_length=500,
        description="template over inputs and labels, e.g. `{{ inputs.customer }}`; runs with "
        "the same key share `concurrency_key_limit` slots (in the whole project)",
    )
    concurrency_key_limit: int = Field(
        default=1, ge=1, le=10_000, description="runs with one `concurrency_key` at once"
    )
    timeout_seconds: float | None = Field(
        default=None,
        gt=0,
        le=30 * 86_400,
        description="the run's deadline: seconds from its creation",
    )


class AutomationCreate(Model):
    model_config = examples(
        {
            "name": "triage-ticket",
            "description": "Escalate urgent tickets",
            "definition": {
                "inputs": {
                    "type": "object",
                    "properties": {"ticket_id": {"type": "string"}},
                    "required": ["ticket_id"],
                },
                "steps": [
                    {
                        "id": "fetch",
                        "kind": "http",
                        "url": "https://support.example.com/api/tickets/{{ inputs.ticket_id }}",
                        "retry": {"max_attempts": 3, "backoff_seconds": 2},
                    },
                    {
                        "id": "urgent",
                        "kind": "condition",
                        "if": "steps.fetch.output.body.priority == 'high'",
                        "else": "end",
                    },
                    {
                        "id": "escalate",
                        "kind": "event.emit",
                        "type": "ticket.escalated",
                        "data": {"ticket_id": "{{ inputs.ticket_id }}"},
                    },
                ],
            },
            "labels": {"team": "support"},
        }
    )

    name: Slug
    description: Description = ""
    definition: Definition
    labels: Labels = Field(default_factory=dict, max_length=64)


class AutomationUpdate(Model):
    name: Slug | None = None
    description: Description | None = None
    definition: Definition | None = None
    labels: Labels | None = Field(default=None, max_length=64)


class Automation(Resource):
    id: str
    project_id: str
    name: str
    description: str
    definition: dict[str, Any] = Field(description="the draft")
    published_version: int | None
    latest_version: int
    labels: dict[str, str]
    create_time: datetime
    update_time: datetime


class AutomationVersion(Resource):
    automation_id: str
    version: int
    definition: dict[str, Any]
    created_by: str
    create_time: datetime
    published: bool = False


class Rollback(Model):
    version: VersionNumber
