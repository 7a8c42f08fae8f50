"""Public contract of objects, fields and records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StringConstraints

from kanri.core.pagination import MAX_PAGE_SIZE, MAX_PAGE_TOKEN
from kanri.core.schemas import Description, DisplayName, Model, Ref, Resource, Slug, examples, given
from kanri.records.fields import FIELD_TYPES, INDEXABLE, MAX_OPTIONS, UNIQUABLE

FieldType = Literal[
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
]
if set(get_args(FieldType)) != set(FIELD_TYPES):  # the two lists stay in step
    raise RuntimeError("schemas.FieldType and fields.FIELD_TYPES differ")

FieldSlug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$"),
    Field(
        description="lowercase letters, digits and underscores, starting with a letter; "
        "the key in `field_values` and the name in filters",
        examples=["email"],
    ),
]
Option = Annotated[str, StringConstraints(min_length=1, max_length=500)]
MAX_BATCH = 500
FieldValues = Annotated[
    dict[str, Any],
    Field(description="field slug → value", max_length=500, examples=[{"name": "Ada"}]),
]


class ObjectCreate(Model):
    model_config = examples({"slug": "companies", "name": "Companies", "description": "Customers"})

    slug: Slug
    name: DisplayName
    description: Description = ""


class ObjectUpdate(Model):
    slug: Slug | None = None
    name: DisplayName | None = None
    description: Description | None = None


class RelationSpec(Model):
    object: Ref = Field(description="the related object's slug or id")
    many: bool = Field(default=False, description="a list of records rather than one")


_SELECTS = ["select", "multi_select"]
# The document's form of the field service's shape checks (`_check_shape`): which options,
# relation, index, uniqueness and default each type takes.
_FIELD_SHAPE: dict[str, Any] = {
    "allOf": [
        {
            "if": {"properties": {"type": {"enum": _SELECTS}}},
            "then": {
                "required": ["options"],
                "properties": {"options": {"minItems": 1, "uniqueItems": True}},
            },
            "else": {"properties": {"options": {"maxItems": 0}}},
        },
        {
            "if": {"properties": {"type": {"const": "relation"}}},
            "then": given("relation"),
            "else": {"properties": {"relation": {"type": "null"}}},
        },
        {
            "if": {"properties": {"type": {"not": {"enum": sorted(INDEXABLE)}}}},
            "then": {"properties": {"indexed": {"const": False}}},
        },
        {
            "if": {"properties": {"type": {"not": {"enum": sorted(UNIQUABLE)}}}},
            "then": {"properties": {"unique": {"const": False}}},
        },
        {
            "if": {
                "anyOf": [
                    {"required": ["unique"], "properties": {"unique": {"const": True}}},
                    {"properties": {"type": {"const": "relation"}}},
                ]
            },
            "then": {"properties": {"default": {"type": "null"}}},
        },
    ]
}


class FieldCreate(Model):
    model_config = examples(
        {"slug": "email", "name": "Email", "type": "email", "unique": True, "indexed": True},
        schema=_FIELD_SHAPE,
    )

    slug: FieldSlug
    name: DisplayName
    type: FieldType
    description: Description = ""
    options: list[Option] = Field(
        default_factory=list, max_length=MAX_OPTIONS, description="select and multi_select only"
    )
    required: bool = False
    unique: bool = Field(default=False, description="no two live records share a value")
    indexed: bool = Field(default=False, description="filters on it use an index")
    default: Any = Field(default=None, description="value of records created without one")
    relation: RelationSpec | None = Field(default=None, description="relation fields only")


class FieldUpdate(Model):
    """Changes to a field. A new type, `required` or `unique` is checked against every record
    (409 with examples when some would not fit)."""

    slug: FieldSlug | None = None
    name: DisplayName | None = None
    type: FieldType | None = None
    description: Description | None = None
    options: list[Option] | None = Field(default=None, max_length=MAX_OPTIONS)
    required: bool | None = None
    unique: bool | None = None
    indexed: bool | None = None
    default: Any = Field(default=None, description="a new default; null removes it")


class Relation(Resource):
    object_id: str
    many: bool


class ObjectField(Resource):
    id: str
    object_id: str
    slug: str
    name: str
    description: str
    type: FieldType
    options: list[str]
    required: bool
    unique: bool
    indexed: bool = Field(description="true when filters use the side index")
    default: Any = None
    has_default: bool
    relation: Relation | None
    create_time: datetime
    update_time: datetime


class RecordObject(Resource):
    id: str
    project_id: str
    slug: str
    name: str
    description: str
    fields: list[ObjectField]
    create_time: datetime
    update_time: datetime


class RecordWrite(Model):
    model_config = examples({"field_values": {"name": "Ada Lovelace", "email": "ada@example.com"}})

    field_values: FieldValues


class Record(Resource):
    id: str
    object_id: str
    object: str = Field(description="the object's slug")
    field_values: dict[str, Any] = Field(
        description="field slug → value; with `expand`, relation values are records"
    )
    create_time: datetime
    update_time: datetime
    deleted_time: datetime | None = Field(description="set while the record is deleted")


class RecordQuery(Model):
    filter: str | None = Field(default=None, max_length=20_000, description="AIP-160 filter")
    order_by: str | None = Field(default=None, max_length=500)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    page_token: str | None = Field(default=None, max_length=MAX_PAGE_TOKEN)
    include_total: bool = False
    show_deleted: bool = False
    expand: list[FieldSlug] = Field(default_factory=list, max_length=20)


class BatchCreate(Model):
    model_config = examples(
        {
            "records": [
                {"field_values": {"name": "Ada Lovelace", "email": "ada@example.com"}},
                {"field_values": {"name": "Grace Hopper", "email": "grace@example.com"}},
            ],
            "atomic": False,
        }
    )

    records: list[RecordWrite] = Field(min_length=1, max_length=MAX_BATCH)
    atomic: bool = Field(default=True, description="all or nothing; false: per-item results")


class RecordPatch(Model):
    id: Ref
    field_values: FieldValues


class BatchUpdate(Model):
    records: list[RecordPatch] = Field(min_length=1, max_length=MAX_BATCH)
    atomic: bool = True


class RecordRef(Model):
    id: Ref


class BatchDelete(Model):
    records: list[RecordRef] = Field(min_length=1, max_length=MAX_BATCH)
    atomic: bool = True


class ItemError(Resource):
    status: int
    code: str
    detail: str
    errors: list[dict[str, str]] = Field(default_factory=list)
    conflicting_id: str | None = None


class BatchItem(Resource):
    """One item's outcome in a non-atomic batch."""

    index: int
    ok: bool
    record: Record | None = None
    error: ItemError | None = None


class RecordBatchResult(Resource):
    data: list[Record] | list[BatchItem]
