"""Generate the Python SDK's models and resources from kanri's OpenAPI document.

`python -m tools.gen_client` (or `make client`) writes `src/kanri/client/models.py` (one
pydantic model per component schema) and `src/kanri/client/_resources.py` (one class per
API area, sync and async, one method per operation) from `create_app().openapi()`.
tests/client/test_generated.py fails when the committed files differ from a new run.
The convenience methods (`runs.start`, `runs.stream`, `knowledge.upload`) are written by
hand in `src/kanri/client/_extras.py`, which the generated classes inherit from.
"""

from __future__ import annotations

import keyword
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
CLIENT = ROOT / "src" / "kanri" / "client"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# The API areas: the longest prefix of an operationId names the resource attribute.
RESOURCES = (
    "projects",
    "environments",
    "api_keys",
    "audit_logs",
    "automations",
    "runs",
    "workers",
    "exceptions",
    "approvals",
    "schedules",
    "events",
    "event_types",
    "webhooks",
    "objects",
    "records",
    "policies",
    "governance",
    "policy_exceptions",
    "external_executions",
    "providers",
    "agents",
    "threads",
    "prices",
    "costs",
    "budgets",
    "openai",
    "judges",
    "knowledge",
)
SPECIAL = {"health_get": ("system", "health"), "ready_get": ("system", "ready")}
SPECIAL["metrics_get"] = ("system", "metrics")
# Resources with hand-written methods (src/kanri/client/_extras.py).
EXTRAS = {"runs": "Runs", "knowledge": "Knowledge"}
# Names a pydantic model cannot take as a field (BaseModel's own attributes).
RESERVED_FIELDS = {
    "copy",
    "dict",
    "json",
    "schema",
    "schema_json",
    "construct",
    "validate",
    "parse_obj",
    "parse_raw",
    "parse_file",
    "from_orm",
    "update_forward_refs",
    "fields",
}


def class_name(ref_or_name: str) -> str:
    # `Decision-Input` / `Decision-Output`: pydantic's two sides of one model.
    name = re.sub(r"\W", "", ref_or_name.rsplit("/", 1)[-1])
    match = re.fullmatch(r"kanri__(\w+?)__schemas__(\w+)", name)
    if match:
        return match.group(1).capitalize() + match.group(2)
    return name


def py_name(name: str) -> str:
    out = re.sub(r"\W", "_", name)
    if keyword.iskeyword(out) or out in RESERVED_FIELDS or out[0].isdigit():
        out += "_"
    return out


class Types:
    """JSON Schema → Python annotation (`models.` prefixed outside models.py)."""

    def __init__(self, prefix: str, request: bool) -> None:
        self.prefix = prefix
        self.request = request
        self.enums: set[str] = set()
        # a resource's `list` method would shadow the builtin in its class
        self.list = "builtins.list" if request else "list"

    def of(self, schema: dict[str, Any]) -> str:
        if "$ref" in schema:
            name = class_name(schema["$ref"])
            if self.request and name not in self.enums:
                return f"{self.prefix}{name} | dict[str, Any]"
            return self.prefix + name
        for key in ("anyOf", "oneOf"):
            if key in schema:
                parts: list[str] = []
                for member in schema[key]:
                    for part in self.of(member).split(" | "):
                        if part not in parts:
                            parts.append(part)
                if "None" in parts:
                    parts = [p for p in parts if p != "None"] + ["None"]
                return " | ".join(parts)
        if "allOf" in schema:
            return self.of(schema["allOf"][0]) if len(schema["allOf"]) == 1 else "Any"
        if "const" in schema:
            return f"Literal[{schema['const']!r}]"
        if "enum" in schema:
            return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
        kind = schema.get("type")
        if kind == "string":
            return "datetime" if schema.get("format") == "date-time" else "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            return f"{self.list}[{self.of(schema.get('items', {}))}]"
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra and "properties" not in schema:
                return f"dict[str, {self.of(extra)}]"
            return "dict[str, Any]"
        return "Any"


