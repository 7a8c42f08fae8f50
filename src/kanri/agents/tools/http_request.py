"""`http_request`: call a URL through the outbound SSRF guard."""

from __future__ import annotations

import json
from typing import Any

import httpx

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, tool
from kanri.core.net import BlockedDestination, ResponseTooLarge, fetch

MAX_BODY_CHARS = 20_000
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


@tool(
    "http_request",
    "Make an HTTP request to a public URL and get the status and body back.",
    {
        "type": "object",
        "properties": {
            "method": {"type": "string", "enum": list(METHODS)},
            "url": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "body": {},
        },
        "required": ["url"],
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    method = str(arguments.get("method") or "GET").upper()
    if method not in METHODS:
        return ToolResult({"error": f"method must be one of {', '.join(METHODS)}"}, ok=False)
    headers = arguments.get("headers") or {}
    if not isinstance(headers, dict):
        return ToolResult({"error": "headers must be an object"}, ok=False)
    allow_private = await ctx.services.allow_private_network(ctx.project_id)
    timeout = float(ctx.config.get("timeout_seconds", 30))
    try:
        response = await fetch(
            method,
            str(arguments.get("url") or ""),
            allow_private=allow_private,
            max_bytes=ctx.services.kanri.settings.http_max_response_bytes,
            timeout=timeout,
            headers={"Idempotency-Key": ctx.idempotency_key, **headers},
            json=arguments.get("body"),
        )
    except BlockedDestination as exc:
        return ToolResult({"error": exc.detail}, ok=False)
    except ResponseTooLarge as exc:
        return ToolResult({"error": str(exc)}, ok=False)
    except httpx.HTTPError as exc:
        return ToolResult({"error": f"{type(exc).__name__}: {exc}"[:500]}, ok=False)
    text = response.text[:MAX_BODY_CHARS]
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    return ToolResult({"status": response.status_code, "body": body}, ok=response.is_success)
