"""The rule engine: rules compiled once, matched against an item and what is known of its
author. Pure (no database): the services gather the facts, this decides.

Text is normalised before keywords are matched: Unicode NFKC, accents dropped, case folded
(unless a list is case-sensitive) and leetspeak folded (`h4t3` → `hate`, `$pam` → `spam`).
Keywords match whole words (a phrase: consecutive words), never inside a longer word.
Regexes run on RE2 (`core/regex.py`): linear in the text, so no pattern can hang a worker;
a pattern whose program times the text's length is over `REGEX_BUDGET` is not run at all,
and an evaluation that goes past its deadline stops: the item is flagged `rule_timeout`.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from kanri.core import regex

# RE2 steps allowed for one pattern on one text: its program's size times the text's length.
REGEX_BUDGET = 20_000_000
TIMEOUT_CATEGORY = "rule_timeout"
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
)
_LEET_STRICT = str.maketrans({"@": "a", "$": "s"})
_WORD = re.compile(r"\w+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A word holding a digit and a letter (where leetspeak folds digits).
_MIXED = re.compile(r"\w*\d\w*")
_DIGIT = re.compile(r"\d")


def normalise(text: str, *, case_sensitive: bool = False, leetspeak: bool = True) -> str:
    """`text` as keywords are matched against it."""
    out = text if text.isascii() else _strip_accents(unicodedata.normalize("NFKC", text))
    if not case_sensitive:
        out = out.casefold()
    if leetspeak:
        out = out.translate(_LEET_STRICT)
        # Digits fold only inside words that also hold letters (`h4t3`, not `2024`).
        if _DIGIT.search(out):
            out = _MIXED.sub(lambda m: _fold_word(m.group(0)), out)
    return out


def _fold_word(word: str) -> str:
    if word.isdigit() or not any(c.isalpha() for c in word):
        return word
    return word.translate(_LEET)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_hash(text: str) -> str:
    """The hash of `text` normalised (repeated-content rules compare these)."""
    plain = _SPACES.sub(" ", normalise(text)).strip()
    return hashlib.sha256(plain.encode()).hexdigest()


def links(text: str) -> list[str]:
    return _URL.findall(text)


def domain_of(url: str) -> str:
    target = url if "://" in url else f"http://{url}"
    try:
        host = urlsplit(target).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


@dataclass(frozen=True)
class Facts:
    """What a rule may read beyond the item's text: its author's recent activity, the
    classifier's scores."""

    author_items_last_minute: int = 0
    author_same_content: int = 0  # items with the same normalised text within the window
    author_first_seen_seconds: float | None = None  # None: a new author (no earlier item)
    author_item_count: int = 0
    scores: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    rule_id: str | None
    rule_name: str | None
    action: str
    category: str | None
    severity: str | None
    reason: str


class _Keywords:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.case_sensitive = bool(spec.get("case_sensitive", False))
        self.leetspeak = bool(spec.get("leetspeak", True))
        self.single: set[str] = set()
        self.phrases: list[tuple[str, ...]] = []
        for word in spec.get("words", []):
            parts = tuple(words(self._norm(str(word))))
            if len(parts) == 1:
                self.single.add(parts[0])
            elif parts:
                self.phrases.append(parts)

    def _norm(self, text: str) -> str:
        return normalise(text, case_sensitive=self.case_sensitive, leetspeak=self.leetspeak)

    def first(self, tokens: list[str]) -> str | None:
        hits = self.single.intersection(tokens)
        if hits:
            return next(t for t in tokens if t in hits)
        if self.phrases:
            joined = f" {' '.join(tokens)} "
            for phrase in self.phrases:
                if f" {' '.join(phrase)} " in joined:
                    return " ".join(phrase)
        return None


@dataclass
class Compiled:
    """One rule, ready to match."""

    id: str | None
    name: str
    action: str
    category: str | None
    severity: str | None
    keywords: _Keywords | None = None
    pattern: Any = None  # an RE2 program
    pattern_text: str | None = None
    pattern_source: str | None = None  # as compiled (case-insensitive wrapped)
    link_count: int | None = None
    blocked_domains: frozenset[str] = frozenset()
    repeated: int | None = None
    author_rate: int | None = None
    new_author: bool | None = None
    classifier: dict[str, float] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()


def compile_rule(
    rule_id: str | None,
    name: str,
    when: Mapping[str, Any],
    action: str,
    category: str | None,
    severity: str | None,
) -> Compiled:
    """A rule's `when` compiled; raises regex.UnsupportedPattern for a pattern RE2 refuses."""
    out = Compiled(rule_id, name, action, category, severity)
    if when.get("keywords"):
        out.keywords = _Keywords(when["keywords"])
    spec = when.get("regex")
    if spec:
        pattern = spec["pattern"]
        if not spec.get("case_sensitive", False):
            pattern = f"(?i:{pattern})"
        out.pattern = regex.compile_pattern(pattern)
        out.pattern_text = spec["pattern"]
        out.pattern_source = pattern
    if when.get("link_count") is not None:
        out.link_count = int(when["link_count"])
    out.blocked_domains = frozenset(d.lower().rstrip(".") for d in when.get("blocked_domains", []))
    if when.get("repeated_content"):
        out.repeated = int(when["repeated_content"].get("count", 1))
    if when.get("author_rate") is not None:
        out.author_rate = int(when["author_rate"])
    if when.get("new_author") is not None:
        out.new_author = bool(when["new_author"])
    out.classifier = {k: float(v) for k, v in (when.get("classifier") or {}).items()}
    out.kinds = frozenset(when.get("kinds", []))
    return out


