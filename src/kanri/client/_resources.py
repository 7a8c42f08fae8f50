"""The SDK's resources, generated from kanri's OpenAPI document by
tools/gen_client.py (`make client`): do not edit by hand. One method per operation;
the hand-written conveniences are in _extras.py."""

# ruff: noqa: E501
from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime
from typing import Any, Literal

from kanri.client import _extras, models
from kanri.client._base import (
    NOT_GIVEN,
    AsyncResource,
    AsyncTransport,
    FileTypes,
    NotGiven,
    SyncResource,
    SyncTransport,
)
from kanri.client._pagination import AsyncPager, SyncPager
from kanri.client._sse import ServerSentEvent

__all__ = ["OPERATIONS", "AsyncResources", "SyncResources"]

# operationId → (HTTP method, path template, takes an Idempotency-Key)
OPERATIONS: dict[str, tuple[str, str, bool]] = {
    "health_get": ("GET", "/health", False),
    "ready_get": ("GET", "/ready", False),
    "metrics_get": ("GET", "/metrics", False),
    "projects_create": ("POST", "/v1/projects", True),
    "projects_list": ("GET", "/v1/projects", False),
    "projects_get": ("GET", "/v1/projects/{project_id}", False),
    "projects_update": ("PATCH", "/v1/projects/{project_id}", False),
    "projects_delete": ("DELETE", "/v1/projects/{project_id}", False),
    "projects_api_keys_create": ("POST", "/v1/projects/{project_id}/api-keys", True),
    "projects_api_keys_list": ("GET", "/v1/projects/{project_id}/api-keys", False),
    "environments_create": ("POST", "/v1/environments", True),
    "environments_list": ("GET", "/v1/environments", False),
    "environments_get_current": ("GET", "/v1/environments/current", False),
    "environments_get": ("GET", "/v1/environments/{environment_id}", False),
    "environments_update": ("PATCH", "/v1/environments/{environment_id}", False),
    "environments_delete": ("DELETE", "/v1/environments/{environment_id}", False),
    "api_keys_create": ("POST", "/v1/api-keys", True),
    "api_keys_list": ("GET", "/v1/api-keys", False),
    "api_keys_get": ("GET", "/v1/api-keys/{key_id}", False),
    "api_keys_delete": ("DELETE", "/v1/api-keys/{key_id}", False),
    "api_keys_rotate": ("POST", "/v1/api-keys/{key_id}/rotate", True),
    "organization_get": ("GET", "/v1/organization", False),
    "organization_update": ("PATCH", "/v1/organization", False),
    "organizations_list": ("GET", "/v1/organizations", False),
    "admin_keys_create": ("POST", "/v1/admin-keys", True),
    "admin_keys_list": ("GET", "/v1/admin-keys", False),
    "admin_keys_delete": ("DELETE", "/v1/admin-keys/{admin_key_id}", False),
    "admin_keys_rotate": ("POST", "/v1/admin-keys/{admin_key_id}/rotate", True),
    "audit_logs_list": ("GET", "/v1/audit-logs", False),
    "audit_logs_verify": ("GET", "/v1/audit-logs/verify", False),
    "organization_audit_logs_list": ("GET", "/v1/organization/audit-logs", False),
    "organization_audit_logs_verify": ("GET", "/v1/organization/audit-logs/verify", False),
    "automations_create": ("POST", "/v1/automations", True),
    "automations_list": ("GET", "/v1/automations", False),
    "automations_get": ("GET", "/v1/automations/{automation_id}", False),
    "automations_update": ("PATCH", "/v1/automations/{automation_id}", False),
    "automations_delete": ("DELETE", "/v1/automations/{automation_id}", False),
    "automations_publish": ("POST", "/v1/automations/{automation_id}/publish", True),
    "automations_versions_list": ("GET", "/v1/automations/{automation_id}/versions", False),
    "automations_versions_get": (
        "GET",
        "/v1/automations/{automation_id}/versions/{version}",
        False,
    ),
    "automations_rollback": ("POST", "/v1/automations/{automation_id}/rollback", False),
    "runs_create": ("POST", "/v1/automations/{automation_id}/runs", True),
    "runs_list": ("GET", "/v1/runs", False),
    "runs_get": ("GET", "/v1/runs/{run_id}", False),
    "runs_steps_list": ("GET", "/v1/runs/{run_id}/steps", False),
    "runs_logs_list": ("GET", "/v1/runs/{run_id}/logs", False),
    "runs_events_stream": ("GET", "/v1/runs/{run_id}/events", False),
    "runs_cancel": ("POST", "/v1/runs/{run_id}/cancel", False),
    "runs_pause": ("POST", "/v1/runs/{run_id}/pause", False),
    "runs_resume": ("POST", "/v1/runs/{run_id}/resume", False),
    "runs_escalate": ("POST", "/v1/runs/{run_id}/escalate", False),
    "runs_audit_list": ("GET", "/v1/runs/{run_id}/audit", False),
    "runs_retry": ("POST", "/v1/runs/{run_id}/retry", False),
    "runs_fork": ("POST", "/v1/runs/{run_id}/fork", False),
    "runs_batch_cancel": ("POST", "/v1/runs:batchCancel", False),
    "runs_batch_retry": ("POST", "/v1/runs:batchRetry", False),
    "workers_list": ("GET", "/v1/workers", False),
    "exceptions_list": ("GET", "/v1/exceptions", False),
    "approvals_list": ("GET", "/v1/approvals", False),
    "approvals_get": ("GET", "/v1/approvals/{approval_id}", False),
    "approvals_approve": ("POST", "/v1/approvals/{approval_id}/approve", False),
    "approvals_reject": ("POST", "/v1/approvals/{approval_id}/reject", False),
    "schedules_create": ("POST", "/v1/schedules", True),
    "schedules_list": ("GET", "/v1/schedules", False),
    "schedules_get": ("GET", "/v1/schedules/{schedule_id}", False),
    "schedules_update": ("PATCH", "/v1/schedules/{schedule_id}", False),
    "schedules_delete": ("DELETE", "/v1/schedules/{schedule_id}", False),
    "secrets_set": ("PUT", "/v1/secrets/{secret_name}", False),
    "secrets_get": ("GET", "/v1/secrets/{secret_name}", False),
    "secrets_delete": ("DELETE", "/v1/secrets/{secret_name}", False),
    "secrets_list": ("GET", "/v1/secrets", False),
    "variables_set": ("PUT", "/v1/variables/{variable_name}", False),
    "variables_get": ("GET", "/v1/variables/{variable_name}", False),
    "variables_delete": ("DELETE", "/v1/variables/{variable_name}", False),
    "variables_list": ("GET", "/v1/variables", False),
    "events_list": ("GET", "/v1/events", False),
    "events_stream": ("GET", "/v1/events/stream", False),
    "events_get": ("GET", "/v1/events/{event_id}", False),
    "event_types_list": ("GET", "/v1/event-types", False),
    "webhooks_create": ("POST", "/v1/webhooks", True),
    "webhooks_list": ("GET", "/v1/webhooks", False),
    "webhooks_get": ("GET", "/v1/webhooks/{webhook_id}", False),
    "webhooks_update": ("PATCH", "/v1/webhooks/{webhook_id}", False),
    "webhooks_delete": ("DELETE", "/v1/webhooks/{webhook_id}", False),
    "webhooks_rotate_secret": ("POST", "/v1/webhooks/{webhook_id}/rotate-secret", False),
    "webhooks_deliveries_list": ("GET", "/v1/webhooks/{webhook_id}/deliveries", False),
    "webhooks_deliveries_get": ("GET", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}", False),
    "webhooks_deliveries_redeliver": (
        "POST",
        "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        False,
    ),
    "webhooks_test": ("POST", "/v1/webhooks/{webhook_id}/test", False),
    "objects_create": ("POST", "/v1/objects", True),
    "objects_list": ("GET", "/v1/objects", False),
    "objects_get": ("GET", "/v1/objects/{object_id}", False),
    "objects_update": ("PATCH", "/v1/objects/{object_id}", False),
    "objects_delete": ("DELETE", "/v1/objects/{object_id}", False),
    "objects_fields_list": ("GET", "/v1/objects/{object_id}/fields", False),
    "objects_fields_create": ("POST", "/v1/objects/{object_id}/fields", True),
    "objects_fields_get": ("GET", "/v1/objects/{object_id}/fields/{field_id}", False),
    "objects_fields_update": ("PATCH", "/v1/objects/{object_id}/fields/{field_id}", False),
    "objects_fields_delete": ("DELETE", "/v1/objects/{object_id}/fields/{field_id}", False),
    "records_create": ("POST", "/v1/objects/{object_id}/records", True),
    "records_list": ("GET", "/v1/objects/{object_id}/records", False),
    "records_upsert": ("PUT", "/v1/objects/{object_id}/records", False),
    "records_query": ("POST", "/v1/objects/{object_id}/records:query", False),
    "records_batch_create": ("POST", "/v1/objects/{object_id}/records:batchCreate", False),
    "records_batch_update": ("POST", "/v1/objects/{object_id}/records:batchUpdate", False),
    "records_batch_delete": ("POST", "/v1/objects/{object_id}/records:batchDelete", False),
    "records_get": ("GET", "/v1/objects/{object_id}/records/{record_id}", False),
    "records_update": ("PATCH", "/v1/objects/{object_id}/records/{record_id}", False),
    "records_replace": ("PUT", "/v1/objects/{object_id}/records/{record_id}", False),
    "records_delete": ("DELETE", "/v1/objects/{object_id}/records/{record_id}", False),
    "records_restore": ("POST", "/v1/objects/{object_id}/records/{record_id}/restore", False),
    "policies_create": ("POST", "/v1/policies", True),
    "policies_list": ("GET", "/v1/policies", False),
    "policies_get_default": ("GET", "/v1/policies/default", False),
    "policies_set_default": ("PUT", "/v1/policies/default", False),
    "policies_get": ("GET", "/v1/policies/{policy_id}", False),
    "policies_update": ("PATCH", "/v1/policies/{policy_id}", False),
    "policies_delete": ("DELETE", "/v1/policies/{policy_id}", False),
    "governance_pre_check": ("POST", "/v1/governance/pre-check", False),
    "policy_exceptions_create": ("POST", "/v1/policy-exceptions", True),
    "policy_exceptions_list": ("GET", "/v1/policy-exceptions", False),
    "policy_exceptions_get": ("GET", "/v1/policy-exceptions/{exception_id}", False),
    "policy_exceptions_delete": ("DELETE", "/v1/policy-exceptions/{exception_id}", False),
    "external_executions_report": ("POST", "/v1/external-executions", False),
    "external_executions_list": ("GET", "/v1/external-executions", False),
    "external_executions_get": ("GET", "/v1/external-executions/{execution_id}", False),
    "external_executions_request_approval": (
        "POST",
        "/v1/external-executions/{execution_id}/request-approval",
        False,
    ),
    "external_executions_cancel": ("POST", "/v1/external-executions/{execution_id}/cancel", False),
    "external_executions_escalate": (
        "POST",
        "/v1/external-executions/{execution_id}/escalate",
        False,
    ),
    "external_executions_audit_list": (
        "GET",
        "/v1/external-executions/{execution_id}/audit",
        False,
    ),
    "providers_create": ("POST", "/v1/providers", True),
    "providers_list": ("GET", "/v1/providers", False),
    "providers_get": ("GET", "/v1/providers/{provider_id}", False),
    "providers_update": ("PATCH", "/v1/providers/{provider_id}", False),
    "providers_delete": ("DELETE", "/v1/providers/{provider_id}", False),
    "agents_create": ("POST", "/v1/agents", True),
    "agents_list": ("GET", "/v1/agents", False),
    "agents_runtime_status_list": ("GET", "/v1/agents/runtime-status", False),
    "agents_get": ("GET", "/v1/agents/{agent_id}", False),
    "agents_update": ("PATCH", "/v1/agents/{agent_id}", False),
    "agents_delete": ("DELETE", "/v1/agents/{agent_id}", False),
    "agents_publish": ("POST", "/v1/agents/{agent_id}/publish", True),
    "agents_versions_list": ("GET", "/v1/agents/{agent_id}/versions", False),
    "agents_versions_get": ("GET", "/v1/agents/{agent_id}/versions/{version}", False),
    "agents_rollback": ("POST", "/v1/agents/{agent_id}/rollback", False),
    "agents_map_runtime": ("POST", "/v1/agents/{agent_id}/map-runtime", False),
    "agents_suspend": ("POST", "/v1/agents/{agent_id}/suspend", False),
    "agents_resume": ("POST", "/v1/agents/{agent_id}/resume", False),
    "agents_runs_create": ("POST", "/v1/agents/{agent_id}/runs", True),
    "runs_tool_calls_list": ("GET", "/v1/runs/{run_id}/tool-calls", False),
    "threads_create": ("POST", "/v1/threads", True),
    "threads_list": ("GET", "/v1/threads", False),
    "threads_get": ("GET", "/v1/threads/{thread_id}", False),
    "threads_delete": ("DELETE", "/v1/threads/{thread_id}", False),
    "threads_messages_list": ("GET", "/v1/threads/{thread_id}/messages", False),
    "prices_create": ("POST", "/v1/prices", True),
    "prices_list": ("GET", "/v1/prices", False),
    "prices_defaults_list": ("GET", "/v1/prices/defaults", False),
    "prices_get": ("GET", "/v1/prices/{price_id}", False),
    "prices_update": ("PATCH", "/v1/prices/{price_id}", False),
    "prices_delete": ("DELETE", "/v1/prices/{price_id}", False),
    "costs_get": ("GET", "/v1/costs", False),
    "budgets_create": ("POST", "/v1/budgets", True),
    "budgets_list": ("GET", "/v1/budgets", False),
    "budgets_get": ("GET", "/v1/budgets/{budget_id}", False),
    "budgets_update": ("PATCH", "/v1/budgets/{budget_id}", False),
    "budgets_delete": ("DELETE", "/v1/budgets/{budget_id}", False),
    "openai_chat_completions_create": ("POST", "/v1/openai/chat/completions", False),
    "openai_models_list": ("GET", "/v1/openai/models", False),
    "judges_create": ("POST", "/v1/judges", True),
    "judges_list": ("GET", "/v1/judges", False),
    "judges_get": ("GET", "/v1/judges/{judge_id}", False),
    "judges_update": ("PATCH", "/v1/judges/{judge_id}", False),
    "judges_delete": ("DELETE", "/v1/judges/{judge_id}", False),
    "judges_scores_list": ("GET", "/v1/judges/{judge_id}/scores", False),
    "runs_scores_list": ("GET", "/v1/runs/{run_id}/scores", False),
    "knowledge_namespaces_create": ("POST", "/v1/knowledge/namespaces", True),
    "knowledge_namespaces_list": ("GET", "/v1/knowledge/namespaces", False),
    "knowledge_namespaces_get": ("GET", "/v1/knowledge/namespaces/{namespace}", False),
    "knowledge_namespaces_update": ("PATCH", "/v1/knowledge/namespaces/{namespace}", False),
    "knowledge_namespaces_delete": ("DELETE", "/v1/knowledge/namespaces/{namespace}", False),
    "knowledge_namespaces_entries_replace": (
        "PUT",
        "/v1/knowledge/namespaces/{namespace}/entries/{entry_id}",
        False,
    ),
    "knowledge_namespaces_entries_get": (
        "GET",
        "/v1/knowledge/namespaces/{namespace}/entries/{entry_id}",
        False,
    ),
    "knowledge_namespaces_entries_delete": (
        "DELETE",
        "/v1/knowledge/namespaces/{namespace}/entries/{entry_id}",
        False,
    ),
    "knowledge_namespaces_entries_create": (
        "POST",
        "/v1/knowledge/namespaces/{namespace}/entries",
        True,
    ),
    "knowledge_namespaces_entries_list": (
        "GET",
        "/v1/knowledge/namespaces/{namespace}/entries",
        False,
    ),
    "knowledge_namespaces_entries_upload": (
        "POST",
        "/v1/knowledge/namespaces/{namespace}/entries:upload",
        False,
    ),
    "knowledge_namespaces_search": ("POST", "/v1/knowledge/namespaces/{namespace}/search", False),
    "knowledge_search": ("POST", "/v1/knowledge/search", False),
    "moderation_items_create": ("POST", "/v1/moderation/items", True),
    "moderation_items_list": ("GET", "/v1/moderation/items", False),
    "moderation_items_batch": ("POST", "/v1/moderation/items:batch", False),
    "moderation_items_get": ("GET", "/v1/moderation/items/{item_id}", False),
    "moderation_items_claim": ("POST", "/v1/moderation/items/{item_id}:claim", False),
    "moderation_items_decide": ("POST", "/v1/moderation/items/{item_id}:decide", False),
    "moderation_items_appeal": ("POST", "/v1/moderation/items/{item_id}:appeal", False),
    "moderation_queue_list": ("GET", "/v1/moderation/queue", False),
    "moderation_authors_get": ("GET", "/v1/moderation/authors/{author_id}", False),
    "moderation_rules_create": ("POST", "/v1/moderation/rules", True),
    "moderation_rules_list": ("GET", "/v1/moderation/rules", False),
    "moderation_rules_get": ("GET", "/v1/moderation/rules/{rule_id}", False),
    "moderation_rules_update": ("PATCH", "/v1/moderation/rules/{rule_id}", False),
    "moderation_rules_delete": ("DELETE", "/v1/moderation/rules/{rule_id}", False),
    "moderation_settings_get": ("GET", "/v1/moderation/settings", False),
    "moderation_settings_replace": ("PUT", "/v1/moderation/settings", False),
    "moderation_scan_create": ("POST", "/v1/moderation/scan", True),
    "moderation_stats_get": ("GET", "/v1/moderation/stats", False),
    "logs_ingest": ("POST", "/v1/logs:ingest", False),
    "metrics_ingest": ("POST", "/v1/metrics:ingest", False),
    "events_ingest": ("POST", "/v1/events:ingest", False),
    "logs_list": ("GET", "/v1/logs", False),
    "logs_tail": ("GET", "/v1/logs:tail", False),
    "metrics_query": ("POST", "/v1/metrics:query", False),
    "metrics_list": ("GET", "/v1/metrics", False),
    "events_query": ("POST", "/v1/events:query", False),
    "events_funnel": ("POST", "/v1/events:funnel", False),
    "otlp_logs_export": ("POST", "/v1/otlp/v1/logs", False),
    "otlp_metrics_export": ("POST", "/v1/otlp/v1/metrics", False),
    "otlp_traces_export": ("POST", "/v1/otlp/v1/traces", False),
    "traces_list": ("GET", "/v1/traces", False),
    "traces_get": ("GET", "/v1/traces/{trace_id}", False),
    "reports_create": ("POST", "/v1/reports", True),
    "reports_list": ("GET", "/v1/reports", False),
    "reports_get": ("GET", "/v1/reports/{report_id}", False),
    "reports_delete": ("DELETE", "/v1/reports/{report_id}", False),
    "content_types_create": ("POST", "/v1/content/types", True),
    "content_types_list": ("GET", "/v1/content/types", False),
    "content_types_get": ("GET", "/v1/content/types/{content_type_id}", False),
    "content_types_update": ("PATCH", "/v1/content/types/{content_type_id}", False),
    "content_types_delete": ("DELETE", "/v1/content/types/{content_type_id}", False),
    "content_locales_get": ("GET", "/v1/content/locales", False),
    "content_locales_replace": ("PUT", "/v1/content/locales", False),
    "content_entries_create": ("POST", "/v1/content/entries", True),
    "content_entries_list": ("GET", "/v1/content/entries", False),
    "content_entries_generate": ("POST", "/v1/content/entries:generate", False),
    "content_entries_get": ("GET", "/v1/content/entries/{content_entry_id}", False),
    "content_entries_update": ("PATCH", "/v1/content/entries/{content_entry_id}", False),
    "content_entries_delete": ("DELETE", "/v1/content/entries/{content_entry_id}", False),
    "content_entries_publish": ("POST", "/v1/content/entries/{content_entry_id}:publish", False),
    "content_entries_unpublish": (
        "POST",
        "/v1/content/entries/{content_entry_id}:unpublish",
        False,
    ),
    "content_entries_archive": ("POST", "/v1/content/entries/{content_entry_id}:archive", False),
    "content_entries_versions_list": (
        "GET",
        "/v1/content/entries/{content_entry_id}/versions",
        False,
    ),
    "content_entries_versions_diff": (
        "GET",
        "/v1/content/entries/{content_entry_id}/versions/{from_version}...{to_version}:diff",
        False,
    ),
    "content_entries_versions_get": (
        "GET",
        "/v1/content/entries/{content_entry_id}/versions/{version}",
        False,
    ),
    "content_entries_versions_restore": (
        "POST",
        "/v1/content/entries/{content_entry_id}/versions/{version}:restore",
        False,
    ),
    "content_assets_upload": ("POST", "/v1/content/assets", False),
    "content_assets_list": ("GET", "/v1/content/assets", False),
    "content_assets_get": ("GET", "/v1/content/assets/{asset_id}", False),
    "content_assets_delete": ("DELETE", "/v1/content/assets/{asset_id}", False),
    "content_assets_file_list": ("GET", "/v1/content/assets/{asset_id}/file", False),
    "public_content_list": ("GET", "/v1/public/content/{content_type_id}", False),
    "public_content_get": ("GET", "/v1/public/content/{content_type_id}/{slug}", False),
    "cms_pages_list": ("GET", "/v1/cms/pages/{project_id}", False),
}


