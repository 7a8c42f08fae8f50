"""`http`: call a URL through the outbound SSRF guard; non-2xx fails unless allowed."""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
from pydantic import Field

from kanri.core.net import BlockedDestination, ResponseTooLarge, fetch
from kanri.engine.registry import Done, Fail, Outcome, StepConfig, StepContext, step_kind

# Of a body within the read cap (KANRI_HTTP_MAX_RESPONSE_BYTES), the output keeps this much.
MAX_RESPONSE_BYTES = 1_000_000


class HttpConfig(StepConfig):
    """`http`: call a URL (through the outbound guard); a status outside 2xx and
    `allow_status` fails the step."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = Field(
        default="GET", description="the HTTP method"
    )
    url: str = Field(
        min_length=1,
        max_length=4000,
        description="http(s) URL; private addresses need the project's allow_private_network",
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="request headers; `Idempotency-Key` is `<run id>:<step id>` unless given",
    )
    body: Any = Field(default=None, description="a JSON body")
    timeout: float = Field(default=30, gt=0, le=300, description="seconds for the whole call")
    allow_status: list[int] = Field(
        default_factory=list,
        max_length=50,
        description="statuses besides 2xx that complete the step (others fail it; 5xx and "
        "429 are retried per `retry`)",
    )


@step_kind("http", HttpConfig)
async def run(ctx: StepContext, config: HttpConfig) -> Outcome:
    allow_private = await ctx.services.allow_private_network(ctx.project_id)
    try:
        response = await fetch(
            config.method,
            config.url,
            allow_private=allow_private,
            max_bytes=ctx.services.kanri.settings.http_max_response_bytes,
            timeout=config.timeout,
            headers={"Idempotency-Key": ctx.idempotency_key, **config.headers},
            json=config.body,
        )
    except BlockedDestination as exc:
        return Fail(exc.detail, retryable=False)
    except ResponseTooLarge as exc:
        return Fail(str(exc), retryable=False)
    except httpx.HTTPError as exc:
        return Fail(f"{type(exc).__name__}: {exc}"[:500])
    text = response.content[:MAX_RESPONSE_BYTES].decode(errors="replace")
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    output = {"status": response.status_code, "headers": dict(response.headers), "body": body}
    if response.is_success or response.status_code in config.allow_status:
        return Done(output)
    retryable = response.status_code >= 500 or response.status_code == 429
    return Fail(
        f"HTTP {response.status_code} from {config.url}", retryable=retryable, details=output
    )
