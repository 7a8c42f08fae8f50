"""Encryption at rest of secrets kanri must read back (webhook signing secrets, …).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with a key derived from the master
secret by HKDF under a per-purpose label, so one leaked derived key opens one purpose only.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretBox:
    """Encrypts and decrypts short secrets for one purpose (`webhook-secret`, …)."""

    def __init__(self, master_secret: bytes, purpose: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=f"kanri:{purpose}".encode()
        ).derive(master_secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def encrypt(self, plaintext: str) -> str:
        """The Fernet token (ASCII) of `plaintext`."""
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext of a token made by `encrypt` with the same master secret and purpose.

        Raises ValueError when the token was not made so (other key, tampered, truncated).
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:
            raise ValueError("secret cannot be decrypted with this server's secret key") from exc


@lru_cache(maxsize=32)
def box(master_secret: bytes, purpose: str) -> SecretBox:
    """The (cached) SecretBox of `purpose` under `master_secret`."""
    return SecretBox(master_secret, purpose)
