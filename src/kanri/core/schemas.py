"""Pydantic types shared by every feature's public contract."""

from __future__ import annotations

import functools
import json
import re
import types
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from kanri.core.pagination import Page

T = TypeVar("T")

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$"),
    Field(description="lowercase letters, digits and dashes; 1-63 characters", examples=["ops"]),
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# An absolute http(s) URL with a host and no user name; `core.net.check_url` checks the rest
# (and the SSRF guard) when it is saved.
HttpUrlText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=2000,
        pattern=r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+(?:[/?#]\S*)?\s*$",
    ),
]
# Integers of request bodies are bounded so that none reaches a database column it overflows.
MAX_VERSION = 2**31 - 1
VersionNumber = Annotated[int, Field(ge=1, le=MAX_VERSION)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


def _one_version_error(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "version", f"a version number from 1 to {MAX_VERSION}, or 'draft'"
        ) from None


# Which version to run: one error on the field itself, not one per member of the union.
VersionChoice = Annotated[
    VersionNumber | Literal["draft"] | None, WrapValidator(_one_version_error)
]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2030-01-01T00:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("lies outside the years 0001-9999 in UTC") from None


_NUMBER = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*")


def text_or_datetime(value: Any) -> Any:
    """Before a datetime field: RFC 3339 text only, not pydantic's lax numbers of seconds
    (`0.5`, `"1700000000"`), which the document does not allow."""
    if isinstance(value, datetime) or (isinstance(value, str) and not _NUMBER.fullmatch(value)):
        return value
    raise PydanticCustomError("datetime_type", "an RFC 3339 date-time string")


# A time written as RFC 3339 text (an offset optional: without one, the reader decides).
DatetimeText = Annotated[datetime, BeforeValidator(text_or_datetime)]
# An RFC 3339 string in requests (never a number of seconds), a datetime in code.
UtcDatetime = Annotated[
    datetime, Field(strict=False), BeforeValidator(text_or_datetime), AfterValidator(_utc)
]


def given(
    field: str, schema: dict[str, Any] | None = None, *, absent: tuple[str, ...] = ()
) -> dict[str, Any]:
    """JSON Schema of an object in which `field` is present and not null (and matches
    `schema`) and the `absent` fields are missing or null: what a model validator's
    `is None` checks ask, for `json_schema_extra`."""
    properties: dict[str, Any] = {field: {"not": {"type": "null"}, **(schema or {})}}
    properties.update({other: {"type": "null"} for other in absent})
    return {"required": [field], "properties": properties}


def exactly_one_of(*fields: str) -> dict[str, Any]:
    """JSON Schema of an object giving exactly one of `fields` (present and not null)."""
    return {
        "oneOf": [
            given(field, absent=tuple(other for other in fields if other != field))
            for field in fields
        ]
    }


@dataclass(frozen=True)
class DecimalText:
    """`Annotated[Decimal, Field(ge=…, le=…), DecimalText(pattern)]`: a decimal sent as a
    JSON number within the bounds, or as its exact text (`"0.15"`), which must match
    `pattern`, a regular expression of the same range. The document says both, so what it
    allows is what is accepted (pydantic alone documents any string and parses `"1e3"`)."""

    pattern: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        text = re.compile(self.pattern)

        def check(value: Any) -> Any:
            if isinstance(value, str) and not text.fullmatch(value):
                raise PydanticCustomError(
                    "decimal_text",
                    "a decimal in the documented range: a JSON number or digits such as '0.15'",
                )
            return value

        return core_schema.no_info_before_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        document = handler(schema)
        for branch in document.get("anyOf", [document]):
            if branch.get("type") == "string":
                branch["pattern"] = self.pattern
        return document


def _nul_free(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string holding a NUL character, if any."""
    if not path:
        # One C-speed pass over the whole value first: a NUL is escaped as \u0000 in JSON
        # text (a false alarm such as a literal backslash-u0000 is settled by the walk).
        try:
            if "\\u0000" not in json.dumps(value, ensure_ascii=False):
                return None
        except (TypeError, ValueError):
            pass  # not plain JSON (a model instance, say): walk it
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = _nul_free(key, where) if isinstance(key, str) else None
            found = found or _nul_free(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_free(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def examples(*items: dict[str, Any], schema: dict[str, Any] | None = None) -> ConfigDict:
    """`model_config` of a request body shown with these examples in the API document
    (`schema`: more of the body's JSON Schema, e.g. `exactly_one_of(...)`)."""
    return ConfigDict(json_schema_extra={**(schema or {}), "examples": list(items)})


class Model(BaseModel):
    """Base of request bodies: unknown fields are errors, not silently dropped; values have
    the JSON types the document gives them (strict: no `0` for false, no `"5"` for 5; the
    types that JSON carries as text, date-times and decimals, say so; an integer may be
    written `5.0`, which JSON Schema counts as one); no string may hold a NUL character
    (PostgreSQL text cannot store one)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _integral_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        written = {
            key: int(value)
            for key in _integer_fields(cls)
            if isinstance(value := data.get(key), float) and value.is_integer()
        }
        return {**data, **written} if written else data

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        where = _nul_free(data)
        if where is not None:
            raise PydanticCustomError(
                "nul_character", "NUL characters are not allowed (at {where})", {"where": where}
            )
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        document = handler.resolve_ref_schema(handler(schema))
        for field in document.get("properties", {}).values():
            _nul_free_strings(field)
        return document


@functools.cache
def _integer_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The names (as sent) of `model`'s fields that take an integer."""
    return tuple(
        field.alias or name
        for name, field in model.model_fields.items()
        if _takes_integer(field.annotation)
    )


def _takes_integer(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) is Annotated:
        return _takes_integer(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_takes_integer(member) for member in get_args(annotation))
    return False


# The document's form of `_no_nul` for the strings a model types (free-form JSON values
# cannot say it): no NUL anywhere in the text.
NUL_FREE = r"^[^\u0000]*$"


def _nul_free_strings(schema: dict[str, Any]) -> None:
    """Give every plain string of `schema` (a field's) the NUL-free pattern, and every map
    NUL-free keys; strings with a pattern, a format or fixed values say more already."""
    for branch in schema.get("anyOf", []):
        _nul_free_strings(branch)
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = NUL_FREE
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _nul_free_strings(schema["items"])
    elif schema.get("type") == "object" and "properties" not in schema:
        schema.setdefault("propertyNames", {"pattern": NUL_FREE})
        values = [schema.get("additionalProperties"), *schema.get("patternProperties", {}).values()]
        for value in values:
            if isinstance(value, dict):
                _nul_free_strings(value)


class Resource(BaseModel):
    """Base of response bodies, built from rows."""

    model_config = ConfigDict(from_attributes=True)


class ListResponse(BaseModel, Generic[T]):
    """A page of a list endpoint."""

    data: list[T]
    next_page_token: str | None = Field(
        default=None, description="pass as page_token for the next page; null on the last"
    )
    total_size: int | None = Field(default=None, description="all matches, when include_total")

    @classmethod
    def of(cls, page: Page[T]) -> ListResponse[T]:
        """The response body for a service's page."""
        return cls(
            data=page.items, next_page_token=page.next_page_token, total_size=page.total_size
        )
