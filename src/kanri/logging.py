"""structlog JSON logs; the request id rides along, secrets never do."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_KEY_RE = re.compile(r"kanri_(sk|pk|ak)_[0-9A-Za-z]{10,}")
_level = logging.INFO


def enabled(level: int) -> bool:
    """Whether events of `level` are written (hot paths skip building the ones that are not)."""
    return level >= _level


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    # Defence in depth: a key that slipped into a log line is cut to its prefix.
    for name, value in event.items():
        if isinstance(value, str) and "kanri_" in value:
            event[name] = _KEY_RE.sub(lambda m: m.group(0)[:13] + "…", value)
    return event


def configure(level: str = "info", json_logs: bool = True) -> None:
    """Configure structlog (and stdlib logging) to write one line per event to stderr."""
    global _level
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    _level = numeric
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(
        level=numeric, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("uvicorn.access").disabled = True
