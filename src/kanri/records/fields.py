"""Field types: how each validates and normalises a value, and what it puts in the side index.

Every type has one row in `TYPES`. A validator takes a JSON value (never None: the
caller handles missing and null) and returns the normal form that is stored, or raises
`Invalid(code, message)`. The stored forms are:

| type | stored JSON | side index (text_value / number_value) | unique key |
| --- | --- | --- | --- |
| text, long_text | string as given | text | text |
| email | string, domain lower-cased | lower-cased text | lower-cased |
| phone | E.164 string (`+14155550100`) | text | text |
| url | string (http/https with a host) | text | text |
| number | JSON number | number | canonical decimal |
| currency | `{"amount": "12.50", "currency": "EUR"}` (exact) | code / amount | `EUR 12.5` |
| boolean | true / false | `true` / `false` | - |
| date | `YYYY-MM-DD` | text | text |
| datetime | `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, fixed width: text order = time) | text | text |
| select | one of the options | text | text |
| multi_select | list of distinct options | one row per option | - |
| relation | a record id, or a list of them (`relation_many`) | one row per id | - |
| json | any JSON value up to 64 KiB | - | - |
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from urllib.parse import urlsplit

import phonenumbers
from iso4217 import Currency

FIELD_TYPES: Final = (
    "text",
    "long_text",
    "email",
    "phone",
    "url",
    "number",
    "currency",
    "boolean",
    "date",
    "datetime",
    "select",
    "multi_select",
    "relation",
    "json",
)
# Kept in the side index whatever `indexed` says: a row per element (lists, relations) or
# an exact amount next to its currency code cannot be compared inside the JSON document.
ALWAYS_INDEXED: Final = frozenset({"multi_select", "relation", "currency"})
# Types whose values may be indexed (and so made unique): bounded, comparable values.
INDEXABLE: Final = frozenset(FIELD_TYPES) - {"long_text", "json"}
UNIQUABLE: Final = INDEXABLE - {"boolean", "multi_select", "relation"}
MAX_TEXT: Final = 500
MAX_LONG_TEXT: Final = 100_000
MAX_EMAIL: Final = 254
MAX_URL: Final = 500
MAX_JSON_BYTES: Final = 65_536
MAX_RELATED: Final = 100
MAX_OPTIONS: Final = 200
_EMAIL = re.compile(
    r"^[^@\s\"(),:;<>\[\\\]]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A plain http(s) URL (ASCII host name, optional port, no user info, no white space): what
# the full check below accepts too, without its cost. Anything else takes the full check.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*)(?::\d{1,5})?(?:[/?#]\S*)?")
_RECORD_ID = re.compile(r"^rec_[0-9A-HJKMNP-TV-Z]{26}$")
_INT64: Final = 2**63


class Invalid(Exception):
    """A value the field refuses; `code` is stable, `message` says what to send instead."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, kw_only=True)
class FieldDef:
    """What validation needs to know of a field (built from its row)."""

    id: str
    slug: str
    type: str
    options: tuple[str, ...] = ()
    required: bool = False
    unique: bool = False
    indexed: bool = False
    default: dict[str, Any] | None = None
    relation_object_id: str | None = None
    relation_many: bool = False

    @property
    def side_indexed(self) -> bool:
        """Whether the values of this field are kept in the side index table."""
        return self.indexed or self.unique or self.type in ALWAYS_INDEXED


# --------------------------------------------------------------------------- validators