def _doc(text: str | None, indent: str) -> list[str]:
    if not text:
        return []
    first = " ".join(text.split()).replace("\\", "\\\\").replace('"""', "'''")
    return [f'{indent}"""{first}"""']


def gen_models(doc: dict[str, Any]) -> str:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    types = Types("", request=False)
    lines = [
        '"""Models of kanri\'s API, generated from its OpenAPI document by tools/gen_client.py',
        '(`make client`): do not edit by hand."""',
        "",
        "# ruff: noqa: E501",
        "from __future__ import annotations",
        "",
        "from datetime import datetime",
        "from typing import Any, Literal",
        "",
        "from pydantic import BaseModel, ConfigDict, Field",
        "",
        "",
        "class KanriModel(BaseModel):",
        '    """Base of every model: fields kanri adds later are kept (`extra="allow"`); each',
        "    model builds its validator when first used (`defer_build`), so that importing",
        '    the SDK (and starting `kanri`) does not build two hundred of them."""',
        "",
        '    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)',
        "",
    ]
    aliases: list[str] = []
    classes: list[str] = []
    for raw, schema in schemas.items():
        name = class_name(raw)
        if "properties" not in schema:
            types.enums.add(name)
            aliases.append(f"{name} = {types.of(schema)}")
            continue
        body = [f"class {name}(KanriModel):"]
        body += _doc(schema.get("description") or schema.get("title"), "    ")
        body.append("")
        required = set(schema.get("required", []))
        for prop, sub in schema["properties"].items():
            field = py_name(prop)
            annotation = types.of(sub)
            args: list[str] = []
            if prop not in required:
                args.append("default=None")
                if not annotation.endswith("None") and annotation != "Any":
                    annotation += " | None"
            if field != prop:
                args.append(f"alias={prop!r}")
            if args:
                body.append(f"    {field}: {annotation} = Field({', '.join(args)})")
            else:
                body.append(f"    {field}: {annotation}")
        classes.append("\n".join(body))
    lines += ["", *aliases, "", ""]
    lines.append("\n\n\n".join(classes))
    return "\n".join(lines) + "\n"


def _response(op: dict[str, Any]) -> tuple[str, str | None]:
    """(kind, model): kind is json, page, none, text or sse."""
    for status in ("200", "201", "202", "204"):
        answer = op["responses"].get(status)
        if answer is None:
            continue
        content = answer.get("content", {})
        if "text/event-stream" in content:
            return "sse", None
        if "application/json" in content:
            schema = content["application/json"].get("schema", {})
            if "$ref" in schema:
                name = class_name(schema["$ref"])
                if name.startswith("ListResponse_") and any(
                    p["name"] == "page_token" for p in op.get("parameters", [])
                ):
                    return "page", name.removeprefix("ListResponse_").removesuffix("_")
                return "json", name
            return "json", None
        if "text/plain" in content:
            return "text", None
        return "none", None
    return "none", None


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        resolved: dict[str, Any] = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return resolved
    return schema


