"""Reliability of the run engine with real processes, real sockets and kill -9.

- SQLite: one `kanri serve` (embedded worker) per data directory, killed with SIGKILL in the
  middle of runs and started again on the same directory, several rounds.
- PostgreSQL (when the session's backend is PostgreSQL): one `kanri serve --no-worker` and two
  `kanri worker` processes on the session's database; workers are killed mid-run, paused past
  their lease with SIGSTOP, and share many runs.

"No completed step is executed again" is checked twice: the run's checkpoints list each step
exactly once, and the loopback server the `http` steps call (which counts calls by the
`Idempotency-Key` the engine sends, `<run id>:<step id>`) never sees a call for a step after
its checkpoint, and sees a step again only when a kill interrupted it between its first call
and its checkpoint (at-least-once for the step in flight, never for a completed one).
"""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kanri.core.time import utcnow
from kanri.engine import fencing, leases
from kanri.engine.checkpoint import checkpoint
from kanri.engine.statuses import StepStatus
from tests.conftest import BACKEND
from tests.engine.processes import (
    LEASE_SECONDS,
    Api,
    KanriProcess,
    Loopback,
    PgProbe,
    Processes,
    bootstrap,
    free_port,
    kanri_env,
    pg_probe,
    sqlite_rows,
    wait_healthy,
    wait_started,
    wait_until,
)

pytestmark = pytest.mark.slow

sqlite_only = pytest.mark.skipif(
    BACKEND != "sqlite",
    reason="the SQLite deployment is exercised in the SQLite pass (KANRI_TEST_BACKEND=sqlite)",
)
postgresql_only = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="several processes sharing one database need PostgreSQL "
    "(set KANRI_TEST_DATABASE_URL); SQLite allows one server process per file",
)

ROUNDS = 3
RUNS_PER_ROUND = 8
HTTP_STEPS = ["h1", "h2", "h3", "h4"]
TERMINAL = {"completed", "failed", "cancelled"}
# A worker whose lease expired is re-queued by the next sweep (every 5 s ± 20 %).
RECLAIM_SECONDS = LEASE_SECONDS + 6.0 + 6.0


def chain(loopback: Loopback) -> list[dict[str, Any]]:
    """t1, then four times: wait 0.3 s (the run parks), an http call of 0.2 s, a transform
    that adds the called step's echo to the previous total. Outputs 5 * n."""
    steps: list[dict[str, Any]] = [{"id": "t1", "kind": "transform", "output": "{{ inputs.n }}"}]
    for i, http in enumerate(HTTP_STEPS, start=1):
        steps += [
            {"id": f"w{i}", "kind": "wait", "seconds": 0.3},
            {
                "id": http,
                "kind": "http",
                "method": "POST",
                "url": loopback.url("/slow"),
                "body": {"n": "{{ inputs.n }}"},
                "timeout": 20,
            },
            {
                "id": f"t{i + 1}",
                "kind": "transform",
                "output": f"{{{{ steps.t{i}.output + steps.{http}.output.body.n }}}}",
            },
        ]
    return steps


CHAIN_IDS = ["t1"] + [s for i in range(1, 5) for s in (f"w{i}", f"h{i}", f"t{i + 1}")]
CHAIN_OUTPUTS = {"total": "{{ steps.t5.output }}"}


def assert_stopped_gracefully(server: KanriProcess) -> None:
    """SIGTERM: uvicorn shuts down (the embedded worker with it), then re-raises the signal."""
    assert server.terminate() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.tail(5), server.tail()


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def kill(process: KanriProcess, kills: list[tuple[float, float]]) -> None:
    """SIGKILL, noting when (the interval between sending it and reaping the process)."""
    sent = time.time()
    process.kill()
    kills.append((sent, time.time()))