def _string(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise Invalid("type", f"expected a string, got {_json_type(value)}")
    if len(value) > limit:
        raise Invalid("too_long", f"at most {limit} characters (got {len(value)})")
    return value


def _text(field: FieldDef, value: Any) -> str:
    return _string(value, MAX_TEXT)


def _long_text(field: FieldDef, value: Any) -> str:
    return _string(value, MAX_LONG_TEXT)


def _email(field: FieldDef, value: Any) -> str:
    text = _string(value, MAX_EMAIL).strip()
    if not _EMAIL.match(text):
        raise Invalid("email", f"'{text}' is not an email address such as ada@example.com")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _phone(field: FieldDef, value: Any) -> str:
    text = _string(value, 64).strip()
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise Invalid(
            "phone", f"'{text}' is not a phone number in international form such as +14155550100"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid("phone", f"'{text}' is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _url(field: FieldDef, value: Any) -> str:
    text = _string(value, MAX_URL).strip()
    if _PLAIN_URL.fullmatch(text):
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host or " " in text:
        raise Invalid("url", f"'{text}' is not an http(s) URL such as https://example.com")
    return text


def _number(field: FieldDef, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid("type", f"expected a number, got {_json_type(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("range", "expected a finite number")
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise Invalid("range", "integers are limited to 64 bits")
    return value


def _currency(field: FieldDef, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
        raise Invalid(
            "type", 'expected {"amount": "12.50", "currency": "EUR"} (amount and ISO 4217 code)'
        )
    code = value["currency"]
    currency = None
    if isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code):
        currency = getattr(Currency, code, None)
    if currency is None:
        raise Invalid("currency", f"{code!r} is not an ISO 4217 currency code such as EUR")
    raw = value["amount"]
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise Invalid("amount", 'amount must be a decimal string such as "12.50" or a number')
    try:
        # A JSON number is read through its shortest repr, so 12.3 is exactly 12.3.
        amount = Decimal(raw if isinstance(raw, str) else repr(raw))
    except InvalidOperation:
        raise Invalid("amount", f"'{raw}' is not a decimal amount") from None
    if not amount.is_finite():
        raise Invalid("amount", "amount must be a finite decimal")
    places = currency.exponent if currency.exponent is not None else 6
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise Invalid("amount", f"{code} amounts have at most {places} decimal places")
    if abs(amount) >= Decimal(10) ** 15:
        raise Invalid("amount", "amount must be below 10^15 in absolute value")
    quantum = Decimal(1).scaleb(-places)
    return {"amount": str(amount.quantize(quantum)), "currency": code}


def _boolean(field: FieldDef, value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("type", f"expected true or false, got {_json_type(value)}")
    return value


def _date(field: FieldDef, value: Any) -> str:
    text = _string(value, 10)
    try:
        if not _DATE.match(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid("date", f"'{text}' is not a date in the form YYYY-MM-DD") from None
    return day.isoformat()


def canonical_datetime(moment: datetime) -> str:
    """The stored form of an aware datetime: UTC, microseconds, fixed width, `Z`."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def _datetime(field: FieldDef, value: Any) -> str:
    text = _string(value, 40)
    raw = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        if "T" not in raw.upper():
            raise ValueError
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid(
            "datetime",
            f"'{text}' is not an RFC 3339 date-time with an offset, e.g. 2026-01-01T09:30:00Z",
        )
    try:
        return canonical_datetime(moment)
    except OverflowError:
        raise Invalid("datetime", f"'{text}' lies outside the years 0001-9999 in UTC") from None


def _select(field: FieldDef, value: Any) -> str:
    text = _string(value, MAX_TEXT)
    if text not in field.options:
        raise Invalid("option", f"'{text}' is not one of the options: {', '.join(field.options)}")
    return text


def _multi_select(field: FieldDef, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise Invalid("type", f"expected a list of options, got {_json_type(value)}")
    chosen: list[str] = []
    for item in value:
        option = _select(field, item)
        if option in chosen:
            raise Invalid("duplicate", f"'{option}' is listed twice")
        chosen.append(option)
    return chosen


def _record_id(value: Any) -> str:
    if not isinstance(value, str) or not _RECORD_ID.match(value):
        raise Invalid("relation", f"expected a record id such as rec_01J…, got {value!r}")
    return value


def _relation(field: FieldDef, value: Any) -> str | list[str]:
    if not field.relation_many:
        return _record_id(value)
    if not isinstance(value, list):
        raise Invalid("type", f"expected a list of record ids, got {_json_type(value)}")
    if len(value) > MAX_RELATED:
        raise Invalid("too_many", f"at most {MAX_RELATED} related records")
    ids: list[str] = []
    for item in value:
        record_id = _record_id(item)
        if record_id in ids:
            raise Invalid("duplicate", f"'{record_id}' is listed twice")
        ids.append(record_id)
    return ids


def _json(field: FieldDef, value: Any) -> Any:
    size = len(json.dumps(value, ensure_ascii=False).encode())
    if size > MAX_JSON_BYTES:
        raise Invalid("too_long", f"at most {MAX_JSON_BYTES} bytes of JSON (got {size})")
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


Validator = Callable[[FieldDef, Any], Any]
TYPES: Final[dict[str, Validator]] = {
    "text": _text,
    "long_text": _long_text,
    "email": _email,
    "phone": _phone,
    "url": _url,
    "number": _number,
    "currency": _currency,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "select": _select,
    "multi_select": _multi_select,
    "relation": _relation,
    "json": _json,
}


def normalise(field: FieldDef, value: Any) -> Any:
    """The stored form of `value` (not None) for `field`; raises `Invalid`."""
    return TYPES[field.type](field, value)


def check_value(kind: str, value: Any, *, options: tuple[str, ...] = ()) -> Any:
    """The stored form of `value` (not None) for a field of type `kind` (one of
    `FIELD_TYPES` but `relation`) with these select options; raises `Invalid`. For other
    features that keep typed values of their own (the CMS's content types)."""
    return TYPES[kind](FieldDef(id="", slug="", type=kind, options=options), value)


def convert(field: FieldDef, value: Any) -> Any:
    """`value` stored under another type, read as `field`'s type (a type change): numbers and
    booleans become text and numeric text becomes a number where the plain check refuses."""
    try:
        return normalise(field, value)
    except Invalid:
        if field.type in ("text", "long_text") and isinstance(value, int | float):
            return normalise(field, json.dumps(value))
        if field.type == "number" and isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                pass
            else:
                if number.is_finite():
                    as_int = int(number)
                    return normalise(field, as_int if number == as_int else float(number))
        if field.type == "multi_select" and isinstance(value, str):
            return normalise(field, [value])
        raise


# --------------------------------------------------------------------------- side index


def _number_key(value: int | float) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def index_entries(field: FieldDef, value: Any) -> list[tuple[str | None, float | None]]:
    """The (text_value, number_value) rows of a stored value in the side index."""
    kind = field.type
    if kind in ("multi_select",) or (kind == "relation" and isinstance(value, list)):
        return [(str(item), None) for item in value]
    if kind == "number":
        return [(None, float(value))]
    if kind == "currency":
        return [(value["currency"], float(value["amount"]))]
    if kind == "boolean":
        return [("true" if value else "false", None)]
    if kind == "email":
        return [(str(value).lower(), None)]
    return [(str(value), None)]


def unique_key(field: FieldDef, value: Any) -> str:
    """The normal form two values of a unique field share exactly when they clash."""
    kind = field.type
    if kind == "number":
        return _number_key(value)
    if kind == "currency":
        return f"{value['currency']} {Decimal(value['amount']).normalize():f}"
    if kind == "email":
        return str(value).lower()
    return str(value)
