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
from typing import Any

from kanri.engine.registry import ChildRun


@dataclass(frozen=True)
class ToolResult:
    result: Any
    ok: bool = True


@dataclass
class ToolContext:
    run_id: str
    project_id: str
    environment_id: str | None
    agent_id: str | None
    call_key: str
    idempotency_key: str
    config: dict[str, Any]  # the agent's settings for this tool
    services: Any  # kanri.engine.worker.Services
    emitted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def emit(self, event_type: str, data: dict[str, Any]) -> None:
        """Append an event to the outbox with the tool call's checkpoint."""
        self.emitted.append((event_type, data))


ToolOutcome = ToolResult | ChildRun


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    run: Callable[[ToolContext, dict[str, Any]], Awaitable[ToolOutcome]]

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
    name: str, description: str, parameters: dict[str, Any]
) -> Callable[[Callable[[ToolContext, dict[str, Any]], Awaitable[ToolOutcome]]], Any]:
    """Decorator registering `run` as the tool `name`."""

    def register(run: Callable[[ToolContext, dict[str, Any]], Awaitable[ToolOutcome]]) -> Any:
        _TOOLS[name] = Tool(name, description, parameters, run)
        return run

    return register


def tools() -> Mapping[str, Tool]:
    """Every registered tool (the package's modules are imported on first use)."""
    if not _TOOLS:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
    return _TOOLS
