"""create_app(settings) -> FastAPI: routers, middleware, error handlers, lifespan."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from kanri import __version__
from kanri import logging as kanri_logging
from kanri.agents.api import router as agents_router
from kanri.audit.api import organization_router as organization_audit_router
from kanri.audit.api import router as audit_router
from kanri.automations.api import router as automations_router
from kanri.automations.step_schema import document_steps
from kanri.config import Settings
from kanri.content.api import delivery_router as content_delivery_router
from kanri.content.api import router as content_router
from kanri.core import routing
from kanri.core.auth import document_guards, limit_unguarded_routes
from kanri.core.http import CORS_PREFIXES_STATE, EdgeMiddleware, install_error_handlers
from kanri.core.openapi import complete, operation_id
from kanri.costs.api import router as costs_router
from kanri.db.database import Database
from kanri.events.api import router as events_router
from kanri.governance.api import router as governance_router
from kanri.judges.api import router as judges_router
from kanri.knowledge import pgvector
from kanri.knowledge.api import router as knowledge_router
from kanri.moderation.api import router as moderation_router
from kanri.observability import api as observability_api
from kanri.observability.api import router as observability_router
from kanri.openai_compat import errors as openai_errors
from kanri.openai_compat.api import router as openai_router
from kanri.providers.api import router as providers_router
from kanri.records.api import router as records_router
from kanri.reports.api import router as reports_router
from kanri.role import WorkerRole
from kanri.runs.api import router as runs_router
from kanri.runtime import Kanri
from kanri.schedules.api import router as schedules_router
from kanri.secrets.api import router as secrets_router
from kanri.system.api import router as system_router
from kanri.system.docs import add_api_reference
from kanri.tenancy.api import router as tenancy_router
from kanri.tenancy.service import TenancyAuthStore
from kanri.webhooks.api import router as webhooks_router

log = structlog.get_logger("kanri.app")

DESCRIPTION = """\
kanri is a self-hosted control plane for AI agents and automations.

