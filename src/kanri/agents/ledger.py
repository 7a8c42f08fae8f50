"""The records a run of the agent loop owes (model calls, tool calls, thread turns, budget
notices) and the fenced command that writes them on the run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from kanri.agents import service as agents
from kanri.agents.models import ToolCallRow
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.costs import budgets
from kanri.db.prepared import Prepared
from kanri.engine import fencing, run_log
from kanri.engine.registry import Done, StepContext
from kanri.engine.states import system_principal

_INSERT_TOOL_CALL = Prepared(insert(cast(Table, ToolCallRow.__table__)))


def store_tool_call(
    tx: Session,
    run: fencing.FencedRun,
    call_key: str,
    call: dict[str, Any],
    arguments: Any,
    status: str,
    result: Any,
    emitted: list[tuple[str, dict[str, Any]]],
    approval_id: str | None = None,
) -> None:
    _INSERT_TOOL_CALL.run(
        tx,
        {
            "id": new_id("tcl"),
            "project_id": run.project_id,
            "run_id": run.id,
            "call_key": call_key,
            "tool_call_id": str(call.get("id") or call_key)[:200],
            "name": str(call.get("function", {}).get("name", ""))[:100],
            "arguments": arguments,
            "status": status,
            "result": result,
            "approval_id": approval_id,
            "create_time": utcnow(),
        },
    )
    who = system_principal(run)
    for event_type, data in [
        *emitted,
        (
            "run.tool_call",
            {"call_key": call_key, "name": call.get("function", {}).get("name"), "status": status},
        ),
    ]:
        run_log.emit_on_run(tx, who, run, event_type, data)


def store_turn(
    tx: Session, run: fencing.FencedRun, thread_id: str, turn: list[dict[str, Any]]
) -> None:
    agents.append_to_thread(tx, thread_id, run.id, turn)


def store_notifications(tx: Session, run: fencing.FencedRun, items: list[tuple[str, Any]]) -> None:
    budgets.record_notifications(tx, system_principal(run), items)


Entry = Callable[[Session, fencing.FencedRun], Any]  # a record written on the run, fenced


def write_entries(
    tx: Session,
    run_id: str,
    attempt: int,
    entries: list[Entry],
    budgets_of: tuple[str, str | None] | None = None,
) -> budgets.Verdict | None:
    """Write `entries` while the run is ours; with `budgets_of` (project, agent), the budgets'
    verdict after them."""
    run = fencing.fenced_run(tx, run_id, attempt)
    totals = (run.usage, run.cost_usd)
    for entry in entries:
        entry(tx, run)
    if (run.usage, run.cost_usd) != totals:
        fencing.save_totals(tx, run)
    return None if budgets_of is None else budgets.verdict(tx, *budgets_of)


@dataclass
class Ledger:
    """The records a run of the loop owes, written as late as is safe.

    A finished model call's record (and a tool call's) waits for the loop's next write as
    long as only computation follows it: before anything that costs money or reaches
    outside — the next model call, a tool that does I/O, parking the run — what is owed is
    written in one transaction, and what is owed when the step ends goes in the transaction
    of its checkpoint (`Done.effects`). So a crash can lose only records whose calls were
    followed by nothing but computation, and a run of N calls costs about N transactions."""

    ctx: StepContext
    agent_id: str | None
    verdict: budgets.Verdict | None  # the budgets' verdict; None: stale
    entries: list[Entry] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    async def write(self) -> None:
        """Write what is owed (nothing to do when nothing is)."""
        if self.entries:
            await self._write(None)

    async def verdict_now(self) -> budgets.Verdict:
        """The budgets' verdict now (written records count)."""
        if self.entries:
            self.verdict = await self._write((self.ctx.project_id, self.agent_id))
        elif self.verdict is None:
            db = self.ctx.services.kanri.db
            self.verdict = await db.read(budgets.verdict, self.ctx.project_id, self.agent_id)
        assert self.verdict is not None
        return self.verdict

    async def _write(self, budgets_of: tuple[str, str | None] | None) -> budgets.Verdict | None:
        entries, self.entries = self.entries, []
        db = self.ctx.services.kanri.db
        verdict: budgets.Verdict | None = await db.write(
            write_entries, self.ctx.run_id, self.ctx.attempt, entries, budgets_of
        )
        return verdict

    def done(self, output: Any) -> Done:
        """The step's outcome, carrying what is still owed into its checkpoint."""
        entries, self.entries = self.entries, []
        if not entries:
            return Done(output)
        effect = partial(
            write_entries, run_id=self.ctx.run_id, attempt=self.ctx.attempt, entries=entries
        )
        return Done(output, effects=(effect,))
