"""A run's estimated cost: what its model calls may spend, priced before the run starts.

Policies read it as `estimated_cost` (USD) when a run starts and before each of its steps
and tool calls. Every model call the run's definition may make is priced at its model's
price in force (the project's price table, else the shipped default):

- input tokens: one per CHARS_PER_TOKEN characters of what is known at start — an agent's
  instructions and the run's messages, an `llm` step's system text and prompt template;
- output tokens: the call's `max_tokens`, or DEFAULT_OUTPUT_TOKENS when it sets none;
- an `agent` step counts its agent's `max_steps` calls, an `llm` step one.

Steps that call no model cost nothing, and so does a model without a known price (the
`offline` provider, a local model server) or a provider the project does not have.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.agents.models import AgentRow, AgentVersionRow
from kanri.core.ids import looks_like_id
from kanri.costs import prices
from kanri.providers import service as providers

CHARS_PER_TOKEN = 4
DEFAULT_OUTPUT_TOKENS = 1024


def estimate(
    tx: Session, project_id: str, definition: dict[str, Any], inputs: dict[str, Any], at: datetime
) -> float:
    """The run's estimated cost in USD (see the module's docstring)."""
    total = Decimal(0)
    for step in definition.get("steps") or []:
        kind = step.get("kind")
        if kind == "llm":
            text = f"{step.get('system') or ''}{step.get('prompt') or ''}"
            total += _call(tx, project_id, step, text, at)
        elif kind == "agent":
            spec = step.get("spec") or _agent_spec(tx, project_id, step)
            if not isinstance(spec, dict):
                continue
            runtime = spec.get("runtime") or {}
            messages = inputs.get("messages") if step.get("from_run_inputs") else None
            given = messages or step.get("messages") or [{"content": step.get("message")}]
            text = f"{spec.get('instructions') or ''}{_contents(given)}"
            calls = int(spec.get("max_steps") or 1)
            total += calls * _call(tx, project_id, runtime, text, at)
    return float(total)


def _call(
    tx: Session, project_id: str, settings: dict[str, Any], text: str, at: datetime
) -> Decimal:
    """The price of one call made with `settings` (`provider`, `model`, `max_tokens`)."""
    ref = settings.get("provider")
    if not isinstance(ref, str) or not ref:
        return Decimal(0)
    provider = providers.find(tx, project_id, ref)
    if provider is None:
        return Decimal(0)
    model = settings.get("model") or provider.default_model
    if not isinstance(model, str) or not model:
        return Decimal(0)
    terms = prices.terms_for(tx, project_id, provider.id, provider.name, model, at)
    output = settings.get("max_tokens")
    output_tokens = output if isinstance(output, int) and output > 0 else DEFAULT_OUTPUT_TOKENS
    input_tokens = -(-len(text) // CHARS_PER_TOKEN)  # rounded up
    return prices.cost_of(terms, input_tokens, 0, output_tokens)


def _agent_spec(tx: Session, project_id: str, step: dict[str, Any]) -> Any:
    """The spec an automation's `agent` step will run: the named version, the draft, or
    the published one; None when the agent is not found."""
    ref = step.get("agent")
    if not isinstance(ref, str) or not ref:
        return None
    column = AgentRow.id if looks_like_id(ref, "agt") else AgentRow.name
    agent = tx.execute(
        select(AgentRow).where(AgentRow.project_id == project_id, column == ref)
    ).scalar_one_or_none()
    if agent is None:
        return None
    wanted = step.get("version")
    if wanted == "draft":
        return agent.spec
    number = wanted if isinstance(wanted, int) else agent.published_version
    return tx.execute(
        select(AgentVersionRow.spec).where(
            AgentVersionRow.agent_id == agent.id, AgentVersionRow.version == number
        )
    ).scalar_one_or_none()


def _contents(messages: Iterable[Any]) -> str:
    parts = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        parts.append(content if isinstance(content, str) else str(content or ""))
    return "".join(parts)
