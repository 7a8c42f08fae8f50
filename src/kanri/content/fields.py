"""Field definitions of content types and the values entries hold for them.

The scalar types are checked by the records feature's per-type validation
(`records.fields.check_value`): text, number, boolean, date, datetime, select,
multi_select, email, url and json store exactly what a record field of that type stores.
The CMS adds its own types on top: `slug`, `markdown` (long text), `rich_text` (structured
blocks, see `BLOCK_TYPES`), `asset` and `reference` (ids, one or `many`).

Stored form of an entry's `fields`: field name → value; a `localized` field holds one
value per locale (`{"en": "Hello", "de": "Hallo"}`).
"""

from __future__ import annotations

import re
from typing import Any, Final

from kanri.core.errors import FieldError
from kanri.records.fields import Invalid, check_value

FIELD_TYPES: Final = (
    "text",
    "rich_text",
    "markdown",
    "number",
    "boolean",
    "date",
    "datetime",
    "select",
    "multi_select",
    "email",
    "url",
    "json",
    "asset",
    "reference",
    "slug",
)
# The records feature's type that checks each CMS type whose values are plain.
_AS_RECORDS: Final = {
    "text": "text",
    "markdown": "long_text",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "select": "select",
    "multi_select": "multi_select",
    "email": "email",
    "url": "url",
    "json": "json",
    "slug": "text",
}
TEXTUAL: Final = frozenset({"text", "markdown", "slug", "rich_text"})
UNIQUABLE: Final = frozenset({"text", "slug", "email", "url", "number", "date", "datetime"})
BLOCK_TYPES: Final = ("paragraph", "heading", "list", "quote", "code", "image", "embed", "table")
MAX_BLOCKS: Final = 1000
MAX_BLOCK_TEXT: Final = 100_000
MAX_MANY: Final = 100
SLUG_VALUE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENTRY_ID = re.compile(r"^cen_[0-9A-HJKMNP-TV-Z]{26}$")
ASSET_ID = re.compile(r"^ast_[0-9A-HJKMNP-TV-Z]{26}$")


# --------------------------------------------------------------------------- definitions


