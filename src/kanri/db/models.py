"""Imports every feature's tables so `Base.metadata` is complete (Alembic, tests)."""

from kanri.automations import models as automation_models
from kanri.core import models as core_models
from kanri.db.base import Base
from kanri.knowledge import models as knowledge_models
from kanri.runs import models as run_models
from kanri.schedules import models as schedule_models
from kanri.tenancy import models as tenancy_models

__all__ = [
    "Base",
    "automation_models",
    "core_models",
    "knowledge_models",
    "run_models",
    "schedule_models",
    "tenancy_models",
]
