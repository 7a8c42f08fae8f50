"""JSON Schemas that users write (an automation's inputs, an llm step's output_schema) match
their patterns with RE2: a pattern RE2 cannot run is refused when saved, and a backtracking
pattern checks a long input in linear time."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kanri.core import regex
from tests.engine.factories import make_automation
from tests.factories import Tenant, unique

SAY: list[dict[str, Any]] = [{"id": "say", "kind": "transform", "output": "ok"}]


def _text_schema(pattern: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"text": {"type": "string", "pattern": pattern}},
        "required": ["text"],
    }


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        (_text_schema(r"^(a)\1$"), "/properties/text/pattern"),
        ({"type": "object", "patternProperties": {"(?<=x)y": {}}}, "/patternProperties"),
    ],
)
async def test_an_inputs_schema_with_a_pattern_re2_cannot_run_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, schema: dict[str, Any], where: str
) -> None:
    body = {"name": unique("auto"), "definition": {"steps": SAY, "inputs": schema}}
    refused = await client.post("/v1/automations", json=body, headers=tenant.headers)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "body.definition.inputs"
    assert f"at {where}: not a supported regular expression" in error["message"]


async def test_an_llm_steps_output_schema_with_a_pattern_re2_cannot_run_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    step = {
        "id": "ask",
        "kind": "llm",
        "provider": "any",
        "prompt": "hi",
        "output_schema": _text_schema("(?!no)"),
    }
    body = {"name": unique("auto"), "definition": {"steps": [step]}}
    refused = await client.post("/v1/automations", json=body, headers=tenant.headers)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "body.definition.steps.0.output_schema"
    assert "not a supported regular expression" in error["message"]


async def test_run_inputs_are_checked_against_a_backtracking_pattern_in_linear_time(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # 2^100 paths for a backtracking engine, which would never answer: answering at all is
    # the proof (pytest-timeout fails a regression).
    automation = await make_automation(client, tenant, SAY, inputs=_text_schema("^(a+)+$"))
    refused = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        json={"inputs": {"text": "a" * 100 + "!"}},
        headers=tenant.headers,
    )
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "body.inputs.text"
    assert "does not match '^(a+)+$'" in error["message"]
    accepted = await client.post(
        f"/v1/automations/{automation['id']}/runs",
        json={"inputs": {"text": "aaa"}},
        headers=tenant.headers,
    )
    assert accepted.status_code == 202, accepted.text


def test_pattern_properties_and_additional_properties_match_with_re2() -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^(x+)+$": {"type": "integer"}},
        "additionalProperties": False,
    }
    validator = regex.schema_validator(schema)
    # A key of 100 `x`s and a `!`: 2^100 paths for a backtracking engine, which would never
    # finish; returning at all is the proof.
    errors = sorted(e.message for e in validator.iter_errors({"x" * 100 + "!": 1, "xx": "2"}))
    assert errors == [
        "'2' is not of type 'integer'",
        f"'{'x' * 100}!' not matched by any of the patterns '^(x+)+$'",
    ]
    combined = {**schema, "additionalProperties": True, "unevaluatedProperties": False}
    assert "cannot be combined with patternProperties" in str(regex.schema_problem(combined))
