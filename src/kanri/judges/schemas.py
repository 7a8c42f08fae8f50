"""Public contract of judges and scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from kanri.core import regex
from kanri.core.schemas import Model, Resource, Slug, exactly_one_of, examples, given

MAX_LENGTH = 2**31 - 1  # the bounds of a length check


def _when(values: list[str], *requirements: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema: when the object's `type` is one of `values`, it meets `requirements`."""
    return {"if": {"properties": {"type": {"enum": values}}}, "then": {"allOf": list(requirements)}}


class RuleCheck(Model):
    # The document's form of `_needs` below.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                _when(["regex"], given("pattern", {"minLength": 1})),
                _when(["contains", "not_contains", "equals"], given("value")),
                _when(["length"], {"anyOf": [given("min"), given("max")]}),
            ]
        }
    )

    type: Literal["contains", "not_contains", "regex", "length", "equals", "exists"]
    path: str = Field(
        default="", max_length=500, description="JSON path into the outputs, e.g. `$.content`"
    )
    value: Any = None
    pattern: str | None = Field(
        default=None,
        max_length=1000,
        description="regex: an RE2 regular expression (no backreferences or lookaround)",
    )
    min: int | None = Field(default=None, ge=0, le=MAX_LENGTH)
    max: int | None = Field(default=None, ge=0, le=MAX_LENGTH)

    @field_validator("pattern")
    @classmethod
    def _runs_on_re2(cls, value: str | None) -> str | None:
        return None if value is None else regex.check(value)

    @model_validator(mode="after")
    def _needs(self) -> RuleCheck:
        if self.type == "regex" and not self.pattern:
            raise ValueError("a regex check needs `pattern`")
        if self.type in ("contains", "not_contains", "equals") and self.value is None:
            raise ValueError(f"a {self.type} check needs `value`")
        if self.type == "length" and self.min is None and self.max is None:
            raise ValueError("a length check needs `min` or `max`")
        return self


class JudgeConfig(Model):
    checks: list[RuleCheck] = Field(default_factory=list, max_length=50, description="rule")
    provider: str | None = Field(default=None, max_length=100, description="llm: provider")
    model: str | None = Field(default=None, max_length=200, description="llm: model")
    rubric: str | None = Field(default=None, max_length=20_000, description="llm: the rubric")
    pass_threshold: float = Field(default=1.0, ge=0, le=1, description="score that passes")


class JudgeCreate(Model):
    # The document's form of `_target` below.
    model_config = examples(
        {
            "name": "answers-cite",
            "kind": "rule",
            "agent": "support-agent",
            "config": {"checks": [{"type": "contains", "path": "$.content", "value": "https://"}]},
            "sample_rate": 0.5,
        },
        schema={
            "allOf": [
                exactly_one_of("agent", "automation"),
                {
                    "if": {"properties": {"kind": {"const": "rule"}}},
                    "then": {
                        "properties": {
                            "config": {
                                "required": ["checks"],
                                "properties": {"checks": {"minItems": 1}},
                            }
                        }
                    },
                    "else": {
                        "properties": {
                            "config": {
                                "allOf": [
                                    given("provider", {"minLength": 1}),
                                    given("rubric", {"minLength": 1}),
                                ]
                            }
                        }
                    },
                },
            ]
        },
    )

    name: Slug
    kind: Literal["rule", "llm"]
    agent: str | None = Field(
        default=None, min_length=1, max_length=100, description="agent id or name"
    )
    automation: str | None = Field(
        default=None, min_length=1, max_length=100, description="id or name"
    )
    config: JudgeConfig
    sample_rate: float = Field(default=1.0, ge=0, le=1)
    enabled: bool = True

    @model_validator(mode="after")
    def _target(self) -> JudgeCreate:
        if (self.agent is None) == (self.automation is None):
            raise ValueError("attach the judge to exactly one of `agent` and `automation`")
        if self.kind == "rule" and not self.config.checks:
            raise ValueError("a rule judge needs config.checks")
        if self.kind == "llm" and not (self.config.provider and self.config.rubric):
            raise ValueError("an llm judge needs config.provider and config.rubric")
        return self


class JudgeUpdate(Model):
    config: JudgeConfig | None = None
    sample_rate: float | None = Field(default=None, ge=0, le=1)
    enabled: bool | None = None


class Judge(Resource):
    id: str
    name: str
    kind: Literal["rule", "llm"]
    agent_id: str | None
    automation_id: str | None
    config: dict[str, Any]
    sample_rate: float
    enabled: bool
    create_time: datetime
    update_time: datetime


class Score(Resource):
    id: str
    judge_id: str
    run_id: str
    status: Literal["scored", "error"]
    score: float | None
    passed: bool | None
    reasoning: str
    details: dict[str, Any]
    create_time: datetime


class DayAggregate(Model):
    day: str
    count: int
    mean: float | None
    pass_rate: float | None


class JudgeScores(Model):
    data: list[Score]
    count: int
    mean: float | None
    pass_rate: float | None
    per_day: list[DayAggregate]
