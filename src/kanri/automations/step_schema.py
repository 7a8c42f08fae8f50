"""The API document's schema of a definition's steps: one object per registered step kind,
told apart by `kind`.

The server keeps a definition's steps as free objects and checks each against its kind's
configuration when the definition is saved (`validation.py`); the document shows the same
rules: the fields every step has, the kind's own fields with their bounds and defaults, and,
in place of any of the kind's fields, a template (checked when the step runs, rendered).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import models_json_schema

from kanri.automations.schemas import RetryPolicy
from kanri.engine.registry import StepConfig, kinds

TEMPLATE: dict[str, Any] = {
    "type": "string",
    "pattern": r"\{\{|\{%",
    "description": "a template (`{{ … }}`, `{% … %}`), rendered when the step runs",
}
_ANNOTATIONS = ("title", "description", "default", "examples")
_ANY_STRING = {"type": "string"}
_MODELS: dict[tuple[str, type[StepConfig]], type[BaseModel]] = {}


def step_model(name: str, config: type[StepConfig]) -> type[BaseModel]:
    """A step of kind `name` as the document shows it: the fields every step has and the
    kind's configuration (one model per kind, made once)."""
    model = _MODELS.get((name, config))
    if model is None:
        common: dict[str, Any] = {
            "id": (str, Field(min_length=1, description="unique in the definition; not `end`")),
            "kind": (Literal[name], ...),
            "retry": (RetryPolicy | None, None),
        }
        if "timeout_seconds" not in config.model_fields:  # else the kind's own
            common["timeout_seconds"] = (float | None, Field(default=None, gt=0, le=86_400))
        title = "".join(part.capitalize() for part in name.split(".")) + "Step"
        model = create_model(title, __base__=config, __doc__=config.__doc__, **common)
        _MODELS[(name, config)] = model
    return model


def _templated(schema: dict[str, Any]) -> dict[str, Any]:
    """A configuration field's schema that also takes a template in place of its value."""
    core = {k: v for k, v in schema.items() if k not in _ANNOTATIONS}
    choices = core["anyOf"] if set(core) == {"anyOf"} else [core]
    if not core or _ANY_STRING in choices:  # anything, or any string, already
        return schema
    notes = {k: v for k, v in schema.items() if k in _ANNOTATIONS}
    return {"anyOf": [*choices, TEMPLATE], **notes}


def document_steps(document: dict[str, Any], definition: str = "Definition") -> None:
    """Give the schema `definition` of an OpenAPI document its steps: a union on `kind` of
    every registered kind's step, each a schema of `components`."""
    registered = sorted(kinds().items())
    models = [step_model(name, kind.config) for name, kind in registered]
    refs, defs = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = document["components"]["schemas"]
    for key, schema in defs.get("$defs", {}).items():
        if key in schemas and schemas[key] != schema:
            raise ValueError(f"the document already has another schema named {key}")
        schemas[key] = schema
    mapping: dict[str, str] = {}
    for (name, kind), model in zip(registered, models, strict=True):
        ref = refs[(model, "validation")]["$ref"]
        variant = schemas[ref.rsplit("/", 1)[1]]
        own = {field.alias or key for key, field in kind.config.model_fields.items()}
        properties = variant["properties"]
        first = {key: properties.pop(key) for key in ("id", "kind")}
        variant["properties"] = first | {
            key: _templated(value) if key in own else value for key, value in properties.items()
        }
        mapping[name] = ref
    steps = schemas[definition]["properties"]["steps"]
    steps["items"] = {
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "kind", "mapping": mapping},
    }
