"""Sections and scopes: `section:read`, `section:write` (implies read), `section:*`, `*`."""

from __future__ import annotations

from typing import Literal

Action = Literal["read", "write"]

SECTIONS: tuple[str, ...] = (
    "projects",
    "environments",
    "agents",
    "automations",
    "runs",
    "governance",
    "audit-logs",
    "knowledge",
    "records",
    "content",
    "observability",
    "reports",
    "costs",
    "budgets",
    "judges",
    "deployments",
    "webhooks",
    "secrets",
    "channels",
    "moderation",
    "keys",
)
# Sections a project key can never hold: they act on the organization.
ADMIN_ONLY_SECTIONS = frozenset({"projects"})


def valid_scope(scope: str) -> bool:
    """True for `*` and `section:read|write|*` with a known section."""
    if scope == "*":
        return True
    section, _, action = scope.partition(":")
    return section in SECTIONS and action in ("read", "write", "*")


def allows(scopes: frozenset[str], section: str, action: Action) -> bool:
    """Whether a key with `scopes` may do `action` in `section`."""
    if "*" in scopes or f"{section}:*" in scopes or f"{section}:write" in scopes:
        return True
    return action == "read" and f"{section}:read" in scopes


def covers(holder: frozenset[str], scope: str) -> bool:
    """Whether a key holding `holder` may hand `scope` to another key: `*` only from `*`,
    `section:write` and `section:*` from write access to the section, `section:read` from
    read access."""
    if scope == "*":
        return "*" in holder
    section, _, action = scope.partition(":")
    return allows(holder, section, "read" if action == "read" else "write")
