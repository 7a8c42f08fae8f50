"""The engine's ports: what it asks of the features, as protocols they implement.

The engine knows no feature. It runs what a definition says, keeps the run tables, and asks
its questions of the rest of kanri through these protocols, which `kanri.wiring` fills at
start-up with the features' modules that implement them:

- `Projects`: a project's settings (its organization, whether it may reach private
  networks, how many of its runs may run at once) — `kanri.tenancy`;
- `Agents`: how many runs of an agent may run at once — `kanri.agents`;
- `Policies`: what a run's policies read of it (read with its claim) and the verdict on an
  action (the run's start, a step, an HTTP call, an agent's tool call) — `kanri.governance`;
- `ChildRuns`: start another automation's run for an `automation` step — `kanri.runs`;
- `Secrets`: the secrets and variables of a run's environment that its templates read
  (`{{ secrets.NAME }}`, `{{ vars.NAME }}`) — `kanri.secrets`.

A process that runs the engine without wiring it first fails on first use with a clear
error rather than running without policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from kanri.core.auth import Principal


class ProjectFacts(Protocol):
    """What the engine reads of a project."""

    @property
    def organization_id(self) -> str: ...

    @property
    def allow_private_network(self) -> bool: ...


class Projects(Protocol):
    def project_settings(self, tx: Session, project_id: str) -> ProjectFacts | None:
        """The project's settings; None when it is gone (a run may outlive its project)."""
        ...

    def run_limits(self, tx: Session, project_ids: set[str]) -> dict[str, int | None]:
        """Each project's `max_running_runs` (None: the server's default)."""
        ...


class Agents(Protocol):
    def agent_limits(self, tx: Session, agent_ids: set[str]) -> dict[str, tuple[str, int | None]]:
        """Each agent's name and `concurrency` (None: no limit); gone agents are left out."""
        ...


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The policies' answer on one action; `approval` holds the terms of `needs_approval`."""

    decision: str  # allowed | denied | needs_approval
    reasons: list[str] = field(default_factory=list)
    policy: str | None = None
    rule: str | None = None
    severity: str | None = None
    approval: dict[str, Any] | None = None
    # Rules that took part (0: nothing to evaluate, nothing to audit).
    considered: int = 0
    # What the audit of this evaluation records (opaque to the engine).
    evidence: dict[str, Any] | None = None


class Policies(Protocol):
    def load(self, tx: Session, project_ids: set[str]) -> dict[str, Any]:
        """The policies of each project (one batch of claimed runs' projects)."""
        ...

    def facts(self, tx: Session, run: Any, policies: Any) -> Any:
        """What `policies` (one project's, from `load`) read of the claimed `run` (a row
        with the run's columns); None when no policy has rules."""
        ...

    def gates_calls(self, facts: Any) -> bool:
        """True when some rule applies to steps, tool calls or HTTP calls."""
        ...

    def agent_name(self, tx: Session, project_id: str, ref: str) -> str:
        """The name of the project's agent `ref` (an id or already a name)."""
        ...

    def decide(
        self,
        facts: Any,
        action: str,
        *,
        step_kind: str | None = None,
        http_host: str | None = None,
        agent: str | None = None,
        tool: str | None = None,
    ) -> Verdict:
        """The verdict on `action` (`run`, `step`, `http`, an agent's `tool_call`) of the
        run `facts` describes."""
        ...

    def record(
        self, tx: Session, run_id: str, attempt: int, step_id: str | None, verdict: Verdict
    ) -> None:
        """Audit one evaluation on the run (fenced by the caller's attempt)."""
        ...


class ChildRuns(Protocol):
    def start_child(
        self,
        tx: Session,
        who: Principal,
        automation: str,
        inputs: dict[str, Any],
        version: int | str | None,
    ) -> str:
        """Create a pending run of `automation` (id or name) for `who`; its id."""
        ...


@dataclass(frozen=True, kw_only=True)
class NamedValues:
    """The secrets (value and version) and variables of an environment a step reads."""

    secrets: dict[str, tuple[str, int]] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)


class Secrets(Protocol):
    def read_named(
        self,
        tx: Session,
        master_secret: bytes,
        project_id: str,
        environment_id: str | None,
        secrets: set[str] | None,
        variables: set[str] | None,
    ) -> NamedValues:
        """The environment's secrets and variables of these names (None: all of them; an
        empty set: none); names that do not exist are left out. Marks the secrets used."""
        ...


@dataclass(frozen=True, kw_only=True)
class Ports:
    projects: Projects
    policies: Policies
    child_runs: ChildRuns
    secrets: Secrets
    agents: Agents


_WIRED: list[Ports] = []


def wire(ports: Ports) -> None:
    """Install the features' implementations (once per process; a second call replaces them)."""
    _WIRED[:] = [ports]


def ports() -> Ports:
    if not _WIRED:
        raise RuntimeError("the engine is not wired: call kanri.wiring.install() first")
    return _WIRED[0]
