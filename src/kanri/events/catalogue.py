"""The catalogue of event types kanri emits, each with the JSON schema of its `data`.

Automations may emit their own types (`event.emit` steps); those are delivered like any
other but are not listed here.
"""

from __future__ import annotations

from typing import Any

_ID = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}


def _object(description: str, required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    return {
        "description": description,
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {**required, **optional},
            "required": list(required),
        },
    }


_RUN_STATE = _object(
    "",
    {
        "id": _ID,
        "status": {"type": "string"},
        "stop_reason": _NULLABLE_STRING,
        "automation_id": _ID,
    },
)
_RUN_STEP = _object(
    "",
    {
        "run_id": _ID,
        "step_id": {"type": "string"},
        "kind": {"type": "string"},
        "status": {"type": "string"},
        "error": {"type": ["object", "string", "null"]},
    },
)
_CHANGES = {"changes": {"type": "object"}}


def _described(entry: dict[str, Any], description: str) -> dict[str, Any]:
    return {**entry, "description": description}


_STRING = {"type": "string"}
_DATETIME = {"type": "string", "format": "date-time"}


def _lifecycle(
    resource: str, what: str, *, created: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """`<resource>.created|updated|deleted`, each with the resource's `id`."""
    return {
        f"{resource}.created": _object(f"{what} was created", {"id": _ID}, **(created or {})),
        f"{resource}.updated": _object(f"{what} changed", {"id": _ID}),
        f"{resource}.deleted": _object(f"{what} was deleted", {"id": _ID}),
    }


CATALOGUE: dict[str, dict[str, Any]] = {
    "organization.created": _object("an organization was created", {"name": {"type": "string"}}),
    "organization.updated": _object("an organization's name or defaults changed", {"id": _ID}),
    "project.created": _object("a project was created", {"id": _ID}, name={"type": "string"}),
    "project.updated": _object("a project's settings changed", {"id": _ID, **_CHANGES}),
    "project.deleted": _object("a project was deleted", {"id": _ID, "name": {"type": "string"}}),
    "environment.created": _object(
        "an environment was created", {"id": _ID}, name={"type": "string"}
    ),
    "environment.updated": _object("an environment changed", {"id": _ID, **_CHANGES}),
    "environment.deleted": _object(
        "an environment was deleted", {"id": _ID, "name": {"type": "string"}}
    ),
    "api_key.created": _object("an API key was created", {"id": _ID}),
    "api_key.revoked": _object("an API key was revoked", {"id": _ID}),
    "api_key.rotated": _object(
        "an API key was rotated; the old one works until its grace period ends",
        {"id": _ID, "rotated_to": _ID},
    ),
    "automation.created": _object(
        "an automation was created", {"id": _ID, "name": {"type": "string"}}
    ),
    "automation.updated": _object("an automation's draft or settings changed", {"id": _ID}),
    "automation.deleted": _object("an automation was deleted", {"id": _ID}),
    "automation.published": _object(
        "a version of an automation was published", {"id": _ID, "version": {"type": "integer"}}
    ),
    "automation.rolled_back": _object(
        "an automation went back to an earlier version", {"id": _ID, "version": {"type": "integer"}}
    ),
    "run.created": _object(
        "a run was triggered (or forked from another)",
        {"id": _ID, "automation_id": _ID},
        version={"type": "integer"},
        forked_from=_ID,
    ),
    "run.queued": _described(_RUN_STATE, "a run is ready to be claimed again"),
    "run.started": _described(_RUN_STATE, "a worker started or resumed a run"),
    "run.waiting": _described(_RUN_STATE, "a run waits for time or a decision"),
    "run.completed": _described(_RUN_STATE, "a run finished successfully"),
    "run.failed": _described(_RUN_STATE, "a run failed"),
    "run.cancelled": _described(_RUN_STATE, "a run was cancelled"),
    "run.step_completed": _described(_RUN_STEP, "a step of a run completed"),
    "run.step_failed": _described(_RUN_STEP, "a step of a run failed"),
    "approval.requested": _object(
        "a run waits for an approval", {"id": _ID, "run_id": _ID, "step_id": {"type": "string"}}
    ),
    "approval.approved": _object(
        "an approval was granted", {"id": _ID, "run_id": _ID, "status": {"type": "string"}}
    ),
    "approval.rejected": _object(
        "an approval was refused", {"id": _ID, "run_id": _ID, "status": {"type": "string"}}
    ),
    "schedule.created": _object("a schedule was created", {"id": _ID, "automation_id": _ID}),
    "schedule.updated": _object("a schedule changed", {"id": _ID, "enabled": {"type": "boolean"}}),
    "schedule.deleted": _object("a schedule was deleted", {"id": _ID}),
    "schedule.fired": _object(
        "a schedule started a run",
        {"id": _ID, "fire_time": {"type": "string", "format": "date-time"}, "run_id": _ID},
    ),
    "schedule.fire_failed": _object(
        "a schedule's fire time came but the automation refused the run",
        {"id": _ID, "fire_time": {"type": "string", "format": "date-time"}, "error": {}},
    ),
    "report.created": _object(
        "a report was submitted (or generated)",
        {"id": _ID, "type": _STRING, "title": _STRING, "author": _STRING},
    ),
    "report.deleted": _object("a report was deleted", {"id": _ID}),
    "webhook.created": _object(
        "a webhook endpoint was created", {"id": _ID, "url": {"type": "string"}}
    ),
    "webhook.updated": _object("a webhook endpoint changed", {"id": _ID, **_CHANGES}),
    "webhook.deleted": _object("a webhook endpoint was deleted", {"id": _ID}),
    "webhook.secret_rotated": _object(
        "a webhook endpoint's signing secret was rotated",
        {"id": _ID, "previous_secret_expire_time": {"type": "string", "format": "date-time"}},
    ),
    "webhook.disabled": _object(
        "kanri disabled a webhook endpoint (410 Gone, or failing for days)",
        {"id": _ID, "reason": {"type": "string"}},
    ),
    "webhook.test": _object(
        "a test message sent with POST /v1/webhooks/{id}/test (to that endpoint only)",
        {"webhook_id": _ID},
        data={"type": "object"},
    ),
    # Agents, providers, costs and judges.
    **_lifecycle("agent", "an agent", created={"name": _STRING}),
    "agent.published": _object(
        "a version of an agent was published", {"id": _ID, "version": {"type": "integer"}}
    ),
    "agent.rolled_back": _object(
        "an agent went back to an earlier version", {"id": _ID, "version": {"type": "integer"}}
    ),
    "agent.suspended": _object("an agent was suspended: it refuses new runs", {"id": _ID}),
    "agent.resumed": _object("a suspended agent takes runs again", {"id": _ID}),
    **_lifecycle("provider", "a model provider", created={"name": _STRING}),
    **_lifecycle("price", "a price of the price table", created={"model": _STRING}),
    **_lifecycle("budget", "a budget"),
    "budget.threshold_reached": _object(
        "spending reached a budget's threshold in its current period",
        {"id": _ID, "name": _STRING, "percent": _STRING, "period_start": _DATETIME},
    ),
    "judge.created": _object("a judge was created", {"id": _ID}),
    "run.model_call": _object(
        "a run's model call finished (provider, model, usage and cost)",
        {},
        usage={"type": "object"},
    ),
    "run.tool_call": _object(
        "an agent's tool call finished, was denied, or waits for an approval",
        {"call_key": _STRING, "name": _NULLABLE_STRING, "status": _STRING},
    ),
    "run.delta": _object(
        "streamed tokens of a run's model call (for live views)", {}, content=_STRING
    ),
    # Governance.
    **_lifecycle("policy", "a policy", created={"name": _STRING}),
    "policy_exception.created": _object(
        "an exception to a policy's rule was granted",
        {"id": _ID, "policy_id": _ID, "rule_id": _STRING},
    ),
    "run.escalated": _object(
        "a run was escalated", {"id": _ID, "approval_id": _ID, "severity": _STRING}, reason=_STRING
    ),
    "approval.escalated": _object(
        "an approval's deadline passed or it was escalated: new approvers, higher severity",
        {"id": _ID},
        run_id=_NULLABLE_STRING,
        external_execution_id=_NULLABLE_STRING,
    ),
    **{
        f"external_execution.{verb}": _object(
            f"an external engine's execution was {verb}",
            {"id": _ID, "engine": _STRING, "workflow_id": _STRING, "execution_id": _STRING},
            status=_STRING,
        )
        for verb in ("created", "updated", "cancelled")
    },
    "external_execution.escalated": _object(
        "an external execution was escalated", {"id": _ID, "approval_id": _ID}, severity=_STRING
    ),
    # Records.
    **_lifecycle("object", "a records object", created={"slug": _STRING}),
    **_lifecycle("field", "a field of a records object", created={"object_id": _ID}),
    **{
        f"record.{verb}": _object(
            f"a record was {verb}",
            {"id": _ID, "object_id": _ID, "object": _STRING},
            field_values={"type": "object"},
        )
        for verb in ("created", "updated", "deleted", "restored")
    },
    # The headless CMS.
    **{
        f"content.entry.{verb}": _object(
            f"a content entry was {verb}",
            {"id": _ID, "type": _STRING, "slug": _STRING, "version": {"type": "integer"}},
            published_version={"type": ["integer", "null"]},
        )
        for verb in ("created", "updated", "deleted", "published", "unpublished")
    },
    "content.asset.created": _object(
        "an asset was uploaded",
        {"id": _ID, "filename": _STRING, "content_type": _STRING, "size": {"type": "integer"}},
        sha256=_STRING,
    ),
    # Knowledge base.
    **_lifecycle("knowledge.namespace", "a knowledge namespace", created={"name": _STRING}),
    **{
        f"knowledge.entry.{verb}": _object(
            f"a knowledge entry was {verb}",
            {"namespace_id": _ID, "entry_id": _STRING},
            status=_STRING,
        )
        for verb in ("created", "replaced", "deleted")
    },
    # Moderation.
    **_lifecycle("moderation.rule", "a moderation rule"),
    **{
        f"moderation.item.{verb}": _object(
            f"a moderation item was {verb}",
            {"id": _ID, "external_id": _STRING, "status": _STRING, "author_id": _STRING},
            action=_NULLABLE_STRING,
            category=_NULLABLE_STRING,
            rule_name=_NULLABLE_STRING,
            decided_by=_STRING,
            reason=_STRING,
        )
        for verb in ("flagged", "hidden", "decided", "appealed")
    },
}
