"""Imports every feature's tables so `Base.metadata` is complete (Alembic, tests)."""

from kanri.core import models as core_models
from kanri.db.base import Base
from kanri.tenancy import models as tenancy_models

__all__ = ["Base", "core_models", "tenancy_models"]
