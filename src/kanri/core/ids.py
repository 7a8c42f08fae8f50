"""Resource ids: `prefix_` + a 26-character ULID (sortable, unguessable)."""

from __future__ import annotations

import os
import re
import time

_ID_RE = re.compile(r"^[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Every pair of Crockford digits (10 bits): 13 look-ups write a 26-digit ULID.
_PAIRS = [high + low for high in _CROCKFORD for low in _CROCKFORD]
_SHIFTS = range(120, -1, -10)


def ulid() -> str:
    """A ULID: 48 bits of Unix time in milliseconds, then 80 random bits, in 26 characters
    (ids are minted by the thousand in batch writes, so this is kept cheap)."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


def new_id(prefix: str) -> str:
    """A fresh id such as `prj_01JD3...`."""
    return f"{prefix}_{ulid()}"


def looks_like_id(ref: str, prefix: str) -> bool:
    """True when `ref` has the shape of an id of this prefix (else it is a name)."""
    return ref.startswith(prefix + "_") and bool(_ID_RE.match(ref))
