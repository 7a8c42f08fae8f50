"""AI drafts: `POST /v1/content/entries:generate` starts an engine run whose `llm` step asks
a model for JSON matching the type's schema (`response_format` on OpenAI-compatible
providers; the answer is checked against the schema either way), and whose
`content.draft` step saves the answer as a new draft entry linked to the run
(`generated_by_run_id`). Nothing is published automatically; the run carries the usage and
cost of the call, and the project's run policies apply to it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kanri.content import schemas
from kanri.content.type_service import check_locale, locales_of, type_named
from kanri.core.auth import Principal
from kanri.core.errors import FieldError, ValidationFailed
from kanri.runs.schemas import Run
from kanri.runs.service import create_run

DRAFT_KIND = "content.draft"
# Field types a model is asked for: ids of assets and entries are not a model's to invent.
_ASKED: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "maxLength": 500},
    "markdown": {"type": "string"},
    "slug": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "datetime": {"type": "string"},
    "email": {"type": "string"},
    "url": {"type": "string"},
    "json": {},
    "rich_text": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "type": {"enum": ["paragraph", "heading"]},
                "text": {"type": "string"},
                "level": {"type": "integer", "minimum": 1, "maximum": 6},
            },
            "required": ["type", "text"],
            "additionalProperties": False,
        },
    },
}


def output_schema(fields: list[dict[str, Any]], only: list[str] | None) -> dict[str, Any]:
    """The JSON Schema of the values a model writes for these fields."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in fields:
        kind = field["type"]
        if (only and field["name"] not in only) or (
            kind not in _ASKED and kind not in ("select", "multi_select")
        ):
            continue
        if kind == "select":
            schema: dict[str, Any] = {"enum": list(field["options"])}
        elif kind == "multi_select":
            schema = {"type": "array", "items": {"enum": list(field["options"])}}
        else:
            schema = dict(_ASKED[kind])
        properties[field["name"]] = schema
        if field["required"]:
            required.append(field["name"])
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def start(tx: Session, who: Principal, body: schemas.GenerateRequest) -> Run:
    """A pending run that drafts an entry of `body.type` from `body.brief`."""
    type_ = type_named(tx, who, body.type, "body.type")
    locale = check_locale(locales_of(tx, who), body.locale, "body.locale")
    names = {f["name"] for f in type_.fields}
    unknown = [name for name in body.fields or [] if name not in names]
    if unknown:
        raise ValidationFailed(
            "unknown fields",
            errors=[
                FieldError(f"body.fields.{n}", f"no field '{n}'", "unknown_field") for n in unknown
            ],
        )
    schema = output_schema(type_.fields, body.fields)
    llm: dict[str, Any] = {
        "id": "draft",
        "kind": "llm",
        "provider": body.provider,
        "system": "You write content for a headless CMS. Answer with one JSON object only, "
        "matching the schema you are given, in the language of the locale named.",
        "prompt": (
            f"Content type: {type_.name} ({type_.slug}). Locale: {locale}.\n"
            "JSON Schema of the answer: {{ inputs.schema | tojson }}\n\n"
            "Brief:\n{{ inputs.brief }}"
        ),
        "output_schema": schema,
    }
    if body.model:
        llm["model"] = body.model
    save = {
        "id": "save",
        "kind": DRAFT_KIND,
        "type": type_.id,
        "locale": locale,
        "from_step": "draft",
    }
    if body.slug:
        save["slug"] = body.slug
    return create_run(
        tx,
        who,
        definition={"steps": [llm, save], "timeout_seconds": 600},
        inputs={"brief": body.brief, "schema": schema},
        labels={"kanri.content.type": type_.id, "kanri.action": "content.generate"},
    )