def gen_resources(doc: dict[str, Any]) -> str:
    types = Types("models.", request=True)
    for raw, schema in doc["components"]["schemas"].items():
        if "properties" not in schema:
            types.enums.add(class_name(raw))
    resources: dict[str, list[tuple[bool, list[str]]]] = {}
    table: list[str] = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method not in HTTP_METHODS:
                continue
            op_id: str = op["operationId"]
            if op_id in SPECIAL:
                resource, verb = SPECIAL[op_id]
            else:
                # The longest listed prefix (`policy_exceptions`), else the first word.
                listed = [r for r in RESOURCES if op_id.startswith(r + "_")]
                resource = max(listed, key=len) if listed else op_id.split("_", 1)[0]
                verb = op_id.removeprefix(resource + "_")
            params = op.get("parameters", [])
            idempotent = any(p["name"] == "Idempotency-Key" for p in params)
            table.append(f"    {op_id!r}: ({method.upper()!r}, {path!r}, {idempotent}),")
            for is_async in (False, True):
                resources.setdefault(resource, []).append(
                    (is_async, _method(doc, types, op, op_id, verb, params, idempotent, is_async))
                )
    lines = [
        '"""The SDK\'s resources, generated from kanri\'s OpenAPI document by',
        "tools/gen_client.py (`make client`): do not edit by hand. One method per operation;",
        'the hand-written conveniences are in _extras.py."""',
        "",
        "# ruff: noqa: E501",
        "from __future__ import annotations",
        "",
        "import builtins",
        "from collections.abc import AsyncIterator, Iterator, Sequence",
        "from datetime import datetime",
        "from typing import Any, Literal",
        "",
        "from kanri.client import _extras, models",
        "from kanri.client._base import (",
        "    NOT_GIVEN,",
        "    AsyncResource,",
        "    AsyncTransport,",
        "    FileTypes,",
        "    NotGiven,",
        "    SyncResource,",
        "    SyncTransport,",
        ")",
        "from kanri.client._pagination import AsyncPager, SyncPager",
        "from kanri.client._sse import ServerSentEvent",
        "",
        "__all__ = ['OPERATIONS', 'AsyncResources', 'SyncResources']",
        "",
        "# operationId → (HTTP method, path template, takes an Idempotency-Key)",
        "OPERATIONS: dict[str, tuple[str, str, bool]] = {",
        *table,
        "}",
        "",
    ]
    for is_async in (False, True):
        for resource in sorted(resources):
            cls = _cls(resource, is_async)
            base = "AsyncResource" if is_async else "SyncResource"
            if resource in EXTRAS:
                base = f"_extras.{'Async' if is_async else 'Sync'}{EXTRAS[resource]}Extras"
            lines += ["", "", f"class {cls}({base}):"]
            for method_async, body in resources[resource]:
                if method_async == is_async:
                    lines += ["", *body]
    for is_async in (False, True):
        prefix = "Async" if is_async else "Sync"
        lines += ["", "", f"class {prefix}Resources:"]
        lines.append(
            f'    """Every area of the API, as the {prefix.lower()} client\'s attributes."""'
        )
        lines.append("")
        for resource in sorted(resources):
            lines.append(f"    {resource}: {_cls(resource, is_async)}")
        lines.append("")
        lines.append(f"    def _mount(self, transport: {prefix}Transport) -> None:")
        for resource in sorted(resources):
            lines.append(f"        self.{resource} = {_cls(resource, is_async)}(transport)")
    return "\n".join(lines) + "\n"


def _cls(resource: str, is_async: bool) -> str:
    name = "".join(part.capitalize() for part in resource.split("_"))
    return ("Async" if is_async else "") + name


