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


CATALOGUE: dict[str, dict[str, Any]] = {
    "organization.created": _object("an organization was created", {"name": {"type": "string"}}),
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
}
