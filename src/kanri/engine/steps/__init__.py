"""The engine's generic step kinds, one module each, registered when this package is
imported (`kanri.wiring` imports it with the features' `steps` modules)."""

from kanri.engine.steps import approval, condition, fail, http, log, transform, wait

GENERIC = (approval, condition, fail, http, log, transform, wait)
