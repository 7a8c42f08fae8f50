"""The agents section: agent runs/s against three-step transform automation runs/s.

One kanri app in this process (embedded worker, a fresh SQLite database), the same client
and the same drain measurement for both kinds of run, measured in the same bench run:

- baseline: runs of an automation with three `transform` steps;
- agents: runs of an agent on the `offline` provider whose prompt asks for one tool call,
  so each run is a model call, a tool call (`emit_event`) and a second model call, each a
  checkpointed write.

The two kinds alternate over ROUNDS rounds (baseline, agents, baseline, agents, …) so that
a change in the machine's load touches both alike; each figure is the median of its rounds,
the ratio the median of the rounds' ratios, and the process CPU time per run is printed
beside runs/s (what load on the machine does not change much).

Target: agent runs/s >= 0.5 x automation runs/s. No timing assertions; BELOW is reported.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.orm import Session

TARGET_RATIO = 0.5
BATCH = 50
ROUNDS = 3
TOOL_PROMPT = '/tool emit_event {"type": "bench.done", "data": {"n": 1}}'


@dataclass(kw_only=True)
class Figure:
    label: str
    runs: int
    seconds: float
    failed: int
    cpu_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.runs / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_run(self) -> float:
        return self.cpu_seconds * 1000 / self.runs if self.runs else 0.0


def _finished(tx: Session, ids: list[str]) -> tuple[int, int]:
    from kanri.engine.models import RunRow

    rows = tx.execute(
        select(RunRow.status, func.count())
        .where(RunRow.id.in_(ids), RunRow.status.in_(("completed", "failed", "cancelled")))
        .group_by(RunRow.status)
    ).all()
    counts = dict(rows)
    done = sum(counts.values())
    return done, done - counts.get("completed", 0)


async def _drain(
    client: httpx.AsyncClient, kanri: Any, path: str, body: dict[str, Any], runs: int, label: str
) -> Figure:
    headers = client.headers
    started = time.perf_counter()
    cpu_started = time.process_time()
    ids: list[str] = []
    for offset in range(0, runs, BATCH):
        count = min(BATCH, runs - offset)
        answers = await asyncio.gather(
            *(client.post(path, json=body, headers=headers) for _ in range(count))
        )
        for answer in answers:
            if answer.status_code != 202:
                raise RuntimeError(f"{label}: HTTP {answer.status_code} {answer.text[:200]}")
            ids.append(answer.json()["id"])
    chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
    while True:
        totals = [await kanri.db.read(_finished, chunk) for chunk in chunks]
        done = sum(t[0] for t in totals)
        if done >= runs:
            break
        await asyncio.sleep(0.02)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return Figure(
        label=label, runs=runs, seconds=seconds, failed=sum(t[1] for t in totals), cpu_seconds=cpu
    )


async def measure(runs: int, workdir: Path) -> list[tuple[Figure, Figure]]:
    from kanri.app import create_app
    from kanri.config import Settings
    from kanri.db import migrations
    from kanri.tenancy import service as tenancy

    url = f"sqlite:///{workdir / 'kanri.db'}"
    migrations.upgrade(url)
    settings = Settings(
        data_dir=workdir,
        database_url=url,
        secret_key="bench-" + "x" * 40,
        default_rate_limit_per_minute=10_000_000,
        admin_rate_limit_per_minute=10_000_000,
        log_level="warning",
        poll_seconds=0.05,
    )
    app = create_app(settings)
    async with LifespanManager(app):
        kanri = app.state.kanri
        boot = await kanri.db.write(tenancy.bootstrap, "bench", kanri.key_pepper)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as admin:
            admin.headers["Authorization"] = f"Bearer {boot.admin_key}"
            project = (await admin.post("/v1/projects", json={"name": "bench"})).json()
            key = (
                await admin.post(f"/v1/projects/{project['id']}/api-keys", json={"name": "b"})
            ).json()["key"]
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://bench",
            headers={"Authorization": f"Bearer {key}"},
            timeout=120,
        ) as client:
            steps = [
                {"id": "a", "kind": "transform", "output": "{{ inputs.n * 2 }}"},
                {"id": "b", "kind": "transform", "output": {"v": "{{ steps.a.output }}"}},
                {"id": "c", "kind": "transform", "output": "{{ steps.b.output.v + 1 }}"},
            ]
            automation = (
                await client.post(
                    "/v1/automations", json={"name": "three", "definition": {"steps": steps}}
                )
            ).json()
            await client.post(f"/v1/automations/{automation['id']}/publish")
            await client.post("/v1/providers", json={"name": "offline", "kind": "offline"})
            agent = (
                await client.post(
                    "/v1/agents",
                    json={
                        "name": "bench",
                        "runtime": {"provider": "offline", "model": "offline"},
                        "tools": [{"name": "emit_event"}],
                    },
                )
            ).json()
            # Warm both paths (imports, caches) before measuring.
            await _drain(
                client,
                kanri,
                f"/v1/automations/{automation['id']}/runs",
                {"inputs": {"n": 1}},
                20,
                "warm-up",
            )
            await _drain(
                client,
                kanri,
                f"/v1/agents/{agent['id']}/runs",
                {"message": TOOL_PROMPT},
                20,
                "warm-up",
            )
            rounds: list[tuple[Figure, Figure]] = []
            for _ in range(ROUNDS):
                baseline = await _drain(
                    client,
                    kanri,
                    f"/v1/automations/{automation['id']}/runs",
                    {"inputs": {"n": 1}},
                    runs,
                    "three-step transform automation runs",
                )
                agents = await _drain(
                    client,
                    kanri,
                    f"/v1/agents/{agent['id']}/runs",
                    {"message": TOOL_PROMPT},
                    runs,
                    "agent runs (model call, tool call, model call)",
                )
                rounds.append((baseline, agents))
    return rounds


def run(runs: int = 500) -> int:
    """Measure and print the section; 1 when any run failed (the figures are invalid)."""
    with tempfile.TemporaryDirectory(prefix="kanri-bench-agents-") as tmp:
        rounds = asyncio.run(measure(runs, Path(tmp)))
    print(f"agents (SQLite, embedded worker, offline provider; median of {len(rounds)} rounds)")
    for kind in (0, 1):
        figures = [r[kind] for r in rounds]
        rate = statistics.median(f.per_second for f in figures)
        cpu = statistics.median(f.cpu_ms_per_run for f in figures)
        print(
            f"  {figures[0].label:<50} {runs:>6} runs  {rate:8.1f} runs/s  "
            f"{cpu:5.2f} ms CPU/run  (rounds: "
            + ", ".join(f"{f.per_second:.0f}" for f in figures)
            + ")"
        )
    ratios = [a.per_second / b.per_second if b.per_second else 0.0 for b, a in rounds]
    ratio = statistics.median(ratios)
    verdict = "OK" if ratio >= TARGET_RATIO else "BELOW"
    print(
        f"  ratio agents / automations: {ratio:.2f} (target >= {TARGET_RATIO}) {verdict}  "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    failed = sum(b.failed + a.failed for b, a in rounds)
    if failed:
        print(f"  INVALID: {failed} runs did not complete")
        return 1
    return 0
