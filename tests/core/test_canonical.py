"""`plain` gives what a JSON round trip gives: datetimes as RFC 3339, tuples as lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from kanri.core.canonical import canonical_json, plain


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1, 2, (3, 4)], "c": {"d": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}},
        {"e": None, "f": 1.5, "g": True, "h": "text", "i": []},
        {1: "x", 2: {3: 4}},
        [datetime(2026, 1, 2, tzinfo=UTC), ("x", None)],
        "s",
        None,
        3,
    ],
)
def test_plain_is_the_json_round_trip(value: object) -> None:
    assert plain(value) == json.loads(canonical_json(value))


def test_plain_copies_what_it_is_given() -> None:
    given = {"list": [1], "inner": {"n": 1}}
    copied = plain(given)
    copied["list"].append(2)
    copied["inner"]["n"] = 2
    assert given == {"list": [1], "inner": {"n": 1}}


def test_plain_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        plain({"x": object()})
