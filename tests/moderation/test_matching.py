"""The rule engine as a table: each rule against each item, and the first match deciding."""

from __future__ import annotations

from typing import Any

import pytest

from kanri.core import regex
from kanri.moderation import matching

RULES: dict[str, dict[str, Any]] = {
    "keyword": {"keywords": {"words": ["spam", "buy now"]}},
    "keyword-cased": {"keywords": {"words": ["NASA"], "case_sensitive": True}},
    "keyword-no-leet": {"keywords": {"words": ["hate"], "leetspeak": False}},
    "regex": {"regex": {"pattern": r"\b\d{3}-\d{4}\b"}},
    "links": {"link_count": 2},
    "domains": {"blocked_domains": ["bad.example"]},
    "repeated": {"repeated_content": {"count": 2}},
    "rate": {"author_rate": 5},
    "new-author": {"new_author": True},
    "classifier": {"classifier": {"spam": 0.8}},
    "comments-with-links": {"kinds": ["comment"], "link_count": 0},
}
QUIET = matching.Facts(author_first_seen_seconds=3600.0)
ITEMS: dict[str, tuple[str, str, matching.Facts]] = {
    "plain": ("Hello there, nice day.", "post", QUIET),
    "spam-word": ("This is SPAM!", "post", QUIET),
    "spam-inside-a-word": ("antispammer tools", "post", QUIET),
    "phrase": ("Please   BUY  now, friends", "post", QUIET),
    "leet": ("I h4t3 you", "post", QUIET),
    "accented": ("spám everywhere", "post", QUIET),
    "fullwidth": ("ｓｐａｍ", "post", QUIET),
    "nasa-upper": ("NASA launched", "post", QUIET),
    "nasa-lower": ("nasa launched", "post", QUIET),
    "phone": ("call 555-1234 today", "post", QUIET),
    "three-links": ("https://a.test https://b.test www.c.test", "post", QUIET),
    "bad-domain": ("see https://www.bad.example/x", "post", QUIET),
    "repeat": (
        "Same text",
        "post",
        matching.Facts(author_same_content=2, author_first_seen_seconds=9.0),
    ),
    "fast-author": (
        "hi",
        "post",
        matching.Facts(author_items_last_minute=6, author_first_seen_seconds=9.0),
    ),
    "newcomer": ("hi", "post", matching.Facts()),
    "scored-spam": (
        "hi",
        "post",
        matching.Facts(author_first_seen_seconds=9.0, scores={"spam": 0.9}),
    ),
    "comment-link": ("look https://a.test", "comment", QUIET),
}
# (rule, item) pairs that match; every other pair does not.
MATCHES = {
    ("keyword", "spam-word"),
    ("keyword", "phrase"),
    ("keyword", "accented"),
    ("keyword", "fullwidth"),
    ("keyword-cased", "nasa-upper"),
    ("regex", "phone"),
    ("links", "three-links"),
    ("domains", "bad-domain"),
    ("repeated", "repeat"),
    ("rate", "fast-author"),
    ("new-author", "newcomer"),
    ("classifier", "scored-spam"),
    ("comments-with-links", "comment-link"),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_matches_exactly_its_items(rule: str) -> None:
    compiled = matching.compile_rule(f"r-{rule}", rule, RULES[rule], "flag", "spam", "high")
    matched = {
        item
        for item, (text, kind, facts) in ITEMS.items()
        if matching.evaluate([compiled], text, kind, facts).rule_name == rule
    }
    assert matched == {item for r, item in MATCHES if r == rule}


def test_leetspeak_folding_is_what_makes_a_leet_word_match() -> None:
    folded = matching.compile_rule("a", "a", {"keywords": {"words": ["hate"]}}, "hide", None, None)
    verdict = matching.evaluate([folded], "I h4t3 you", "post", QUIET)
    assert (verdict.rule_name, verdict.action) == ("a", "hide")
    assert "keyword 'hate'" in verdict.reason


def test_the_first_matching_rule_in_order_decides() -> None:
    rules = [
        matching.compile_rule("1", "links", {"link_count": 0}, "flag", "spam", "low"),
        matching.compile_rule(
            "2", "words", {"keywords": {"words": ["spam"]}}, "reject", "spam", "high"
        ),
    ]
    both = "spam at https://a.test"
    assert matching.evaluate(rules, both, "post", QUIET).action == "flag"
    assert matching.evaluate(rules[::-1], both, "post", QUIET).action == "reject"
    none = matching.evaluate(rules, "hello", "post", QUIET, default_action="approve")
    assert (none.action, none.rule_name) == ("approve", None)


def test_a_rule_with_several_conditions_needs_all_of_them() -> None:
    rule = matching.compile_rule(
        "1", "new-linker", {"new_author": True, "link_count": 0}, "flag", None, None
    )
    assert matching.evaluate([rule], "https://a.test", "post", matching.Facts()).action == "flag"
    assert matching.evaluate([rule], "https://a.test", "post", QUIET).action == "approve"
    assert matching.evaluate([rule], "no links", "post", matching.Facts()).action == "approve"


def test_a_pattern_too_costly_for_a_64_kb_item_flags_it_rule_timeout_without_running() -> None:
    heavy = r"(?:[a-z]{1,100}x){6}"
    rule = matching.compile_rule("1", "heavy", {"regex": {"pattern": heavy}}, "approve", None, None)
    text = "a" * 65_536
    verdict = matching.evaluate([rule], text, "post", QUIET)
    assert (verdict.action, verdict.category) == ("flag", matching.TIMEOUT_CATEGORY)
    # The same pattern on a short text runs.
    assert matching.evaluate([rule], "abcx" * 6, "post", QUIET).action == "approve"


def test_patterns_re2_cannot_run_are_refused_when_compiled() -> None:
    for pattern in [r"(a)\1", r"(?=a)", "(unclosed"]:
        with pytest.raises(regex.UnsupportedPattern):
            matching.compile_rule("1", "bad", {"regex": {"pattern": pattern}}, "flag", None, None)


def test_normalised_content_hashes_equal_for_case_and_spacing_variants() -> None:
    assert matching.content_hash("Buy   NOW") == matching.content_hash("buy now")
    assert matching.content_hash("buy now") != matching.content_hash("buy later")


def test_the_patterns_prefilter_decides_as_the_rules_one_by_one() -> None:
    rules = [
        matching.compile_rule(str(i), name, {"regex": {"pattern": p}}, "flag", None, None)
        for i, (name, p) in enumerate(
            [("phone", r"\b\d{3}-\d{4}\b"), ("shout", "[A-Z]{5,}"), ("mail", r"\w+@\w+\.\w+")]
        )
    ]
    patterns = matching.prefilter(rules)
    assert patterns is not None
    for text, _kind, facts in ITEMS.values():
        for extra in ("", " 555-1234", " HELLO", " a@b.io"):
            one_by_one = matching.evaluate(rules, text + extra, "post", facts)
            filtered = matching.evaluate(rules, text + extra, "post", facts, patterns=patterns)
            assert filtered == one_by_one