class Admin(SyncResource):
    def keys_create(
        self,
        *,
        name: str,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Create Admin Key (`admin_keys_create`)."""
        return self._request(
            "admin_keys_create",
            models.ApiKeyCreated,
            path={},
            query={},
            body={"name": name, "expires_at": expires_at},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def keys_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ApiKey]:
        """List Admin Keys (`admin_keys_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "admin_keys_list",
            models.ApiKey,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def keys_delete(
        self,
        admin_key_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKey:
        """Revoke Admin Key (`admin_keys_delete`)."""
        return self._request(
            "admin_keys_delete",
            models.ApiKey,
            path={"admin_key_id": admin_key_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def keys_rotate(
        self,
        admin_key_id: str,
        *,
        grace_period_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Rotate Admin Key (`admin_keys_rotate`)."""
        return self._request(
            "admin_keys_rotate",
            models.ApiKeyCreated,
            path={"admin_key_id": admin_key_id},
            query={},
            body={"grace_period_seconds": grace_period_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )


class Agents(SyncResource):
    def create(
        self,
        *,
        name: str,
        runtime: models.Runtime | dict[str, Any],
        instructions: str | NotGiven = NOT_GIVEN,
        tools: builtins.list[models.ToolSpec | dict[str, Any]] | NotGiven = NOT_GIVEN,
        knowledge_namespaces: builtins.list[str] | NotGiven = NOT_GIVEN,
        max_steps: int | NotGiven = NOT_GIVEN,
        description: str | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        concurrency: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Create Agent (`agents_create`)."""
        return self._request(
            "agents_create",
            models.Agent,
            path={},
            query={},
            body={
                "instructions": instructions,
                "runtime": runtime,
                "tools": tools,
                "knowledge_namespaces": knowledge_namespaces,
                "max_steps": max_steps,
                "name": name,
                "description": description,
                "labels": labels,
                "concurrency": concurrency,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Agent]:
        """List Agents (`agents_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "agents_list",
            models.Agent,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def runtime_status_list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_AgentRuntimeStatus_:
        """Agents Runtime Status (`agents_runtime_status_list`)."""
        return self._request(
            "agents_runtime_status_list",
            models.ListResponse_AgentRuntimeStatus_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Get Agent (`agents_get`)."""
        return self._request(
            "agents_get",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        agent_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        runtime: models.Runtime | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        tools: builtins.list[models.ToolSpec | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        knowledge_namespaces: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        max_steps: int | NotGiven | None = NOT_GIVEN,
        concurrency: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Update Agent (`agents_update`)."""
        return self._request(
            "agents_update",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            body={
                "name": name,
                "description": description,
                "labels": labels,
                "instructions": instructions,
                "runtime": runtime,
                "tools": tools,
                "knowledge_namespaces": knowledge_namespaces,
                "max_steps": max_steps,
                "concurrency": concurrency,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Agent (`agents_delete`)."""
        self._request(
            "agents_delete",
            None,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def publish(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AgentVersion:
        """Publish Agent (`agents_publish`)."""
        return self._request(
            "agents_publish",
            models.AgentVersion,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def versions_list(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_AgentVersion_:
        """List Agent Versions (`agents_versions_list`)."""
        return self._request(
            "agents_versions_list",
            models.ListResponse_AgentVersion_,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def versions_get(
        self,
        agent_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AgentVersion:
        """Get Agent Version (`agents_versions_get`)."""
        return self._request(
            "agents_versions_get",
            models.AgentVersion,
            path={"agent_id": agent_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rollback(
        self,
        agent_id: str,
        *,
        version: int,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Rollback Agent (`agents_rollback`)."""
        return self._request(
            "agents_rollback",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            body={"version": version},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def map_runtime(
        self,
        agent_id: str,
        *,
        provider: str,
        model: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Map Agent Runtime (`agents_map_runtime`)."""
        return self._request(
            "agents_map_runtime",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            body={"provider": provider, "model": model},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def suspend(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Suspend Agent (`agents_suspend`)."""
        return self._request(
            "agents_suspend",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def resume(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Resume Agent (`agents_resume`)."""
        return self._request(
            "agents_resume",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def runs_create(
        self,
        agent_id: str,
        *,
        wait: float | None = None,
        message: str | NotGiven | None = NOT_GIVEN,
        messages: builtins.list[models.ChatMessage | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        inputs: dict[str, Any] | NotGiven = NOT_GIVEN,
        thread_id: str | NotGiven | None = NOT_GIVEN,
        version: int | Literal["draft"] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Start Agent Run (`agents_runs_create`)."""
        return self._request(
            "agents_runs_create",
            models.Run,
            path={"agent_id": agent_id},
            query={"wait": wait},
            body={
                "message": message,
                "messages": messages,
                "inputs": inputs,
                "thread_id": thread_id,
                "version": version,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )


class ApiKeys(SyncResource):
    def create(
        self,
        *,
        name: str,
        kind: Literal["secret", "publishable"] | NotGiven = NOT_GIVEN,
        scopes: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        environment: str | NotGiven | None = NOT_GIVEN,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        allowed_origins: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Create Api Key (`api_keys_create`)."""
        return self._request(
            "api_keys_create",
            models.ApiKeyCreated,
            path={},
            query={},
            body={
                "name": name,
                "kind": kind,
                "scopes": scopes,
                "environment": environment,
                "expires_at": expires_at,
                "allowed_origins": allowed_origins,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ApiKey]:
        """List Api Keys (`api_keys_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "api_keys_list",
            models.ApiKey,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        key_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKey:
        """Get Api Key (`api_keys_get`)."""
        return self._request(
            "api_keys_get",
            models.ApiKey,
            path={"key_id": key_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        key_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKey:
        """Revoke Api Key (`api_keys_delete`)."""
        return self._request(
            "api_keys_delete",
            models.ApiKey,
            path={"key_id": key_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rotate(
        self,
        key_id: str,
        *,
        grace_period_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Rotate Api Key (`api_keys_rotate`)."""
        return self._request(
            "api_keys_rotate",
            models.ApiKeyCreated,
            path={"key_id": key_id},
            query={},
            body={"grace_period_seconds": grace_period_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )


class Approvals(SyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Approval]:
        """List Approvals (`approvals_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "approvals_list",
            models.Approval,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        approval_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Get Approval (`approvals_get`)."""
        return self._request(
            "approvals_get",
            models.Approval,
            path={"approval_id": approval_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def approve(
        self,
        approval_id: str,
        *,
        comment: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Approve (`approvals_approve`)."""
        return self._request(
            "approvals_approve",
            models.Approval,
            path={"approval_id": approval_id},
            query={},
            body={"comment": comment},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def reject(
        self,
        approval_id: str,
        *,
        comment: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Reject (`approvals_reject`)."""
        return self._request(
            "approvals_reject",
            models.Approval,
            path={"approval_id": approval_id},
            query={},
            body={"comment": comment},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AuditLogs(SyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.AuditLog]:
        """List Audit Logs (`audit_logs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "audit_logs_list",
            models.AuditLog,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def verify(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Verification:
        """Verify Audit Logs (`audit_logs_verify`)."""
        return self._request(
            "audit_logs_verify",
            models.Verification,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Automations(SyncResource):
    def create(
        self,
        *,
        definition: models.Definition | dict[str, Any],
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Create Automation (`automations_create`)."""
        return self._request(
            "automations_create",
            models.Automation,
            path={},
            query={},
            body={
                "name": name,
                "description": description,
                "definition": definition,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Automation]:
        """List Automations (`automations_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "automations_list",
            models.Automation,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Get Automation (`automations_get`)."""
        return self._request(
            "automations_get",
            models.Automation,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        automation_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        definition: models.Definition | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Update Automation (`automations_update`)."""
        return self._request(
            "automations_update",
            models.Automation,
            path={"automation_id": automation_id},
            query={},
            body={
                "name": name,
                "description": description,
                "definition": definition,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Automation (`automations_delete`)."""
        self._request(
            "automations_delete",
            None,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def publish(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AutomationVersion:
        """Publish Automation (`automations_publish`)."""
        return self._request(
            "automations_publish",
            models.AutomationVersion,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def versions_list(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_AutomationVersion_:
        """List Automation Versions (`automations_versions_list`)."""
        return self._request(
            "automations_versions_list",
            models.ListResponse_AutomationVersion_,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def versions_get(
        self,
        automation_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AutomationVersion:
        """Get Automation Version (`automations_versions_get`)."""
        return self._request(
            "automations_versions_get",
            models.AutomationVersion,
            path={"automation_id": automation_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rollback(
        self,
        automation_id: str,
        *,
        version: int,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Rollback Automation (`automations_rollback`)."""
        return self._request(
            "automations_rollback",
            models.Automation,
            path={"automation_id": automation_id},
            query={},
            body={"version": version},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Budgets(SyncResource):
    def create(
        self,
        *,
        limit_usd: float | str,
        period: Literal["day", "week", "month"],
        name: str,
        agent: str | NotGiven | None = NOT_GIVEN,
        thresholds: builtins.list[models.Threshold | dict[str, Any]] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Budget:
        """Create Budget (`budgets_create`)."""
        return self._request(
            "budgets_create",
            models.Budget,
            path={},
            query={},
            body={
                "name": name,
                "agent": agent,
                "period": period,
                "limit_usd": limit_usd,
                "thresholds": thresholds,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Budget]:
        """List Budgets (`budgets_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "budgets_list",
            models.Budget,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        budget_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Budget:
        """Get Budget (`budgets_get`)."""
        return self._request(
            "budgets_get",
            models.Budget,
            path={"budget_id": budget_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        budget_id: str,
        *,
        period: Literal["day", "week", "month"] | NotGiven | None = NOT_GIVEN,
        limit_usd: float | str | NotGiven | None = NOT_GIVEN,
        thresholds: builtins.list[models.Threshold | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Budget:
        """Update Budget (`budgets_update`)."""
        return self._request(
            "budgets_update",
            models.Budget,
            path={"budget_id": budget_id},
            query={},
            body={"period": period, "limit_usd": limit_usd, "thresholds": thresholds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        budget_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Budget (`budgets_delete`)."""
        self._request(
            "budgets_delete",
            None,
            path={"budget_id": budget_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Cms(SyncResource):
    def pages_list(
        self,
        project_id: str,
        *,
        locale: str | None = None,
        format: Literal["json", "html"] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.PublicEntry]:
        """List Cms Pages (`cms_pages_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "cms_pages_list",
            models.PublicEntry,
            path={"project_id": project_id},
            query={
                "locale": locale,
                "format": format,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Content(SyncResource):
    def types_create(
        self,
        *,
        name: str,
        slug: str,
        description: str | NotGiven = NOT_GIVEN,
        fields_: builtins.list[models.ContentField | dict[str, Any]] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentType:
        """Create Content Type (`content_types_create`)."""
        return self._request(
            "content_types_create",
            models.ContentType,
            path={},
            query={},
            body={"slug": slug, "name": name, "description": description, "fields": fields_},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def types_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ContentType]:
        """List Content Types (`content_types_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_types_list",
            models.ContentType,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def types_get(
        self,
        content_type_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentType:
        """Get Content Type (`content_types_get`)."""
        return self._request(
            "content_types_get",
            models.ContentType,
            path={"content_type_id": content_type_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def types_update(
        self,
        content_type_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        fields_: builtins.list[models.ContentField | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        force: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentType:
        """Update Content Type (`content_types_update`)."""
        return self._request(
            "content_types_update",
            models.ContentType,
            path={"content_type_id": content_type_id},
            query={},
            body={"name": name, "description": description, "fields": fields_, "force": force},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def types_delete(
        self,
        content_type_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Content Type (`content_types_delete`)."""
        self._request(
            "content_types_delete",
            None,
            path={"content_type_id": content_type_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def locales_get(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Locales:
        """Get Content Locales (`content_locales_get`)."""
        return self._request(
            "content_locales_get",
            models.Locales,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def locales_replace(
        self,
        *,
        locales: builtins.list[str],
        default: str,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Locales:
        """Replace Content Locales (`content_locales_replace`)."""
        return self._request(
            "content_locales_replace",
            models.Locales,
            path={},
            query={},
            body={"default": default, "locales": locales},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_create(
        self,
        *,
        slug: str,
        type: str,
        fields_: dict[str, Any] | NotGiven = NOT_GIVEN,
        labels: dict[str, str] | NotGiven = NOT_GIVEN,
        locale: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Create Content Entry (`content_entries_create`)."""
        return self._request(
            "content_entries_create",
            models.ContentEntry,
            path={},
            query={},
            body={
                "type": type,
                "slug": slug,
                "fields": fields_,
                "labels": labels,
                "locale": locale,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def entries_list(
        self,
        *,
        type: str | None = None,
        q: str | None = None,
        locale: str | None = None,
        expand: Literal["references"] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ContentEntry]:
        """List Content Entries (`content_entries_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_entries_list",
            models.ContentEntry,
            path={},
            query={
                "type": type,
                "q": q,
                "locale": locale,
                "expand": expand,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_generate(
        self,
        *,
        provider: str,
        brief: str,
        type: str,
        model: str | NotGiven | None = NOT_GIVEN,
        locale: str | NotGiven | None = NOT_GIVEN,
        fields_: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        slug: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Generate Content Entry (`content_entries_generate`)."""
        return self._request(
            "content_entries_generate",
            models.Run,
            path={},
            query={},
            body={
                "type": type,
                "brief": brief,
                "provider": provider,
                "model": model,
                "locale": locale,
                "fields": fields_,
                "slug": slug,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_get(
        self,
        content_entry_id: str,
        *,
        locale: str | None = None,
        expand: Literal["references"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Get Content Entry (`content_entries_get`)."""
        return self._request(
            "content_entries_get",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={"locale": locale, "expand": expand},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_update(
        self,
        content_entry_id: str,
        *,
        slug: str | NotGiven | None = NOT_GIVEN,
        fields_: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, str] | NotGiven | None = NOT_GIVEN,
        locale: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Update Content Entry (`content_entries_update`)."""
        return self._request(
            "content_entries_update",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            body={"slug": slug, "fields": fields_, "labels": labels, "locale": locale},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_delete(
        self,
        content_entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Content Entry (`content_entries_delete`)."""
        self._request(
            "content_entries_delete",
            None,
            path={"content_entry_id": content_entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_publish(
        self,
        content_entry_id: str,
        *,
        publish_at: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Publish Content Entry (`content_entries_publish`)."""
        return self._request(
            "content_entries_publish",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            body={"publish_at": publish_at},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_unpublish(
        self,
        content_entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Unpublish Content Entry (`content_entries_unpublish`)."""
        return self._request(
            "content_entries_unpublish",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_archive(
        self,
        content_entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Archive Content Entry (`content_entries_archive`)."""
        return self._request(
            "content_entries_archive",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_versions_list(
        self,
        content_entry_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Version]:
        """List Content Entry Versions (`content_entries_versions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_entries_versions_list",
            models.Version,
            path={"content_entry_id": content_entry_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_versions_diff(
        self,
        content_entry_id: str,
        from_version: str,
        to_version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.VersionDiff:
        """Diff Content Entry Versions (`content_entries_versions_diff`)."""
        return self._request(
            "content_entries_versions_diff",
            models.VersionDiff,
            path={
                "content_entry_id": content_entry_id,
                "from_version": from_version,
                "to_version": to_version,
            },
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_versions_get(
        self,
        content_entry_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Version:
        """Get Content Entry Version (`content_entries_versions_get`)."""
        return self._request(
            "content_entries_versions_get",
            models.Version,
            path={"content_entry_id": content_entry_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_versions_restore(
        self,
        content_entry_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Restore Content Entry Version (`content_entries_versions_restore`)."""
        return self._request(
            "content_entries_versions_restore",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def assets_upload(
        self,
        *,
        files: Sequence[FileTypes],
        metadata: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Asset:
        """Upload Content Asset (`content_assets_upload`)."""
        return self._request(
            "content_assets_upload",
            models.Asset,
            path={},
            query={},
            files=files,
            form={"metadata": metadata},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def assets_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Asset]:
        """List Content Assets (`content_assets_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_assets_list",
            models.Asset,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def assets_get(
        self,
        asset_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Asset:
        """Get Content Asset (`content_assets_get`)."""
        return self._request(
            "content_assets_get",
            models.Asset,
            path={"asset_id": asset_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def assets_delete(
        self,
        asset_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Content Asset (`content_assets_delete`)."""
        self._request(
            "content_assets_delete",
            None,
            path={"asset_id": asset_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def assets_file_list(
        self,
        asset_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Download Content Asset (`content_assets_file_list`)."""
        self._request(
            "content_assets_file_list",
            None,
            path={"asset_id": asset_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Costs(SyncResource):
    def get(
        self,
        *,
        group_by: Literal["agent", "model", "day", "automation"] | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        filter: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.CostReport:
        """Get Costs (`costs_get`)."""
        return self._request(
            "costs_get",
            models.CostReport,
            path={},
            query={"group_by": group_by, "from": from_, "to": to, "filter": filter},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Environments(SyncResource):
    def create(
        self,
        *,
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Create Environment (`environments_create`)."""
        return self._request(
            "environments_create",
            models.Environment,
            path={},
            query={},
            body={"name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Environment]:
        """List Environments (`environments_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "environments_list",
            models.Environment,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get_current(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Get Current Environment (`environments_get_current`)."""
        return self._request(
            "environments_get_current",
            models.Environment,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        environment_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Get Environment (`environments_get`)."""
        return self._request(
            "environments_get",
            models.Environment,
            path={"environment_id": environment_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        environment_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Update Environment (`environments_update`)."""
        return self._request(
            "environments_update",
            models.Environment,
            path={"environment_id": environment_id},
            query={},
            body={"name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        environment_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Environment (`environments_delete`)."""
        self._request(
            "environments_delete",
            None,
            path={"environment_id": environment_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class EventTypes(SyncResource):
    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.EventTypeList:
        """List Event Types (`event_types_list`)."""
        return self._request(
            "event_types_list",
            models.EventTypeList,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Events(SyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Event]:
        """List Events (`events_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "events_list",
            models.Event,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def stream(
        self,
        *,
        type: builtins.list[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> Iterator[ServerSentEvent]:
        """Stream Events (`events_stream`): the server-sent events as they come."""
        return self._sse(
            "events_stream",
            last_event_id=last_event_id,
            path={},
            query={"type": type},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        event_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Event:
        """Get Event (`events_get`)."""
        return self._request(
            "events_get",
            models.Event,
            path={"event_id": event_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def ingest(
        self,
        *,
        items: builtins.list[dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Ingest Events (`events_ingest`)."""
        self._request(
            "events_ingest",
            None,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def query(
        self,
        *,
        to: datetime,
        from_: datetime,
        step: Literal["1m", "5m", "1h", "1d"] | int | NotGiven = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        aggregation: Literal["count", "sum", "unique_users"] | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        group_by: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.EventsResult:
        """Query Events (`events_query`)."""
        return self._request(
            "events_query",
            models.EventsResult,
            path={},
            query={},
            body={
                "from": from_,
                "to": to,
                "step": step,
                "name": name,
                "aggregation": aggregation,
                "filter": filter,
                "group_by": group_by,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def funnel(
        self,
        *,
        to: datetime,
        from_: datetime,
        within_seconds: int,
        steps: builtins.list[str],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.FunnelResult:
        """Funnel Events (`events_funnel`)."""
        return self._request(
            "events_funnel",
            models.FunnelResult,
            path={},
            query={},
            body={"steps": steps, "within_seconds": within_seconds, "from": from_, "to": to},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Exceptions(SyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.RunException]:
        """List Exceptions (`exceptions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "exceptions_list",
            models.RunException,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class ExternalExecutions(SyncResource):
    def report(
        self,
        *,
        status: Literal["running", "waiting", "success", "error", "cancelled"],
        execution_id: str,
        workflow_id: str,
        engine: str,
        started_at: datetime | NotGiven | None = NOT_GIVEN,
        finished_at: datetime | NotGiven | None = NOT_GIVEN,
        duration_ms: int | NotGiven | None = NOT_GIVEN,
        output: Any | NotGiven = NOT_GIVEN,
        error: Any | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Report External Execution (`external_executions_report`)."""
        self._request(
            "external_executions_report",
            None,
            path={},
            query={},
            body={
                "engine": engine,
                "workflow_id": workflow_id,
                "execution_id": execution_id,
                "status": status,
                "started_at": started_at,
                "finished_at": finished_at,
                "duration_ms": duration_ms,
                "output": output,
                "error": error,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ExternalExecution]:
        """List External Executions (`external_executions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "external_executions_list",
            models.ExternalExecution,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        execution_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ExternalExecution:
        """Get External Execution (`external_executions_get`)."""
        return self._request(
            "external_executions_get",
            models.ExternalExecution,
            path={"execution_id": execution_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def request_approval(
        self,
        execution_id: str,
        *,
        approvers: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        required_approvals: int | NotGiven | None = NOT_GIVEN,
        timeout_seconds: float | NotGiven | None = NOT_GIVEN,
        on_timeout: Literal["reject", "approve", "escalate"] | NotGiven | None = NOT_GIVEN,
        escalate_to: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        severity: Literal["low", "medium", "high", "critical"] | NotGiven | None = NOT_GIVEN,
        message: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Request External Approval (`external_executions_request_approval`)."""
        self._request(
            "external_executions_request_approval",
            None,
            path={"execution_id": execution_id},
            query={},
            body={
                "approvers": approvers,
                "required_approvals": required_approvals,
                "timeout_seconds": timeout_seconds,
                "on_timeout": on_timeout,
                "escalate_to": escalate_to,
                "severity": severity,
                "message": message,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def cancel(
        self,
        execution_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ExternalExecution:
        """Cancel External Execution (`external_executions_cancel`)."""
        return self._request(
            "external_executions_cancel",
            models.ExternalExecution,
            path={"execution_id": execution_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def escalate(
        self,
        execution_id: str,
        *,
        reason: str,
        severity: Literal["low", "medium", "high", "critical"],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Escalate External Execution (`external_executions_escalate`)."""
        return self._request(
            "external_executions_escalate",
            models.Approval,
            path={"execution_id": execution_id},
            query={},
            body={"severity": severity, "reason": reason},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def audit_list(
        self,
        execution_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.AuditLog]:
        """External Execution Audit (`external_executions_audit_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "external_executions_audit_list",
            models.AuditLog,
            path={"execution_id": execution_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Governance(SyncResource):
    def pre_check(
        self,
        *,
        automation: str | NotGiven | None = NOT_GIVEN,
        agent: str | NotGiven | None = NOT_GIVEN,
        workflow: str | NotGiven | None = NOT_GIVEN,
        action: Literal["run", "step", "tool_call", "http"] | NotGiven = NOT_GIVEN,
        context: models.PreCheckContext | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PreCheckResult:
        """Pre Check (`governance_pre_check`)."""
        return self._request(
            "governance_pre_check",
            models.PreCheckResult,
            path={},
            query={},
            body={
                "automation": automation,
                "agent": agent,
                "workflow": workflow,
                "action": action,
                "context": context,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Judges(SyncResource):
    def create(
        self,
        *,
        config: models.JudgeConfig | dict[str, Any],
        kind: Literal["rule", "llm"],
        name: str,
        agent: str | NotGiven | None = NOT_GIVEN,
        automation: str | NotGiven | None = NOT_GIVEN,
        sample_rate: float | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Judge:
        """Create Judge (`judges_create`)."""
        return self._request(
            "judges_create",
            models.Judge,
            path={},
            query={},
            body={
                "name": name,
                "kind": kind,
                "agent": agent,
                "automation": automation,
                "config": config,
                "sample_rate": sample_rate,
                "enabled": enabled,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Judge]:
        """List Judges (`judges_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "judges_list",
            models.Judge,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        judge_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Judge:
        """Get Judge (`judges_get`)."""
        return self._request(
            "judges_get",
            models.Judge,
            path={"judge_id": judge_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        judge_id: str,
        *,
        config: models.JudgeConfig | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        sample_rate: float | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Judge:
        """Update Judge (`judges_update`)."""
        return self._request(
            "judges_update",
            models.Judge,
            path={"judge_id": judge_id},
            query={},
            body={"config": config, "sample_rate": sample_rate, "enabled": enabled},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        judge_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Judge (`judges_delete`)."""
        self._request(
            "judges_delete",
            None,
            path={"judge_id": judge_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def scores_list(
        self,
        judge_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.JudgeScores:
        """List Judge Scores (`judges_scores_list`)."""
        return self._request(
            "judges_scores_list",
            models.JudgeScores,
            path={"judge_id": judge_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Knowledge(_extras.SyncKnowledgeExtras):
    def namespaces_create(
        self,
        *,
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        embedding: models.EmbeddingSettings | dict[str, Any] | NotGiven = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Namespace:
        """Create Namespace (`knowledge_namespaces_create`)."""
        return self._request(
            "knowledge_namespaces_create",
            models.Namespace,
            path={},
            query={},
            body={
                "name": name,
                "description": description,
                "embedding": embedding,
                "chunking": chunking,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def namespaces_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Namespace]:
        """List Namespaces (`knowledge_namespaces_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "knowledge_namespaces_list",
            models.Namespace,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_get(
        self,
        namespace: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Namespace:
        """Get Namespace (`knowledge_namespaces_get`)."""
        return self._request(
            "knowledge_namespaces_get",
            models.Namespace,
            path={"namespace": namespace},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_update(
        self,
        namespace: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        embedding: models.EmbeddingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Namespace:
        """Update Namespace (`knowledge_namespaces_update`)."""
        return self._request(
            "knowledge_namespaces_update",
            models.Namespace,
            path={"namespace": namespace},
            query={},
            body={
                "name": name,
                "description": description,
                "embedding": embedding,
                "chunking": chunking,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_delete(
        self,
        namespace: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Namespace (`knowledge_namespaces_delete`)."""
        self._request(
            "knowledge_namespaces_delete",
            None,
            path={"namespace": namespace},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_entries_replace(
        self,
        namespace: str,
        entry_id: str,
        *,
        wait: bool | None = None,
        text: str | NotGiven | None = NOT_GIVEN,
        content_base64: str | NotGiven | None = NOT_GIVEN,
        content_type: str | NotGiven | None = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        source_url: str | NotGiven | None = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Entry:
        """Put Entry (`knowledge_namespaces_entries_replace`)."""
        return self._request(
            "knowledge_namespaces_entries_replace",
            models.Entry,
            path={"namespace": namespace, "entry_id": entry_id},
            query={"wait": wait},
            body={
                "text": text,
                "content_base64": content_base64,
                "content_type": content_type,
                "title": title,
                "metadata": metadata,
                "source_url": source_url,
                "chunking": chunking,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_entries_get(
        self,
        namespace: str,
        entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Entry:
        """Get Entry (`knowledge_namespaces_entries_get`)."""
        return self._request(
            "knowledge_namespaces_entries_get",
            models.Entry,
            path={"namespace": namespace, "entry_id": entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_entries_delete(
        self,
        namespace: str,
        entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Entry (`knowledge_namespaces_entries_delete`)."""
        self._request(
            "knowledge_namespaces_entries_delete",
            None,
            path={"namespace": namespace, "entry_id": entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_entries_create(
        self,
        namespace: str,
        *,
        wait: bool | None = None,
        text: str | NotGiven | None = NOT_GIVEN,
        content_base64: str | NotGiven | None = NOT_GIVEN,
        content_type: str | NotGiven | None = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        source_url: str | NotGiven | None = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        id: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Entry:
        """Create Entry (`knowledge_namespaces_entries_create`)."""
        return self._request(
            "knowledge_namespaces_entries_create",
            models.Entry,
            path={"namespace": namespace},
            query={"wait": wait},
            body={
                "text": text,
                "content_base64": content_base64,
                "content_type": content_type,
                "title": title,
                "metadata": metadata,
                "source_url": source_url,
                "chunking": chunking,
                "id": id,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def namespaces_entries_list(
        self,
        namespace: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Entry]:
        """List Entries (`knowledge_namespaces_entries_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "knowledge_namespaces_entries_list",
            models.Entry,
            path={"namespace": namespace},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_entries_upload(
        self,
        namespace: str,
        *,
        wait: bool | None = None,
        files: Sequence[FileTypes],
        metadata: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Entry_:
        """Upload Entries (`knowledge_namespaces_entries_upload`)."""
        return self._request(
            "knowledge_namespaces_entries_upload",
            models.ListResponse_Entry_,
            path={"namespace": namespace},
            query={"wait": wait},
            files=files,
            form={"metadata": metadata},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def namespaces_search(
        self,
        namespace: str,
        *,
        query: str,
        top_k: int | NotGiven = NOT_GIVEN,
        mode: Literal["hybrid", "keyword", "vector"] | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        min_score: float | NotGiven | None = NOT_GIVEN,
        weights: models.SearchWeights | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.SearchResponse:
        """Search Namespace (`knowledge_namespaces_search`)."""
        return self._request(
            "knowledge_namespaces_search",
            models.SearchResponse,
            path={"namespace": namespace},
            query={},
            body={
                "query": query,
                "top_k": top_k,
                "mode": mode,
                "filter": filter,
                "min_score": min_score,
                "weights": weights,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def search(
        self,
        *,
        namespaces: builtins.list[str],
        query: str,
        top_k: int | NotGiven = NOT_GIVEN,
        mode: Literal["hybrid", "keyword", "vector"] | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        min_score: float | NotGiven | None = NOT_GIVEN,
        weights: models.SearchWeights | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.SearchResponse:
        """Search Namespaces (`knowledge_search`)."""
        return self._request(
            "knowledge_search",
            models.SearchResponse,
            path={},
            query={},
            body={
                "query": query,
                "top_k": top_k,
                "mode": mode,
                "filter": filter,
                "min_score": min_score,
                "weights": weights,
                "namespaces": namespaces,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Logs(SyncResource):
    def ingest(
        self,
        *,
        items: builtins.list[dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Ingest Logs (`logs_ingest`)."""
        self._request(
            "logs_ingest",
            None,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        from_: datetime | None = None,
        to: datetime | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.LogLine]:
        """List Logs (`logs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "logs_list",
            models.LogLine,
            path={},
            query={
                "from": from_,
                "to": to,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def tail(
        self,
        *,
        filter: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> Iterator[ServerSentEvent]:
        """Tail Logs (`logs_tail`): the server-sent events as they come."""
        return self._sse(
            "logs_tail",
            last_event_id=last_event_id,
            path={},
            query={"filter": filter},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Metrics(SyncResource):
    def ingest(
        self,
        *,
        items: builtins.list[dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Ingest Metrics (`metrics_ingest`)."""
        self._request(
            "metrics_ingest",
            None,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def query(
        self,
        *,
        name: str,
        to: datetime,
        from_: datetime,
        step: Literal["1m", "5m", "1h", "1d"] | int | NotGiven = NOT_GIVEN,
        aggregation: Literal[
            "sum", "avg", "min", "max", "count", "rate", "p50", "p90", "p95", "p99"
        ]
        | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        group_by: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.MetricsResult:
        """Query Metrics (`metrics_query`)."""
        return self._request(
            "metrics_query",
            models.MetricsResult,
            path={},
            query={},
            body={
                "from": from_,
                "to": to,
                "step": step,
                "name": name,
                "aggregation": aggregation,
                "filter": filter,
                "group_by": group_by,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.MetricNameList:
        """List Metrics (`metrics_list`)."""
        return self._request(
            "metrics_list",
            models.MetricNameList,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Moderation(SyncResource):
    def items_create(
        self,
        *,
        author: models.Author | dict[str, Any],
        content: str,
        external_id: str,
        kind: Literal["post", "comment", "message", "profile", "other"] | NotGiven = NOT_GIVEN,
        context: models.Context | dict[str, Any] | NotGiven = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Create Item (`moderation_items_create`)."""
        return self._request(
            "moderation_items_create",
            models.Item,
            path={},
            query={},
            body={
                "external_id": external_id,
                "kind": kind,
                "content": content,
                "author": author,
                "context": context,
                "metadata": metadata,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def items_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Item]:
        """List Items (`moderation_items_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "moderation_items_list",
            models.Item,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def items_batch(
        self,
        *,
        items: builtins.list[models.ItemSubmit | dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationBatchResult:
        """Batch Items (`moderation_items_batch`)."""
        return self._request(
            "moderation_items_batch",
            models.ModerationBatchResult,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def items_get(
        self,
        item_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ItemWithHistory:
        """Get Item (`moderation_items_get`)."""
        return self._request(
            "moderation_items_get",
            models.ItemWithHistory,
            path={"item_id": item_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def items_claim(
        self,
        item_id: str,
        *,
        lease_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Claim Item (`moderation_items_claim`)."""
        return self._request(
            "moderation_items_claim",
            models.Item,
            path={"item_id": item_id},
            query={},
            body={"lease_seconds": lease_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def items_decide(
        self,
        item_id: str,
        *,
        action: Literal["approve", "flag", "hide", "warn", "reject"],
        reason: str | NotGiven | None = NOT_GIVEN,
        category: Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | NotGiven
        | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Decide Item (`moderation_items_decide`)."""
        return self._request(
            "moderation_items_decide",
            models.Item,
            path={"item_id": item_id},
            query={},
            body={"action": action, "reason": reason, "category": category},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def items_appeal(
        self,
        item_id: str,
        *,
        reason: str,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Appeal Item (`moderation_items_appeal`)."""
        return self._request(
            "moderation_items_appeal",
            models.Item,
            path={"item_id": item_id},
            query={},
            body={"reason": reason},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def queue_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Item]:
        """List Queue (`moderation_queue_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "moderation_queue_list",
            models.Item,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def authors_get(
        self,
        author_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AuthorView:
        """Get Author (`moderation_authors_get`)."""
        return self._request(
            "moderation_authors_get",
            models.AuthorView,
            path={"author_id": author_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rules_create(
        self,
        *,
        action: Literal["approve", "flag", "hide", "warn", "reject"],
        name: str,
        enabled: bool | NotGiven = NOT_GIVEN,
        order: int | NotGiven = NOT_GIVEN,
        when: models.When | dict[str, Any] | NotGiven = NOT_GIVEN,
        category: Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | NotGiven
        | None = NOT_GIVEN,
        severity: Literal["low", "medium", "high", "critical"] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationRule:
        """Create Rule (`moderation_rules_create`)."""
        return self._request(
            "moderation_rules_create",
            models.ModerationRule,
            path={},
            query={},
            body={
                "name": name,
                "enabled": enabled,
                "order": order,
                "when": when,
                "action": action,
                "category": category,
                "severity": severity,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def rules_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ModerationRule]:
        """List Rules (`moderation_rules_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "moderation_rules_list",
            models.ModerationRule,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rules_get(
        self,
        rule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationRule:
        """Get Rule (`moderation_rules_get`)."""
        return self._request(
            "moderation_rules_get",
            models.ModerationRule,
            path={"rule_id": rule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rules_update(
        self,
        rule_id: str,
        *,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        order: int | NotGiven | None = NOT_GIVEN,
        when: models.When | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        action: Literal["approve", "flag", "hide", "warn", "reject"] | NotGiven | None = NOT_GIVEN,
        category: Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | NotGiven
        | None = NOT_GIVEN,
        severity: Literal["low", "medium", "high", "critical"] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationRule:
        """Update Rule (`moderation_rules_update`)."""
        return self._request(
            "moderation_rules_update",
            models.ModerationRule,
            path={"rule_id": rule_id},
            query={},
            body={
                "enabled": enabled,
                "order": order,
                "when": when,
                "action": action,
                "category": category,
                "severity": severity,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rules_delete(
        self,
        rule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Rule (`moderation_rules_delete`)."""
        self._request(
            "moderation_rules_delete",
            None,
            path={"rule_id": rule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def settings_get(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Settings:
        """Get Settings (`moderation_settings_get`)."""
        return self._request(
            "moderation_settings_get",
            models.Settings,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def settings_replace(
        self,
        *,
        auto_moderate: bool | NotGiven = NOT_GIVEN,
        default_action: Literal["approve", "flag", "hide", "warn", "reject"] | NotGiven = NOT_GIVEN,
        classifier: models.Classifier | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        warnings_to_hide: int | NotGiven = NOT_GIVEN,
        warning_window_seconds: int | NotGiven = NOT_GIVEN,
        max_content_bytes: int | NotGiven = NOT_GIVEN,
        rule_timeout_ms: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Settings:
        """Put Settings (`moderation_settings_replace`)."""
        return self._request(
            "moderation_settings_replace",
            models.Settings,
            path={},
            query={},
            body={
                "auto_moderate": auto_moderate,
                "default_action": default_action,
                "classifier": classifier,
                "warnings_to_hide": warnings_to_hide,
                "warning_window_seconds": warning_window_seconds,
                "max_content_bytes": max_content_bytes,
                "rule_timeout_ms": rule_timeout_ms,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def scan_create(
        self,
        *,
        since: datetime | NotGiven | None = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ScanStarted:
        """Start Scan (`moderation_scan_create`)."""
        return self._request(
            "moderation_scan_create",
            models.ScanStarted,
            path={},
            query={},
            body={"since": since, "filter": filter, "limit": limit},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def stats_get(
        self,
        *,
        from_: datetime | None = None,
        to: datetime | None = None,
        group_by: Literal["day", "category", "action", "rule"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Stats:
        """Get Stats (`moderation_stats_get`)."""
        return self._request(
            "moderation_stats_get",
            models.Stats,
            path={},
            query={"from": from_, "to": to, "group_by": group_by},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Objects(SyncResource):
    def create(
        self,
        *,
        name: str,
        slug: str,
        description: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordObject:
        """Create Object (`objects_create`)."""
        return self._request(
            "objects_create",
            models.RecordObject,
            path={},
            query={},
            body={"slug": slug, "name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.RecordObject]:
        """List Objects (`objects_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "objects_list",
            models.RecordObject,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        object_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordObject:
        """Get Object (`objects_get`)."""
        return self._request(
            "objects_get",
            models.RecordObject,
            path={"object_id": object_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        object_id: str,
        *,
        slug: str | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordObject:
        """Update Object (`objects_update`)."""
        return self._request(
            "objects_update",
            models.RecordObject,
            path={"object_id": object_id},
            query={},
            body={"slug": slug, "name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        object_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Object (`objects_delete`)."""
        self._request(
            "objects_delete",
            None,
            path={"object_id": object_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def fields_list(
        self,
        object_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_ObjectField_:
        """List Fields (`objects_fields_list`)."""
        return self._request(
            "objects_fields_list",
            models.ListResponse_ObjectField_,
            path={"object_id": object_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def fields_create(
        self,
        object_id: str,
        *,
        type: Literal[
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
        ],
        name: str,
        slug: str,
        description: str | NotGiven = NOT_GIVEN,
        options: builtins.list[str] | NotGiven = NOT_GIVEN,
        required: bool | NotGiven = NOT_GIVEN,
        unique: bool | NotGiven = NOT_GIVEN,
        indexed: bool | NotGiven = NOT_GIVEN,
        default: Any | NotGiven = NOT_GIVEN,
        relation: models.RelationSpec | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ObjectField:
        """Create Field (`objects_fields_create`)."""
        return self._request(
            "objects_fields_create",
            models.ObjectField,
            path={"object_id": object_id},
            query={},
            body={
                "slug": slug,
                "name": name,
                "type": type,
                "description": description,
                "options": options,
                "required": required,
                "unique": unique,
                "indexed": indexed,
                "default": default,
                "relation": relation,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def fields_get(
        self,
        object_id: str,
        field_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ObjectField:
        """Get Field (`objects_fields_get`)."""
        return self._request(
            "objects_fields_get",
            models.ObjectField,
            path={"object_id": object_id, "field_id": field_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def fields_update(
        self,
        object_id: str,
        field_id: str,
        *,
        slug: str | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        type: Literal[
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
        | NotGiven
        | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        options: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        required: bool | NotGiven | None = NOT_GIVEN,
        unique: bool | NotGiven | None = NOT_GIVEN,
        indexed: bool | NotGiven | None = NOT_GIVEN,
        default: Any | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ObjectField:
        """Update Field (`objects_fields_update`)."""
        return self._request(
            "objects_fields_update",
            models.ObjectField,
            path={"object_id": object_id, "field_id": field_id},
            query={},
            body={
                "slug": slug,
                "name": name,
                "type": type,
                "description": description,
                "options": options,
                "required": required,
                "unique": unique,
                "indexed": indexed,
                "default": default,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def fields_delete(
        self,
        object_id: str,
        field_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Field (`objects_fields_delete`)."""
        self._request(
            "objects_fields_delete",
            None,
            path={"object_id": object_id, "field_id": field_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Openai(SyncResource):
    def chat_completions_create(
        self,
        *,
        messages: builtins.list[models.CompatMessage | dict[str, Any]],
        model: str,
        stream: bool | NotGiven = NOT_GIVEN,
        stream_options: models.StreamOptions | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        user: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> Iterator[ServerSentEvent]:
        """Chat Completions (`openai_chat_completions_create`): the server-sent events as they come."""
        return self._sse(
            "openai_chat_completions_create",
            last_event_id=last_event_id,
            path={},
            query={},
            body={
                "model": model,
                "messages": messages,
                "stream": stream,
                "stream_options": stream_options,
                "user": user,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def models_list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModelList:
        """List Models (`openai_models_list`)."""
        return self._request(
            "openai_models_list",
            models.ModelList,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Organization(SyncResource):
    def get(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.OrganizationDetail:
        """Get Organization (`organization_get`)."""
        return self._request(
            "organization_get",
            models.OrganizationDetail,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        default_max_running_runs: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.OrganizationDetail:
        """Update Organization (`organization_update`)."""
        return self._request(
            "organization_update",
            models.OrganizationDetail,
            path={},
            query={},
            body={"name": name, "default_max_running_runs": default_max_running_runs},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def audit_logs_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.AuditLog]:
        """List Organization Audit Logs (`organization_audit_logs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "organization_audit_logs_list",
            models.AuditLog,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def audit_logs_verify(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Verification:
        """Verify Organization Audit Logs (`organization_audit_logs_verify`)."""
        return self._request(
            "organization_audit_logs_verify",
            models.Verification,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Organizations(SyncResource):
    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Organization_:
        """List Organizations (`organizations_list`)."""
        return self._request(
            "organizations_list",
            models.ListResponse_Organization_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Otlp(SyncResource):
    def logs_export(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        """Export Otlp Logs (`otlp_logs_export`)."""
        return self._request(
            "otlp_logs_export",
            None,
            path={},
            query={},
            body={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def metrics_export(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        """Export Otlp Metrics (`otlp_metrics_export`)."""
        return self._request(
            "otlp_metrics_export",
            None,
            path={},
            query={},
            body={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def traces_export(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        """Export Otlp Traces (`otlp_traces_export`)."""
        return self._request(
            "otlp_traces_export",
            None,
            path={},
            query={},
            body={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Policies(SyncResource):
    def create(
        self,
        *,
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        rules: builtins.list[models.Rule | dict[str, Any]] | NotGiven = NOT_GIVEN,
        attachments: models.Attachments | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Policy:
        """Create Policy (`policies_create`)."""
        return self._request(
            "policies_create",
            models.Policy,
            path={},
            query={},
            body={
                "name": name,
                "description": description,
                "enabled": enabled,
                "rules": rules,
                "attachments": attachments,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Policy]:
        """List Policies (`policies_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "policies_list",
            models.Policy,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get_default(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.DefaultPolicy:
        """Get Default Policy (`policies_get_default`)."""
        return self._request(
            "policies_get_default",
            models.DefaultPolicy,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def set_default(
        self,
        *,
        policy: str | None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.DefaultPolicy:
        """Set Default Policy (`policies_set_default`)."""
        return self._request(
            "policies_set_default",
            models.DefaultPolicy,
            path={},
            query={},
            body={"policy": policy},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        policy_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Policy:
        """Get Policy (`policies_get`)."""
        return self._request(
            "policies_get",
            models.Policy,
            path={"policy_id": policy_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        policy_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        rules: builtins.list[models.Rule | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        attachments: models.Attachments | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Policy:
        """Update Policy (`policies_update`)."""
        return self._request(
            "policies_update",
            models.Policy,
            path={"policy_id": policy_id},
            query={},
            body={
                "name": name,
                "description": description,
                "enabled": enabled,
                "rules": rules,
                "attachments": attachments,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        policy_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Policy (`policies_delete`)."""
        self._request(
            "policies_delete",
            None,
            path={"policy_id": policy_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class PolicyExceptions(SyncResource):
    def create(
        self,
        *,
        expires_at: datetime,
        justification: str,
        rule: str | int,
        policy: str,
        scope: models.ExceptionScope | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PolicyException:
        """Create Policy Exception (`policy_exceptions_create`)."""
        return self._request(
            "policy_exceptions_create",
            models.PolicyException,
            path={},
            query={},
            body={
                "policy": policy,
                "rule": rule,
                "scope": scope,
                "justification": justification,
                "expires_at": expires_at,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.PolicyException]:
        """List Policy Exceptions (`policy_exceptions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "policy_exceptions_list",
            models.PolicyException,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        exception_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PolicyException:
        """Get Policy Exception (`policy_exceptions_get`)."""
        return self._request(
            "policy_exceptions_get",
            models.PolicyException,
            path={"exception_id": exception_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        exception_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Policy Exception (`policy_exceptions_delete`)."""
        self._request(
            "policy_exceptions_delete",
            None,
            path={"exception_id": exception_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Prices(SyncResource):
    def create(
        self,
        *,
        output_per_million: float | str,
        input_per_million: float | str,
        model: str,
        provider: str,
        cached_input_per_million: float | str | NotGiven | None = NOT_GIVEN,
        effective_from: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Price:
        """Create Price (`prices_create`)."""
        return self._request(
            "prices_create",
            models.Price,
            path={},
            query={},
            body={
                "provider": provider,
                "model": model,
                "input_per_million": input_per_million,
                "cached_input_per_million": cached_input_per_million,
                "output_per_million": output_per_million,
                "effective_from": effective_from,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Price]:
        """List Prices (`prices_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "prices_list",
            models.Price,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def defaults_list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Price_:
        """List Default Prices (`prices_defaults_list`)."""
        return self._request(
            "prices_defaults_list",
            models.ListResponse_Price_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        price_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Price:
        """Get Price (`prices_get`)."""
        return self._request(
            "prices_get",
            models.Price,
            path={"price_id": price_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        price_id: str,
        *,
        input_per_million: float | str | NotGiven | None = NOT_GIVEN,
        cached_input_per_million: float | str | NotGiven | None = NOT_GIVEN,
        output_per_million: float | str | NotGiven | None = NOT_GIVEN,
        effective_from: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Price:
        """Update Price (`prices_update`)."""
        return self._request(
            "prices_update",
            models.Price,
            path={"price_id": price_id},
            query={},
            body={
                "input_per_million": input_per_million,
                "cached_input_per_million": cached_input_per_million,
                "output_per_million": output_per_million,
                "effective_from": effective_from,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        price_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Price (`prices_delete`)."""
        self._request(
            "prices_delete",
            None,
            path={"price_id": price_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Projects(SyncResource):
    def create(
        self,
        *,
        name: str,
        display_name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        allow_private_network: bool | NotGiven = NOT_GIVEN,
        observability_retention_days: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Project:
        """Create Project (`projects_create`)."""
        return self._request(
            "projects_create",
            models.Project,
            path={},
            query={},
            body={
                "name": name,
                "display_name": display_name,
                "description": description,
                "rate_limit_per_minute": rate_limit_per_minute,
                "allow_private_network": allow_private_network,
                "observability_retention_days": observability_retention_days,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Project]:
        """List Projects (`projects_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "projects_list",
            models.Project,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        project_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Project:
        """Get Project (`projects_get`)."""
        return self._request(
            "projects_get",
            models.Project,
            path={"project_id": project_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        project_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        display_name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        allow_private_network: bool | NotGiven | None = NOT_GIVEN,
        max_running_runs: int | NotGiven | None = NOT_GIVEN,
        observability_retention_days: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Project:
        """Update Project (`projects_update`)."""
        return self._request(
            "projects_update",
            models.Project,
            path={"project_id": project_id},
            query={},
            body={
                "name": name,
                "display_name": display_name,
                "description": description,
                "rate_limit_per_minute": rate_limit_per_minute,
                "allow_private_network": allow_private_network,
                "max_running_runs": max_running_runs,
                "observability_retention_days": observability_retention_days,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        project_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Project (`projects_delete`)."""
        self._request(
            "projects_delete",
            None,
            path={"project_id": project_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def api_keys_create(
        self,
        project_id: str,
        *,
        name: str,
        kind: Literal["secret", "publishable"] | NotGiven = NOT_GIVEN,
        scopes: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        environment: str | NotGiven | None = NOT_GIVEN,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        allowed_origins: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Create Project Api Key (`projects_api_keys_create`)."""
        return self._request(
            "projects_api_keys_create",
            models.ApiKeyCreated,
            path={"project_id": project_id},
            query={},
            body={
                "name": name,
                "kind": kind,
                "scopes": scopes,
                "environment": environment,
                "expires_at": expires_at,
                "allowed_origins": allowed_origins,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def api_keys_list(
        self,
        project_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ApiKey]:
        """List Project Api Keys (`projects_api_keys_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "projects_api_keys_list",
            models.ApiKey,
            path={"project_id": project_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Providers(SyncResource):
    def create(
        self,
        *,
        kind: Literal["openai", "anthropic", "offline"],
        name: str,
        base_url: str | NotGiven | None = NOT_GIVEN,
        api_key: str | NotGiven | None = NOT_GIVEN,
        api_key_secret: str | NotGiven | None = NOT_GIVEN,
        default_model: str | NotGiven | None = NOT_GIVEN,
        options: models.ProviderOptions | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Provider:
        """Create Provider (`providers_create`)."""
        return self._request(
            "providers_create",
            models.Provider,
            path={},
            query={},
            body={
                "name": name,
                "kind": kind,
                "base_url": base_url,
                "api_key": api_key,
                "api_key_secret": api_key_secret,
                "default_model": default_model,
                "options": options,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Provider]:
        """List Providers (`providers_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "providers_list",
            models.Provider,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        provider_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Provider:
        """Get Provider (`providers_get`)."""
        return self._request(
            "providers_get",
            models.Provider,
            path={"provider_id": provider_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        provider_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        base_url: str | NotGiven | None = NOT_GIVEN,
        api_key: str | NotGiven | None = NOT_GIVEN,
        api_key_secret: str | NotGiven | None = NOT_GIVEN,
        default_model: str | NotGiven | None = NOT_GIVEN,
        options: models.ProviderOptions | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Provider:
        """Update Provider (`providers_update`)."""
        return self._request(
            "providers_update",
            models.Provider,
            path={"provider_id": provider_id},
            query={},
            body={
                "name": name,
                "base_url": base_url,
                "api_key": api_key,
                "api_key_secret": api_key_secret,
                "default_model": default_model,
                "options": options,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        provider_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Provider (`providers_delete`)."""
        self._request(
            "providers_delete",
            None,
            path={"provider_id": provider_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Public(SyncResource):
    def content_list(
        self,
        content_type_id: str,
        *,
        locale: str | None = None,
        format: Literal["json", "html"] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.PublicEntry]:
        """List Public Content (`public_content_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "public_content_list",
            models.PublicEntry,
            path={"content_type_id": content_type_id},
            query={
                "locale": locale,
                "format": format,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def content_get(
        self,
        content_type_id: str,
        slug: str,
        *,
        locale: str | None = None,
        format: Literal["json", "html"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PublicEntry:
        """Get Public Content (`public_content_get`)."""
        return self._request(
            "public_content_get",
            models.PublicEntry,
            path={"content_type_id": content_type_id, "slug": slug},
            query={"locale": locale, "format": format},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Records(SyncResource):
    def create(
        self,
        object_id: str,
        *,
        field_values: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Create Record (`records_create`)."""
        return self._request(
            "records_create",
            models.Record,
            path={"object_id": object_id},
            query={},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        object_id: str,
        *,
        show_deleted: bool | None = None,
        expand: builtins.list[str] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Record]:
        """List Records (`records_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "records_list",
            models.Record,
            path={"object_id": object_id},
            query={
                "show_deleted": show_deleted,
                "expand": expand,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def upsert(
        self,
        object_id: str,
        *,
        field_values: dict[str, Any],
        match_on: str,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Upsert Record (`records_upsert`)."""
        return self._request(
            "records_upsert",
            models.Record,
            path={"object_id": object_id},
            query={"match_on": match_on},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def query(
        self,
        object_id: str,
        *,
        filter: str | NotGiven | None = NOT_GIVEN,
        order_by: str | NotGiven | None = NOT_GIVEN,
        page_size: int | NotGiven = NOT_GIVEN,
        page_token: str | NotGiven | None = NOT_GIVEN,
        include_total: bool | NotGiven = NOT_GIVEN,
        show_deleted: bool | NotGiven = NOT_GIVEN,
        expand: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Record_:
        """Query Records (`records_query`)."""
        return self._request(
            "records_query",
            models.ListResponse_Record_,
            path={"object_id": object_id},
            query={},
            body={
                "filter": filter,
                "order_by": order_by,
                "page_size": page_size,
                "page_token": page_token,
                "include_total": include_total,
                "show_deleted": show_deleted,
                "expand": expand,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def batch_create(
        self,
        object_id: str,
        *,
        records: builtins.list[models.RecordWrite | dict[str, Any]],
        atomic: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordBatchResult:
        """Batch Create Records (`records_batch_create`)."""
        return self._request(
            "records_batch_create",
            models.RecordBatchResult,
            path={"object_id": object_id},
            query={},
            body={"records": records, "atomic": atomic},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def batch_update(
        self,
        object_id: str,
        *,
        records: builtins.list[models.RecordPatch | dict[str, Any]],
        atomic: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordBatchResult:
        """Batch Update Records (`records_batch_update`)."""
        return self._request(
            "records_batch_update",
            models.RecordBatchResult,
            path={"object_id": object_id},
            query={},
            body={"records": records, "atomic": atomic},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def batch_delete(
        self,
        object_id: str,
        *,
        records: builtins.list[models.RecordRef | dict[str, Any]],
        atomic: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordBatchResult:
        """Batch Delete Records (`records_batch_delete`)."""
        return self._request(
            "records_batch_delete",
            models.RecordBatchResult,
            path={"object_id": object_id},
            query={},
            body={"records": records, "atomic": atomic},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        object_id: str,
        record_id: str,
        *,
        show_deleted: bool | None = None,
        expand: builtins.list[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Get Record (`records_get`)."""
        return self._request(
            "records_get",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={"show_deleted": show_deleted, "expand": expand},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        object_id: str,
        record_id: str,
        *,
        field_values: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Update Record (`records_update`)."""
        return self._request(
            "records_update",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def replace(
        self,
        object_id: str,
        record_id: str,
        *,
        field_values: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Replace Record (`records_replace`)."""
        return self._request(
            "records_replace",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        object_id: str,
        record_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Record (`records_delete`)."""
        self._request(
            "records_delete",
            None,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def restore(
        self,
        object_id: str,
        record_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Restore Record (`records_restore`)."""
        return self._request(
            "records_restore",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Reports(SyncResource):
    def create(
        self,
        *,
        content: str,
        title: str,
        type: Literal["daily", "weekly", "audit", "incident", "custom"],
        format: Literal["html", "markdown", "text"] | NotGiven = NOT_GIVEN,
        author: str | NotGiven | None = NOT_GIVEN,
        period_start: datetime | NotGiven | None = NOT_GIVEN,
        period_end: datetime | NotGiven | None = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Report:
        """Create Report (`reports_create`)."""
        return self._request(
            "reports_create",
            models.Report,
            path={},
            query={},
            body={
                "type": type,
                "title": title,
                "content": content,
                "format": format,
                "author": author,
                "period_start": period_start,
                "period_end": period_end,
                "metadata": metadata,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        type: Literal["daily", "weekly", "audit", "incident", "custom"] | None = None,
        author: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.ReportSummary]:
        """List Reports (`reports_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "reports_list",
            models.ReportSummary,
            path={},
            query={
                "type": type,
                "author": author,
                "from": from_,
                "to": to,
                "limit": limit,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        report_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Report:
        """Get Report (`reports_get`)."""
        return self._request(
            "reports_get",
            models.Report,
            path={"report_id": report_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        report_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Report (`reports_delete`)."""
        self._request(
            "reports_delete",
            None,
            path={"report_id": report_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Runs(_extras.SyncRunsExtras):
    def create(
        self,
        automation_id: str,
        *,
        wait: float | None = None,
        inputs: dict[str, Any] | NotGiven = NOT_GIVEN,
        version: int | Literal["draft"] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Start Run (`runs_create`)."""
        return self._request(
            "runs_create",
            models.Run,
            path={"automation_id": automation_id},
            query={"wait": wait},
            body={"inputs": inputs, "version": version, "labels": labels},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Run]:
        """List Runs (`runs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "runs_list",
            models.Run,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Get Run (`runs_get`)."""
        return self._request(
            "runs_get",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def steps_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_RunStep_:
        """List Run Steps (`runs_steps_list`)."""
        return self._request(
            "runs_steps_list",
            models.ListResponse_RunStep_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def logs_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_RunLog_:
        """List Run Logs (`runs_logs_list`)."""
        return self._request(
            "runs_logs_list",
            models.ListResponse_RunLog_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def events_stream(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> Iterator[ServerSentEvent]:
        """Stream Run Events (`runs_events_stream`): the server-sent events as they come."""
        return self._sse(
            "runs_events_stream",
            last_event_id=last_event_id,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def cancel(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Cancel Run (`runs_cancel`)."""
        return self._request(
            "runs_cancel",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def pause(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Pause Run (`runs_pause`)."""
        return self._request(
            "runs_pause",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def resume(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Resume Run (`runs_resume`)."""
        return self._request(
            "runs_resume",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def escalate(
        self,
        run_id: str,
        *,
        reason: str,
        severity: Literal["low", "medium", "high", "critical"],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Escalate Run (`runs_escalate`)."""
        return self._request(
            "runs_escalate",
            models.Approval,
            path={"run_id": run_id},
            query={},
            body={"severity": severity, "reason": reason},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def audit_list(
        self,
        run_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.AuditLog]:
        """Run Audit (`runs_audit_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "runs_audit_list",
            models.AuditLog,
            path={"run_id": run_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def retry(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Retry Run (`runs_retry`)."""
        return self._request(
            "runs_retry",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def fork(
        self,
        run_id: str,
        *,
        from_step: str,
        inputs: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Fork Run (`runs_fork`)."""
        return self._request(
            "runs_fork",
            models.Run,
            path={"run_id": run_id},
            query={},
            body={"from_step": from_step, "inputs": inputs},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def batch_cancel(
        self,
        *,
        filter: str | NotGiven | None = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RunBatchResult:
        """Batch Cancel Runs (`runs_batch_cancel`)."""
        return self._request(
            "runs_batch_cancel",
            models.RunBatchResult,
            path={},
            query={},
            body={"filter": filter, "limit": limit},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def batch_retry(
        self,
        *,
        filter: str | NotGiven | None = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RunBatchResult:
        """Batch Retry Runs (`runs_batch_retry`)."""
        return self._request(
            "runs_batch_retry",
            models.RunBatchResult,
            path={},
            query={},
            body={"filter": filter, "limit": limit},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def tool_calls_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_ToolCall_:
        """List Run Tool Calls (`runs_tool_calls_list`)."""
        return self._request(
            "runs_tool_calls_list",
            models.ListResponse_ToolCall_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def scores_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Score_:
        """List Run Scores (`runs_scores_list`)."""
        return self._request(
            "runs_scores_list",
            models.ListResponse_Score_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Schedules(SyncResource):
    def create(
        self,
        *,
        cron: str,
        automation: str,
        timezone: str | NotGiven = NOT_GIVEN,
        inputs: dict[str, Any] | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        catchup: Literal["none", "latest", "all"] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Schedule:
        """Create Schedule (`schedules_create`)."""
        return self._request(
            "schedules_create",
            models.Schedule,
            path={},
            query={},
            body={
                "automation": automation,
                "cron": cron,
                "timezone": timezone,
                "inputs": inputs,
                "labels": labels,
                "enabled": enabled,
                "catchup": catchup,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Schedule]:
        """List Schedules (`schedules_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "schedules_list",
            models.Schedule,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        schedule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Schedule:
        """Get Schedule (`schedules_get`)."""
        return self._request(
            "schedules_get",
            models.Schedule,
            path={"schedule_id": schedule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        schedule_id: str,
        *,
        automation: str | NotGiven | None = NOT_GIVEN,
        cron: str | NotGiven | None = NOT_GIVEN,
        timezone: str | NotGiven | None = NOT_GIVEN,
        inputs: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        catchup: Literal["none", "latest", "all"] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Schedule:
        """Update Schedule (`schedules_update`)."""
        return self._request(
            "schedules_update",
            models.Schedule,
            path={"schedule_id": schedule_id},
            query={},
            body={
                "automation": automation,
                "cron": cron,
                "timezone": timezone,
                "inputs": inputs,
                "labels": labels,
                "enabled": enabled,
                "catchup": catchup,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        schedule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Schedule (`schedules_delete`)."""
        self._request(
            "schedules_delete",
            None,
            path={"schedule_id": schedule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Secrets(SyncResource):
    def set(
        self,
        secret_name: str,
        *,
        value: str,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Secret:
        """Set Secret (`secrets_set`)."""
        return self._request(
            "secrets_set",
            models.Secret,
            path={"secret_name": secret_name},
            query={},
            body={"value": value, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        secret_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Secret:
        """Get Secret (`secrets_get`)."""
        return self._request(
            "secrets_get",
            models.Secret,
            path={"secret_name": secret_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        secret_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Secret (`secrets_delete`)."""
        self._request(
            "secrets_delete",
            None,
            path={"secret_name": secret_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Secret]:
        """List Secrets (`secrets_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "secrets_list",
            models.Secret,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class System(SyncResource):
    def health(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Health:
        """Health (`health_get`)."""
        return self._request(
            "health_get",
            models.Health,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def ready(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Ready:
        """Ready (`ready_get`)."""
        return self._request(
            "ready_get",
            models.Ready,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def metrics(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> str:
        """Metrics (`metrics_get`)."""
        return self._request(
            "metrics_get",
            str,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Threads(SyncResource):
    def create(
        self,
        *,
        agent: str | NotGiven | None = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Thread:
        """Create Thread (`threads_create`)."""
        return self._request(
            "threads_create",
            models.Thread,
            path={},
            query={},
            body={"agent": agent, "title": title, "labels": labels},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Thread]:
        """List Threads (`threads_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "threads_list",
            models.Thread,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        thread_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Thread:
        """Get Thread (`threads_get`)."""
        return self._request(
            "threads_get",
            models.Thread,
            path={"thread_id": thread_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        thread_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Thread (`threads_delete`)."""
        self._request(
            "threads_delete",
            None,
            path={"thread_id": thread_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def messages_list(
        self,
        thread_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_ThreadMessage_:
        """List Thread Messages (`threads_messages_list`)."""
        return self._request(
            "threads_messages_list",
            models.ListResponse_ThreadMessage_,
            path={"thread_id": thread_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Traces(SyncResource):
    def list(
        self,
        *,
        from_: datetime | None = None,
        to: datetime | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Span]:
        """List Traces (`traces_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "traces_list",
            models.Span,
            path={},
            query={
                "from": from_,
                "to": to,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        trace_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Trace:
        """Get Trace (`traces_get`)."""
        return self._request(
            "traces_get",
            models.Trace,
            path={"trace_id": trace_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Variables(SyncResource):
    def set(
        self,
        variable_name: str,
        *,
        value: Any,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Variable:
        """Set Variable (`variables_set`)."""
        return self._request(
            "variables_set",
            models.Variable,
            path={"variable_name": variable_name},
            query={},
            body={"value": value, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        variable_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Variable:
        """Get Variable (`variables_get`)."""
        return self._request(
            "variables_get",
            models.Variable,
            path={"variable_name": variable_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        variable_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Variable (`variables_delete`)."""
        self._request(
            "variables_delete",
            None,
            path={"variable_name": variable_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Variable]:
        """List Variables (`variables_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "variables_list",
            models.Variable,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Webhooks(SyncResource):
    def create(
        self,
        *,
        event_types: builtins.list[str],
        url: str,
        description: str | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        ordered: bool | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        signing_secret: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.WebhookWithSecret:
        """Create Webhook (`webhooks_create`)."""
        return self._request(
            "webhooks_create",
            models.WebhookWithSecret,
            path={},
            query={},
            body={
                "url": url,
                "event_types": event_types,
                "description": description,
                "enabled": enabled,
                "ordered": ordered,
                "filter": filter,
                "signing_secret": signing_secret,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Webhook]:
        """List Webhooks (`webhooks_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "webhooks_list",
            models.Webhook,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def get(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Webhook:
        """Get Webhook (`webhooks_get`)."""
        return self._request(
            "webhooks_get",
            models.Webhook,
            path={"webhook_id": webhook_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def update(
        self,
        webhook_id: str,
        *,
        url: str | NotGiven | None = NOT_GIVEN,
        event_types: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        ordered: bool | NotGiven | None = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        signing_secret: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Webhook:
        """Update Webhook (`webhooks_update`)."""
        return self._request(
            "webhooks_update",
            models.Webhook,
            path={"webhook_id": webhook_id},
            query={},
            body={
                "url": url,
                "event_types": event_types,
                "description": description,
                "enabled": enabled,
                "ordered": ordered,
                "filter": filter,
                "signing_secret": signing_secret,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def delete(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Webhook (`webhooks_delete`)."""
        self._request(
            "webhooks_delete",
            None,
            path={"webhook_id": webhook_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def rotate_secret(
        self,
        webhook_id: str,
        *,
        grace_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.WebhookWithSecret:
        """Rotate Webhook Secret (`webhooks_rotate_secret`)."""
        return self._request(
            "webhooks_rotate_secret",
            models.WebhookWithSecret,
            path={"webhook_id": webhook_id},
            query={},
            body={"grace_seconds": grace_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def deliveries_list(
        self,
        webhook_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SyncPager[models.Delivery]:
        """List Deliveries (`webhooks_deliveries_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "webhooks_deliveries_list",
            models.Delivery,
            path={"webhook_id": webhook_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def deliveries_get(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Delivery:
        """Get Delivery (`webhooks_deliveries_get`)."""
        return self._request(
            "webhooks_deliveries_get",
            models.Delivery,
            path={"webhook_id": webhook_id, "delivery_id": delivery_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def deliveries_redeliver(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Delivery:
        """Redeliver (`webhooks_deliveries_redeliver`)."""
        return self._request(
            "webhooks_deliveries_redeliver",
            models.Delivery,
            path={"webhook_id": webhook_id, "delivery_id": delivery_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def test(
        self,
        webhook_id: str,
        *,
        data: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Delivery:
        """Send Test (`webhooks_test`)."""
        return self._request(
            "webhooks_test",
            models.Delivery,
            path={"webhook_id": webhook_id},
            query={},
            body={"data": data},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class Workers(SyncResource):
    def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Worker_:
        """List Workers (`workers_list`)."""
        return self._request(
            "workers_list",
            models.ListResponse_Worker_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncAdmin(AsyncResource):
    async def keys_create(
        self,
        *,
        name: str,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Create Admin Key (`admin_keys_create`)."""
        return await self._request(
            "admin_keys_create",
            models.ApiKeyCreated,
            path={},
            query={},
            body={"name": name, "expires_at": expires_at},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def keys_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ApiKey]:
        """List Admin Keys (`admin_keys_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "admin_keys_list",
            models.ApiKey,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def keys_delete(
        self,
        admin_key_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKey:
        """Revoke Admin Key (`admin_keys_delete`)."""
        return await self._request(
            "admin_keys_delete",
            models.ApiKey,
            path={"admin_key_id": admin_key_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def keys_rotate(
        self,
        admin_key_id: str,
        *,
        grace_period_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Rotate Admin Key (`admin_keys_rotate`)."""
        return await self._request(
            "admin_keys_rotate",
            models.ApiKeyCreated,
            path={"admin_key_id": admin_key_id},
            query={},
            body={"grace_period_seconds": grace_period_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )


class AsyncAgents(AsyncResource):
    async def create(
        self,
        *,
        name: str,
        runtime: models.Runtime | dict[str, Any],
        instructions: str | NotGiven = NOT_GIVEN,
        tools: builtins.list[models.ToolSpec | dict[str, Any]] | NotGiven = NOT_GIVEN,
        knowledge_namespaces: builtins.list[str] | NotGiven = NOT_GIVEN,
        max_steps: int | NotGiven = NOT_GIVEN,
        description: str | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        concurrency: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Create Agent (`agents_create`)."""
        return await self._request(
            "agents_create",
            models.Agent,
            path={},
            query={},
            body={
                "instructions": instructions,
                "runtime": runtime,
                "tools": tools,
                "knowledge_namespaces": knowledge_namespaces,
                "max_steps": max_steps,
                "name": name,
                "description": description,
                "labels": labels,
                "concurrency": concurrency,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Agent]:
        """List Agents (`agents_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "agents_list",
            models.Agent,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def runtime_status_list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_AgentRuntimeStatus_:
        """Agents Runtime Status (`agents_runtime_status_list`)."""
        return await self._request(
            "agents_runtime_status_list",
            models.ListResponse_AgentRuntimeStatus_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Get Agent (`agents_get`)."""
        return await self._request(
            "agents_get",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        agent_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        runtime: models.Runtime | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        tools: builtins.list[models.ToolSpec | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        knowledge_namespaces: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        max_steps: int | NotGiven | None = NOT_GIVEN,
        concurrency: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Update Agent (`agents_update`)."""
        return await self._request(
            "agents_update",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            body={
                "name": name,
                "description": description,
                "labels": labels,
                "instructions": instructions,
                "runtime": runtime,
                "tools": tools,
                "knowledge_namespaces": knowledge_namespaces,
                "max_steps": max_steps,
                "concurrency": concurrency,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Agent (`agents_delete`)."""
        await self._request(
            "agents_delete",
            None,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def publish(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AgentVersion:
        """Publish Agent (`agents_publish`)."""
        return await self._request(
            "agents_publish",
            models.AgentVersion,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    async def versions_list(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_AgentVersion_:
        """List Agent Versions (`agents_versions_list`)."""
        return await self._request(
            "agents_versions_list",
            models.ListResponse_AgentVersion_,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def versions_get(
        self,
        agent_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AgentVersion:
        """Get Agent Version (`agents_versions_get`)."""
        return await self._request(
            "agents_versions_get",
            models.AgentVersion,
            path={"agent_id": agent_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rollback(
        self,
        agent_id: str,
        *,
        version: int,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Rollback Agent (`agents_rollback`)."""
        return await self._request(
            "agents_rollback",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            body={"version": version},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def map_runtime(
        self,
        agent_id: str,
        *,
        provider: str,
        model: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Map Agent Runtime (`agents_map_runtime`)."""
        return await self._request(
            "agents_map_runtime",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            body={"provider": provider, "model": model},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def suspend(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Suspend Agent (`agents_suspend`)."""
        return await self._request(
            "agents_suspend",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def resume(
        self,
        agent_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Agent:
        """Resume Agent (`agents_resume`)."""
        return await self._request(
            "agents_resume",
            models.Agent,
            path={"agent_id": agent_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def runs_create(
        self,
        agent_id: str,
        *,
        wait: float | None = None,
        message: str | NotGiven | None = NOT_GIVEN,
        messages: builtins.list[models.ChatMessage | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        inputs: dict[str, Any] | NotGiven = NOT_GIVEN,
        thread_id: str | NotGiven | None = NOT_GIVEN,
        version: int | Literal["draft"] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Start Agent Run (`agents_runs_create`)."""
        return await self._request(
            "agents_runs_create",
            models.Run,
            path={"agent_id": agent_id},
            query={"wait": wait},
            body={
                "message": message,
                "messages": messages,
                "inputs": inputs,
                "thread_id": thread_id,
                "version": version,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )


class AsyncApiKeys(AsyncResource):
    async def create(
        self,
        *,
        name: str,
        kind: Literal["secret", "publishable"] | NotGiven = NOT_GIVEN,
        scopes: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        environment: str | NotGiven | None = NOT_GIVEN,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        allowed_origins: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Create Api Key (`api_keys_create`)."""
        return await self._request(
            "api_keys_create",
            models.ApiKeyCreated,
            path={},
            query={},
            body={
                "name": name,
                "kind": kind,
                "scopes": scopes,
                "environment": environment,
                "expires_at": expires_at,
                "allowed_origins": allowed_origins,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ApiKey]:
        """List Api Keys (`api_keys_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "api_keys_list",
            models.ApiKey,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        key_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKey:
        """Get Api Key (`api_keys_get`)."""
        return await self._request(
            "api_keys_get",
            models.ApiKey,
            path={"key_id": key_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        key_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKey:
        """Revoke Api Key (`api_keys_delete`)."""
        return await self._request(
            "api_keys_delete",
            models.ApiKey,
            path={"key_id": key_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rotate(
        self,
        key_id: str,
        *,
        grace_period_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Rotate Api Key (`api_keys_rotate`)."""
        return await self._request(
            "api_keys_rotate",
            models.ApiKeyCreated,
            path={"key_id": key_id},
            query={},
            body={"grace_period_seconds": grace_period_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )


class AsyncApprovals(AsyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Approval]:
        """List Approvals (`approvals_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "approvals_list",
            models.Approval,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        approval_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Get Approval (`approvals_get`)."""
        return await self._request(
            "approvals_get",
            models.Approval,
            path={"approval_id": approval_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def approve(
        self,
        approval_id: str,
        *,
        comment: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Approve (`approvals_approve`)."""
        return await self._request(
            "approvals_approve",
            models.Approval,
            path={"approval_id": approval_id},
            query={},
            body={"comment": comment},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def reject(
        self,
        approval_id: str,
        *,
        comment: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Reject (`approvals_reject`)."""
        return await self._request(
            "approvals_reject",
            models.Approval,
            path={"approval_id": approval_id},
            query={},
            body={"comment": comment},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncAuditLogs(AsyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.AuditLog]:
        """List Audit Logs (`audit_logs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "audit_logs_list",
            models.AuditLog,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def verify(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Verification:
        """Verify Audit Logs (`audit_logs_verify`)."""
        return await self._request(
            "audit_logs_verify",
            models.Verification,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncAutomations(AsyncResource):
    async def create(
        self,
        *,
        definition: models.Definition | dict[str, Any],
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Create Automation (`automations_create`)."""
        return await self._request(
            "automations_create",
            models.Automation,
            path={},
            query={},
            body={
                "name": name,
                "description": description,
                "definition": definition,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Automation]:
        """List Automations (`automations_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "automations_list",
            models.Automation,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Get Automation (`automations_get`)."""
        return await self._request(
            "automations_get",
            models.Automation,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        automation_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        definition: models.Definition | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Update Automation (`automations_update`)."""
        return await self._request(
            "automations_update",
            models.Automation,
            path={"automation_id": automation_id},
            query={},
            body={
                "name": name,
                "description": description,
                "definition": definition,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Automation (`automations_delete`)."""
        await self._request(
            "automations_delete",
            None,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def publish(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AutomationVersion:
        """Publish Automation (`automations_publish`)."""
        return await self._request(
            "automations_publish",
            models.AutomationVersion,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    async def versions_list(
        self,
        automation_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_AutomationVersion_:
        """List Automation Versions (`automations_versions_list`)."""
        return await self._request(
            "automations_versions_list",
            models.ListResponse_AutomationVersion_,
            path={"automation_id": automation_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def versions_get(
        self,
        automation_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AutomationVersion:
        """Get Automation Version (`automations_versions_get`)."""
        return await self._request(
            "automations_versions_get",
            models.AutomationVersion,
            path={"automation_id": automation_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rollback(
        self,
        automation_id: str,
        *,
        version: int,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Automation:
        """Rollback Automation (`automations_rollback`)."""
        return await self._request(
            "automations_rollback",
            models.Automation,
            path={"automation_id": automation_id},
            query={},
            body={"version": version},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncBudgets(AsyncResource):
    async def create(
        self,
        *,
        limit_usd: float | str,
        period: Literal["day", "week", "month"],
        name: str,
        agent: str | NotGiven | None = NOT_GIVEN,
        thresholds: builtins.list[models.Threshold | dict[str, Any]] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Budget:
        """Create Budget (`budgets_create`)."""
        return await self._request(
            "budgets_create",
            models.Budget,
            path={},
            query={},
            body={
                "name": name,
                "agent": agent,
                "period": period,
                "limit_usd": limit_usd,
                "thresholds": thresholds,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Budget]:
        """List Budgets (`budgets_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "budgets_list",
            models.Budget,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        budget_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Budget:
        """Get Budget (`budgets_get`)."""
        return await self._request(
            "budgets_get",
            models.Budget,
            path={"budget_id": budget_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        budget_id: str,
        *,
        period: Literal["day", "week", "month"] | NotGiven | None = NOT_GIVEN,
        limit_usd: float | str | NotGiven | None = NOT_GIVEN,
        thresholds: builtins.list[models.Threshold | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Budget:
        """Update Budget (`budgets_update`)."""
        return await self._request(
            "budgets_update",
            models.Budget,
            path={"budget_id": budget_id},
            query={},
            body={"period": period, "limit_usd": limit_usd, "thresholds": thresholds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        budget_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Budget (`budgets_delete`)."""
        await self._request(
            "budgets_delete",
            None,
            path={"budget_id": budget_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncCms(AsyncResource):
    def pages_list(
        self,
        project_id: str,
        *,
        locale: str | None = None,
        format: Literal["json", "html"] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.PublicEntry]:
        """List Cms Pages (`cms_pages_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "cms_pages_list",
            models.PublicEntry,
            path={"project_id": project_id},
            query={
                "locale": locale,
                "format": format,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncContent(AsyncResource):
    async def types_create(
        self,
        *,
        name: str,
        slug: str,
        description: str | NotGiven = NOT_GIVEN,
        fields_: builtins.list[models.ContentField | dict[str, Any]] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentType:
        """Create Content Type (`content_types_create`)."""
        return await self._request(
            "content_types_create",
            models.ContentType,
            path={},
            query={},
            body={"slug": slug, "name": name, "description": description, "fields": fields_},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def types_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ContentType]:
        """List Content Types (`content_types_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_types_list",
            models.ContentType,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def types_get(
        self,
        content_type_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentType:
        """Get Content Type (`content_types_get`)."""
        return await self._request(
            "content_types_get",
            models.ContentType,
            path={"content_type_id": content_type_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def types_update(
        self,
        content_type_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        fields_: builtins.list[models.ContentField | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        force: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentType:
        """Update Content Type (`content_types_update`)."""
        return await self._request(
            "content_types_update",
            models.ContentType,
            path={"content_type_id": content_type_id},
            query={},
            body={"name": name, "description": description, "fields": fields_, "force": force},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def types_delete(
        self,
        content_type_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Content Type (`content_types_delete`)."""
        await self._request(
            "content_types_delete",
            None,
            path={"content_type_id": content_type_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def locales_get(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Locales:
        """Get Content Locales (`content_locales_get`)."""
        return await self._request(
            "content_locales_get",
            models.Locales,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def locales_replace(
        self,
        *,
        locales: builtins.list[str],
        default: str,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Locales:
        """Replace Content Locales (`content_locales_replace`)."""
        return await self._request(
            "content_locales_replace",
            models.Locales,
            path={},
            query={},
            body={"default": default, "locales": locales},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_create(
        self,
        *,
        slug: str,
        type: str,
        fields_: dict[str, Any] | NotGiven = NOT_GIVEN,
        labels: dict[str, str] | NotGiven = NOT_GIVEN,
        locale: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Create Content Entry (`content_entries_create`)."""
        return await self._request(
            "content_entries_create",
            models.ContentEntry,
            path={},
            query={},
            body={
                "type": type,
                "slug": slug,
                "fields": fields_,
                "labels": labels,
                "locale": locale,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def entries_list(
        self,
        *,
        type: str | None = None,
        q: str | None = None,
        locale: str | None = None,
        expand: Literal["references"] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ContentEntry]:
        """List Content Entries (`content_entries_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_entries_list",
            models.ContentEntry,
            path={},
            query={
                "type": type,
                "q": q,
                "locale": locale,
                "expand": expand,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_generate(
        self,
        *,
        provider: str,
        brief: str,
        type: str,
        model: str | NotGiven | None = NOT_GIVEN,
        locale: str | NotGiven | None = NOT_GIVEN,
        fields_: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        slug: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Generate Content Entry (`content_entries_generate`)."""
        return await self._request(
            "content_entries_generate",
            models.Run,
            path={},
            query={},
            body={
                "type": type,
                "brief": brief,
                "provider": provider,
                "model": model,
                "locale": locale,
                "fields": fields_,
                "slug": slug,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_get(
        self,
        content_entry_id: str,
        *,
        locale: str | None = None,
        expand: Literal["references"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Get Content Entry (`content_entries_get`)."""
        return await self._request(
            "content_entries_get",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={"locale": locale, "expand": expand},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_update(
        self,
        content_entry_id: str,
        *,
        slug: str | NotGiven | None = NOT_GIVEN,
        fields_: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, str] | NotGiven | None = NOT_GIVEN,
        locale: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Update Content Entry (`content_entries_update`)."""
        return await self._request(
            "content_entries_update",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            body={"slug": slug, "fields": fields_, "labels": labels, "locale": locale},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_delete(
        self,
        content_entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Content Entry (`content_entries_delete`)."""
        await self._request(
            "content_entries_delete",
            None,
            path={"content_entry_id": content_entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_publish(
        self,
        content_entry_id: str,
        *,
        publish_at: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Publish Content Entry (`content_entries_publish`)."""
        return await self._request(
            "content_entries_publish",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            body={"publish_at": publish_at},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_unpublish(
        self,
        content_entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Unpublish Content Entry (`content_entries_unpublish`)."""
        return await self._request(
            "content_entries_unpublish",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_archive(
        self,
        content_entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Archive Content Entry (`content_entries_archive`)."""
        return await self._request(
            "content_entries_archive",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def entries_versions_list(
        self,
        content_entry_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Version]:
        """List Content Entry Versions (`content_entries_versions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_entries_versions_list",
            models.Version,
            path={"content_entry_id": content_entry_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_versions_diff(
        self,
        content_entry_id: str,
        from_version: str,
        to_version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.VersionDiff:
        """Diff Content Entry Versions (`content_entries_versions_diff`)."""
        return await self._request(
            "content_entries_versions_diff",
            models.VersionDiff,
            path={
                "content_entry_id": content_entry_id,
                "from_version": from_version,
                "to_version": to_version,
            },
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_versions_get(
        self,
        content_entry_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Version:
        """Get Content Entry Version (`content_entries_versions_get`)."""
        return await self._request(
            "content_entries_versions_get",
            models.Version,
            path={"content_entry_id": content_entry_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def entries_versions_restore(
        self,
        content_entry_id: str,
        version: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ContentEntry:
        """Restore Content Entry Version (`content_entries_versions_restore`)."""
        return await self._request(
            "content_entries_versions_restore",
            models.ContentEntry,
            path={"content_entry_id": content_entry_id, "version": version},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def assets_upload(
        self,
        *,
        files: Sequence[FileTypes],
        metadata: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Asset:
        """Upload Content Asset (`content_assets_upload`)."""
        return await self._request(
            "content_assets_upload",
            models.Asset,
            path={},
            query={},
            files=files,
            form={"metadata": metadata},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def assets_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Asset]:
        """List Content Assets (`content_assets_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "content_assets_list",
            models.Asset,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def assets_get(
        self,
        asset_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Asset:
        """Get Content Asset (`content_assets_get`)."""
        return await self._request(
            "content_assets_get",
            models.Asset,
            path={"asset_id": asset_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def assets_delete(
        self,
        asset_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Content Asset (`content_assets_delete`)."""
        await self._request(
            "content_assets_delete",
            None,
            path={"asset_id": asset_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def assets_file_list(
        self,
        asset_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Download Content Asset (`content_assets_file_list`)."""
        await self._request(
            "content_assets_file_list",
            None,
            path={"asset_id": asset_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncCosts(AsyncResource):
    async def get(
        self,
        *,
        group_by: Literal["agent", "model", "day", "automation"] | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        filter: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.CostReport:
        """Get Costs (`costs_get`)."""
        return await self._request(
            "costs_get",
            models.CostReport,
            path={},
            query={"group_by": group_by, "from": from_, "to": to, "filter": filter},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncEnvironments(AsyncResource):
    async def create(
        self,
        *,
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Create Environment (`environments_create`)."""
        return await self._request(
            "environments_create",
            models.Environment,
            path={},
            query={},
            body={"name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Environment]:
        """List Environments (`environments_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "environments_list",
            models.Environment,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get_current(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Get Current Environment (`environments_get_current`)."""
        return await self._request(
            "environments_get_current",
            models.Environment,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        environment_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Get Environment (`environments_get`)."""
        return await self._request(
            "environments_get",
            models.Environment,
            path={"environment_id": environment_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        environment_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Environment:
        """Update Environment (`environments_update`)."""
        return await self._request(
            "environments_update",
            models.Environment,
            path={"environment_id": environment_id},
            query={},
            body={"name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        environment_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Environment (`environments_delete`)."""
        await self._request(
            "environments_delete",
            None,
            path={"environment_id": environment_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncEventTypes(AsyncResource):
    async def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.EventTypeList:
        """List Event Types (`event_types_list`)."""
        return await self._request(
            "event_types_list",
            models.EventTypeList,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncEvents(AsyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Event]:
        """List Events (`events_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "events_list",
            models.Event,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def stream(
        self,
        *,
        type: builtins.list[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> AsyncIterator[ServerSentEvent]:
        """Stream Events (`events_stream`): the server-sent events as they come."""
        return self._sse(
            "events_stream",
            last_event_id=last_event_id,
            path={},
            query={"type": type},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        event_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Event:
        """Get Event (`events_get`)."""
        return await self._request(
            "events_get",
            models.Event,
            path={"event_id": event_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def ingest(
        self,
        *,
        items: builtins.list[dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Ingest Events (`events_ingest`)."""
        await self._request(
            "events_ingest",
            None,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def query(
        self,
        *,
        to: datetime,
        from_: datetime,
        step: Literal["1m", "5m", "1h", "1d"] | int | NotGiven = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        aggregation: Literal["count", "sum", "unique_users"] | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        group_by: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.EventsResult:
        """Query Events (`events_query`)."""
        return await self._request(
            "events_query",
            models.EventsResult,
            path={},
            query={},
            body={
                "from": from_,
                "to": to,
                "step": step,
                "name": name,
                "aggregation": aggregation,
                "filter": filter,
                "group_by": group_by,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def funnel(
        self,
        *,
        to: datetime,
        from_: datetime,
        within_seconds: int,
        steps: builtins.list[str],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.FunnelResult:
        """Funnel Events (`events_funnel`)."""
        return await self._request(
            "events_funnel",
            models.FunnelResult,
            path={},
            query={},
            body={"steps": steps, "within_seconds": within_seconds, "from": from_, "to": to},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncExceptions(AsyncResource):
    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.RunException]:
        """List Exceptions (`exceptions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "exceptions_list",
            models.RunException,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncExternalExecutions(AsyncResource):
    async def report(
        self,
        *,
        status: Literal["running", "waiting", "success", "error", "cancelled"],
        execution_id: str,
        workflow_id: str,
        engine: str,
        started_at: datetime | NotGiven | None = NOT_GIVEN,
        finished_at: datetime | NotGiven | None = NOT_GIVEN,
        duration_ms: int | NotGiven | None = NOT_GIVEN,
        output: Any | NotGiven = NOT_GIVEN,
        error: Any | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Report External Execution (`external_executions_report`)."""
        await self._request(
            "external_executions_report",
            None,
            path={},
            query={},
            body={
                "engine": engine,
                "workflow_id": workflow_id,
                "execution_id": execution_id,
                "status": status,
                "started_at": started_at,
                "finished_at": finished_at,
                "duration_ms": duration_ms,
                "output": output,
                "error": error,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ExternalExecution]:
        """List External Executions (`external_executions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "external_executions_list",
            models.ExternalExecution,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        execution_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ExternalExecution:
        """Get External Execution (`external_executions_get`)."""
        return await self._request(
            "external_executions_get",
            models.ExternalExecution,
            path={"execution_id": execution_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def request_approval(
        self,
        execution_id: str,
        *,
        approvers: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        required_approvals: int | NotGiven | None = NOT_GIVEN,
        timeout_seconds: float | NotGiven | None = NOT_GIVEN,
        on_timeout: Literal["reject", "approve", "escalate"] | NotGiven | None = NOT_GIVEN,
        escalate_to: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        severity: Literal["low", "medium", "high", "critical"] | NotGiven | None = NOT_GIVEN,
        message: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Request External Approval (`external_executions_request_approval`)."""
        await self._request(
            "external_executions_request_approval",
            None,
            path={"execution_id": execution_id},
            query={},
            body={
                "approvers": approvers,
                "required_approvals": required_approvals,
                "timeout_seconds": timeout_seconds,
                "on_timeout": on_timeout,
                "escalate_to": escalate_to,
                "severity": severity,
                "message": message,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def cancel(
        self,
        execution_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ExternalExecution:
        """Cancel External Execution (`external_executions_cancel`)."""
        return await self._request(
            "external_executions_cancel",
            models.ExternalExecution,
            path={"execution_id": execution_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def escalate(
        self,
        execution_id: str,
        *,
        reason: str,
        severity: Literal["low", "medium", "high", "critical"],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Escalate External Execution (`external_executions_escalate`)."""
        return await self._request(
            "external_executions_escalate",
            models.Approval,
            path={"execution_id": execution_id},
            query={},
            body={"severity": severity, "reason": reason},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def audit_list(
        self,
        execution_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.AuditLog]:
        """External Execution Audit (`external_executions_audit_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "external_executions_audit_list",
            models.AuditLog,
            path={"execution_id": execution_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncGovernance(AsyncResource):
    async def pre_check(
        self,
        *,
        automation: str | NotGiven | None = NOT_GIVEN,
        agent: str | NotGiven | None = NOT_GIVEN,
        workflow: str | NotGiven | None = NOT_GIVEN,
        action: Literal["run", "step", "tool_call", "http"] | NotGiven = NOT_GIVEN,
        context: models.PreCheckContext | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PreCheckResult:
        """Pre Check (`governance_pre_check`)."""
        return await self._request(
            "governance_pre_check",
            models.PreCheckResult,
            path={},
            query={},
            body={
                "automation": automation,
                "agent": agent,
                "workflow": workflow,
                "action": action,
                "context": context,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncJudges(AsyncResource):
    async def create(
        self,
        *,
        config: models.JudgeConfig | dict[str, Any],
        kind: Literal["rule", "llm"],
        name: str,
        agent: str | NotGiven | None = NOT_GIVEN,
        automation: str | NotGiven | None = NOT_GIVEN,
        sample_rate: float | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Judge:
        """Create Judge (`judges_create`)."""
        return await self._request(
            "judges_create",
            models.Judge,
            path={},
            query={},
            body={
                "name": name,
                "kind": kind,
                "agent": agent,
                "automation": automation,
                "config": config,
                "sample_rate": sample_rate,
                "enabled": enabled,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Judge]:
        """List Judges (`judges_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "judges_list",
            models.Judge,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        judge_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Judge:
        """Get Judge (`judges_get`)."""
        return await self._request(
            "judges_get",
            models.Judge,
            path={"judge_id": judge_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        judge_id: str,
        *,
        config: models.JudgeConfig | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        sample_rate: float | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Judge:
        """Update Judge (`judges_update`)."""
        return await self._request(
            "judges_update",
            models.Judge,
            path={"judge_id": judge_id},
            query={},
            body={"config": config, "sample_rate": sample_rate, "enabled": enabled},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        judge_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Judge (`judges_delete`)."""
        await self._request(
            "judges_delete",
            None,
            path={"judge_id": judge_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def scores_list(
        self,
        judge_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.JudgeScores:
        """List Judge Scores (`judges_scores_list`)."""
        return await self._request(
            "judges_scores_list",
            models.JudgeScores,
            path={"judge_id": judge_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncKnowledge(_extras.AsyncKnowledgeExtras):
    async def namespaces_create(
        self,
        *,
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        embedding: models.EmbeddingSettings | dict[str, Any] | NotGiven = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Namespace:
        """Create Namespace (`knowledge_namespaces_create`)."""
        return await self._request(
            "knowledge_namespaces_create",
            models.Namespace,
            path={},
            query={},
            body={
                "name": name,
                "description": description,
                "embedding": embedding,
                "chunking": chunking,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def namespaces_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Namespace]:
        """List Namespaces (`knowledge_namespaces_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "knowledge_namespaces_list",
            models.Namespace,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_get(
        self,
        namespace: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Namespace:
        """Get Namespace (`knowledge_namespaces_get`)."""
        return await self._request(
            "knowledge_namespaces_get",
            models.Namespace,
            path={"namespace": namespace},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_update(
        self,
        namespace: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        embedding: models.EmbeddingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Namespace:
        """Update Namespace (`knowledge_namespaces_update`)."""
        return await self._request(
            "knowledge_namespaces_update",
            models.Namespace,
            path={"namespace": namespace},
            query={},
            body={
                "name": name,
                "description": description,
                "embedding": embedding,
                "chunking": chunking,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_delete(
        self,
        namespace: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Namespace (`knowledge_namespaces_delete`)."""
        await self._request(
            "knowledge_namespaces_delete",
            None,
            path={"namespace": namespace},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_entries_replace(
        self,
        namespace: str,
        entry_id: str,
        *,
        wait: bool | None = None,
        text: str | NotGiven | None = NOT_GIVEN,
        content_base64: str | NotGiven | None = NOT_GIVEN,
        content_type: str | NotGiven | None = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        source_url: str | NotGiven | None = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Entry:
        """Put Entry (`knowledge_namespaces_entries_replace`)."""
        return await self._request(
            "knowledge_namespaces_entries_replace",
            models.Entry,
            path={"namespace": namespace, "entry_id": entry_id},
            query={"wait": wait},
            body={
                "text": text,
                "content_base64": content_base64,
                "content_type": content_type,
                "title": title,
                "metadata": metadata,
                "source_url": source_url,
                "chunking": chunking,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_entries_get(
        self,
        namespace: str,
        entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Entry:
        """Get Entry (`knowledge_namespaces_entries_get`)."""
        return await self._request(
            "knowledge_namespaces_entries_get",
            models.Entry,
            path={"namespace": namespace, "entry_id": entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_entries_delete(
        self,
        namespace: str,
        entry_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Entry (`knowledge_namespaces_entries_delete`)."""
        await self._request(
            "knowledge_namespaces_entries_delete",
            None,
            path={"namespace": namespace, "entry_id": entry_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_entries_create(
        self,
        namespace: str,
        *,
        wait: bool | None = None,
        text: str | NotGiven | None = NOT_GIVEN,
        content_base64: str | NotGiven | None = NOT_GIVEN,
        content_type: str | NotGiven | None = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        source_url: str | NotGiven | None = NOT_GIVEN,
        chunking: models.ChunkingSettings | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        id: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Entry:
        """Create Entry (`knowledge_namespaces_entries_create`)."""
        return await self._request(
            "knowledge_namespaces_entries_create",
            models.Entry,
            path={"namespace": namespace},
            query={"wait": wait},
            body={
                "text": text,
                "content_base64": content_base64,
                "content_type": content_type,
                "title": title,
                "metadata": metadata,
                "source_url": source_url,
                "chunking": chunking,
                "id": id,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def namespaces_entries_list(
        self,
        namespace: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Entry]:
        """List Entries (`knowledge_namespaces_entries_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "knowledge_namespaces_entries_list",
            models.Entry,
            path={"namespace": namespace},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_entries_upload(
        self,
        namespace: str,
        *,
        wait: bool | None = None,
        files: Sequence[FileTypes],
        metadata: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Entry_:
        """Upload Entries (`knowledge_namespaces_entries_upload`)."""
        return await self._request(
            "knowledge_namespaces_entries_upload",
            models.ListResponse_Entry_,
            path={"namespace": namespace},
            query={"wait": wait},
            files=files,
            form={"metadata": metadata},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def namespaces_search(
        self,
        namespace: str,
        *,
        query: str,
        top_k: int | NotGiven = NOT_GIVEN,
        mode: Literal["hybrid", "keyword", "vector"] | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        min_score: float | NotGiven | None = NOT_GIVEN,
        weights: models.SearchWeights | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.SearchResponse:
        """Search Namespace (`knowledge_namespaces_search`)."""
        return await self._request(
            "knowledge_namespaces_search",
            models.SearchResponse,
            path={"namespace": namespace},
            query={},
            body={
                "query": query,
                "top_k": top_k,
                "mode": mode,
                "filter": filter,
                "min_score": min_score,
                "weights": weights,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def search(
        self,
        *,
        namespaces: builtins.list[str],
        query: str,
        top_k: int | NotGiven = NOT_GIVEN,
        mode: Literal["hybrid", "keyword", "vector"] | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        min_score: float | NotGiven | None = NOT_GIVEN,
        weights: models.SearchWeights | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.SearchResponse:
        """Search Namespaces (`knowledge_search`)."""
        return await self._request(
            "knowledge_search",
            models.SearchResponse,
            path={},
            query={},
            body={
                "query": query,
                "top_k": top_k,
                "mode": mode,
                "filter": filter,
                "min_score": min_score,
                "weights": weights,
                "namespaces": namespaces,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncLogs(AsyncResource):
    async def ingest(
        self,
        *,
        items: builtins.list[dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Ingest Logs (`logs_ingest`)."""
        await self._request(
            "logs_ingest",
            None,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        from_: datetime | None = None,
        to: datetime | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.LogLine]:
        """List Logs (`logs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "logs_list",
            models.LogLine,
            path={},
            query={
                "from": from_,
                "to": to,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def tail(
        self,
        *,
        filter: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> AsyncIterator[ServerSentEvent]:
        """Tail Logs (`logs_tail`): the server-sent events as they come."""
        return self._sse(
            "logs_tail",
            last_event_id=last_event_id,
            path={},
            query={"filter": filter},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncMetrics(AsyncResource):
    async def ingest(
        self,
        *,
        items: builtins.list[dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Ingest Metrics (`metrics_ingest`)."""
        await self._request(
            "metrics_ingest",
            None,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def query(
        self,
        *,
        name: str,
        to: datetime,
        from_: datetime,
        step: Literal["1m", "5m", "1h", "1d"] | int | NotGiven = NOT_GIVEN,
        aggregation: Literal[
            "sum", "avg", "min", "max", "count", "rate", "p50", "p90", "p95", "p99"
        ]
        | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        group_by: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.MetricsResult:
        """Query Metrics (`metrics_query`)."""
        return await self._request(
            "metrics_query",
            models.MetricsResult,
            path={},
            query={},
            body={
                "from": from_,
                "to": to,
                "step": step,
                "name": name,
                "aggregation": aggregation,
                "filter": filter,
                "group_by": group_by,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.MetricNameList:
        """List Metrics (`metrics_list`)."""
        return await self._request(
            "metrics_list",
            models.MetricNameList,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncModeration(AsyncResource):
    async def items_create(
        self,
        *,
        author: models.Author | dict[str, Any],
        content: str,
        external_id: str,
        kind: Literal["post", "comment", "message", "profile", "other"] | NotGiven = NOT_GIVEN,
        context: models.Context | dict[str, Any] | NotGiven = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Create Item (`moderation_items_create`)."""
        return await self._request(
            "moderation_items_create",
            models.Item,
            path={},
            query={},
            body={
                "external_id": external_id,
                "kind": kind,
                "content": content,
                "author": author,
                "context": context,
                "metadata": metadata,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def items_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Item]:
        """List Items (`moderation_items_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "moderation_items_list",
            models.Item,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def items_batch(
        self,
        *,
        items: builtins.list[models.ItemSubmit | dict[str, Any]],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationBatchResult:
        """Batch Items (`moderation_items_batch`)."""
        return await self._request(
            "moderation_items_batch",
            models.ModerationBatchResult,
            path={},
            query={},
            body={"items": items},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def items_get(
        self,
        item_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ItemWithHistory:
        """Get Item (`moderation_items_get`)."""
        return await self._request(
            "moderation_items_get",
            models.ItemWithHistory,
            path={"item_id": item_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def items_claim(
        self,
        item_id: str,
        *,
        lease_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Claim Item (`moderation_items_claim`)."""
        return await self._request(
            "moderation_items_claim",
            models.Item,
            path={"item_id": item_id},
            query={},
            body={"lease_seconds": lease_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def items_decide(
        self,
        item_id: str,
        *,
        action: Literal["approve", "flag", "hide", "warn", "reject"],
        reason: str | NotGiven | None = NOT_GIVEN,
        category: Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | NotGiven
        | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Decide Item (`moderation_items_decide`)."""
        return await self._request(
            "moderation_items_decide",
            models.Item,
            path={"item_id": item_id},
            query={},
            body={"action": action, "reason": reason, "category": category},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def items_appeal(
        self,
        item_id: str,
        *,
        reason: str,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Item:
        """Appeal Item (`moderation_items_appeal`)."""
        return await self._request(
            "moderation_items_appeal",
            models.Item,
            path={"item_id": item_id},
            query={},
            body={"reason": reason},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def queue_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Item]:
        """List Queue (`moderation_queue_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "moderation_queue_list",
            models.Item,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def authors_get(
        self,
        author_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.AuthorView:
        """Get Author (`moderation_authors_get`)."""
        return await self._request(
            "moderation_authors_get",
            models.AuthorView,
            path={"author_id": author_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rules_create(
        self,
        *,
        action: Literal["approve", "flag", "hide", "warn", "reject"],
        name: str,
        enabled: bool | NotGiven = NOT_GIVEN,
        order: int | NotGiven = NOT_GIVEN,
        when: models.When | dict[str, Any] | NotGiven = NOT_GIVEN,
        category: Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | NotGiven
        | None = NOT_GIVEN,
        severity: Literal["low", "medium", "high", "critical"] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationRule:
        """Create Rule (`moderation_rules_create`)."""
        return await self._request(
            "moderation_rules_create",
            models.ModerationRule,
            path={},
            query={},
            body={
                "name": name,
                "enabled": enabled,
                "order": order,
                "when": when,
                "action": action,
                "category": category,
                "severity": severity,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def rules_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ModerationRule]:
        """List Rules (`moderation_rules_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "moderation_rules_list",
            models.ModerationRule,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rules_get(
        self,
        rule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationRule:
        """Get Rule (`moderation_rules_get`)."""
        return await self._request(
            "moderation_rules_get",
            models.ModerationRule,
            path={"rule_id": rule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rules_update(
        self,
        rule_id: str,
        *,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        order: int | NotGiven | None = NOT_GIVEN,
        when: models.When | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        action: Literal["approve", "flag", "hide", "warn", "reject"] | NotGiven | None = NOT_GIVEN,
        category: Literal[
            "spam",
            "harassment",
            "hate",
            "sexual",
            "violence",
            "self_harm",
            "illegal",
            "pii",
            "other",
        ]
        | NotGiven
        | None = NOT_GIVEN,
        severity: Literal["low", "medium", "high", "critical"] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModerationRule:
        """Update Rule (`moderation_rules_update`)."""
        return await self._request(
            "moderation_rules_update",
            models.ModerationRule,
            path={"rule_id": rule_id},
            query={},
            body={
                "enabled": enabled,
                "order": order,
                "when": when,
                "action": action,
                "category": category,
                "severity": severity,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rules_delete(
        self,
        rule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Rule (`moderation_rules_delete`)."""
        await self._request(
            "moderation_rules_delete",
            None,
            path={"rule_id": rule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def settings_get(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Settings:
        """Get Settings (`moderation_settings_get`)."""
        return await self._request(
            "moderation_settings_get",
            models.Settings,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def settings_replace(
        self,
        *,
        auto_moderate: bool | NotGiven = NOT_GIVEN,
        default_action: Literal["approve", "flag", "hide", "warn", "reject"] | NotGiven = NOT_GIVEN,
        classifier: models.Classifier | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        warnings_to_hide: int | NotGiven = NOT_GIVEN,
        warning_window_seconds: int | NotGiven = NOT_GIVEN,
        max_content_bytes: int | NotGiven = NOT_GIVEN,
        rule_timeout_ms: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Settings:
        """Put Settings (`moderation_settings_replace`)."""
        return await self._request(
            "moderation_settings_replace",
            models.Settings,
            path={},
            query={},
            body={
                "auto_moderate": auto_moderate,
                "default_action": default_action,
                "classifier": classifier,
                "warnings_to_hide": warnings_to_hide,
                "warning_window_seconds": warning_window_seconds,
                "max_content_bytes": max_content_bytes,
                "rule_timeout_ms": rule_timeout_ms,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def scan_create(
        self,
        *,
        since: datetime | NotGiven | None = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ScanStarted:
        """Start Scan (`moderation_scan_create`)."""
        return await self._request(
            "moderation_scan_create",
            models.ScanStarted,
            path={},
            query={},
            body={"since": since, "filter": filter, "limit": limit},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    async def stats_get(
        self,
        *,
        from_: datetime | None = None,
        to: datetime | None = None,
        group_by: Literal["day", "category", "action", "rule"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Stats:
        """Get Stats (`moderation_stats_get`)."""
        return await self._request(
            "moderation_stats_get",
            models.Stats,
            path={},
            query={"from": from_, "to": to, "group_by": group_by},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncObjects(AsyncResource):
    async def create(
        self,
        *,
        name: str,
        slug: str,
        description: str | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordObject:
        """Create Object (`objects_create`)."""
        return await self._request(
            "objects_create",
            models.RecordObject,
            path={},
            query={},
            body={"slug": slug, "name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.RecordObject]:
        """List Objects (`objects_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "objects_list",
            models.RecordObject,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        object_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordObject:
        """Get Object (`objects_get`)."""
        return await self._request(
            "objects_get",
            models.RecordObject,
            path={"object_id": object_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        object_id: str,
        *,
        slug: str | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordObject:
        """Update Object (`objects_update`)."""
        return await self._request(
            "objects_update",
            models.RecordObject,
            path={"object_id": object_id},
            query={},
            body={"slug": slug, "name": name, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        object_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Object (`objects_delete`)."""
        await self._request(
            "objects_delete",
            None,
            path={"object_id": object_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def fields_list(
        self,
        object_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_ObjectField_:
        """List Fields (`objects_fields_list`)."""
        return await self._request(
            "objects_fields_list",
            models.ListResponse_ObjectField_,
            path={"object_id": object_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def fields_create(
        self,
        object_id: str,
        *,
        type: Literal[
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
        ],
        name: str,
        slug: str,
        description: str | NotGiven = NOT_GIVEN,
        options: builtins.list[str] | NotGiven = NOT_GIVEN,
        required: bool | NotGiven = NOT_GIVEN,
        unique: bool | NotGiven = NOT_GIVEN,
        indexed: bool | NotGiven = NOT_GIVEN,
        default: Any | NotGiven = NOT_GIVEN,
        relation: models.RelationSpec | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ObjectField:
        """Create Field (`objects_fields_create`)."""
        return await self._request(
            "objects_fields_create",
            models.ObjectField,
            path={"object_id": object_id},
            query={},
            body={
                "slug": slug,
                "name": name,
                "type": type,
                "description": description,
                "options": options,
                "required": required,
                "unique": unique,
                "indexed": indexed,
                "default": default,
                "relation": relation,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    async def fields_get(
        self,
        object_id: str,
        field_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ObjectField:
        """Get Field (`objects_fields_get`)."""
        return await self._request(
            "objects_fields_get",
            models.ObjectField,
            path={"object_id": object_id, "field_id": field_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def fields_update(
        self,
        object_id: str,
        field_id: str,
        *,
        slug: str | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        type: Literal[
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
        | NotGiven
        | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        options: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        required: bool | NotGiven | None = NOT_GIVEN,
        unique: bool | NotGiven | None = NOT_GIVEN,
        indexed: bool | NotGiven | None = NOT_GIVEN,
        default: Any | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ObjectField:
        """Update Field (`objects_fields_update`)."""
        return await self._request(
            "objects_fields_update",
            models.ObjectField,
            path={"object_id": object_id, "field_id": field_id},
            query={},
            body={
                "slug": slug,
                "name": name,
                "type": type,
                "description": description,
                "options": options,
                "required": required,
                "unique": unique,
                "indexed": indexed,
                "default": default,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def fields_delete(
        self,
        object_id: str,
        field_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Field (`objects_fields_delete`)."""
        await self._request(
            "objects_fields_delete",
            None,
            path={"object_id": object_id, "field_id": field_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncOpenai(AsyncResource):
    def chat_completions_create(
        self,
        *,
        messages: builtins.list[models.CompatMessage | dict[str, Any]],
        model: str,
        stream: bool | NotGiven = NOT_GIVEN,
        stream_options: models.StreamOptions | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        user: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> AsyncIterator[ServerSentEvent]:
        """Chat Completions (`openai_chat_completions_create`): the server-sent events as they come."""
        return self._sse(
            "openai_chat_completions_create",
            last_event_id=last_event_id,
            path={},
            query={},
            body={
                "model": model,
                "messages": messages,
                "stream": stream,
                "stream_options": stream_options,
                "user": user,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def models_list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ModelList:
        """List Models (`openai_models_list`)."""
        return await self._request(
            "openai_models_list",
            models.ModelList,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncOrganization(AsyncResource):
    async def get(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.OrganizationDetail:
        """Get Organization (`organization_get`)."""
        return await self._request(
            "organization_get",
            models.OrganizationDetail,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        default_max_running_runs: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.OrganizationDetail:
        """Update Organization (`organization_update`)."""
        return await self._request(
            "organization_update",
            models.OrganizationDetail,
            path={},
            query={},
            body={"name": name, "default_max_running_runs": default_max_running_runs},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def audit_logs_list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.AuditLog]:
        """List Organization Audit Logs (`organization_audit_logs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "organization_audit_logs_list",
            models.AuditLog,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def audit_logs_verify(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Verification:
        """Verify Organization Audit Logs (`organization_audit_logs_verify`)."""
        return await self._request(
            "organization_audit_logs_verify",
            models.Verification,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncOrganizations(AsyncResource):
    async def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Organization_:
        """List Organizations (`organizations_list`)."""
        return await self._request(
            "organizations_list",
            models.ListResponse_Organization_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncOtlp(AsyncResource):
    async def logs_export(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        """Export Otlp Logs (`otlp_logs_export`)."""
        return await self._request(
            "otlp_logs_export",
            None,
            path={},
            query={},
            body={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def metrics_export(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        """Export Otlp Metrics (`otlp_metrics_export`)."""
        return await self._request(
            "otlp_metrics_export",
            None,
            path={},
            query={},
            body={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def traces_export(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        """Export Otlp Traces (`otlp_traces_export`)."""
        return await self._request(
            "otlp_traces_export",
            None,
            path={},
            query={},
            body={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncPolicies(AsyncResource):
    async def create(
        self,
        *,
        name: str,
        description: str | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        rules: builtins.list[models.Rule | dict[str, Any]] | NotGiven = NOT_GIVEN,
        attachments: models.Attachments | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Policy:
        """Create Policy (`policies_create`)."""
        return await self._request(
            "policies_create",
            models.Policy,
            path={},
            query={},
            body={
                "name": name,
                "description": description,
                "enabled": enabled,
                "rules": rules,
                "attachments": attachments,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Policy]:
        """List Policies (`policies_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "policies_list",
            models.Policy,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get_default(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.DefaultPolicy:
        """Get Default Policy (`policies_get_default`)."""
        return await self._request(
            "policies_get_default",
            models.DefaultPolicy,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def set_default(
        self,
        *,
        policy: str | None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.DefaultPolicy:
        """Set Default Policy (`policies_set_default`)."""
        return await self._request(
            "policies_set_default",
            models.DefaultPolicy,
            path={},
            query={},
            body={"policy": policy},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        policy_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Policy:
        """Get Policy (`policies_get`)."""
        return await self._request(
            "policies_get",
            models.Policy,
            path={"policy_id": policy_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        policy_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        rules: builtins.list[models.Rule | dict[str, Any]] | NotGiven | None = NOT_GIVEN,
        attachments: models.Attachments | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Policy:
        """Update Policy (`policies_update`)."""
        return await self._request(
            "policies_update",
            models.Policy,
            path={"policy_id": policy_id},
            query={},
            body={
                "name": name,
                "description": description,
                "enabled": enabled,
                "rules": rules,
                "attachments": attachments,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        policy_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Policy (`policies_delete`)."""
        await self._request(
            "policies_delete",
            None,
            path={"policy_id": policy_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncPolicyExceptions(AsyncResource):
    async def create(
        self,
        *,
        expires_at: datetime,
        justification: str,
        rule: str | int,
        policy: str,
        scope: models.ExceptionScope | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PolicyException:
        """Create Policy Exception (`policy_exceptions_create`)."""
        return await self._request(
            "policy_exceptions_create",
            models.PolicyException,
            path={},
            query={},
            body={
                "policy": policy,
                "rule": rule,
                "scope": scope,
                "justification": justification,
                "expires_at": expires_at,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.PolicyException]:
        """List Policy Exceptions (`policy_exceptions_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "policy_exceptions_list",
            models.PolicyException,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        exception_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PolicyException:
        """Get Policy Exception (`policy_exceptions_get`)."""
        return await self._request(
            "policy_exceptions_get",
            models.PolicyException,
            path={"exception_id": exception_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        exception_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Policy Exception (`policy_exceptions_delete`)."""
        await self._request(
            "policy_exceptions_delete",
            None,
            path={"exception_id": exception_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncPrices(AsyncResource):
    async def create(
        self,
        *,
        output_per_million: float | str,
        input_per_million: float | str,
        model: str,
        provider: str,
        cached_input_per_million: float | str | NotGiven | None = NOT_GIVEN,
        effective_from: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Price:
        """Create Price (`prices_create`)."""
        return await self._request(
            "prices_create",
            models.Price,
            path={},
            query={},
            body={
                "provider": provider,
                "model": model,
                "input_per_million": input_per_million,
                "cached_input_per_million": cached_input_per_million,
                "output_per_million": output_per_million,
                "effective_from": effective_from,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Price]:
        """List Prices (`prices_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "prices_list",
            models.Price,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def defaults_list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Price_:
        """List Default Prices (`prices_defaults_list`)."""
        return await self._request(
            "prices_defaults_list",
            models.ListResponse_Price_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        price_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Price:
        """Get Price (`prices_get`)."""
        return await self._request(
            "prices_get",
            models.Price,
            path={"price_id": price_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        price_id: str,
        *,
        input_per_million: float | str | NotGiven | None = NOT_GIVEN,
        cached_input_per_million: float | str | NotGiven | None = NOT_GIVEN,
        output_per_million: float | str | NotGiven | None = NOT_GIVEN,
        effective_from: datetime | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Price:
        """Update Price (`prices_update`)."""
        return await self._request(
            "prices_update",
            models.Price,
            path={"price_id": price_id},
            query={},
            body={
                "input_per_million": input_per_million,
                "cached_input_per_million": cached_input_per_million,
                "output_per_million": output_per_million,
                "effective_from": effective_from,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        price_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Price (`prices_delete`)."""
        await self._request(
            "prices_delete",
            None,
            path={"price_id": price_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncProjects(AsyncResource):
    async def create(
        self,
        *,
        name: str,
        display_name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        allow_private_network: bool | NotGiven = NOT_GIVEN,
        observability_retention_days: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Project:
        """Create Project (`projects_create`)."""
        return await self._request(
            "projects_create",
            models.Project,
            path={},
            query={},
            body={
                "name": name,
                "display_name": display_name,
                "description": description,
                "rate_limit_per_minute": rate_limit_per_minute,
                "allow_private_network": allow_private_network,
                "observability_retention_days": observability_retention_days,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Project]:
        """List Projects (`projects_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "projects_list",
            models.Project,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        project_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Project:
        """Get Project (`projects_get`)."""
        return await self._request(
            "projects_get",
            models.Project,
            path={"project_id": project_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        project_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        display_name: str | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        rate_limit_per_minute: int | NotGiven | None = NOT_GIVEN,
        allow_private_network: bool | NotGiven | None = NOT_GIVEN,
        max_running_runs: int | NotGiven | None = NOT_GIVEN,
        observability_retention_days: int | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Project:
        """Update Project (`projects_update`)."""
        return await self._request(
            "projects_update",
            models.Project,
            path={"project_id": project_id},
            query={},
            body={
                "name": name,
                "display_name": display_name,
                "description": description,
                "rate_limit_per_minute": rate_limit_per_minute,
                "allow_private_network": allow_private_network,
                "max_running_runs": max_running_runs,
                "observability_retention_days": observability_retention_days,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        project_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Project (`projects_delete`)."""
        await self._request(
            "projects_delete",
            None,
            path={"project_id": project_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def api_keys_create(
        self,
        project_id: str,
        *,
        name: str,
        kind: Literal["secret", "publishable"] | NotGiven = NOT_GIVEN,
        scopes: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        environment: str | NotGiven | None = NOT_GIVEN,
        expires_at: datetime | NotGiven | None = NOT_GIVEN,
        allowed_origins: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ApiKeyCreated:
        """Create Project Api Key (`projects_api_keys_create`)."""
        return await self._request(
            "projects_api_keys_create",
            models.ApiKeyCreated,
            path={"project_id": project_id},
            query={},
            body={
                "name": name,
                "kind": kind,
                "scopes": scopes,
                "environment": environment,
                "expires_at": expires_at,
                "allowed_origins": allowed_origins,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def api_keys_list(
        self,
        project_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ApiKey]:
        """List Project Api Keys (`projects_api_keys_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "projects_api_keys_list",
            models.ApiKey,
            path={"project_id": project_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncProviders(AsyncResource):
    async def create(
        self,
        *,
        kind: Literal["openai", "anthropic", "offline"],
        name: str,
        base_url: str | NotGiven | None = NOT_GIVEN,
        api_key: str | NotGiven | None = NOT_GIVEN,
        api_key_secret: str | NotGiven | None = NOT_GIVEN,
        default_model: str | NotGiven | None = NOT_GIVEN,
        options: models.ProviderOptions | dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Provider:
        """Create Provider (`providers_create`)."""
        return await self._request(
            "providers_create",
            models.Provider,
            path={},
            query={},
            body={
                "name": name,
                "kind": kind,
                "base_url": base_url,
                "api_key": api_key,
                "api_key_secret": api_key_secret,
                "default_model": default_model,
                "options": options,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Provider]:
        """List Providers (`providers_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "providers_list",
            models.Provider,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        provider_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Provider:
        """Get Provider (`providers_get`)."""
        return await self._request(
            "providers_get",
            models.Provider,
            path={"provider_id": provider_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        provider_id: str,
        *,
        name: str | NotGiven | None = NOT_GIVEN,
        base_url: str | NotGiven | None = NOT_GIVEN,
        api_key: str | NotGiven | None = NOT_GIVEN,
        api_key_secret: str | NotGiven | None = NOT_GIVEN,
        default_model: str | NotGiven | None = NOT_GIVEN,
        options: models.ProviderOptions | dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Provider:
        """Update Provider (`providers_update`)."""
        return await self._request(
            "providers_update",
            models.Provider,
            path={"provider_id": provider_id},
            query={},
            body={
                "name": name,
                "base_url": base_url,
                "api_key": api_key,
                "api_key_secret": api_key_secret,
                "default_model": default_model,
                "options": options,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        provider_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Provider (`providers_delete`)."""
        await self._request(
            "providers_delete",
            None,
            path={"provider_id": provider_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncPublic(AsyncResource):
    def content_list(
        self,
        content_type_id: str,
        *,
        locale: str | None = None,
        format: Literal["json", "html"] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.PublicEntry]:
        """List Public Content (`public_content_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "public_content_list",
            models.PublicEntry,
            path={"content_type_id": content_type_id},
            query={
                "locale": locale,
                "format": format,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def content_get(
        self,
        content_type_id: str,
        slug: str,
        *,
        locale: str | None = None,
        format: Literal["json", "html"] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.PublicEntry:
        """Get Public Content (`public_content_get`)."""
        return await self._request(
            "public_content_get",
            models.PublicEntry,
            path={"content_type_id": content_type_id, "slug": slug},
            query={"locale": locale, "format": format},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncRecords(AsyncResource):
    async def create(
        self,
        object_id: str,
        *,
        field_values: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Create Record (`records_create`)."""
        return await self._request(
            "records_create",
            models.Record,
            path={"object_id": object_id},
            query={},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        object_id: str,
        *,
        show_deleted: bool | None = None,
        expand: builtins.list[str] | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Record]:
        """List Records (`records_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "records_list",
            models.Record,
            path={"object_id": object_id},
            query={
                "show_deleted": show_deleted,
                "expand": expand,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def upsert(
        self,
        object_id: str,
        *,
        field_values: dict[str, Any],
        match_on: str,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Upsert Record (`records_upsert`)."""
        return await self._request(
            "records_upsert",
            models.Record,
            path={"object_id": object_id},
            query={"match_on": match_on},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def query(
        self,
        object_id: str,
        *,
        filter: str | NotGiven | None = NOT_GIVEN,
        order_by: str | NotGiven | None = NOT_GIVEN,
        page_size: int | NotGiven = NOT_GIVEN,
        page_token: str | NotGiven | None = NOT_GIVEN,
        include_total: bool | NotGiven = NOT_GIVEN,
        show_deleted: bool | NotGiven = NOT_GIVEN,
        expand: builtins.list[str] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Record_:
        """Query Records (`records_query`)."""
        return await self._request(
            "records_query",
            models.ListResponse_Record_,
            path={"object_id": object_id},
            query={},
            body={
                "filter": filter,
                "order_by": order_by,
                "page_size": page_size,
                "page_token": page_token,
                "include_total": include_total,
                "show_deleted": show_deleted,
                "expand": expand,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def batch_create(
        self,
        object_id: str,
        *,
        records: builtins.list[models.RecordWrite | dict[str, Any]],
        atomic: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordBatchResult:
        """Batch Create Records (`records_batch_create`)."""
        return await self._request(
            "records_batch_create",
            models.RecordBatchResult,
            path={"object_id": object_id},
            query={},
            body={"records": records, "atomic": atomic},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def batch_update(
        self,
        object_id: str,
        *,
        records: builtins.list[models.RecordPatch | dict[str, Any]],
        atomic: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordBatchResult:
        """Batch Update Records (`records_batch_update`)."""
        return await self._request(
            "records_batch_update",
            models.RecordBatchResult,
            path={"object_id": object_id},
            query={},
            body={"records": records, "atomic": atomic},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def batch_delete(
        self,
        object_id: str,
        *,
        records: builtins.list[models.RecordRef | dict[str, Any]],
        atomic: bool | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RecordBatchResult:
        """Batch Delete Records (`records_batch_delete`)."""
        return await self._request(
            "records_batch_delete",
            models.RecordBatchResult,
            path={"object_id": object_id},
            query={},
            body={"records": records, "atomic": atomic},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        object_id: str,
        record_id: str,
        *,
        show_deleted: bool | None = None,
        expand: builtins.list[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Get Record (`records_get`)."""
        return await self._request(
            "records_get",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={"show_deleted": show_deleted, "expand": expand},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        object_id: str,
        record_id: str,
        *,
        field_values: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Update Record (`records_update`)."""
        return await self._request(
            "records_update",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def replace(
        self,
        object_id: str,
        record_id: str,
        *,
        field_values: dict[str, Any],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Replace Record (`records_replace`)."""
        return await self._request(
            "records_replace",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            body={"field_values": field_values},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        object_id: str,
        record_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Record (`records_delete`)."""
        await self._request(
            "records_delete",
            None,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def restore(
        self,
        object_id: str,
        record_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Record:
        """Restore Record (`records_restore`)."""
        return await self._request(
            "records_restore",
            models.Record,
            path={"object_id": object_id, "record_id": record_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncReports(AsyncResource):
    async def create(
        self,
        *,
        content: str,
        title: str,
        type: Literal["daily", "weekly", "audit", "incident", "custom"],
        format: Literal["html", "markdown", "text"] | NotGiven = NOT_GIVEN,
        author: str | NotGiven | None = NOT_GIVEN,
        period_start: datetime | NotGiven | None = NOT_GIVEN,
        period_end: datetime | NotGiven | None = NOT_GIVEN,
        metadata: dict[str, Any] | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Report:
        """Create Report (`reports_create`)."""
        return await self._request(
            "reports_create",
            models.Report,
            path={},
            query={},
            body={
                "type": type,
                "title": title,
                "content": content,
                "format": format,
                "author": author,
                "period_start": period_start,
                "period_end": period_end,
                "metadata": metadata,
                "labels": labels,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        type: Literal["daily", "weekly", "audit", "incident", "custom"] | None = None,
        author: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.ReportSummary]:
        """List Reports (`reports_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "reports_list",
            models.ReportSummary,
            path={},
            query={
                "type": type,
                "author": author,
                "from": from_,
                "to": to,
                "limit": limit,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        report_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Report:
        """Get Report (`reports_get`)."""
        return await self._request(
            "reports_get",
            models.Report,
            path={"report_id": report_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        report_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Report (`reports_delete`)."""
        await self._request(
            "reports_delete",
            None,
            path={"report_id": report_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncRuns(_extras.AsyncRunsExtras):
    async def create(
        self,
        automation_id: str,
        *,
        wait: float | None = None,
        inputs: dict[str, Any] | NotGiven = NOT_GIVEN,
        version: int | Literal["draft"] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Start Run (`runs_create`)."""
        return await self._request(
            "runs_create",
            models.Run,
            path={"automation_id": automation_id},
            query={"wait": wait},
            body={"inputs": inputs, "version": version, "labels": labels},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Run]:
        """List Runs (`runs_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "runs_list",
            models.Run,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Get Run (`runs_get`)."""
        return await self._request(
            "runs_get",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def steps_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_RunStep_:
        """List Run Steps (`runs_steps_list`)."""
        return await self._request(
            "runs_steps_list",
            models.ListResponse_RunStep_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def logs_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_RunLog_:
        """List Run Logs (`runs_logs_list`)."""
        return await self._request(
            "runs_logs_list",
            models.ListResponse_RunLog_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def events_stream(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
        last_event_id: str | None = None,
    ) -> AsyncIterator[ServerSentEvent]:
        """Stream Run Events (`runs_events_stream`): the server-sent events as they come."""
        return self._sse(
            "runs_events_stream",
            last_event_id=last_event_id,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def cancel(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Cancel Run (`runs_cancel`)."""
        return await self._request(
            "runs_cancel",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def pause(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Pause Run (`runs_pause`)."""
        return await self._request(
            "runs_pause",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def resume(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Resume Run (`runs_resume`)."""
        return await self._request(
            "runs_resume",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def escalate(
        self,
        run_id: str,
        *,
        reason: str,
        severity: Literal["low", "medium", "high", "critical"],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Approval:
        """Escalate Run (`runs_escalate`)."""
        return await self._request(
            "runs_escalate",
            models.Approval,
            path={"run_id": run_id},
            query={},
            body={"severity": severity, "reason": reason},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def audit_list(
        self,
        run_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.AuditLog]:
        """Run Audit (`runs_audit_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "runs_audit_list",
            models.AuditLog,
            path={"run_id": run_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def retry(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Retry Run (`runs_retry`)."""
        return await self._request(
            "runs_retry",
            models.Run,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def fork(
        self,
        run_id: str,
        *,
        from_step: str,
        inputs: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Run:
        """Fork Run (`runs_fork`)."""
        return await self._request(
            "runs_fork",
            models.Run,
            path={"run_id": run_id},
            query={},
            body={"from_step": from_step, "inputs": inputs},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def batch_cancel(
        self,
        *,
        filter: str | NotGiven | None = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RunBatchResult:
        """Batch Cancel Runs (`runs_batch_cancel`)."""
        return await self._request(
            "runs_batch_cancel",
            models.RunBatchResult,
            path={},
            query={},
            body={"filter": filter, "limit": limit},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def batch_retry(
        self,
        *,
        filter: str | NotGiven | None = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.RunBatchResult:
        """Batch Retry Runs (`runs_batch_retry`)."""
        return await self._request(
            "runs_batch_retry",
            models.RunBatchResult,
            path={},
            query={},
            body={"filter": filter, "limit": limit},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def tool_calls_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_ToolCall_:
        """List Run Tool Calls (`runs_tool_calls_list`)."""
        return await self._request(
            "runs_tool_calls_list",
            models.ListResponse_ToolCall_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def scores_list(
        self,
        run_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Score_:
        """List Run Scores (`runs_scores_list`)."""
        return await self._request(
            "runs_scores_list",
            models.ListResponse_Score_,
            path={"run_id": run_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncSchedules(AsyncResource):
    async def create(
        self,
        *,
        cron: str,
        automation: str,
        timezone: str | NotGiven = NOT_GIVEN,
        inputs: dict[str, Any] | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        catchup: Literal["none", "latest", "all"] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Schedule:
        """Create Schedule (`schedules_create`)."""
        return await self._request(
            "schedules_create",
            models.Schedule,
            path={},
            query={},
            body={
                "automation": automation,
                "cron": cron,
                "timezone": timezone,
                "inputs": inputs,
                "labels": labels,
                "enabled": enabled,
                "catchup": catchup,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Schedule]:
        """List Schedules (`schedules_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "schedules_list",
            models.Schedule,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        schedule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Schedule:
        """Get Schedule (`schedules_get`)."""
        return await self._request(
            "schedules_get",
            models.Schedule,
            path={"schedule_id": schedule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        schedule_id: str,
        *,
        automation: str | NotGiven | None = NOT_GIVEN,
        cron: str | NotGiven | None = NOT_GIVEN,
        timezone: str | NotGiven | None = NOT_GIVEN,
        inputs: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        catchup: Literal["none", "latest", "all"] | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Schedule:
        """Update Schedule (`schedules_update`)."""
        return await self._request(
            "schedules_update",
            models.Schedule,
            path={"schedule_id": schedule_id},
            query={},
            body={
                "automation": automation,
                "cron": cron,
                "timezone": timezone,
                "inputs": inputs,
                "labels": labels,
                "enabled": enabled,
                "catchup": catchup,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        schedule_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Schedule (`schedules_delete`)."""
        await self._request(
            "schedules_delete",
            None,
            path={"schedule_id": schedule_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncSecrets(AsyncResource):
    async def set(
        self,
        secret_name: str,
        *,
        value: str,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Secret:
        """Set Secret (`secrets_set`)."""
        return await self._request(
            "secrets_set",
            models.Secret,
            path={"secret_name": secret_name},
            query={},
            body={"value": value, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        secret_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Secret:
        """Get Secret (`secrets_get`)."""
        return await self._request(
            "secrets_get",
            models.Secret,
            path={"secret_name": secret_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        secret_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Secret (`secrets_delete`)."""
        await self._request(
            "secrets_delete",
            None,
            path={"secret_name": secret_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Secret]:
        """List Secrets (`secrets_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "secrets_list",
            models.Secret,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncSystem(AsyncResource):
    async def health(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Health:
        """Health (`health_get`)."""
        return await self._request(
            "health_get",
            models.Health,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def ready(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Ready:
        """Ready (`ready_get`)."""
        return await self._request(
            "ready_get",
            models.Ready,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def metrics(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> str:
        """Metrics (`metrics_get`)."""
        return await self._request(
            "metrics_get",
            str,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncThreads(AsyncResource):
    async def create(
        self,
        *,
        agent: str | NotGiven | None = NOT_GIVEN,
        title: str | NotGiven = NOT_GIVEN,
        labels: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Thread:
        """Create Thread (`threads_create`)."""
        return await self._request(
            "threads_create",
            models.Thread,
            path={},
            query={},
            body={"agent": agent, "title": title, "labels": labels},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Thread]:
        """List Threads (`threads_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "threads_list",
            models.Thread,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        thread_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Thread:
        """Get Thread (`threads_get`)."""
        return await self._request(
            "threads_get",
            models.Thread,
            path={"thread_id": thread_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        thread_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Thread (`threads_delete`)."""
        await self._request(
            "threads_delete",
            None,
            path={"thread_id": thread_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def messages_list(
        self,
        thread_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_ThreadMessage_:
        """List Thread Messages (`threads_messages_list`)."""
        return await self._request(
            "threads_messages_list",
            models.ListResponse_ThreadMessage_,
            path={"thread_id": thread_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncTraces(AsyncResource):
    def list(
        self,
        *,
        from_: datetime | None = None,
        to: datetime | None = None,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Span]:
        """List Traces (`traces_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "traces_list",
            models.Span,
            path={},
            query={
                "from": from_,
                "to": to,
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        trace_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Trace:
        """Get Trace (`traces_get`)."""
        return await self._request(
            "traces_get",
            models.Trace,
            path={"trace_id": trace_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncVariables(AsyncResource):
    async def set(
        self,
        variable_name: str,
        *,
        value: Any,
        description: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Variable:
        """Set Variable (`variables_set`)."""
        return await self._request(
            "variables_set",
            models.Variable,
            path={"variable_name": variable_name},
            query={},
            body={"value": value, "description": description},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        variable_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Variable:
        """Get Variable (`variables_get`)."""
        return await self._request(
            "variables_get",
            models.Variable,
            path={"variable_name": variable_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        variable_name: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Variable (`variables_delete`)."""
        await self._request(
            "variables_delete",
            None,
            path={"variable_name": variable_name},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Variable]:
        """List Variables (`variables_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "variables_list",
            models.Variable,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncWebhooks(AsyncResource):
    async def create(
        self,
        *,
        event_types: builtins.list[str],
        url: str,
        description: str | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        ordered: bool | NotGiven = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        signing_secret: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.WebhookWithSecret:
        """Create Webhook (`webhooks_create`)."""
        return await self._request(
            "webhooks_create",
            models.WebhookWithSecret,
            path={},
            query={},
            body={
                "url": url,
                "event_types": event_types,
                "description": description,
                "enabled": enabled,
                "ordered": ordered,
                "filter": filter,
                "signing_secret": signing_secret,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            idempotency_key=idempotency_key,
        )

    def list(
        self,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Webhook]:
        """List Webhooks (`webhooks_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "webhooks_list",
            models.Webhook,
            path={},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Webhook:
        """Get Webhook (`webhooks_get`)."""
        return await self._request(
            "webhooks_get",
            models.Webhook,
            path={"webhook_id": webhook_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def update(
        self,
        webhook_id: str,
        *,
        url: str | NotGiven | None = NOT_GIVEN,
        event_types: builtins.list[str] | NotGiven | None = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven | None = NOT_GIVEN,
        ordered: bool | NotGiven | None = NOT_GIVEN,
        filter: str | NotGiven | None = NOT_GIVEN,
        signing_secret: str | NotGiven | None = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Webhook:
        """Update Webhook (`webhooks_update`)."""
        return await self._request(
            "webhooks_update",
            models.Webhook,
            path={"webhook_id": webhook_id},
            query={},
            body={
                "url": url,
                "event_types": event_types,
                "description": description,
                "enabled": enabled,
                "ordered": ordered,
                "filter": filter,
                "signing_secret": signing_secret,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        webhook_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        """Delete Webhook (`webhooks_delete`)."""
        await self._request(
            "webhooks_delete",
            None,
            path={"webhook_id": webhook_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def rotate_secret(
        self,
        webhook_id: str,
        *,
        grace_seconds: int | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.WebhookWithSecret:
        """Rotate Webhook Secret (`webhooks_rotate_secret`)."""
        return await self._request(
            "webhooks_rotate_secret",
            models.WebhookWithSecret,
            path={"webhook_id": webhook_id},
            query={},
            body={"grace_seconds": grace_seconds},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    def deliveries_list(
        self,
        webhook_id: str,
        *,
        page_size: int | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        include_total: bool | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> AsyncPager[models.Delivery]:
        """List Deliveries (`webhooks_deliveries_list`); iterate for every item, `.pages()` for pages."""
        return self._pager(
            "webhooks_deliveries_list",
            models.Delivery,
            path={"webhook_id": webhook_id},
            query={
                "page_size": page_size,
                "filter": filter,
                "order_by": order_by,
                "include_total": include_total,
            },
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def deliveries_get(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Delivery:
        """Get Delivery (`webhooks_deliveries_get`)."""
        return await self._request(
            "webhooks_deliveries_get",
            models.Delivery,
            path={"webhook_id": webhook_id, "delivery_id": delivery_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def deliveries_redeliver(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Delivery:
        """Redeliver (`webhooks_deliveries_redeliver`)."""
        return await self._request(
            "webhooks_deliveries_redeliver",
            models.Delivery,
            path={"webhook_id": webhook_id, "delivery_id": delivery_id},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )

    async def test(
        self,
        webhook_id: str,
        *,
        data: dict[str, Any] | NotGiven = NOT_GIVEN,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.Delivery:
        """Send Test (`webhooks_test`)."""
        return await self._request(
            "webhooks_test",
            models.Delivery,
            path={"webhook_id": webhook_id},
            query={},
            body={"data": data},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class AsyncWorkers(AsyncResource):
    async def list(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> models.ListResponse_Worker_:
        """List Workers (`workers_list`)."""
        return await self._request(
            "workers_list",
            models.ListResponse_Worker_,
            path={},
            query={},
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )


class SyncResources:
    """Every area of the API, as the sync client's attributes."""

    admin: Admin
    agents: Agents
    api_keys: ApiKeys
    approvals: Approvals
    audit_logs: AuditLogs
    automations: Automations
    budgets: Budgets
    cms: Cms
    content: Content
    costs: Costs
    environments: Environments
    event_types: EventTypes
    events: Events
    exceptions: Exceptions
    external_executions: ExternalExecutions
    governance: Governance
    judges: Judges
    knowledge: Knowledge
    logs: Logs
    metrics: Metrics
    moderation: Moderation
    objects: Objects
    openai: Openai
    organization: Organization
    organizations: Organizations
    otlp: Otlp
    policies: Policies
    policy_exceptions: PolicyExceptions
    prices: Prices
    projects: Projects
    providers: Providers
    public: Public
    records: Records
    reports: Reports
    runs: Runs
    schedules: Schedules
    secrets: Secrets
    system: System
    threads: Threads
    traces: Traces
    variables: Variables
    webhooks: Webhooks
    workers: Workers

    def _mount(self, transport: SyncTransport) -> None:
        self.admin = Admin(transport)
        self.agents = Agents(transport)
        self.api_keys = ApiKeys(transport)
        self.approvals = Approvals(transport)
        self.audit_logs = AuditLogs(transport)
        self.automations = Automations(transport)
        self.budgets = Budgets(transport)
        self.cms = Cms(transport)
        self.content = Content(transport)
        self.costs = Costs(transport)
        self.environments = Environments(transport)
        self.event_types = EventTypes(transport)
        self.events = Events(transport)
        self.exceptions = Exceptions(transport)
        self.external_executions = ExternalExecutions(transport)
        self.governance = Governance(transport)
        self.judges = Judges(transport)
        self.knowledge = Knowledge(transport)
        self.logs = Logs(transport)
        self.metrics = Metrics(transport)
        self.moderation = Moderation(transport)
        self.objects = Objects(transport)
        self.openai = Openai(transport)
        self.organization = Organization(transport)
        self.organizations = Organizations(transport)
        self.otlp = Otlp(transport)
        self.policies = Policies(transport)
        self.policy_exceptions = PolicyExceptions(transport)
        self.prices = Prices(transport)
        self.projects = Projects(transport)
        self.providers = Providers(transport)
        self.public = Public(transport)
        self.records = Records(transport)
        self.reports = Reports(transport)
        self.runs = Runs(transport)
        self.schedules = Schedules(transport)
        self.secrets = Secrets(transport)
        self.system = System(transport)
        self.threads = Threads(transport)
        self.traces = Traces(transport)
        self.variables = Variables(transport)
        self.webhooks = Webhooks(transport)
        self.workers = Workers(transport)


class AsyncResources:
    """Every area of the API, as the async client's attributes."""

    admin: AsyncAdmin
    agents: AsyncAgents
    api_keys: AsyncApiKeys
    approvals: AsyncApprovals
    audit_logs: AsyncAuditLogs
    automations: AsyncAutomations
    budgets: AsyncBudgets
    cms: AsyncCms
    content: AsyncContent
    costs: AsyncCosts
    environments: AsyncEnvironments
    event_types: AsyncEventTypes
    events: AsyncEvents
    exceptions: AsyncExceptions
    external_executions: AsyncExternalExecutions
    governance: AsyncGovernance
    judges: AsyncJudges
    knowledge: AsyncKnowledge
    logs: AsyncLogs
    metrics: AsyncMetrics
    moderation: AsyncModeration
    objects: AsyncObjects
    openai: AsyncOpenai
    organization: AsyncOrganization
    organizations: AsyncOrganizations
    otlp: AsyncOtlp
    policies: AsyncPolicies
    policy_exceptions: AsyncPolicyExceptions
    prices: AsyncPrices
    projects: AsyncProjects
    providers: AsyncProviders
    public: AsyncPublic
    records: AsyncRecords
    reports: AsyncReports
    runs: AsyncRuns
    schedules: AsyncSchedules
    secrets: AsyncSecrets
    system: AsyncSystem
    threads: AsyncThreads
    traces: AsyncTraces
    variables: AsyncVariables
    webhooks: AsyncWebhooks
    workers: AsyncWorkers

    def _mount(self, transport: AsyncTransport) -> None:
        self.admin = AsyncAdmin(transport)
        self.agents = AsyncAgents(transport)
        self.api_keys = AsyncApiKeys(transport)
        self.approvals = AsyncApprovals(transport)
        self.audit_logs = AsyncAuditLogs(transport)
        self.automations = AsyncAutomations(transport)
        self.budgets = AsyncBudgets(transport)
        self.cms = AsyncCms(transport)
        self.content = AsyncContent(transport)
        self.costs = AsyncCosts(transport)
        self.environments = AsyncEnvironments(transport)
        self.event_types = AsyncEventTypes(transport)
        self.events = AsyncEvents(transport)
        self.exceptions = AsyncExceptions(transport)
        self.external_executions = AsyncExternalExecutions(transport)
        self.governance = AsyncGovernance(transport)
        self.judges = AsyncJudges(transport)
        self.knowledge = AsyncKnowledge(transport)
        self.logs = AsyncLogs(transport)
        self.metrics = AsyncMetrics(transport)
        self.moderation = AsyncModeration(transport)
        self.objects = AsyncObjects(transport)
        self.openai = AsyncOpenai(transport)
        self.organization = AsyncOrganization(transport)
        self.organizations = AsyncOrganizations(transport)
        self.otlp = AsyncOtlp(transport)
        self.policies = AsyncPolicies(transport)
        self.policy_exceptions = AsyncPolicyExceptions(transport)
        self.prices = AsyncPrices(transport)
        self.projects = AsyncProjects(transport)
        self.providers = AsyncProviders(transport)
        self.public = AsyncPublic(transport)
        self.records = AsyncRecords(transport)
        self.reports = AsyncReports(transport)
        self.runs = AsyncRuns(transport)
        self.schedules = AsyncSchedules(transport)
        self.secrets = AsyncSecrets(transport)
        self.system = AsyncSystem(transport)
        self.threads = AsyncThreads(transport)
        self.traces = AsyncTraces(transport)
        self.variables = AsyncVariables(transport)
        self.webhooks = AsyncWebhooks(transport)
        self.workers = AsyncWorkers(transport)
