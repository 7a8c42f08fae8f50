"""Canonical JSON: one byte string per value, for hashes and fingerprints."""

from __future__ import annotations

import json
import math
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
    """A copy of `value` with datetimes turned into RFC 3339 strings, ready for a JSON
    column: what a JSON round trip gives, without one for the usual values."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dict):
        if all(type(key) is str for key in value):
            return {key: plain(item) for key, item in value.items()}
    elif isinstance(value, list | tuple):
        return [plain(item) for item in value]
    elif isinstance(value, datetime):
        return rfc3339(value)
    return json.loads(canonical_json(value))  # other keys or types: as JSON has them


def non_finite_paths(value: Any, path: str) -> list[str]:
    """Dotted paths (from `path`) of the NaN and ±Infinity numbers in `value`: JSON has no
    such numbers, and no JSON column (SQLite's functions, PostgreSQL's jsonb) can hold them."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in non_finite_paths(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in non_finite_paths(v, f"{path}.{i}")]
    return []


def non_finite_in_json(body: bytes) -> list[str]:
    """The fields of a JSON text that hold `NaN`, `Infinity` or `-Infinity` (which Python's
    parser accepts); parsed only when such a word appears at all."""
    if b"NaN" not in body and b"Infinity" not in body:
        return []
    try:
        value = json.loads(body)
    except ValueError:  # not JSON at all: the route's own parsing says so
        return []
    return non_finite_paths(value, "body")
