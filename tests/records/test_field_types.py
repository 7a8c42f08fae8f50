"""Each field type's validation table: what it accepts (and stores), what it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from kanri.records.fields import FieldDef, Invalid, convert, normalise, unique_key

REC = "rec_01JD3Z6V6W0000000000000000"
REC2 = "rec_01JD3Z6V6W0000000000000001"


def _field(type: str, **options: Any) -> FieldDef:
    return FieldDef(id="fld_x", slug="x", type=type, **options)


ACCEPTED = [
    ("text", "Ada", "Ada"),
    ("text", "", ""),
    ("long_text", "x" * 50_000, "x" * 50_000),
    ("email", " Ada@Example.COM ", "Ada@example.com"),
    ("phone", "+1 415-555-0100", "+14155550100"),
    ("phone", "+44 20 7946 0958", "+442079460958"),
    ("url", "https://example.com/a?b=c", "https://example.com/a?b=c"),
    ("number", 42, 42),
    ("number", -1.5, -1.5),
    ("currency", {"amount": "12.5", "currency": "EUR"}, {"amount": "12.50", "currency": "EUR"}),
    ("currency", {"amount": 1000, "currency": "JPY"}, {"amount": "1000", "currency": "JPY"}),
    ("currency", {"amount": 0.1, "currency": "USD"}, {"amount": "0.10", "currency": "USD"}),
    ("currency", {"amount": "1.234", "currency": "BHD"}, {"amount": "1.234", "currency": "BHD"}),
    ("boolean", True, True),
    ("date", "2026-02-28", "2026-02-28"),
    ("datetime", "2026-01-01T10:00:00+02:00", "2026-01-01T08:00:00.000000Z"),
    ("datetime", "2026-01-01T08:00:00.5Z", "2026-01-01T08:00:00.500000Z"),
    ("json", {"a": [1, None]}, {"a": [1, None]}),
]


@pytest.mark.parametrize(("type", "given", "stored"), ACCEPTED)
def test_a_valid_value_is_stored_in_its_normal_form(type: str, given: Any, stored: Any) -> None:
    assert normalise(_field(type), given) == stored


REFUSED = [
    ("text", 5, "type"),
    ("text", "x" * 501, "too_long"),
    ("long_text", ["a"], "type"),
    ("email", "not-an-email", "email"),
    ("email", "a@b", "email"),
    ("phone", "555-0100", "phone"),
    ("phone", "+1 415 555", "phone"),
    ("url", "ftp://example.com", "url"),
    ("url", "https://", "url"),
    ("number", "42", "type"),
    ("number", True, "type"),
    ("number", 2**64, "range"),
    ("currency", {"amount": "12.345", "currency": "EUR"}, "amount"),
    ("currency", {"amount": "1", "currency": "EURO"}, "currency"),
    ("currency", {"amount": "1", "currency": "ZZZ"}, "currency"),
    ("currency", {"amount": "abc", "currency": "EUR"}, "amount"),
    ("currency", {"amount": "1"}, "type"),
    ("currency", {"amount": "NaN", "currency": "EUR"}, "amount"),
    ("currency", {"amount": True, "currency": "EUR"}, "amount"),
    ("boolean", "true", "type"),
    ("date", "2026-02-30", "date"),
    ("date", "26-01-01", "date"),
    ("datetime", "2026-01-01T10:00:00", "datetime"),
    ("datetime", "2026-01-01", "datetime"),
    ("json", {"a": "x" * 70_000}, "too_long"),
]


@pytest.mark.parametrize(("type", "given", "code"), REFUSED)
def test_an_invalid_value_is_refused_with_a_code(type: str, given: Any, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        normalise(_field(type), given)
    assert refused.value.code == code
    assert refused.value.message


def test_select_accepts_only_its_options() -> None:
    status = _field("select", options=("open", "won"))
    assert normalise(status, "won") == "won"
    with pytest.raises(Invalid, match="not one of the options: open, won"):
        normalise(status, "lost")


def test_multi_select_takes_distinct_options() -> None:
    tags = _field("multi_select", options=("vip", "new"))
    assert normalise(tags, ["new", "vip"]) == ["new", "vip"]
    assert normalise(tags, []) == []
    for bad, code in ((["vip", "vip"], "duplicate"), (["gold"], "option"), ("vip", "type")):
        with pytest.raises(Invalid) as refused:
            normalise(tags, bad)
        assert refused.value.code == code


def test_relation_takes_one_record_id_or_a_list_when_many() -> None:
    one = _field("relation", relation_object_id="obj_x")
    many = _field("relation", relation_object_id="obj_x", relation_many=True)
    assert normalise(one, REC) == REC
    assert normalise(many, [REC, REC2]) == [REC, REC2]
    for field, bad, code in (
        (one, [REC], "relation"),
        (one, "ada", "relation"),
        (many, REC, "type"),
        (many, [REC, REC], "duplicate"),
        (many, [REC] * 101, "too_many"),
    ):
        with pytest.raises(Invalid) as refused:
            normalise(field, bad)
        assert refused.value.code == code


def test_unique_keys_treat_equal_values_alike() -> None:
    assert unique_key(_field("email"), "Ada@example.com") == unique_key(
        _field("email"), "ada@example.com"
    )
    assert unique_key(_field("number"), 1) == unique_key(_field("number"), 1.0)
    money = _field("currency")
    assert unique_key(money, {"amount": "1.50", "currency": "EUR"}) == "EUR 1.5"
    assert unique_key(_field("text"), "Ada") != unique_key(_field("text"), "ada")


def test_a_type_change_converts_what_it_can() -> None:
    assert convert(_field("text"), 42) == "42"
    assert convert(_field("number"), " 42 ") == 42
    assert convert(_field("number"), "1.5") == 1.5
    assert convert(_field("multi_select", options=("a",)), "a") == ["a"]
    with pytest.raises(Invalid):
        convert(_field("number"), "forty-two")
