"""Public contract of schedules."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from croniter import CroniterError, croniter
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from kanri.automations.schemas import Labels
from kanri.core.schemas import Model, Ref, Resource, examples

Catchup = Literal["none", "latest", "all"]
# croniter's random (`R`) and hashed (`H`) fields would pick another minute on every parse.
_RANDOM_OR_HASHED = re.compile(r"\b[HhRr]\b")


def _cron(value: str) -> str:
    expression = " ".join(value.split())
    if len(expression.split(" ")) != 5:
        raise PydanticCustomError(
            "cron_fields", "use five fields: minute hour day-of-month month day-of-week"
        )
    if _RANDOM_OR_HASHED.search(expression) or not croniter.is_valid(expression):
        raise PydanticCustomError("cron_invalid", "not a valid cron expression")
    try:
        croniter(expression, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterError:
        raise PydanticCustomError("cron_never", "this cron expression never fires") from None
    return expression


@cache
def _zones() -> frozenset[str]:
    # `localtime` and `posixrules` are the host's files, not IANA names.
    return frozenset(available_timezones() - {"localtime", "posixrules"})


def _timezone(value: str) -> str:
    if value not in _zones():
        raise PydanticCustomError(
            "timezone", "not an IANA time zone name (such as UTC or Europe/Berlin)"
        )
    return value


Cron = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(_cron),
    Field(
        description="five fields: minute hour day-of-month month day-of-week",
        examples=["*/15 * * * *"],
    ),
]
Timezone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_timezone),
    Field(description="IANA time zone the cron is read in", examples=["Europe/Berlin"]),
]
CATCHUP_DESCRIPTION = (
    "missed fire times (the leader was down): `none` fires only a fire time at most 60 s late; "
    "`latest` fires the most recent one; `all` fires each, up to 100 per tick"
)


class ScheduleCreate(Model):
    model_config = examples(
        {
            "automation": "nightly-report",
            "cron": "0 6 * * 1-5",
            "timezone": "Europe/Berlin",
            "inputs": {"period": "day"},
        }
    )

    automation: Ref = Field(description="automation id or name")
    cron: Cron
    timezone: Timezone = "UTC"
    inputs: dict[str, Any] = Field(default_factory=dict)
    labels: Labels = Field(default_factory=dict, max_length=64)
    enabled: bool = True
    catchup: Catchup = Field(default="latest", description=CATCHUP_DESCRIPTION)


class ScheduleUpdate(Model):
    automation: Ref | None = Field(default=None, description="automation id or name")
    cron: Cron | None = None
    timezone: Timezone | None = None
    inputs: dict[str, Any] | None = None
    labels: Labels | None = Field(default=None, max_length=64)
    enabled: bool | None = None
    catchup: Catchup | None = Field(default=None, description=CATCHUP_DESCRIPTION)


class Schedule(Resource):
    id: str
    project_id: str
    environment_id: str | None = Field(description="the environment its runs start in")
    automation_id: str
    cron: str
    timezone: str
    inputs: dict[str, Any]
    labels: dict[str, str]
    enabled: bool
    catchup: Catchup
    next_fire_time: datetime | None = Field(description="null while disabled")
    last_fire_time: datetime | None
    triggered_by: str = Field(description="the key that created it; its runs carry it too")
    create_time: datetime
    update_time: datetime
