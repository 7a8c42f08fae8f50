"""The registry of agent tools: each tool is one module in this package.

A tool declares its name, a description and a JSON Schema of its arguments (what the model
sees), and an async `run(ctx, arguments)` returning a ToolResult, or a ChildRun to park the
run until a child run ends. Other features add tools by adding a module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import KanriError
from kanri.engine.registry import ChildRun
from kanri.tenancy import service as tenancy

if TYPE_CHECKING:
    from kanri.engine.worker import Services


@dataclass(frozen=True)
class ToolResult:
    result: Any
    ok: bool = True


@dataclass(kw_only=True)
class ToolContext:
    run_id: str
    project_id: str
    environment_id: str | None
    agent_id: str | None
    call_key: str
    idempotency_key: str
    config: dict[str, Any]  # the agent's settings for this tool
    services: Services
    emitted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    knowledge_namespaces: list[str] = field(default_factory=list)  # the agent's

    def emit(self, event_type: str, data: dict[str, Any]) -> None:
        """Append an event to the outbox with the tool call's checkpoint."""
        self.emitted.append((event_type, data))


ToolOutcome = ToolResult | ChildRun
M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], arguments: dict[str, Any]) -> M | ToolResult:
    """The arguments as `model`, or a failed result naming each bad argument (for the model
    to correct itself)."""
    try:
        return model.model_validate(arguments)
    except ValidationError as exc:
        errors = [
            {
                "argument": ".".join(str(p) for p in error["loc"]) or "(arguments)",
                "message": error["msg"],
            }
            for error in exc.errors()[:20]
        ]
        return ToolResult({"error": "invalid arguments", "errors": errors}, ok=False)


def refused(error: KanriError) -> ToolResult:
    """A refused request (not found, invalid values, a conflict) as a failed result."""
    result: dict[str, Any] = {"error": error.detail, "status": error.status, "code": error.code}
    if error.errors:
        result["errors"] = [e.as_dict() for e in error.errors]
    result.update({k: v for k, v in error.extra.items() if isinstance(v, str | int | list)})
    return ToolResult(result, ok=False)


def _organization(tx: Session, project_id: str) -> str:
    project = tenancy.project_settings(tx, project_id)
    assert project is not None  # the run's project
    return project.organization_id


async def principal(ctx: ToolContext, *scopes: str) -> Principal:
    """Who a tool acts as: the system, in the run's project and environment, audited as
    `run:<id>`."""
    organization_id = await ctx.services.kanri.db.read(_organization, ctx.project_id)
    return Principal(
        organization_id=organization_id,
        project_id=ctx.project_id,
        environment_id=ctx.environment_id,
        key_id=f"run:{ctx.run_id}",
        kind="system",
        scopes=frozenset(scopes),
    )


@dataclass(frozen=True, kw_only=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    run: Callable[[ToolContext, dict[str, Any]], Awaitable[ToolOutcome]]
    # No I/O: what it does is in its result and `ctx.emitted`, written with its record.
    pure: bool = False

    def schema(self) -> dict[str, Any]:
        """The Chat Completions `tools` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


_TOOLS: dict[str, Tool] = {}


def tool(
    name: str, description: str, parameters: dict[str, Any], *, pure: bool = False
) -> Callable[[Callable[[ToolContext, dict[str, Any]], Awaitable[ToolOutcome]]], Any]:
    """Decorator registering `run` as the tool `name` (`pure`: it does no I/O)."""

    def register(run: Callable[[ToolContext, dict[str, Any]], Awaitable[ToolOutcome]]) -> Any:
        _TOOLS[name] = Tool(
            name=name, description=description, parameters=parameters, run=run, pure=pure
        )
        return run

    return register


def tools() -> Mapping[str, Tool]:
    """Every registered tool (the package's modules are imported on first use)."""
    if not _TOOLS:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
    return _TOOLS
