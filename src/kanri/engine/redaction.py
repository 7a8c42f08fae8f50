"""Redaction of secret values from what a run writes.

A run that reads secrets (`{{ secrets.NAME }}`) keeps a `Redactor` of their values; every
string it writes (step outputs, logs, events, errors, run outputs, audit evidence) passes
through it, and each value, in clear or encoded as base64 (standard or URL-safe, with or
without padding), percent-encoding (`quote`, `quote_plus`) or a JSON string's escapes,
becomes `[secret:NAME]`. Values shorter than `MIN_LENGTH` characters are not searched for:
they would match everywhere.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MIN_LENGTH = 4


def placeholder(name: str) -> str:
    return f"[secret:{name}]"


def forms(value: str) -> list[str]:
    """`value` and the encodings of it a run may write instead."""
    raw = value.encode()
    standard = base64.b64encode(raw).decode("ascii")
    urlsafe = base64.urlsafe_b64encode(raw).decode("ascii")
    found = [
        value,
        standard,
        standard.rstrip("="),
        urlsafe,
        urlsafe.rstrip("="),
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    ]
    return list(dict.fromkeys(form for form in found if len(form) >= MIN_LENGTH))


class Redactor:
    """The secret values one run read, and what replaces them."""

    def __init__(self) -> None:
        self._by_form: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return bool(self._by_form)

    def add(self, name: str, value: str) -> None:
        """Redact `value` (and its encodings) as `[secret:name]` from now on."""
        if len(value) < MIN_LENGTH:
            return
        for form in forms(value):
            if form not in self._by_form:
                self._by_form[form] = placeholder(name)
                self._pattern = None

    def text(self, text: str) -> str:
        if not self._by_form or not text:
            return text
        if self._pattern is None:
            # Longest first: a value that contains another is replaced whole.
            ordered = sorted(self._by_form, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(form) for form in ordered))
        return self._pattern.sub(lambda match: self._by_form[match.group()], text)

    def value(self, value: Any) -> Any:
        """A copy of a JSON value with every string (keys included) redacted; the value
        itself when nothing was read."""
        if not self._by_form:
            return value
        return self._copy(value)

    def _copy(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                self.text(k) if isinstance(k, str) else k: self._copy(v) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self._copy(item) for item in value]
        return value
