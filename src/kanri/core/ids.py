"""Resource ids: `prefix_` + a 26-character ULID (sortable, unguessable)."""

from __future__ import annotations

import base64
import random
import re
import time

from ulid import ULID

_ID_RE = re.compile(r"^[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}$")


def new_id(prefix: str) -> str:
    """A fresh id such as `prj_01JD3...`."""
    return f"{prefix}_{ULID()}"


# RFC 4648 base32 digits -> Crockford's, which ULIDs use.
_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


def new_request_id() -> str:
    """`req_` + a ULID, cheaper than `new_id`: not monotonic within a millisecond and its
    randomness not cryptographic (no system call that releases the GIL), which ids that
    are neither sorted nor secret (request ids) do not need."""
    value = (time.time_ns() // 1_000_000) << 80 | random.getrandbits(80)
    # 128 bits left-aligned in 17 bytes: the first 26 base32 digits are the ULID's.
    digits = base64.b32encode((value << 6).to_bytes(17, "big"))[:26].translate(_CROCKFORD)
    return "req_" + digits.decode("ascii")


def looks_like_id(ref: str, prefix: str) -> bool:
    """True when `ref` has the shape of an id of this prefix (else it is a name)."""
    return ref.startswith(prefix + "_") and bool(_ID_RE.match(ref))
