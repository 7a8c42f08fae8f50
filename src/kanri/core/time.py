"""Time helpers: kanri stores and speaks UTC, RFC 3339 on the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Added to the wall clock: tests move time forward (deadlines, expiries) without sleeping.
_offset = timedelta(0)


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC, truncated to microseconds (what both databases keep)."""
    return datetime.now(UTC) + _offset


def advance_clock(seconds: float) -> None:
    """Move kanri's clock forward by `seconds` (tests of timeouts and expiries)."""
    global _offset
    _offset += timedelta(seconds=seconds)


def reset_clock() -> None:
    """Back to the wall clock."""
    global _offset
    _offset = timedelta(0)


def rfc3339(value: datetime) -> str:
    """`2026-11-23T15:24:00.123456Z` for an aware or naive-UTC datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
