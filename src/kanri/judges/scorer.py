"""The scorer: scores completed runs for enabled judges in the background (every node)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kanri.costs import budgets, usage
from kanri.engine.models import RunRow
from kanri.engine.states import system_principal
from kanri.judges import service
from kanri.judges.models import JudgeRow
from kanri.providers import service as providers
from kanri.providers.clients import ModelRequest, complete

if TYPE_CHECKING:
    from kanri.providers.clients import ModelReply
    from kanri.providers.service import ProviderConfig
    from kanri.runtime import Kanri

log = structlog.get_logger("kanri.judges")
_JSON = re.compile(r"\{.*\}", re.DOTALL)


class Scorer:
    def __init__(self, kanri: Kanri, *, poll_seconds: float = 1.0) -> None:
        self.kanri = kanri
        self.poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="kanri-judges")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                work = await self.kanri.db.read(service.pending)
                for judge, run in work:
                    await self.score(judge, run)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scoring_failed")
            await asyncio.sleep(self.poll_seconds)

    async def score(self, judge: JudgeRow, run: RunRow) -> None:
        status, value, passed, reasoning, details = "scored", None, None, "", {}
        call: tuple[ProviderConfig, ModelReply] | None = None
        notify: list[tuple[str, Any]] = []  # budgets' thresholds reached, emitted once each
        if not service.sampled(judge.id, run.id, judge.sample_rate):
            status = "skipped"
        elif judge.kind == "rule":
            # Off the event loop: RE2 releases the GIL, and long outputs take a while.
            value, passed, results = await asyncio.to_thread(
                service.evaluate_rules, judge.config, run.outputs
            )
            details = {"checks": results}
        else:
            # The judge's call is a model call like any other: the budgets come first.
            verdict = await self.kanri.db.read(budgets.verdict, judge.project_id, run.agent_id)
            notify = verdict.notify
            over = verdict.block or verdict.approval
            if over:
                status, reasoning = "error", f"not scored: {over}"[:500]
            else:
                try:
                    call = await self._ask_model(judge, run)
                    value, reasoning = _answer(call[1])
                    passed = value >= float(judge.config.get("pass_threshold", 1.0))
                except Exception as exc:  # a judge's failure is recorded, never raised
                    status, reasoning = "error", f"{type(exc).__name__}: {exc}"[:500]

        def record(tx: Session) -> None:
            service.record_score(
                tx,
                judge_id=judge.id,
                project_id=judge.project_id,
                run_id=run.id,
                status=status,
                score=value,
                passed=passed,
                reasoning=reasoning,
                details=details,
            )
            if call is not None:
                provider, reply = call
                usage.record_judge_call(tx, run.id, judge.id, provider.id, provider.name, reply)
            if notify:
                budgets.record_notifications(tx, system_principal(run), notify)

        with contextlib.suppress(IntegrityError):  # another node scored it first
            await self.kanri.db.write(record)

    async def _ask_model(self, judge: JudgeRow, run: RunRow) -> tuple[ProviderConfig, ModelReply]:
        config = judge.config
        provider = await self.kanri.db.read(
            providers.resolve, judge.project_id, self.kanri.settings.secret, config["provider"]
        )
        prompt = (
            "Score the output of a run against the rubric. Answer only with JSON "
            '{"score": <number from 0 to 1>, "reasoning": "<one paragraph>"}.\n\n'
            f"Rubric:\n{config['rubric']}\n\nRun inputs:\n{json.dumps(run.inputs, default=str)}"
            f"\n\nRun outputs:\n{json.dumps(run.outputs, default=str)}"
        )
        model = config.get("model") or provider.default_model or "offline"
        reply = await complete(
            provider, ModelRequest(model=model, messages=[{"role": "user", "content": prompt}])
        )
        return provider, reply


def _answer(reply: ModelReply) -> tuple[float, str]:
    """The score (0..1) and reasoning of a judge model's JSON answer (ValueError if none)."""
    text = str(reply.message.get("content") or "")
    match = _JSON.search(text)
    answer = json.loads(match.group(0) if match else text)
    score = float(answer["score"])
    if not 0 <= score <= 1:
        raise ValueError(f"score {score} is outside 0..1")
    return score, str(answer.get("reasoning", ""))
