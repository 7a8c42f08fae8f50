"""Executing one claimed run: its steps from the cursor, their policy gates, checkpoints,
waits, retries and failures, to the run's completion, a wait, or a failure."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.orm import Session

from kanri.core import audit
from kanri.core.canonical import non_finite_paths
from kanri.core.errors import KanriError
from kanri.core.time import utcnow
from kanri.engine import fencing, registry, run_log, templates
from kanri.engine.advance import UNFINISHED, Advance, Done
from kanri.engine.checkpoint import checkpoint, park
from kanri.engine.claim import Claimed, RunState
from kanri.engine.ports import NamedValues, Verdict, ports
from kanri.engine.redaction import Redactor
from kanri.engine.registry import (
    COMMON_FIELDS,
    END,
    Fail,
    Outcome,
    StepContext,
    Wait,
    kinds,
    policy_wait,
)
from kanri.engine.states import RUN_GATE, system_principal
from kanri.engine.statuses import ApprovalStatus, StepStatus

if TYPE_CHECKING:
    from kanri.engine.worker import Engine

MAX_STEP_EXECUTIONS = 1000
INLINE_BACKOFF_SECONDS = 5.0
# Steps without effects outside the run: consecutive ones are checkpointed together, before
# the next step with effects starts or with the run's end (re-running one after a crash
# before that write changes nothing).
PURE_KINDS = frozenset({"transform", "condition", "log"})
MAX_PENDING_CHECKPOINTS = 100


def _finite(outcome: Outcome, emitted: list[tuple[str, dict[str, Any]]]) -> Outcome:
    """`outcome`, or a failure when its output (or an event it emits) holds NaN or
    ±Infinity, which no JSON column can store."""
    if isinstance(outcome, Wait | Fail):
        return outcome
    found = non_finite_paths(outcome.output, "output")
    for event_type, data in emitted:
        found += non_finite_paths(data, f"event {event_type}")
    if not found:
        return outcome
    message = f"the step's result holds a non-finite number (NaN or Infinity) at {found[0]}"
    return Fail(message, retryable=False)


def _read_named(
    tx: Session,
    run_id: str,
    attempt: int,
    step_id: str,
    master_secret: bytes,
    secrets: set[str] | None,
    variables: set[str] | None,
) -> NamedValues:
    """The secrets and variables of the run's environment a step reads; each read of
    secrets is audited on the run (names and versions, never values). Fenced."""
    run = fencing.fenced(tx, run_id, attempt)
    named = ports().secrets.read_named(
        tx, master_secret, run.project_id, run.environment_id, secrets, variables
    )
    if named.secrets:
        read = [{"name": name, "version": named.secrets[name][1]} for name in sorted(named.secrets)]
        audit.record(
            tx,
            system_principal(run),
            "secret.read",
            "run",
            run.id,
            {"step_id": {"to": step_id}, "secrets": {"to": read}},
            project_id=run.project_id,
            chained=False,  # with the run's transitions: chained by the background chainer
        )
    return named


class RunExecution:
    """Executes one claimed run from its cursor to completion, a wait, or a failure."""

    def __init__(self, engine: Engine, claimed: Claimed) -> None:
        self.engine = engine
        self.db = engine.db
        self.claimed = claimed
        self.pending: list[Done] = []  # completed pure steps not checkpointed yet
        self.facts: Any = None  # what the run's policies read (the `Policies` port's)
        self.started: set[str] = set()  # ids of the steps this attempt has started
        # The values of the secrets this execution read: what it writes is redacted of them.
        self.redactor = Redactor()

    async def _advance(self, state: RunState, outputs: Any = UNFINISHED) -> None:
        """Write the pending checkpoints (and with `outputs`, the run's completion)."""
        done, self.pending = self.pending, []
        if done or outputs is not UNFINISHED:
            advance = Advance(state.run_id, state.attempt, tuple(done), outputs)
            await self.engine.completer.advance(advance)

    async def run(self) -> None:
        state = self.claimed.state
        steps: list[dict[str, Any]] = state.definition["steps"]
        index = {step["id"]: i for i, step in enumerate(steps)}
        position = 0 if state.cursor is None else index.get(state.cursor, len(steps))
        if state.cursor == END:
            position = len(steps)
        last_output: Any = None
        executions = 0
        seq = state.next_seq
        resumed = state.resumed
        self.facts = state.facts
        fresh = state.cursor is None and state.next_seq == 1
        at_gate = state.cursor == RUN_GATE
        if at_gate or (self.facts is not None and fresh):
            if not await self._run_gate(state, steps, seq, resumed if at_gate else None):
                return
            restart = state.restart_step if at_gate else None
            position = 0 if restart is None else index.get(restart, len(steps))
            resumed = None
        while position < len(steps):
            executions += 1
            if executions > MAX_STEP_EXECUTIONS:
                await self._fail(state, f"more than {MAX_STEP_EXECUTIONS} step executions", None)
                return
            if state.deadline is not None and utcnow() >= state.deadline:
                await self._fail(state, "the run exceeded its timeout", None, "timeout")
                return
            step = steps[position]
            if self.pending and step["kind"] not in PURE_KINDS:
                await self._advance(state)  # pure steps before it are never run again
            outcome, started, logs, emitted = await self._attempt(state, step, resumed)
            if self.redactor:
                outcome, logs, emitted = self._redacted(outcome, logs, emitted)
            outcome = _finite(outcome, emitted)
            resumed_seq = seq - 1 if resumed is not None else None
            if isinstance(outcome, Wait | Fail):
                await self._advance(state)
                await self._flush(state, step["id"], logs, emitted)
            if isinstance(outcome, Wait):
                await self._park(state, step, outcome, seq, started)
                return
            if isinstance(outcome, Fail):
                done = await self._failed(state, step, outcome, seq, started, resumed_seq)
                seq += 1 if resumed_seq is None else 0
                resumed = None
                if done:
                    return
                continue  # retry the same step
            following = steps[position + 1]["id"] if position + 1 < len(steps) else END
            cursor = outcome.next or following
            self.pending.append(
                Done(
                    seq=seq,
                    step_id=step["id"],
                    kind=step["kind"],
                    output=outcome.output,
                    step_attempt=state.failures.get(step["id"], 0) + 1,
                    started=started,
                    ended=utcnow(),
                    cursor=cursor,
                    resumed_seq=resumed_seq,
                    logs=tuple(logs),
                    emitted=tuple(emitted),
                    effects=outcome.effects,
                )
            )
            # A pure step's checkpoint waits for the next step with effects or the run's end;
            # the last step's is written with the run's completion (only rendering between).
            if cursor != END and (
                step["kind"] not in PURE_KINDS
                or emitted
                or len(self.pending) >= MAX_PENDING_CHECKPOINTS
            ):
                await self._advance(state)
            if resumed_seq is None:
                seq += 1
            resumed = None
            state.outputs[step["id"]] = {"output": outcome.output}
            last_output = outcome.output
            position = len(steps) if cursor == END else index[cursor]
        outputs = last_output
        if state.definition.get("outputs") is not None:
            named = await self._named(state, state.definition["outputs"], "outputs")
            if isinstance(named, str):
                await self._fail(state, named, None)
                return
            try:
                outputs = await templates.render_async(
                    state.definition["outputs"],
                    {**self._context(state), **named},
                    "outputs",
                    self.engine.services.template_limits,
                )
            except templates.TemplateError as exc:
                await self._fail(state, str(exc), None)
                return
            outputs = self.redactor.value(outputs)
        elif state.outputs and last_output is None:
            final = steps[-1]["id"]
            outputs = state.outputs.get(final, {}).get("output")
        if found := non_finite_paths(outputs, "outputs"):
            message = f"the run's outputs hold a non-finite number at {found[0]}"
            await self._fail(state, message, None)
            return
        await self._advance(state, outputs)

    async def _run_gate(
        self,
        state: RunState,
        steps: list[dict[str, Any]],
        seq: int,
        resumed: dict[str, Any] | None,
    ) -> bool:
        """Policies before the run starts (action `run`). True: go on with the first step."""
        started = utcnow()
        if resumed is not None:  # woken at the gate: the start's approval is settled
            if resumed.get("status") == ApprovalStatus.APPROVED:
                first = state.restart_step or (steps[0]["id"] if steps else END)
                await self.db.write(
                    checkpoint,
                    run_id=state.run_id,
                    attempt=state.attempt,
                    seq=seq,
                    step_id=RUN_GATE,
                    kind="policy",
                    status=StepStatus.COMPLETED,
                    output=resumed,
                    error=None,
                    step_attempt=1,
                    started=started,
                    cursor=first,
                    resumed_seq=seq - 1,
                )
                return True
            message = f"approval {resumed.get('status')}"
            details: dict[str, Any] = {"approval": resumed}
            error = {"step_id": RUN_GATE, "message": message, **details}
            await self.db.write(
                checkpoint,
                run_id=state.run_id,
                attempt=state.attempt,
                seq=seq,
                step_id=RUN_GATE,
                kind="policy",
                status=StepStatus.FAILED,
                output=None,
                error=error,
                step_attempt=1,
                started=started,
                cursor=state.cursor,
                resumed_seq=seq - 1,
            )  # a retry asks again
            await self._fail(state, message, RUN_GATE, "rejected", details)
            return False
        if self.facts is None:  # re-queued at the gate, and no policy has rules any more
            return True
        policies = ports().policies
        decision = policies.decide(self.facts, "run")
        if decision.considered:
            await self.db.write(policies.record, state.run_id, state.attempt, None, decision)
        if decision.decision == "denied":
            details = {"policy_id": decision.policy, "rule_id": decision.rule}
            await self._fail(state, "; ".join(decision.reasons), None, "denied", details)
            return False
        if decision.decision == "needs_approval":
            wait = policy_wait(decision, "; ".join(decision.reasons))
            await self._park(state, {"id": RUN_GATE, "kind": "policy"}, wait, seq, started)
            return False
        return True

    async def _step_gate(
        self,
        state: RunState,
        step: dict[str, Any],
        config: Any,
        approval: dict[str, Any] | None,
    ) -> Outcome | None:
        """Policies before a step (action `step`, or `http` for an HTTP call). None: run it."""
        if approval is not None:  # resumed after this step's policy approval
            if approval.get("status") == ApprovalStatus.APPROVED:
                return None
            details: dict[str, Any] = {"stop_reason": "rejected", "approval": approval}
            return Fail(f"approval {approval.get('status')}", retryable=False, details=details)
        policies = ports().policies
        if self.facts is None or not policies.gates_calls(self.facts):
            return None
        host = None
        if step["kind"] == "http":
            host = urlsplit(str(getattr(config, "url", ""))).hostname
        agent = None
        if step["kind"] == "agent":  # rules read the agent the step runs, by name
            ref = str(getattr(config, "agent", ""))
            agent = await self.db.read(policies.agent_name, state.project_id, ref)
        action = "http" if step["kind"] == "http" else "step"
        decision: Verdict = policies.decide(
            self.facts, action, step_kind=step["kind"], http_host=host, agent=agent
        )
        if decision.considered:
            recorded = decision
            if self.redactor:
                recorded = dataclasses.replace(
                    decision,
                    reasons=self.redactor.value(decision.reasons),
                    evidence=self.redactor.value(decision.evidence),
                )
            await self.db.write(policies.record, state.run_id, state.attempt, step["id"], recorded)
        if decision.decision == "denied":
            details = {
                "stop_reason": "denied",
                "policy_id": decision.policy,
                "rule_id": decision.rule,
            }
            return Fail("; ".join(decision.reasons), retryable=False, details=details)
        if decision.decision == "needs_approval":
            message = f"step '{step['id']}': {'; '.join(decision.reasons)}"
            return policy_wait(decision, message)
        return None

    def _context(self, state: RunState) -> dict[str, Any]:
        return {
            "inputs": state.inputs,
            "steps": state.outputs,
            "run": {"id": state.run_id, "attempt": state.attempt},
            "env": {"id": state.environment_id},
            "secrets": {},
            "vars": {},
        }

    async def _named(self, state: RunState, value: Any, path: str) -> dict[str, Any] | str:
        """The `secrets` and `vars` of the template context of `value` (only what its
        templates read; all of them when a name is computed), read now so a new version
        counts from the next step on; or the message naming a literal name that is not set
        in the run's environment. The secrets read join the redactor."""
        secret_refs, any_secret = templates.referenced_names(value, "secrets", path)
        variable_refs, any_variable = templates.referenced_names(value, "vars", path)
        if not (secret_refs or any_secret or variable_refs or any_variable):
            return {}
        try:
            named: NamedValues = await self.db.write(
                _read_named,
                state.run_id,
                state.attempt,
                path,
                self.engine.services.kanri.settings.secret,
                None if any_secret else {name for _, name in secret_refs},
                None if any_variable else {name for _, name in variable_refs},
            )
        except ValueError as exc:  # a secret stored under another server secret key
            return f"{path}: {exc}"
        for name, (secret, _version) in named.secrets.items():
            self.redactor.add(name, secret)
        for at, name in secret_refs:
            if name not in named.secrets:
                return f"{at}: secret '{name}' is not set in the run's environment"
        for at, name in variable_refs:
            if name not in named.variables:
                return f"{at}: variable '{name}' is not set in the run's environment"
        secrets = {name: secret for name, (secret, _version) in named.secrets.items()}
        return {"secrets": secrets, "vars": named.variables}

    def _redacted(
        self,
        outcome: Outcome,
        logs: list[tuple[str, str]],
        emitted: list[tuple[str, dict[str, Any]]],
    ) -> tuple[Outcome, list[tuple[str, str]], list[tuple[str, dict[str, Any]]]]:
        """A step's outcome, logs and events without the values of the secrets read."""
        redact = self.redactor
        if isinstance(outcome, registry.Done):
            outcome = dataclasses.replace(outcome, output=redact.value(outcome.output))
        elif isinstance(outcome, Fail):
            outcome = dataclasses.replace(
                outcome, message=redact.text(outcome.message), details=redact.value(outcome.details)
            )
        elif isinstance(outcome, Wait):
            approval, child = outcome.approval, outcome.child
            if approval is not None:
                approval = dataclasses.replace(
                    approval,
                    message=redact.text(approval.message),
                    extra=redact.value(approval.extra),
                )
            if child is not None:
                child = dataclasses.replace(child, inputs=redact.value(child.inputs))
            outcome = dataclasses.replace(outcome, approval=approval, child=child)
        logs = [(level, redact.text(message)) for level, message in logs]
        emitted = [(event_type, redact.value(data)) for event_type, data in emitted]
        return outcome, logs, emitted

    async def _attempt(
        self, state: RunState, step: dict[str, Any], resumed: dict[str, Any] | None
    ) -> tuple[Outcome, Any, list[tuple[str, str]], list[tuple[str, dict[str, Any]]]]:
        kind = kinds().get(step["kind"])
        started = utcnow()
        gated = None  # a policy approval this step was parked on
        if resumed is not None and resumed.get("source") == "policy" and not resumed.get("in_step"):
            gated, resumed = resumed, None
        logs: list[tuple[str, str]] = []
        emitted: list[tuple[str, dict[str, Any]]] = []
        if kind is None:
            return (
                Fail(f"unknown step kind '{step['kind']}'", retryable=False),
                started,
                logs,
                emitted,
            )
        context = StepContext(
            run_id=state.run_id,
            project_id=state.project_id,
            environment_id=state.environment_id,
            automation_id=state.automation_id,
            step_id=step["id"],
            attempt=state.attempt,
            inputs=state.inputs,
            steps=state.outputs,
            idempotency_key=f"{state.run_id}:{step['id']}",
            resumed=resumed,
            log=lambda level, message: logs.append((level, message)),
            services=self.engine.services,
            emit=lambda event_type, data: emitted.append((event_type, data)),
            facts=self.facts,
            fresh=state.attempt == 1 and step["id"] not in self.started,
        )
        self.started.add(step["id"])
        try:
            own = kind.config.model_fields
            raw = {k: v for k, v in step.items() if k not in COMMON_FIELDS or k in own}
            scanned = {  # raw expressions (a condition's `if`) are read as expressions
                k: f"{{{{ {v} }}}}"
                if k in kind.config.raw_fields and isinstance(v, str) and "{{" not in v
                else v
                for k, v in raw.items()
            }
            named = await self._named(state, scanned, step["id"])
            if isinstance(named, str):
                return Fail(named, retryable=False), started, logs, emitted
            context.named = named
            # A kind may own `timeout_seconds` (an approval's deadline); else it bounds the step,
            # its templates' rendering included.
            timeout = None if "timeout_seconds" in own else step.get("timeout_seconds")
            rendering = time.monotonic()
            rendered = await templates.render_async(
                {k: v for k, v in raw.items() if k not in kind.config.raw_fields},
                context.template_context(),
                step["id"],
                self.engine.services.template_limits.within(timeout),
            )
            if timeout is not None:
                timeout = max(0.0, timeout - (time.monotonic() - rendering))
            config = kind.config.model_validate({**raw, **rendered})
            # A step resumed from its own wait passed its gate before it first ran.
            blocked = None if resumed else await self._step_gate(state, step, config, gated)
            if blocked is not None:
                return blocked, started, logs, emitted
            outcome = await asyncio.wait_for(kind.run(context, config), timeout)
        except templates.TemplateError as exc:
            outcome = Fail(str(exc), retryable=False)
        except ValidationError as exc:
            outcome = Fail(f"invalid step configuration: {exc.errors()[0].get('msg')}", False)
        except TimeoutError:
            outcome = Fail(f"step timed out after {step.get('timeout_seconds')} s")
        return outcome, started, logs, emitted

    async def _flush(
        self,
        state: RunState,
        step_id: str,
        logs: list[tuple[str, str]],
        emitted: list[tuple[str, dict[str, Any]]],
    ) -> None:
        if not logs and not emitted:
            return

        def write(tx: Session) -> None:
            # Fenced like a checkpoint: a worker that lost the run writes no logs or events.
            fencing.fenced(tx, state.run_id, state.attempt)
            for level, message in logs:
                run_log.log(tx, state.run_id, step_id, level, message)
            for event_type, data in emitted:
                run_log.emit_for_run(tx, state.run_id, event_type, data)

        await self.db.write(write)

    async def _park(
        self, state: RunState, step: dict[str, Any], wait: Wait, seq: int, started: Any
    ) -> None:
        approval = None
        if wait.approval is not None:
            request = wait.approval
            approval = {
                "message": request.message,
                "approvers": request.approvers,
                "required_approvals": request.required_approvals,
                "deadline": request.deadline,
                "on_timeout": request.on_timeout,
                "allow_self_approval": request.allow_self_approval,
                **request.extra,
            }
        try:
            await self.db.write(
                park,
                run_id=state.run_id,
                attempt=state.attempt,
                seq=seq,
                step_id=step["id"],
                kind=step["kind"],
                until=wait.until,
                approval=approval,
                started=started,
                child=wait.child,
            )
        except KanriError as exc:  # e.g. the child automation is unknown, or its inputs bad
            await self._fail(state, exc.detail, step["id"])

    async def _failed(
        self,
        state: RunState,
        step: dict[str, Any],
        outcome: Fail,
        seq: int,
        started: Any,
        resumed_seq: int | None,
    ) -> bool:
        """Record the failure; retry (inline or later) or fail the run. True: stop here."""
        error = {"step_id": step["id"], "message": outcome.message, **outcome.details}
        failures = state.failures.get(step["id"], 0) + 1
        state.failures[step["id"]] = failures
        await self.db.write(
            checkpoint,
            run_id=state.run_id,
            attempt=state.attempt,
            seq=seq,
            step_id=step["id"],
            kind=step["kind"],
            status=StepStatus.FAILED,
            output=None,
            error=error,
            step_attempt=failures,
            started=started,
            cursor=state.cursor,
            resumed_seq=resumed_seq,
        )
        policy = step.get("retry") or {}
        if outcome.retryable and failures < int(policy.get("max_attempts", 1)):
            delay = float(policy.get("backoff_seconds", 1.0)) * (2 ** (failures - 1))
            if delay <= INLINE_BACKOFF_SECONDS:
                await asyncio.sleep(delay)
                return False
            until = utcnow() + timedelta(seconds=delay)
            await self.db.write(fencing.backoff, state.run_id, state.attempt, until)
            return True
        stop_reason = str(outcome.details.get("stop_reason", "error"))
        await self._fail(state, outcome.message, step["id"], stop_reason, outcome.details)
        return True

    async def _fail(
        self,
        state: RunState,
        message: str,
        step_id: str | None,
        stop_reason: str = "error",
        details: dict[str, Any] | None = None,
    ) -> None:
        error = {"message": message, "step_id": step_id, **(details or {})}
        error.pop("stop_reason", None)
        error = self.redactor.value(error)
        await self._advance(state)
        await self.db.write(fencing.fail, state.run_id, state.attempt, error, stop_reason)
