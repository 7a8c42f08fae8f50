"""Encryption at rest: Fernet with a key derived from the settings' master secret."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(settings_secret: bytes | str) -> Fernet:
    raw = settings_secret.encode() if isinstance(settings_secret, str) else settings_secret
    # A key of its own for encryption, so the pepper and page-token keys never double as it.
    digest = hashlib.sha256(b"kanri:fernet:" + raw).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(settings_secret: bytes | str, plaintext: str) -> str:
    """The Fernet token (text) of `plaintext`."""
    return _fernet(settings_secret).encrypt(plaintext.encode()).decode()


def decrypt(settings_secret: bytes | str, token: str) -> str:
    """The plaintext of a token made by `encrypt`; ValueError if it was not (or another key)."""
    try:
        return _fernet(settings_secret).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("the secret cannot be decrypted with this key") from None
