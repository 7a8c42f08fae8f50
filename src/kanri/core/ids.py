"""Resource ids: `prefix_` + a 26-character ULID (sortable, unguessable)."""

from __future__ import annotations

import re

from ulid import ULID

_ID_RE = re.compile(r"^[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}$")


def new_id(prefix: str) -> str:
    """A fresh id such as `prj_01JD3...`."""
    return f"{prefix}_{ULID()}"


def looks_like_id(ref: str, prefix: str) -> bool:
    """True when `ref` has the shape of an id of this prefix (else it is a name)."""
    return ref.startswith(prefix + "_") and bool(_ID_RE.match(ref))
