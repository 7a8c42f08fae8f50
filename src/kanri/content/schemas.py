"""Public contract of content types, locales, entries and their versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StringConstraints

from kanri.content.fields import FIELD_TYPES
from kanri.core.schemas import (
    Description,
    DisplayName,
    Model,
    Resource,
    Slug,
    UtcDatetime,
    examples,
)

FieldType = Literal[
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
]
if set(get_args(FieldType)) != set(FIELD_TYPES):  # the two lists stay in step
    raise RuntimeError("schemas.FieldType and fields.FIELD_TYPES differ")

FieldName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$"),
    Field(
        description="lowercase letters, digits and underscores, starting with a letter: the "
        "key in `fields` and the name in filters (`fields.<name>`)",
        examples=["title"],
    ),
]
Locale = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$"),
    Field(description="a BCP 47 language tag", examples=["de-CH"]),
]
EntrySlug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200),
    Field(description="lowercase words joined by dashes, unique per type", examples=["hello"]),
]
Option = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Labels = Annotated[
    dict[str, Annotated[str, StringConstraints(max_length=200)]],
    Field(max_length=50, description="label → value", examples=[{"team": "web"}]),
]
Status = Literal["draft", "published", "scheduled", "archived"]


class ContentField(Model):
    name: FieldName
    type: FieldType
    required: bool = Field(default=False, description="publishing needs a value")
    unique: bool = Field(default=False, description="no two entries of the type share a value")
    localized: bool = Field(default=False, description="one value per locale")
    default: Any = Field(default=None, description="the value of a new entry that gives none")
    options: Annotated[list[Option], Field(max_length=200)] = Field(
        default_factory=list,
        description="select, multi_select: the choices; reference: the type slugs it may point "
        "at (empty: any type)",
    )
    many: bool = Field(default=False, description="asset, reference: a list of ids")


Fields = Annotated[list[ContentField], Field(max_length=200)]


class TypeCreate(Model):
    model_config = examples(
        {
            "slug": "page",
            "name": "Page",
            "fields": [
                {"name": "title", "type": "text", "required": True, "localized": True},
                {"name": "body", "type": "rich_text", "localized": True},
            ],
        }
    )

    slug: Slug
    name: DisplayName
    description: Description = ""
    fields: Fields = Field(default_factory=list)


class TypeUpdate(Model):
    name: DisplayName | None = None
    description: Description | None = None
    fields: Fields | None = None
    force: bool = Field(
        default=False, description="apply a field change even when entries would become invalid"
    )


class ContentType(Resource):
    id: str
    project_id: str
    environment_id: str | None
    slug: str
    name: str
    description: str
    fields: list[dict[str, Any]]
    create_time: datetime
    update_time: datetime


class Locales(Model):
    model_config = examples({"default": "en", "locales": ["en", "de"]})

    default: Locale
    locales: Annotated[list[Locale], Field(min_length=1, max_length=100)]


FieldValues = Annotated[
    dict[str, Any],
    Field(description="field name → value", max_length=200, examples=[{"title": "Hello"}]),
]


class ContentEntryCreate(Model):
    model_config = examples(
        {"type": "page", "slug": "hello", "fields": {"title": "Hello"}, "labels": {"team": "web"}}
    )

    type: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="the content type's slug or id"
    )
    slug: EntrySlug
    fields: FieldValues = Field(default_factory=dict)
    labels: Labels = Field(default_factory=dict)
    locale: Locale | None = Field(
        default=None, description="the locale of localized values (default: the default)"
    )


class ContentEntryUpdate(Model):
    slug: EntrySlug | None = None
    fields: FieldValues | None = Field(
        default=None, description="the fields to change; null removes a value"
    )
    labels: Labels | None = None
    locale: Locale | None = None


class PublishRequest(Model):
    publish_at: UtcDatetime | None = Field(
        default=None, description="publish at this time instead of now (status `scheduled`)"
    )


class ContentEntry(Resource):
    id: str
    project_id: str
    environment_id: str | None
    type: str
    type_id: str
    slug: str
    status: Status
    labels: dict[str, Any]
    locale: str
    fields: dict[str, Any]
    fallback_fields: list[str] = Field(
        description="localized fields that had no value in `locale` and show the default's"
    )
    version: int = Field(description="the draft's version number")
    published_version: int | None
    published_time: datetime | None
    publish_at: datetime | None
    scheduled_run_id: str | None = Field(
        default=None, description="status scheduled: the run that publishes at `publish_at`"
    )
    generated_by_run_id: str | None
    references: dict[str, Any] | None = Field(
        default=None, description="with expand=references: the referenced entries by id"
    )
    etag: str
    create_time: datetime
    update_time: datetime


class Version(Resource):
    entry_id: str
    number: int
    slug: str
    labels: dict[str, Any]
    fields: dict[str, Any] = Field(description="the stored fields (localized: per locale)")
    changed: list[str] = Field(description="the fields (and slug, labels) this save changed")
    author: str
    create_time: datetime


class VersionDiff(Resource):
    entry_id: str
    from_version: int
    to_version: int
    patch: list[dict[str, Any]] = Field(description="RFC 6902 JSON Patch from one to the other")


class PublicEntry(Resource):
    id: str
    type: str
    slug: str
    locale: str
    fields: dict[str, Any]
    fallback_fields: list[str]
    labels: dict[str, Any]
    version: int
    published_time: datetime


class Asset(Resource):
    id: str
    project_id: str
    filename: str
    content_type: str = Field(description="sniffed from the bytes, not the file name")
    size: int
    sha256: str
    width: int | None = Field(description="images: pixels")
    height: int | None
    create_time: datetime


class GenerateRequest(Model):
    model_config = examples(
        {"type": "page", "brief": "A short page about our tea shop", "provider": "openai"}
    )

    type: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="the content type's slug or id"
    )
    brief: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] = Field(
        description="what the entry should say"
    )
    provider: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="the model provider (id or name) to write with"
    )
    model: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="default: the provider's"
    )
    locale: Locale | None = None
    fields: Annotated[list[FieldName], Field(max_length=200)] | None = Field(
        default=None, description="only these fields (default: every field a model can write)"
    )
    slug: EntrySlug | None = Field(
        default=None, description="the draft's slug (default: `generated-` and the run's id)"
    )
