"""AIP-160 filters and order_by: run the compiled SQL against SQLite, compile it for PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from kanri.core.errors import BadRequest
from kanri.core.filtering import FilterField, FilterSpec, OrderTerm

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("status", String),
    Column("size", Integer),
    Column("score", Float),
    Column("enabled", Boolean),
    Column("create_time", DateTime(timezone=True)),
    Column("labels", JSON),
    Column("tags", JSON),
)

SPEC = FilterSpec(
    {
        "name": FilterField(items.c.name),
        "status": FilterField(items.c.status),
        "size": FilterField(items.c.size, "integer"),
        "score": FilterField(items.c.score, "number"),
        "enabled": FilterField(items.c.enabled, "boolean", sortable=False),
        "create_time": FilterField(items.c.create_time, "timestamp"),
        "labels": FilterField(items.c.labels, "map"),
        "tags": FilterField(items.c.tags, "list"),
    }
)

ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "prod-eu",
        "status": "active",
        "size": 3,
        "score": 0.5,
        "enabled": True,
        "create_time": datetime(2026, 1, 1, tzinfo=UTC),
        "labels": {"team": "ops", "n": 5, "flag": True},
        "tags": ["vip", "beta"],
    },
    {
        "id": 2,
        "name": "prod-us",
        "status": "archived",
        "size": 10,
        "score": 2.5,
        "enabled": False,
        "create_time": datetime(2026, 2, 1, tzinfo=UTC),
        "labels": {"team": "dev", "n": "7", "gone": None},
        "tags": ["beta"],
    },
    {
        "id": 3,
        "name": "staging",
        "status": None,
        "size": None,
        "score": None,
        "enabled": None,
        "create_time": None,
        "labels": {"team": "ops", "n": "abc"},
        "tags": [],
    },
    {
        "id": 4,
        "name": "Prod_te%st*",
        "status": "active",
        "size": 7,
        "score": 1.0,
        "enabled": True,
        "create_time": datetime(2025, 12, 31, 23, 0, tzinfo=UTC),
        "labels": None,
        "tags": None,
    },
]


@pytest.fixture
def db() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(items.insert(), ROWS)
    yield engine
    engine.dispose()


def ids(engine: Engine, text: str | None) -> list[int]:
    """The ids of the rows that `text` selects, ascending."""
    stmt = select(items.c.id).order_by(items.c.id)
    where = SPEC.compile(text)
    if where is not None:
        stmt = stmt.where(where)
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def filter_error(text: str, spec: FilterSpec = SPEC) -> str:
    """Compile `text`, expect a BadRequest on `filter`, return its message."""
    with pytest.raises(BadRequest) as info:
        spec.compile(text)
    assert [e.field for e in info.value.errors] == ["filter"]
    message = info.value.errors[0].message
    assert message in info.value.detail
    return message


def order_error(text: str) -> str:
    """Parse `text` as order_by, expect a BadRequest on `order_by`, return its message."""
    with pytest.raises(BadRequest) as info:
        SPEC.order_by(text, "name")
    assert [e.field for e in info.value.errors] == ["order_by"]
    return info.value.errors[0].message


# SQLAlchemy leaves the PostgreSQL dialect's constructor unannotated.
PG_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def postgres_sql(where: ColumnElement[bool] | None) -> str:
    assert where is not None
    return str(select(items.c.id).where(where).compile(dialect=PG_DIALECT))


# --- grammar and boolean logic -----------------------------------------------------------


def test_missing_or_blank_filter_compiles_to_none(db: Engine) -> None:
    assert SPEC.compile(None) is None
    assert SPEC.compile("   ") is None
    assert ids(db, "") == [1, 2, 3, 4]


def test_string_equality_selects_exact_case_sensitive_matches(db: Engine) -> None:
    assert ids(db, 'name = "prod-eu"') == [1]
    assert ids(db, "name = PROD-EU") == []


def test_or_binds_tighter_than_and(db: Engine) -> None:
    # (status = archived OR size = 3) AND name = prod-eu, not status = archived OR (...).
    assert ids(db, "status = archived OR size = 3 AND name = prod-eu") == [1]


def test_juxtaposition_means_and(db: Engine) -> None:
    assert ids(db, "status = active size > 5") == [4]
    assert ids(db, "status = active size > 5") == ids(db, "status = active AND size > 5")


def test_parentheses_override_precedence(db: Engine) -> None:
    assert ids(db, "status = archived OR (size = 3 AND name = prod-eu)") == [1, 2]


def test_not_and_minus_negate_and_keep_rows_whose_value_is_missing(db: Engine) -> None:
    assert ids(db, 'NOT status = "active"') == [2, 3]
    assert ids(db, '-status = "active"') == [2, 3]
    assert ids(db, "-(size > 5 OR size = null)") == [1]


def test_not_equal_includes_rows_where_the_column_is_null(db: Engine) -> None:
    assert ids(db, "status != active") == [2, 3]


def test_single_quotes_and_backslash_escapes_are_unescaped(db: Engine) -> None:
    assert ids(db, "name = 'prod-eu'") == [1]
    assert ids(db, r'name = "prod\-eu"') == [1]
    assert ids(db, r'name = "Prod_te%st\*"') == [4]


def test_keywords_are_upper_case_and_lower_case_words_are_values(db: Engine) -> None:
    assert ids(db, "status = and") == []
    assert ids(db, "NOT status = active") == [2, 3]


# --- string wildcards --------------------------------------------------------------------


def test_wildcard_matches_prefix_case_sensitively(db: Engine) -> None:
    assert ids(db, 'name = "prod*"') == [1, 2]
    assert ids(db, "name = *-eu") == [1]


def test_wildcard_treats_like_and_glob_metacharacters_literally(db: Engine) -> None:
    # `_` and `%` must not act as LIKE wildcards, nor `?` as a GLOB one.
    assert ids(db, 'name = "Prod_te%*"') == [4]
    assert ids(db, 'name = "Prod?te*"') == []
    assert ids(db, 'name = "prod_*"') == []


def test_not_equal_with_wildcard_excludes_the_matches(db: Engine) -> None:
    assert ids(db, 'name != "prod*"') == [3, 4]


def test_has_on_a_string_field_means_equality_and_star_means_present(db: Engine) -> None:
    assert ids(db, "status:active") == [1, 4]
    assert ids(db, "status:*") == [1, 2, 4]


def test_string_ordering_is_lexicographic(db: Engine) -> None:
    assert ids(db, 'name > "prod-f"') == [2, 3]
    assert ids(db, 'name <= "prod-eu"') == [1, 4]


# --- typed scalars -----------------------------------------------------------------------


def test_integer_field_compares_numbers_including_negative_ones(db: Engine) -> None:
    assert ids(db, "size >= 7") == [2, 4]
    assert ids(db, "size > -1 size < 5") == [1]


def test_integer_field_rejects_floats_and_words_naming_the_field(db: Engine) -> None:
    assert filter_error("size = 1.5") == "field 'size' is an integer; '1.5' at position 8 is not"
    assert "field 'size'" in filter_error("size = big")


def test_number_field_accepts_floats_and_rejects_words(db: Engine) -> None:
    assert ids(db, "score > 0.75") == [2, 4]
    assert ids(db, "score = 1") == [4]
    assert filter_error("score < many") == (
        "field 'score' is a number; 'many' at position 9 is not"
    )


def test_boolean_field_accepts_only_true_or_false(db: Engine) -> None:
    assert ids(db, "enabled = true") == [1, 4]
    assert ids(db, "enabled != true") == [2, 3]
    assert "field 'enabled' at position 1 is a boolean" in filter_error("enabled = yes")
    assert "is a boolean" in filter_error("enabled > false")


def test_timestamp_accepts_rfc3339_with_z_or_an_offset(db: Engine) -> None:
    assert ids(db, 'create_time >= "2026-01-01T00:00:00Z"') == [1, 2]
    # 01:00+02:00 is 2025-12-31T23:00Z: only row 4 is not later than that.
    assert ids(db, "create_time <= '2026-01-01T01:00:00+02:00'") == [4]


def test_bad_timestamp_names_the_field_and_position(db: Engine) -> None:
    message = filter_error('create_time > "yesterday"')
    assert message.startswith("field 'create_time' is a timestamp; 'yesterday' at position 15")
    assert "RFC 3339" in filter_error('create_time > "2026-01-01T00:00:00"')  # no offset


def test_null_means_is_null_and_not_null_means_is_not_null(db: Engine) -> None:
    assert ids(db, "status = null") == [3]
    assert ids(db, "status != null") == [1, 2, 4]
    assert ids(db, 'status = "null"') == []


def test_null_with_an_ordering_operator_is_rejected(db: Engine) -> None:
    assert filter_error("size > null") == (
        "field 'size' at position 1: null works only with = and !="
    )


# --- maps --------------------------------------------------------------------------------


def test_map_member_equality_compares_json_strings(db: Engine) -> None:
    assert ids(db, 'labels.team = "ops"') == [1, 3]
    assert ids(db, "labels.team = o*") == [1, 3]
    assert ids(db, "labels.team != ops") == [2, 4]


def test_map_has_key_needs_a_present_non_null_value(db: Engine) -> None:
    assert ids(db, "labels:team") == [1, 2, 3]
    assert ids(db, "labels:gone") == []
    assert ids(db, "labels.gone = null") == [1, 2, 3, 4]
    assert ids(db, "NOT labels:flag") == [2, 3, 4]


def test_map_ordering_with_a_number_compares_json_numbers_only(db: Engine) -> None:
    # Row 2 holds "7" and row 3 "abc": strings never take part in a numeric comparison.
    assert ids(db, "labels.n > 3") == [1]
    assert ids(db, "labels.n < 100") == [1]


def test_map_equality_with_a_bare_number_also_matches_the_same_string(db: Engine) -> None:
    assert ids(db, "labels.n = 7") == [2]
    assert ids(db, "labels.n = 5") == [1]
    assert ids(db, 'labels.n = "5"') == []
    assert ids(db, "labels.flag = true") == [1]


def test_bare_map_field_without_a_key_is_rejected(db: Engine) -> None:
    assert filter_error("labels = ops") == (
        "map field 'labels' at position 1 needs a key: use labels.<key> = value or labels:<key>"
    )


def test_invalid_map_keys_and_members_of_scalars_are_rejected(db: Engine) -> None:
    assert "invalid key 'a.b' for map field 'labels'" in filter_error("labels.a.b = 1")
    assert "invalid key 'x y'" in filter_error('labels:"x y"')
    assert "invalid key" in filter_error(f"labels.{'k' * 65} = 1")
    assert filter_error("name.first = x") == (
        "field 'name' at position 1 is a string and has no member 'first'"
    )


def test_map_member_kinds_do_not_share_a_statement_cache_entry(db: Engine) -> None:
    # The same engine compiles structurally similar statements; the JSON key and kind must be
    # part of the cache key or the second query would reuse the first one's SQL.
    assert ids(db, "labels.team = ops") == [1, 3]
    assert ids(db, "labels.n = ops") == []
    assert ids(db, "labels.n = 5") == [1]
    assert ids(db, "labels.team = ops") == [1, 3]


# --- lists -------------------------------------------------------------------------------


def test_list_has_selects_rows_whose_array_contains_the_value(db: Engine) -> None:
    assert ids(db, 'tags:"vip"') == [1]
    assert ids(db, "tags:beta") == [1, 2]
    assert ids(db, "NOT tags:vip") == [2, 3, 4]


def test_list_field_allows_only_the_has_operator(db: Engine) -> None:
    assert filter_error("tags = vip") == (
        "list field 'tags' at position 1 supports only ':' (contains), e.g. tags:\"value\""
    )
    assert "needs a plain value" in filter_error("tags:null")


def test_list_filter_has_a_from_clause_when_it_is_the_only_reference(db: Engine) -> None:
    where = SPEC.compile("tags:beta")
    assert where is not None
    stmt = select(func.count()).where(where)
    with db.connect() as conn:
        assert conn.execute(stmt).scalar_one() == 2


# --- PostgreSQL --------------------------------------------------------------------------


def test_every_construct_compiles_for_postgresql() -> None:
    sql = postgres_sql(
        SPEC.compile(
            'name = "prod*" status != x size > 1 score <= 2.5 enabled = true '
            'create_time < "2026-01-01T00:00:00Z" labels.team = ops labels:tier '
            "labels.n > 3 labels.gone = null tags:vip NOT (status = null)"
        )
    )
    assert "LIKE" in sql
    assert "ESCAPE '/'" in sql
    assert "IS DISTINCT FROM" in sql
    assert "jsonb_typeof(CAST(items.labels AS JSONB) ->" in sql
    assert "CAST(items.tags AS JSONB) @> jsonb_build_array(" in sql
    assert "IS NOT true" in sql
    assert "json_each" not in sql
    assert "GLOB" not in sql


def test_list_filter_uses_json_each_on_sqlite_and_containment_on_postgresql() -> None:
    where = SPEC.compile("tags:vip")
    assert where is not None
    sqlite_sql = str(select(items.c.id).where(where).compile(dialect=sqlite.dialect()))
    assert "EXISTS (SELECT 1 FROM json_each(items.tags)" in sqlite_sql
    assert "@>" in postgres_sql(where)


# --- errors and limits -------------------------------------------------------------------


def test_unknown_field_names_the_field_and_the_allowed_ones() -> None:
    assert filter_error("colour = red") == (
        "unknown field 'colour' at position 1; filterable fields: "
        "name, status, size, score, enabled, create_time, labels, tags"
    )
    assert filter_error("name = x AND colour.hue = red").startswith(
        "unknown field 'colour' at position 14;"
    )


def test_syntax_error_reports_the_position_and_the_unexpected_token() -> None:
    message = filter_error('name = "x" AND AND status = y')
    assert message.startswith("syntax error at position 16: unexpected 'AND'; expected ")
    assert "a field name" in message
    assert filter_error("name = AND").startswith("syntax error at position 8: unexpected 'AND'")


def test_syntax_error_at_the_end_and_on_stray_characters() -> None:
    assert filter_error("name =") == (
        "syntax error at position 7: unexpected end of filter; expected a value"
    )
    assert filter_error("(name = x") == (
        "syntax error at position 10: unexpected end of filter; expected ')'"
    )
    assert filter_error("name = x!").startswith("syntax error at position 9: unexpected '!'")
    assert filter_error('name = "abc') == "syntax error at position 8: unterminated string"


def test_syntax_errors_do_not_chain_the_parser_exception() -> None:
    with pytest.raises(BadRequest) as info:
        SPEC.compile("name = = x")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_filter_longer_than_max_length_is_rejected() -> None:
    spec = FilterSpec({"name": FilterField(items.c.name)}, max_length=20)
    assert spec.compile("name = " + "x" * 13) is not None
    assert filter_error("name = " + "x" * 14, spec) == (
        "filter is 21 characters long; the maximum length is 20"
    )


def test_nesting_deeper_than_max_depth_is_rejected() -> None:
    spec = FilterSpec({"name": FilterField(items.c.name)}, max_depth=3)
    assert spec.compile("NOT ((name = x))") is not None
    assert filter_error("NOT (((name = x)))", spec) == (
        "filter nests 4 levels deep (parentheses and NOT); the maximum depth is 3"
    )
    # Far past the limit: rejected cleanly, without recursion errors.
    assert "maximum depth is 8" in filter_error("(" * 900 + "name = x" + ")" * 900)


def test_more_comparisons_than_max_terms_is_rejected() -> None:
    spec = FilterSpec({"name": FilterField(items.c.name)}, max_terms=3)
    assert spec.compile("name = a OR name = b OR name = c") is not None
    assert filter_error("name = a OR name = b OR name = c OR name = d", spec) == (
        "filter has 4 comparisons; the maximum is 3"
    )


def test_error_body_carries_the_filter_field_error() -> None:
    with pytest.raises(BadRequest) as info:
        SPEC.compile("colour = red")
    body = info.value.problem("req-1")
    assert body["status"] == 400
    assert body["errors"][0]["field"] == "filter"
    assert "colour" in body["errors"][0]["message"]


def test_spec_rejects_invalid_field_names_and_lists_names_in_order() -> None:
    with pytest.raises(ValueError, match="invalid filter field name"):
        FilterSpec({"AND": FilterField(items.c.name)})
    assert SPEC.names[:3] == ["name", "status", "size"]


# --- order_by ----------------------------------------------------------------------------


def test_order_by_parses_directions_case_insensitively_and_tolerates_whitespace() -> None:
    terms = SPEC.order_by("  create_time   DESC ,name,size asc ", "name")
    assert terms == [
        OrderTerm("create_time", items.c.create_time, True),
        OrderTerm("name", items.c.name, False),
        OrderTerm("size", items.c.size, False),
    ]


def test_order_by_blank_or_none_uses_the_default() -> None:
    assert SPEC.order_by(None, "size desc") == [OrderTerm("size", items.c.size, True)]
    assert SPEC.order_by("  ", "name") == [OrderTerm("name", items.c.name, False)]


def test_invalid_default_order_by_is_a_server_bug_not_a_bad_request() -> None:
    with pytest.raises(ValueError, match="invalid default order_by"):
        SPEC.order_by(None, "colour")


def test_order_terms_sort_rows(db: Engine) -> None:
    terms = SPEC.order_by("status desc, size", "name")
    stmt = select(items.c.id).where(items.c.status.is_not(None))
    stmt = stmt.order_by(*(t.column.desc() if t.descending else t.column.asc() for t in terms))
    with db.connect() as conn:
        assert list(conn.execute(stmt).scalars()) == [2, 1, 4]


def test_order_by_unknown_field_names_it_and_the_sortable_ones() -> None:
    assert order_error("name, colour desc") == (
        "unknown field 'colour' at position 7; "
        "sortable fields: name, status, size, score, create_time"
    )


def test_order_by_rejects_maps_lists_and_unsortable_fields() -> None:
    assert order_error("labels").startswith("field 'labels' at position 1 cannot be sorted on;")
    assert "field 'tags'" in order_error("tags")
    assert "field 'enabled'" in order_error("enabled")


def test_order_by_rejects_duplicates_bad_directions_and_empty_terms() -> None:
    assert order_error("name, size, name desc") == (
        "field 'name' at position 13 appears more than once"
    )
    assert order_error("name descending") == (
        "expected 'asc' or 'desc' after 'name' at position 6, found 'descending'"
    )
    assert order_error("name asc size") == (
        "unexpected 'size' at position 10; separate sort terms with commas"
    )
    assert order_error("name,") == "empty sort term at position 6"
