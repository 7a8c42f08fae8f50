"""Canonical JSON: one byte string per value, for hashes and fingerprints."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kanri.core.time import rfc3339


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8; datetimes as RFC 3339."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode()


def plain(value: Any) -> Any:
    """`value` with datetimes turned into RFC 3339 strings, ready for a JSON column."""
    return json.loads(canonical_json(value))