def assert_no_completed_step_ran_again(
    api: Api, loopback: Loopback, runs: dict[str, int], kills: list[tuple[float, float]]
) -> None:
    """Every run completed with 5 * n; each step checkpointed once, in order; each http step
    called before its checkpoint only, and again only across a kill that interrupted it."""
    listed = api.runs()
    assert set(listed) == set(runs), "runs were lost or appeared"
    total_calls = 0
    in_flight_at_kills = 0
    repeated: dict[str, int] = {}
    for run_id, n in runs.items():
        run = listed[run_id]
        assert run["status"] == "completed", run
        assert run["outputs"] == {"total": 5 * n}, run
        steps = api.steps(run_id)
        assert [(s["step_id"], s["status"]) for s in steps] == [
            (step_id, "completed") for step_id in CHAIN_IDS
        ], f"{run_id}: each step is checkpointed exactly once, in order"
        assert [s["seq"] for s in steps] == sorted({s["seq"] for s in steps})
        for step in steps:
            if step["step_id"] not in HTTP_STEPS:
                continue
            key = f"{run_id}:{step['step_id']}"
            checkpointed = _timestamp(step["end_time"])
            calls = loopback.of(key)
            total_calls += len(calls)
            assert calls, f"{key} completed without calling the server"
            late = [c.start for c in calls if c.start > checkpointed]
            assert not late, f"{key} was called again after its checkpoint at {checkpointed}"
            interrupted = sum(
                1 for sent, dead in kills if calls[0].start <= dead and sent <= checkpointed
            )
            in_flight_at_kills += interrupted
            assert len(calls) <= 1 + interrupted, (
                f"{key}: {len(calls)} calls, but only {interrupted} kill(s) interrupted it"
            )
            assert step["output"]["body"]["call"] == len(calls), "the last call is the kept one"
            if len(calls) > 1:
                repeated[key] = len(calls)
    http_steps = len(runs) * len(HTTP_STEPS)
    assert total_calls <= http_steps + in_flight_at_kills
    print(f"{len(runs)} runs, {http_steps} http steps, {total_calls} calls; again: {repeated}")  # noqa: T201


def _ended(api: Api, run_id: str) -> dict[str, Any] | None:
    run = api.run(run_id)
    return run if run["status"] in TERMINAL else None


def _all_ended(api: Api, run_ids: set[str]) -> bool:
    runs = api.runs()
    return all(runs[r]["status"] in TERMINAL for r in run_ids if r in runs) and run_ids <= set(runs)


# ---------------------------------------------------------------- SQLite


@sqlite_only
def test_a_server_killed_mid_runs_again_and_again_finishes_every_run_without_redoing_steps(
    tmp_path: Path,
) -> None:
    home = tmp_path / "data"
    home.mkdir()
    env = kanri_env(home)
    admin_key = bootstrap(env, home)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = home / "kanri.db"
    with Processes(tmp_path) as processes, Loopback() as loopback, ExitStack() as stack:
        server = processes.serve("serve", env, port, "--data-dir", str(home)).start()
        wait_healthy(base, server)
        api = stack.enter_context(Api(base, admin_key))
        automation = api.automation(chain(loopback), outputs=CHAIN_OUTPUTS)
        runs: dict[str, int] = {}
        kills: list[tuple[float, float]] = []
        interrupted: dict[str, int] = {}  # run id → attempt, at the last kill
        for round_ in range(ROUNDS):
            if round_:
                server.start()
                wait_healthy(base, server)

                def reclaimed(before: dict[str, int] = interrupted) -> bool:
                    now = api.runs()
                    return all(now[r]["attempt"] > a for r, a in before.items())

                wait_until(reclaimed, RECLAIM_SECONDS, "the restarted server to reclaim runs")
            for _ in range(RUNS_PER_ROUND):
                n = len(runs) + 1
                runs[api.start_run(automation, {"n": n})] = n
            wait_until(loopback.in_flight, 10, "an http step in flight")
            kill(server, kills)
            held = sqlite_rows(
                database,
                "SELECT id, attempt FROM runs WHERE project_id = ? AND status = 'running'",
                api.project_id,
            )
            assert held, f"round {round_}: the kill interrupted no run"
            interrupted = {row["id"]: row["attempt"] for row in held}

        server.start()
        wait_healthy(base, server)
        wait_until(lambda: _all_ended(api, set(runs)), 40, "every run to end", every=0.2)
        assert_no_completed_step_ran_again(api, loopback, runs, kills)
        final = api.runs()
        assert all(final[r]["attempt"] > a for r, a in interrupted.items())
        assert_stopped_gracefully(server)


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class Deployment:
    """One `kanri serve --no-worker` on the session's PostgreSQL database, and an admin key of
    an organization of its own; each test adds its project and its workers."""

    env: dict[str, str]
    base_url: str
    admin_key: str
    database_url: str


