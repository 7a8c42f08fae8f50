"""API key format: `kanri_<kind>_` + random body + checksum; stored as HMAC-SHA256.

The checksum (CRC32 of prefix and body, base62) rejects a mistyped key before any
database read; the pepper keeps a stolen hash table useless without the server secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import zlib
from dataclasses import dataclass
from typing import Literal

KeyKind = Literal["secret", "publishable", "admin"]
KIND_PREFIX: dict[KeyKind, str] = {"secret": "sk", "publishable": "pk", "admin": "ak"}
PREFIX_KIND: dict[str, KeyKind] = {v: k for k, v in KIND_PREFIX.items()}
_ALPHABET = string.digits + string.ascii_letters
_BODY_LENGTH = 36
_CHECKSUM_LENGTH = 6
_BODY_RE = re.compile(f"[0-9A-Za-z]{{{_BODY_LENGTH}}}")
KEY_LENGTH = 9 + _BODY_LENGTH + _CHECKSUM_LENGTH


@dataclass(frozen=True)
class ParsedKey:
    kind: KeyKind
    full: str


def _base62(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))


def _checksum(head: str, body: str) -> str:
    return _base62(zlib.crc32(f"{head}{body}".encode()), _CHECKSUM_LENGTH)


def generate(kind: KeyKind) -> str:
    """A new full key, e.g. `kanri_sk_<36 random base62><6 checksum>`."""
    head = f"kanri_{KIND_PREFIX[kind]}_"
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LENGTH))
    return head + body + _checksum(head, body)


def parse(raw: str) -> ParsedKey | None:
    """The key's kind when its shape and checksum are right, else None."""
    if len(raw) != KEY_LENGTH or not raw.startswith("kanri_"):
        return None
    kind = PREFIX_KIND.get(raw[6:8])
    if kind is None or raw[8] != "_":
        return None
    head, body, check = raw[:9], raw[9 : 9 + _BODY_LENGTH], raw[9 + _BODY_LENGTH :]
    if not _BODY_RE.fullmatch(body) or not hmac.compare_digest(check, _checksum(head, body)):
        return None
    return ParsedKey(kind, raw)


def pepper(secret: bytes) -> bytes:
    """The key-hashing pepper, derived from the master secret for this one purpose."""
    return hmac.new(secret, b"kanri/api-key-pepper/v1", hashlib.sha256).digest()


def hash_key(full: str, key_pepper: bytes) -> str:
    """HMAC-SHA256 of the full key with the pepper, hex."""
    # hmac.new, not the one-shot hmac.digest: that one releases the GIL, and on a busy
    # server getting it back costs more than the hash.
    return hmac.new(key_pepper, full.encode(), hashlib.sha256).hexdigest()


def display_prefix(full: str) -> str:
    """What lists show: `kanri_sk_AbCd` (the rest stays secret)."""
    return full[:13]