def _method(
    doc: dict[str, Any],
    types: Types,
    op: dict[str, Any],
    op_id: str,
    verb: str,
    params: list[dict[str, Any]],
    idempotent: bool,
    is_async: bool,
) -> list[str]:
    kind, model = _response(op)
    args: list[str] = ["self"]
    path_args = [p for p in params if p["in"] == "path"]
    query = [p for p in params if p["in"] == "query"]
    for p in path_args:
        args.append(f"{py_name(p['name'])}: str")
    kw: list[str] = []
    query_map: list[str] = []
    for p in query:
        if p["name"] == "page_token" and kind == "page":
            continue
        name = py_name(p["name"])
        annotation = types.of(p.get("schema", {}))
        if p.get("required"):
            kw.append(f"{name}: {annotation}")
        else:
            if not annotation.endswith("None"):
                annotation += " | None"
            kw.append(f"{name}: {annotation} = None")
        query_map.append(f"{p['name']!r}: {name}")
    body_map: list[str] = []
    files = False
    body_required = False
    request_body = op.get("requestBody")
    if request_body:
        content = request_body["content"]
        body_required = bool(request_body.get("required"))
        if "multipart/form-data" in content:
            files = True
            kw.append("files: Sequence[FileTypes]")
            kw.append("metadata: str | None = None")
        else:
            schema = content["application/json"]["schema"]
            if "anyOf" in schema:
                schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
            schema = _resolve(doc, schema)
            required = set(schema.get("required", []))
            taken = {py_name(p["name"]) for p in params}
            for prop, sub in schema.get("properties", {}).items():
                name = py_name(prop)
                if name in taken:
                    raise SystemExit(f"{op_id}: body field {prop} collides with a parameter")
                annotation = types.of(sub)
                if prop in required:
                    kw.insert(0, f"{name}: {annotation}")
                else:
                    if annotation.endswith(" | None"):
                        annotation = annotation.removesuffix(" | None") + " | NotGiven | None"
                    else:
                        annotation += " | NotGiven"
                    kw.append(f"{name}: {annotation} = NOT_GIVEN")
                body_map.append(f"{prop!r}: {name}")
    kw.append("timeout: float | None = None")
    kw.append("max_retries: int | None = None")
    if idempotent:
        kw.append("idempotency_key: str | None = None")
    kw.append("extra_headers: dict[str, str] | None = None")
    signature = ", ".join(args) + ", *, " + ", ".join(kw)
    path_expr = "{" + ", ".join(f"{p['name']!r}: {py_name(p['name'])}" for p in path_args) + "}"
    common = [
        f"path={path_expr}",
        "query={" + ", ".join(query_map) + "}",
    ]
    if body_map:
        common.append("body={" + ", ".join(body_map) + "}")
    elif request_body and not files:
        common.append("body={}")
    if files:
        common.append("files=files")
        common.append("form={'metadata': metadata}")
    options = "timeout=timeout, max_retries=max_retries, extra_headers=extra_headers"
    if idempotent:
        options += ", idempotency_key=idempotency_key"
    common.append(options)
    del body_required
    aw = "await " if is_async else ""
    df = "async def" if is_async else "def"
    summary = op.get("summary") or op_id
    out: list[str]
    if kind == "page":
        pager = "AsyncPager" if is_async else "SyncPager"
        out = [f"    def {verb}({signature}) -> {pager}[models.{model}]:"]
        out += _doc(
            f"{summary} (`{op_id}`); iterate for every item, `.pages()` for pages.", "        "
        )
        out.append(f"        return self._pager({op_id!r}, models.{model}, {', '.join(common)})")
        return out
    if kind == "sse":
        it = "AsyncIterator" if is_async else "Iterator"
        out = [
            f"    def {verb}({signature}, last_event_id: str | None = None)"
            f" -> {it}[ServerSentEvent]:"
        ]
        out += _doc(f"{summary} (`{op_id}`): the server-sent events as they come.", "        ")
        out.append(
            f"        return self._sse({op_id!r}, last_event_id=last_event_id, {', '.join(common)})"
        )
        return out
    returns = {"json": f"models.{model}" if model else "Any", "text": "str", "none": "None"}[kind]
    cast = {"json": f"models.{model}" if model else "None", "text": "str", "none": "None"}[kind]
    out = [f"    {df} {verb}({signature}) -> {returns}:"]
    out += _doc(f"{summary} (`{op_id}`).", "        ")
    call = f"self._request({op_id!r}, {cast}, {', '.join(common)})"
    if kind == "none":
        out.append(f"        {aw}{call}")
    else:
        out.append(f"        return {aw}{call}")
    return out


def generate() -> dict[Path, str]:
    from kanri.app import create_app  # the server, for its document: tools only

    doc = create_app().openapi()
    return {CLIENT / "models.py": gen_models(doc), CLIENT / "_resources.py": gen_resources(doc)}


def formatted(files: dict[Path, str]) -> dict[Path, str]:
    """The files as `ruff format` leaves them (what is committed)."""
    ruff = Path(sys.executable).with_name("ruff")
    out = {}
    for path, text in files.items():
        done = subprocess.run(  # noqa: S603 - the venv's ruff
            [str(ruff), "format", "--stdin-filename", str(path), "-"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
        )
        out[path] = done.stdout
    return out


def main() -> None:
    for path, text in formatted(generate()).items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")  # noqa: T201


if __name__ == "__main__":
    main()
