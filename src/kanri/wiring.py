"""Wiring the features into the engine: their step kinds and the engine's ports.

The engine knows no feature (`kanri.engine.ports`). Importing this module registers every
feature's step kinds with the engine's registry (each `steps.py` registers itself on
import); `install()` gives the engine the features' modules that implement its ports.
Every process that builds a `Kanri` runtime installs them (`kanri.runtime`). It also
closes the one dependency between features that points against their order: providers
learn which agents use a provider through a hook rather than an import.
"""

from __future__ import annotations

from kanri.agents import service as agents
from kanri.agents import steps as agent_steps
from kanri.automations import steps as automation_steps
from kanri.content import steps as content_steps
from kanri.engine import registry, steps
from kanri.engine.ports import Ports, wire
from kanri.events import steps as event_steps
from kanri.governance import gate
from kanri.knowledge import steps as knowledge_steps
from kanri.moderation import steps as moderation_steps
from kanri.providers import service as providers
from kanri.records import steps as record_steps
from kanri.reports import steps as report_steps
from kanri.runs import service as runs
from kanri.secrets import service as secrets
from kanri.tenancy import service as tenancy

# The engine's generic step kinds (transform, condition, wait, log, fail, http, approval)
# and the features' own.
STEP_MODULES = (
    *steps.GENERIC,
    agent_steps,
    automation_steps,
    content_steps,
    event_steps,
    knowledge_steps,
    moderation_steps,
    record_steps,
    report_steps,
)


def install() -> None:
    """Give the engine its ports (idempotent)."""
    wire(
        Ports(
            projects=tenancy,
            policies=gate,
            child_runs=runs,
            secrets=secrets,
            agents=agents,
        )
    )
    registry.seal()
    # Providers ask the features that call models whether a provider is in use.
    providers.USAGE_CHECKS[:] = [agents.agents_using_provider]