@pytest.fixture(scope="module")
def postgresql(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Deployment]:
    home = tmp_path_factory.mktemp("reliability")
    env = kanri_env(home / "data", database_url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with Processes(home) as processes:
        server = processes.serve("api", env, port, "--no-worker").start()
        admin_key = bootstrap(env, home)  # while the API boots
        wait_healthy(base_url, server)
        yield Deployment(env, base_url, admin_key, database_url)
        assert_stopped_gracefully(server)


def _worker_id(pg: PgProbe, pid: int) -> str:
    rows = pg.rows(
        "SELECT id FROM workers WHERE pid = $1 AND hostname = $2 ORDER BY start_time DESC LIMIT 1",
        pid,
        socket.gethostname(),
    )
    assert rows, f"no worker registered with pid {pid}"
    worker_id: str = rows[0]["id"]
    return worker_id


def _held(pg: PgProbe, project_id: str, worker_id: str) -> dict[str, int]:
    rows = pg.rows(
        "SELECT id, attempt FROM runs WHERE project_id = $1 AND lease_owner = $2 "
        "AND status = 'running'",
        project_id,
        worker_id,
    )
    return {row["id"]: row["attempt"] for row in rows}


@postgresql_only
def test_workers_killed_mid_runs_on_postgresql_lose_nothing_and_redo_no_completed_step(
    tmp_path: Path, postgresql: Deployment
) -> None:
    env = postgresql.env
    with (
        Processes(tmp_path) as processes,
        Loopback() as loopback,
        pg_probe(postgresql.database_url) as pg,
        Api(postgresql.base_url, postgresql.admin_key) as api,
    ):
        workers = [processes.worker(name, env).start() for name in ("worker-a", "worker-b")]
        for worker in workers:
            wait_started(worker)
        automation = api.automation(chain(loopback), outputs=CHAIN_OUTPUTS)
        runs: dict[str, int] = {}
        kills: list[tuple[float, float]] = []
        for round_ in range(ROUNDS):
            victim, survivor = workers[round_ % 2], workers[1 - round_ % 2]
            victim_id = _worker_id(pg, victim.pid)
            for _ in range(RUNS_PER_ROUND):
                n = len(runs) + 1
                runs[api.start_run(automation, {"n": n})] = n

            def mid_run(worker_id: str = victim_id) -> bool:
                busy = bool(loopback.in_flight())
                return busy and len(_held(pg, api.project_id, worker_id)) >= 2

            wait_until(mid_run, 10, f"{victim.name} to be in the middle of runs")
            kill(victim, kills)
            held = _held(pg, api.project_id, victim_id)
            assert held, f"round {round_}: the kill interrupted no run"
            wait_started(survivor)  # (re)started in the previous round

            def reclaimed(before: dict[str, int] = held) -> bool:
                now = api.runs()
                return all(
                    now[r]["attempt"] > a or now[r]["status"] != "running"
                    for r, a in before.items()
                )

            wait_until(reclaimed, RECLAIM_SECONDS, f"{survivor.name} to reclaim the runs")
            assert not _held(pg, api.project_id, victim_id)
            victim.start()  # boots while the next round runs

        wait_until(lambda: _all_ended(api, set(runs)), 40, "every run to end", every=0.2)
        assert_no_completed_step_ran_again(api, loopback, runs, kills)
        duplicates = pg.rows(
            "SELECT run_id, step_id, count(*) AS n FROM run_steps WHERE run_id = ANY($1) "
            "GROUP BY run_id, step_id HAVING count(*) > 1",
            list(runs),
        )
        assert duplicates == []
        for worker in workers:
            wait_started(worker)
        assert [worker.terminate() for worker in workers] == [0, 0]


@postgresql_only
def test_two_workers_share_many_runs_and_checkpoint_each_step_exactly_once(
    tmp_path: Path, postgresql: Deployment
) -> None:
    env = postgresql.env
    with (
        Processes(tmp_path) as processes,
        Loopback(delay=0.1) as loopback,
        pg_probe(postgresql.database_url) as pg,
        Api(postgresql.base_url, postgresql.admin_key) as api,
    ):
        workers = [processes.worker(name, env).start() for name in ("worker-a", "worker-b")]
        for worker in workers:
            wait_started(worker)
        worker_ids = {_worker_id(pg, worker.pid) for worker in workers}
        steps: list[dict[str, Any]] = [
            {"id": "first", "kind": "transform", "output": "{{ inputs.n }}"},
            {
                "id": "call",
                "kind": "http",
                "method": "POST",
                "url": loopback.url("/slow"),
                "body": {"n": "{{ inputs.n }}"},
            },
            {"id": "pause", "kind": "wait", "seconds": 0.2},
            {"id": "last", "kind": "transform", "output": "{{ steps.call.output.body.n * 2 }}"},
        ]
        automation = api.automation(steps)
        runs = {api.start_run(automation, {"n": n}): n for n in range(1, 49)}
        owners: set[str] = set()

        def ended() -> bool:
            rows = pg.rows(
                "SELECT lease_owner FROM runs WHERE project_id = $1 AND status = 'running'",
                api.project_id,
            )
            owners.update(row["lease_owner"] for row in rows)
            return _all_ended(api, set(runs))

        wait_until(ended, 40, "every run to end", every=0.05)
        assert owners == worker_ids, "both workers took runs"
        listed = api.runs()
        for run_id, n in runs.items():
            assert listed[run_id]["status"] == "completed", listed[run_id]
            assert listed[run_id]["outputs"] == 2 * n
            assert listed[run_id]["attempt"] == 2, "claimed, parked, claimed again: no more"
            checkpoints = api.steps(run_id)
            assert [(s["step_id"], s["status"]) for s in checkpoints] == [
                (step["id"], "completed") for step in steps
            ]
            calls = loopback.of(f"{run_id}:call")
            assert [c.number for c in calls] == [1], f"{run_id}: the http step ran once"
        rows = pg.rows(
            "SELECT count(*) AS n, count(DISTINCT (run_id, step_id)) AS distinct_steps "
            "FROM run_steps WHERE run_id = ANY($1)",
            list(runs),
        )
        assert rows == [{"n": len(runs) * len(steps), "distinct_steps": len(runs) * len(steps)}]
        assert [worker.terminate() for worker in workers] == [0, 0]


@postgresql_only
def test_a_worker_paused_past_its_lease_loses_the_run_and_cannot_write_once_resumed(
    tmp_path: Path, postgresql: Deployment
) -> None:
    env = postgresql.env
    with (
        Processes(tmp_path) as processes,
        Loopback() as loopback,
        pg_probe(postgresql.database_url) as pg,
        Api(postgresql.base_url, postgresql.admin_key) as api,
    ):
        paused = processes.worker("worker-a", env, concurrency=4).start()
        wait_started(paused)
        automation = api.automation(
            [
                {"id": "before", "kind": "transform", "output": "{{ inputs.n }}"},
                {
                    "id": "slow",
                    "kind": "http",
                    "method": "POST",
                    "url": loopback.url("/block"),
                    "body": {"n": "{{ inputs.n }}"},
                    "timeout": 60,
                },
                {"id": "after", "kind": "transform", "output": "{{ steps.slow.output.body }}"},
            ]
        )
        run_id = api.start_run(automation, {"n": 7})
        key = f"{run_id}:slow"
        wait_until(lambda: loopback.of(key), 10, "worker A to call the blocking step")
        taker = processes.worker("worker-b", env, concurrency=4).start()
        wait_started(taker)  # B boots while A holds the run (and heartbeats its lease)
        assert api.run(run_id)["attempt"] == 1
        paused_id = _worker_id(pg, paused.pid)
        paused.signal(signal.SIGSTOP)
        wait_until(lambda: api.run(run_id)["attempt"] == 2, RECLAIM_SECONDS, "B to take the run")
        done = wait_until(lambda: _ended(api, run_id), 10, "B to finish the run")
        assert done["status"] == "completed", done
        assert done["outputs"] == {"key": key, "call": 2, "n": 7}

        # A's call answers now; A wakes up with a result it may no longer record.
        loopback.release()
        wait_until(lambda: loopback.of(key)[0].end, 10, "the blocked call to be answered")
        paused.signal(signal.SIGCONT)

        def let_go() -> list[str]:
            return [
                str(e["event"])
                for e in paused.events()
                if e.get("run") == run_id and e.get("event") in ("run_abandoned", "run_interrupted")
            ]

        how = wait_until(let_go, 10, "worker A to give the run up")
        print(f"worker A gave the run up: {how}")  # noqa: T201
        assert not [e for e in paused.events() if e.get("level") in ("error", "critical")]

        # What A would still send for its attempt is refused: the checkpoint of the step it
        # finished, the run's end, the heartbeat of its lease.
        with pytest.raises(fencing.LostLease):
            pg.write(
                checkpoint,
                run_id=run_id,
                attempt=1,
                seq=2,
                step_id="slow",
                kind="http",
                status=StepStatus.COMPLETED,
                output={"status": 200, "body": {"key": key, "call": 1, "n": 7}},
                error=None,
                step_attempt=1,
                started=utcnow(),
                cursor="after",
            )
        with pytest.raises(fencing.LostLease):
            pg.write(fencing.finish, run_id, 1, {"from": "A"})
        assert pg.write(leases.heartbeat, paused_id, [(run_id, 1)], LEASE_SECONDS) == [(run_id, 1)]

        after = api.run(run_id)
        assert (after["status"], after["attempt"], after["outputs"]) == (
            "completed",
            2,
            {"key": key, "call": 2, "n": 7},
        )
        checkpoints = api.steps(run_id)
        assert [(s["step_id"], s["status"]) for s in checkpoints] == [
            ("before", "completed"),
            ("slow", "completed"),
            ("after", "completed"),
        ]
        assert checkpoints[1]["output"]["body"] == {"key": key, "call": 2, "n": 7}
        written = pg.rows(
            "SELECT step_id, run_attempt FROM run_steps WHERE run_id = $1 ORDER BY seq", run_id
        )
        assert written == [
            {"step_id": "before", "run_attempt": 1},  # A's, kept: B did not run it again
            {"step_id": "slow", "run_attempt": 2},
            {"step_id": "after", "run_attempt": 2},
        ]
        events = pg.rows(
            "SELECT type, data->>'step_id' AS step_id FROM outbox_events "
            "WHERE resource_id = $1 ORDER BY id",
            run_id,
        )
        assert [(e["type"], e["step_id"]) for e in events] == [
            ("run.created", None),
            ("run.started", None),
            ("run.step_completed", "before"),
            ("run.queued", None),  # B's sweep: A's lease expired
            ("run.started", None),
            ("run.step_completed", "slow"),
            ("run.step_completed", "after"),
            ("run.completed", None),
        ]
        assert [c.number for c in loopback.of(key)] == [1, 2]
        assert paused.terminate() == 0
        assert taker.terminate() == 0
