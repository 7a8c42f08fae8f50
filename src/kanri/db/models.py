"""Imports every feature's tables so `Base.metadata` is complete (Alembic, tests)."""

from kanri.agents import models as agent_models
from kanri.automations import models as automation_models
from kanri.content import models as content_models
from kanri.core import models as core_models
from kanri.costs import models as cost_models
from kanri.db.base import Base
from kanri.engine import models as run_models
from kanri.governance import models as governance_models
from kanri.judges import models as judge_models
from kanri.knowledge import models as knowledge_models
from kanri.moderation import models as moderation_models
from kanri.observability import models as observability_models
from kanri.providers import models as provider_models
from kanri.records import models as record_models
from kanri.reports import models as report_models
from kanri.schedules import models as schedule_models
from kanri.secrets import models as secret_models
from kanri.tenancy import models as tenancy_models
from kanri.webhooks import models as webhook_models

__all__ = [
    "Base",
    "agent_models",
    "automation_models",
    "content_models",
    "core_models",
    "cost_models",
    "governance_models",
    "judge_models",
    "knowledge_models",
    "moderation_models",
    "observability_models",
    "provider_models",
    "record_models",
    "report_models",
    "run_models",
    "schedule_models",
    "secret_models",
    "tenancy_models",
    "webhook_models",
]
