"""Resource ids: `prefix_` + a 26-character ULID (sortable, unguessable)."""

from __future__ import annotations

import base64
import os
import random
import re
import threading
import time

_ID_RE = re.compile(r"^[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two base32 digits per 10 bits: 13 lookups encode the 130 bits (2 of them zero) of a ULID.
_PAIRS = [first + second for first in _CROCKFORD for second in _CROCKFORD]
_SHIFTS = tuple(range(120, -1, -10))


_minted = threading.Lock()
_last = 0  # the last ULID this process made


def ulid() -> str:
    """A ULID: 48 bits of Unix milliseconds, then 80 random bits; within a millisecond, the
    previous one plus one, so a process's ids sort in the order they were made (events of
    one transaction are read back in the order written). The `ulid` package's format and
    monotonic policy, at half its cost: the engine mints one for every row it writes."""
    global _last
    now = time.time_ns() // 1_000_000
    with _minted:
        if now <= _last >> 80:  # the same millisecond (or the clock went back)
            _last += 1
        else:
            _last = now << 80 | int.from_bytes(os.urandom(10), "big")
        value = _last
    return encode(value)


def encode(value: int) -> str:
    """A 128-bit value as the 26 Crockford base32 digits of a ULID."""
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


_ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
# Crockford's digits -> the digits int(text, 32) reads.
_FROM_CROCKFORD = str.maketrans(_CROCKFORD, "0123456789abcdefghijklmnopqrstuv")


def decode(text: str) -> int:
    """The 128-bit value of a ULID written in 26 Crockford base32 digits (either case).
    Raises ValueError for any other text."""
    digits = text.upper()
    if not _ULID_RE.fullmatch(digits):
        raise ValueError(f"not a ULID: {text!r}")
    return int(digits.translate(_FROM_CROCKFORD), 32)


def ulid_at(milliseconds: int, randomness: bytes = bytes(10)) -> str:
    """The ULID of `milliseconds` since the epoch whose 80 random bits are `randomness`
    (10 bytes): ids derived from a time and a digest, or with zeros the smallest ULID of
    that millisecond. Raises ValueError for a time outside 48 bits or another length."""
    if not 0 <= milliseconds < 1 << 48 or len(randomness) != 10:
        raise ValueError("a ULID is 48 bits of milliseconds and 10 bytes of randomness")
    return encode(milliseconds << 80 | int.from_bytes(randomness, "big"))


def ulid_milliseconds(value: str) -> int:
    """The Unix milliseconds in a ULID's time part. Raises ValueError when `value` is not a
    ULID."""
    return decode(value) >> 80


def new_id(prefix: str) -> str:
    """A fresh id such as `prj_01JD3...`."""
    return f"{prefix}_{ulid()}"


# RFC 4648 base32 digits -> Crockford's, which ULIDs use.
_TO_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)


def new_request_id() -> str:
    """`req_` + a ULID, cheaper than `new_id`: not monotonic within a millisecond and its
    randomness not cryptographic (no system call that releases the GIL), which ids that
    are neither sorted nor secret (request ids) do not need."""
    value = (time.time_ns() // 1_000_000) << 80 | random.getrandbits(80)
    # 128 bits left-aligned in 17 bytes: the first 26 base32 digits are the ULID's.
    digits = base64.b32encode((value << 6).to_bytes(17, "big"))[:26].translate(_TO_CROCKFORD)
    return "req_" + digits.decode("ascii")


def looks_like_id(ref: str, prefix: str) -> bool:
    """True when `ref` has the shape of an id of this prefix (else it is a name)."""
    return ref.startswith(prefix + "_") and bool(_ID_RE.match(ref))