Authenticate with `Authorization: Bearer <key>` or `x-api-key: <key>`. Errors are
RFC 9457 problem details (`application/problem+json`), except under `/v1/openai/`, where
they are in OpenAI's shape (`{"error": {"message", "type", "code", "param"}}`). Lists take
`page_size`, `page_token`, `filter` (AIP-160) and `order_by`. Every response carries
`X-Request-Id` (send your own to correlate); rate-limited operations answer with the IETF
`RateLimit` and `RateLimit-Policy` fields, and a 429 with `Retry-After`.
"""
# Routes whose clients expect errors in a shape of their own, by path prefix.
ERROR_SHAPES = {openai_errors.PREFIX: openai_errors.openai_error}

# The document's tags, in the order a reader meets them, each with what it groups.
TAGS: list[dict[str, str]] = [
    {"name": "system", "description": "Liveness, readiness and Prometheus metrics."},
    {
        "name": "projects",
        "description": "Projects of an organization (organization admin keys): each holds "
        "its own environments, keys and data.",
    },
    {
        "name": "organizations",
        "description": "The admin key's organization: its settings, audit trail and admin keys.",
    },
    {
        "name": "environments",
        "description": "Environments of a project (`production`, `development`, …): runs, "
        "schedules and knowledge live in one.",
    },
    {
        "name": "api-keys",
        "description": "Secret, publishable and admin keys: scopes, expiry, rotation, "
        "revocation. A key is shown in full once.",
    },
    {
        "name": "audit-logs",
        "description": "The hash-chained audit trail of every change, and its verification.",
    },
    {
        "name": "automations",
        "description": "Automations: a draft definition of steps (one object per step kind) "
        "and its published versions.",
    },
    {
        "name": "deployments",
        "description": "Publishing, versions, rollback and runtime mapping of automations and "
        "agents.",
    },
    {
        "name": "runs",
        "description": "Runs of automations and agents: their steps, logs, events, control "
        "(cancel, pause, resume, retry, fork), approvals and exceptions.",
    },
    {"name": "schedules", "description": "Cron schedules that start runs of an automation."},
    {
        "name": "secrets",
        "description": "Secrets (encrypted, versioned, never shown) and variables of an "
        "environment, read by steps as `{{ secrets.NAME }}` and `{{ vars.NAME }}`.",
    },
    {
        "name": "events",
        "description": "The project's domain events: list, live stream (SSE) and the catalogue "
        "of event types.",
    },
    {
        "name": "webhooks",
        "description": "Webhook endpoints subscribed to events, their signed deliveries and "
        "retries.",
    },
    {
        "name": "observability",
        "description": "Logs, metrics and business events: batch ingest (one result per "
        "item), log search and live tail, metric series, event counts and funnels.",
    },
    {
        "name": "reports",
        "description": "Reports that agents, automations and people submit (daily, weekly, "
        "audit, incident): sanitised HTML or text, listed by type, author and date.",
    },
    {
        "name": "records",
        "description": "Objects (record types), their typed fields and records: filters, "
        "batches, upserts, relations.",
    },
    {
        "name": "governance",
        "description": "Policies over runs, steps and calls; exceptions; pre-checks; "
        "executions of external workflow engines.",
    },
    {
        "name": "providers",
        "description": "Model providers (OpenAI, Anthropic, offline) and their keys.",
    },
    {
        "name": "agents",
        "description": "Agents (instructions, runtime, tools, limits), their runs, tool calls "
        "and threads.",
    },
    {
        "name": "costs",
        "description": "Prices, the cost of model calls, and budgets that notify, ask or block.",
    },
    {"name": "judges", "description": "Judges that score completed runs, and their scores."},
    {
        "name": "knowledge",
        "description": "Knowledge namespaces, entries (text or documents) and hybrid search.",
    },
    {
        "name": "moderation",
        "description": "Moderation of user content: items, rules, AI classification, the "
        "review queue with claims, appeals, author warnings, scans and statistics.",
    },
    {
        "name": "content",
        "description": "The headless CMS: content types and their fields, locales, entries "
        "with drafts, versions and publishing.",
    },
    {
        "name": "content-delivery",
        "description": "Published content for websites and apps, with publishable or secret "
        "keys: strong ETags, 304s, caching headers and CORS per publishable key.",
    },
    {
        "name": "openai",
        "description": "An OpenAI-compatible endpoint: chat completions against agents.",
    },
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The kanri API application for `settings` (default: from the environment)."""
    settings = settings or Settings()
    kanri_logging.configure(settings.log_level, settings.log_json)
    db = Database(
        settings.effective_database_url,
        pool_size=settings.db_pool_size,
        write_batch_size=settings.write_batch_size,
    )
    kanri = Kanri(settings=settings, db=db, tenancy=TenancyAuthStore())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.start()
        kanri.serving_on(asyncio.get_running_loop())
        if settings.knowledge_vector_search == "auto" and not db.is_sqlite:
            kanri.knowledge_hnsw = await db.read(pgvector.detect)
        hnsw = kanri.knowledge_hnsw
        log.info(
            "knowledge_vector_search",
            path=f"pgvector {hnsw.version} (HNSW)" if hnsw else "exact (numpy)",
        )
        role = None
        if settings.worker_enabled:
            role = WorkerRole(kanri)
            await role.start()
            app.state.webhook_dispatcher = role.dispatcher
        # What start-up loaded lives as long as the process: out of the collector's full
        # passes, which would otherwise rescan it while a large request allocates.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            if (hub := getattr(app.state, "event_hub", None)) is not None:
                await hub.close()
            if role is not None:
                await role.stop()
            await asyncio.to_thread(kanri.extractor.close)
            await db.stop()

    # Planned dispatch stands on FastAPI internals; off, FastAPI answers every route itself.
    api_class = routing.KanriAPI if settings.planned_routes else FastAPI
    app = api_class(
        title="kanri",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_tags=TAGS,
        docs_url=None,  # served by add_api_reference, with Swagger UI from kanri itself
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.kanri = kanri
    # The content delivery API: browsers call it from sites' origins (CORS per publishable key).
    setattr(app.state, CORS_PREFIXES_STATE, ("/v1/public/", "/v1/cms/"))
    install_error_handlers(app, ERROR_SHAPES)
    # Feature routes join the app's own route table instead of being included: FastAPI's
    # included-router matching costs tens of microseconds per request (bench/).
    for router in (
        system_router,
        tenancy_router,
        audit_router,
        organization_audit_router,
        automations_router,
        runs_router,
        schedules_router,
        secrets_router,
        events_router,
        webhooks_router,
        records_router,
        governance_router,
        providers_router,
        agents_router,
        costs_router,
        openai_router,
        judges_router,
        knowledge_router,
        moderation_router,
        observability_router,
        reports_router,
        content_router,
        content_delivery_router,
    ):
        app.router.routes.extend(router.routes)
    add_api_reference(app, openapi_url="/openapi.json")
    limit_unguarded_routes(app)
    if settings.planned_routes:
        routing.install(app)
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        error_shapes=ERROR_SHAPES,
        body_limits={
            **{
                path: max(settings.max_body_bytes, observability_api.INGEST_BODY_BYTES)
                for path in observability_api.INGEST_PATHS
            },
            # A content asset's upload: the file's cap plus room for the multipart framing.
            "/v1/content/assets": settings.content_asset_max_bytes + 65_536,
        },
    )
    if settings.trust_forwarded_for:
        # The client's address (rate limits, audit rows) from X-Forwarded-For, only when the
        # connection comes from a configured proxy; `kanri serve` leaves the headers alone.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            routes = [
                (context.path, context.original_route)
                for context in iter_route_contexts(app.routes)
                if isinstance(context.original_route, APIRoute) and context.path
            ]
            document_guards(
                schema, [(path, route.methods or set(), route.dependant) for path, route in routes]
            )
            complete(schema, routes, {openai_errors.PREFIX: openai_errors.CONTENT})
            document_steps(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