def check_definitions(fields: list[dict[str, Any]]) -> list[FieldError]:
    """Errors of a type's field list: names used twice, options and flags a type does not
    take, defaults its type refuses."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, field in enumerate(fields):
        at = f"body.fields[{index}]"
        kind = field["type"]
        if field["name"] in seen:
            errors.append(FieldError(f"{at}.name", f"'{field['name']}' is used twice", "taken"))
        seen.add(field["name"])
        if kind in ("select", "multi_select") and not field["options"]:
            errors.append(FieldError(f"{at}.options", f"a {kind} field needs options", "required"))
        if kind not in ("select", "multi_select", "reference") and field["options"]:
            errors.append(
                FieldError(f"{at}.options", f"a {kind} field takes no options", "not_allowed")
            )
        if field["many"] and kind not in ("asset", "reference"):
            errors.append(
                FieldError(f"{at}.many", "only asset and reference fields hold many", "not_allowed")
            )
        if field["unique"] and (kind not in UNIQUABLE or field["localized"]):
            errors.append(
                FieldError(
                    f"{at}.unique",
                    f"a {'localized ' if field['localized'] else ''}{kind} field cannot be unique",
                    "not_allowed",
                )
            )
        if field.get("default") is not None:
            try:
                field["default"] = normalise(field, field["default"])
            except Invalid as exc:
                errors.append(FieldError(f"{at}.default", exc.message, exc.code))
    return errors


# --------------------------------------------------------------------------- values


def _ids(field: dict[str, Any], value: Any, pattern: re.Pattern[str], noun: str) -> Any:
    items = value if field["many"] else [value]
    if field["many"] and not isinstance(value, list):
        raise Invalid("type", f"expected a list of {noun} ids")
    if len(items) > MAX_MANY:
        raise Invalid("too_long", f"at most {MAX_MANY} {noun}s")
    for item in items:
        if not isinstance(item, str) or not pattern.match(item):
            raise Invalid("type", f"expected a {noun} id, got {item!r:.60}")
    if field["many"] and len(set(items)) != len(items):
        raise Invalid("duplicate", f"a {noun} is listed twice")
    return value


def _text(block: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = block.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid("type", f"a {block.get('type')} block needs a string `{key}`")
    if len(value) > MAX_BLOCK_TEXT:
        raise Invalid("too_long", f"a block's `{key}` holds at most {MAX_BLOCK_TEXT} characters")
    return value


_BLOCK_KEYS: Final = {
    "paragraph": {"text"},
    "heading": {"text", "level"},
    "list": {"items", "ordered"},
    "quote": {"text"},
    "code": {"code", "language"},
    "image": {"asset", "alt"},
    "embed": {"url"},
    "table": {"rows"},
}


def _block(block: Any, index: int) -> dict[str, Any]:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        raise Invalid("block", f"block {index}: an object whose type is one of {BLOCK_TYPES}")
    kind = block["type"]
    extra = set(block) - _BLOCK_KEYS[kind] - {"type"}
    try:
        if extra:
            raise Invalid("block", f"a {kind} block has no {', '.join(sorted(extra))}")
        if kind in ("paragraph", "quote"):
            _text(block, "text")
        elif kind == "heading":
            _text(block, "text")
            level = block.get("level", 2)
            if isinstance(level, bool) or level not in range(1, 7):
                raise Invalid("block", "a heading's level is 1 to 6")
        elif kind == "list":
            items = block.get("items")
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise Invalid("block", "a list block needs `items`, a list of strings")
            if not isinstance(block.get("ordered", False), bool):
                raise Invalid("block", "a list's `ordered` is true or false")
        elif kind == "code":
            _text(block, "code")
            _text(block, "language", required=False)
        elif kind == "image":
            if not isinstance(block.get("asset"), str) or not ASSET_ID.match(block["asset"]):
                raise Invalid("block", "an image block needs `asset`, an asset id")
            _text(block, "alt", required=False)
        elif kind == "embed":
            check_value("url", block.get("url"))
        else:
            rows = block.get("rows")
            if not isinstance(rows, list) or not all(
                isinstance(r, list) and all(isinstance(c, str) for c in r) for r in rows
            ):
                raise Invalid("block", "a table block needs `rows`, lists of strings")
    except Invalid as exc:
        raise Invalid(exc.code, f"block {index}: {exc.message}") from None
    return block


def _rich_text(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise Invalid("type", "expected a list of blocks")
    if len(value) > MAX_BLOCKS:
        raise Invalid("too_long", f"at most {MAX_BLOCKS} blocks")
    return [_block(block, index) for index, block in enumerate(value)]


def normalise(field: dict[str, Any], value: Any) -> Any:
    """The stored form of one value (not None) of `field`; raises `Invalid`."""
    kind = field["type"]
    if kind == "rich_text":
        return _rich_text(value)
    if kind == "asset":
        return _ids(field, value, ASSET_ID, "asset")
    if kind == "reference":
        return _ids(field, value, ENTRY_ID, "entry")
    stored = check_value(_AS_RECORDS[kind], value, options=tuple(field["options"]))
    if kind == "slug" and not SLUG_VALUE.match(stored):
        raise Invalid("format", "lowercase letters and digits in words joined by dashes")
    return stored


def validate(
    definitions: list[dict[str, Any]],
    given: dict[str, Any],
    current: dict[str, Any] | None,
    locale: str,
    *,
    prefix: str = "body.fields.",
) -> tuple[dict[str, Any], list[FieldError]]:
    """The stored fields after writing `given` (in `locale`) over `current` (None: a new
    entry, which takes the defaults), and one error per offending field."""
    by_name = {f["name"]: f for f in definitions}
    stored = {k: v for k, v in (current or {}).items() if k in by_name}
    errors: list[FieldError] = []
    for name, value in given.items():
        field = by_name.get(name)
        if field is None:
            errors.append(FieldError(f"{prefix}{name}", f"no field '{name}'", "unknown_field"))
            continue
        if value is not None:
            try:
                value = normalise(field, value)
            except Invalid as exc:
                errors.append(FieldError(f"{prefix}{name}", exc.message, exc.code))
                continue
        if field["localized"]:
            per_locale = dict(stored.get(name) or {})
            if value is None:
                per_locale.pop(locale, None)
            else:
                per_locale[locale] = value
            if per_locale:
                stored[name] = per_locale
            else:
                stored.pop(name, None)
        elif value is None:
            stored.pop(name, None)
        else:
            stored[name] = value
    if current is None:
        for field in definitions:
            if field["name"] not in stored and field.get("default") is not None:
                default = field["default"]
                stored[field["name"]] = {locale: default} if field["localized"] else default
    return stored, errors


def problems(
    definitions: list[dict[str, Any]], stored: dict[str, Any], default_locale: str
) -> list[FieldError]:
    """What keeps stored fields from being published under `definitions`: values their
    field refuses (a type change), required fields without a value (in the default locale)."""
    errors: list[FieldError] = []
    for field in definitions:
        name = field["name"]
        value = stored.get(name)
        values = list(value.values()) if field["localized"] and isinstance(value, dict) else []
        if not field["localized"] and value is not None:
            values = [value]
        elif field["localized"] and value is not None and not isinstance(value, dict):
            errors.append(FieldError(f"fields.{name}", "expected one value per locale", "type"))
            continue
        try:
            for item in values:
                normalise(field, item)
        except Invalid as exc:
            errors.append(FieldError(f"fields.{name}", exc.message, exc.code))
            continue
        present = value.get(default_locale) if field["localized"] and value else value
        if field["required"] and present is None:
            errors.append(FieldError(f"fields.{name}", "a value is required", "required"))
    return errors


def localize(
    definitions: list[dict[str, Any]], stored: dict[str, Any], locale: str, default_locale: str
) -> tuple[dict[str, Any], list[str]]:
    """Each field's value in `locale` (null when unset), and the localized fields that fell
    back to the default locale."""
    values: dict[str, Any] = {}
    fell_back: list[str] = []
    for field in definitions:
        name = field["name"]
        value = stored.get(name)
        if field["localized"]:
            per_locale = value if isinstance(value, dict) else {}
            if locale in per_locale:
                value = per_locale[locale]
            else:
                value = per_locale.get(default_locale)
                if value is not None and locale != default_locale:
                    fell_back.append(name)
        values[name] = value
    return values, fell_back


def search_text(definitions: list[dict[str, Any]], stored: dict[str, Any]) -> str:
    """The lower-cased text of an entry's textual fields (every locale), for `q`."""
    parts: list[str] = []
    for field in definitions:
        if field["type"] not in TEXTUAL or stored.get(field["name"]) is None:
            continue
        value = stored[field["name"]]
        values = list(value.values()) if field["localized"] else [value]
        for item in values:
            if field["type"] == "rich_text":
                parts.extend(_block_text(block) for block in item)
            else:
                parts.append(str(item))
    return " ".join(parts).lower()[:20_000]


def _block_text(block: dict[str, Any]) -> str:
    if block["type"] == "list":
        return " ".join(block["items"])
    if block["type"] == "table":
        return " ".join(cell for row in block["rows"] for cell in row)
    return str(block.get("text") or block.get("code") or block.get("alt") or "")


def references(definitions: list[dict[str, Any]], stored: dict[str, Any]) -> dict[str, list[str]]:
    """The entry ids each reference field holds (every locale)."""
    out: dict[str, list[str]] = {}
    for field in definitions:
        value = stored.get(field["name"])
        if field["type"] != "reference" or value is None:
            continue
        values = list(value.values()) if field["localized"] else [value]
        ids: list[str] = []
        for item in values:
            ids.extend(item if isinstance(item, list) else [item])
        out[field["name"]] = ids
    return out
