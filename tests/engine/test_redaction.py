"""The redactor of a run's secret values, and what templates read of `secrets`/`vars`."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote, quote_plus

from kanri.engine import templates
from kanri.engine.redaction import Redactor


def test_values_and_their_encodings_become_the_secrets_name() -> None:
    redactor = Redactor()
    value = "p@ss/word+1 ü"
    redactor.add("PW", value)
    raw = value.encode()
    for form in (
        value,
        base64.b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode(),
        quote(value, safe=""),
        quote_plus(value),
        json.dumps(value)[1:-1],
    ):
        assert redactor.text(f"<{form}>") == "<[secret:PW]>", form


def test_json_values_are_copied_with_keys_and_nested_strings_redacted() -> None:
    redactor = Redactor()
    redactor.add("A", "alpha-secret")
    value: dict[str, Any] = {
        "alpha-secret": ["x alpha-secret y", 3, None, {"k": "alpha-secret"}],
        "n": 1.5,
    }
    assert redactor.value(value) == {
        "[secret:A]": ["x [secret:A] y", 3, None, {"k": "[secret:A]"}],
        "n": 1.5,
    }
    assert value["alpha-secret"][0] == "x alpha-secret y"  # the original is untouched


def test_the_longest_value_wins_and_short_values_are_not_searched_for() -> None:
    redactor = Redactor()
    assert not redactor
    redactor.add("SHORT", "abc")
    assert not redactor
    redactor.add("INNER", "token")
    redactor.add("OUTER", "token-extended")
    assert redactor.text("abc token-extended token") == "abc [secret:OUTER] [secret:INNER]"


def test_templates_name_what_they_read_of_a_mapping() -> None:
    value = {
        "headers": {"Authorization": "Bearer {{ secrets.API_TOKEN }}"},
        "body": ["{{ secrets['OTHER'] ~ vars.REGION }}", "plain"],
    }
    found, computed = templates.referenced_names(value, "secrets", "call")
    assert found == [("call.headers.Authorization", "API_TOKEN"), ("call.body.0", "OTHER")]
    assert computed is False
    assert templates.referenced_names(value, "vars") == ([("body.0", "REGION")], False)
    dynamic = {"x": "{{ secrets[inputs.name] }}", "y": "{{ secrets | length }}"}
    assert templates.referenced_names(dynamic, "secrets") == ([], True)
    assert templates.referenced_names({"x": "{{ inputs.secrets }}"}, "secrets") == ([], False)
