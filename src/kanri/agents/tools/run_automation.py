"""`run_automation`: start an automation as a child run; its outputs are the tool's result."""

from __future__ import annotations

from typing import Any

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, tool
from kanri.engine.registry import ChildRun


@tool(
    "run_automation",
    "Run one of the project's automations with inputs and get its outputs.",
    {
        "type": "object",
        "properties": {"automation": {"type": "string"}, "inputs": {"type": "object"}},
        "required": ["automation"],
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    name = arguments.get("automation")
    inputs = arguments.get("inputs") or {}
    if not isinstance(name, str) or not name or not isinstance(inputs, dict):
        return ToolResult({"error": "give `automation` (a name) and `inputs` (an object)"}, False)
    allowed = ctx.config.get("automations")
    if allowed is not None and name not in allowed:
        return ToolResult({"error": f"this agent may not run automation '{name}'"}, ok=False)
    return ChildRun(name, inputs)