class Timeout(Exception):
    pass


@dataclass
class Prepared:
    """An item's text in the forms the rules read, computed once per item."""

    text: str
    no_pattern_matches: bool = False  # the rules' patterns together matched nothing
    _tokens: dict[tuple[bool, bool], list[str]] = field(default_factory=dict)
    _links: list[str] | None = None

    def tokens(self, case_sensitive: bool, leetspeak: bool) -> list[str]:
        key = (case_sensitive, leetspeak)
        found = self._tokens.get(key)
        if found is None:
            norm = normalise(self.text, case_sensitive=case_sensitive, leetspeak=leetspeak)
            found = self._tokens[key] = words(norm)
        return found

    def links(self) -> list[str]:
        if self._links is None:
            self._links = links(self.text)
        return self._links


def _matches(
    rule: Compiled, item: Prepared, kind: str, facts: Facts, deadline: float
) -> str | None:
    """Why `rule` matches (every condition it sets must hold), or None."""
    reasons: list[str] = []
    if rule.kinds and kind not in rule.kinds:
        return None
    if rule.new_author is not None:
        is_new = facts.author_first_seen_seconds is None
        if is_new != rule.new_author:
            return None
        reasons.append("new author" if is_new else "known author")
    if rule.author_rate is not None:
        if facts.author_items_last_minute <= rule.author_rate:
            return None
        reasons.append(f"{facts.author_items_last_minute} items in a minute")
    if rule.repeated is not None:
        if facts.author_same_content < rule.repeated:
            return None
        reasons.append("repeated content")
    if rule.link_count is not None:
        count = len(item.links())
        if count <= rule.link_count:
            return None
        reasons.append(f"{count} links")
    if rule.blocked_domains:
        blocked = next(
            (
                d
                for d in map(domain_of, item.links())
                if d in rule.blocked_domains
                or any(d.endswith("." + b) for b in rule.blocked_domains)
            ),
            None,
        )
        if blocked is None:
            return None
        reasons.append(f"blocked domain {blocked}")
    for category, threshold in rule.classifier.items():
        score = float(facts.scores.get(category, 0.0))
        if score < threshold:
            return None
        reasons.append(f"classifier.{category} {score:.2f} ≥ {threshold}")
    if rule.keywords is not None:
        kw = rule.keywords
        hit = kw.first(item.tokens(kw.case_sensitive, kw.leetspeak))
        if hit is None:
            return None
        reasons.append(f"keyword '{hit}'")
    if rule.pattern is not None:
        if item.no_pattern_matches:
            return None
        if rule.pattern.programsize * max(len(item.text), 1) > REGEX_BUDGET:
            raise Timeout(rule.name)
        if time.monotonic() > deadline:
            raise Timeout(rule.name)
        if rule.pattern.search(item.text) is None:
            return None
        reasons.append(f"pattern {rule.pattern_text!r}")
    return "; ".join(reasons) or "always"


def prefilter(rules: Iterable[Compiled]) -> Any:
    """One RE2 program of every rule's pattern as alternatives: when it finds nothing in a
    text, no pattern rule can match it, and the rules' patterns need not run one by one.
    None with fewer than two patterns, or when RE2 refuses the union (too big)."""
    sources = [r.pattern_source for r in rules if r.pattern_source is not None]
    if len(sources) < 2:
        return None
    try:
        return regex.compile_pattern("|".join(f"(?:{source})" for source in sources))
    except regex.UnsupportedPattern:
        return None


def evaluate(
    rules: Iterable[Compiled],
    text: str,
    kind: str,
    facts: Facts,
    *,
    default_action: str = "approve",
    timeout_seconds: float = 1.0,
    patterns: Any = None,
) -> Verdict:
    """The first matching rule's verdict; none: `default_action`. A rule that cannot finish
    in time flags the item with category `rule_timeout`. `patterns`: the rules'
    `prefilter`, searched once first."""
    item = Prepared(text)
    if patterns is not None and patterns.programsize * max(len(text), 1) <= REGEX_BUDGET:
        item.no_pattern_matches = patterns.search(text) is None
    deadline = time.monotonic() + timeout_seconds
    for rule in rules:
        try:
            why = _matches(rule, item, kind, facts, deadline)
        except Timeout:
            return Verdict(
                rule.id,
                rule.name,
                "flag",
                TIMEOUT_CATEGORY,
                "medium",
                f"rule '{rule.name}' did not finish in time",
            )
        if why is not None:
            return Verdict(rule.id, rule.name, rule.action, rule.category, rule.severity, why)
        if time.monotonic() > deadline:
            return Verdict(
                rule.id,
                rule.name,
                "flag",
                TIMEOUT_CATEGORY,
                "medium",
                f"the rules did not finish in {timeout_seconds}s",
            )
    return Verdict(None, None, default_action, None, None, "no rule matched")
