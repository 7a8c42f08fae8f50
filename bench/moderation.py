"""The moderation section: rules-only moderation through `POST /v1/moderation/items:batch`
against the same rules applied to the same texts in a bare loop.

One kanri app in this process (a fresh SQLite database), 20 rules: two keyword lists of
5,000 words, five regexes, links, blocked domains, repeated content, author rate, new
authors and smaller keyword lists. Items of ~40 words from a fixed vocabulary (a few hit a
list, a regex or a link rule), 500 per batch, 1,000 authors.

- kanri: items/s of the batches, each stored, decided and its decision recorded in one
  transaction (the authors' facts read from the database);
- bare: `matching.evaluate` over the same texts with the same compiled rules in a loop (no
  HTTP, no database, no author facts).

The two alternate over ROUNDS rounds; each figure is the median of its rounds, the ratio
the median of the rounds' ratios. Target: >= 2,000 items/s through items:batch on SQLite.
No timing assertions; BELOW is reported.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

TARGET_ITEMS_PER_SECOND = 2000.0
BATCH = 500
ROUNDS = 3
WORDS_PER_LIST = 5000


def _word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))


def rules(seed: int = 7) -> list[dict[str, Any]]:
    """The bench's 20 rules, in order."""
    rng = random.Random(seed)
    lists = [[_word(rng, rng.randint(6, 10)) for _ in range(WORDS_PER_LIST)] for _ in range(2)]
    out: list[dict[str, Any]] = [
        {"name": "list-a", "when": {"keywords": {"words": lists[0]}}, "action": "hide"},
        {"name": "list-b", "when": {"keywords": {"words": lists[1]}}, "action": "flag"},
        {"name": "phone", "when": {"regex": {"pattern": r"\b\d{3}[-. ]\d{3}[-. ]\d{4}\b"}}},
        {"name": "email", "when": {"regex": {"pattern": r"[\w.+-]+@[\w-]+\.[a-z]{2,}"}}},
        {"name": "shouting", "when": {"regex": {"pattern": r"[A-Z]{12,}"}}},
        {"name": "money", "when": {"regex": {"pattern": r"\$\s?\d+(?:[.,]\d\d)?\s?(?:usd|k)"}}},
        {"name": "repeat-chars", "when": {"regex": {"pattern": r"(?:!!!|\?\?\?|\.\.\.\.)"}}},
        {"name": "links", "when": {"link_count": 2}},
        {
            "name": "domains",
            "when": {"blocked_domains": [f"{_word(rng, 8)}.example" for _ in range(100)]},
        },
        {"name": "repeated", "when": {"repeated_content": {"count": 3, "window_seconds": 3600}}},
        {"name": "rate", "when": {"author_rate": 1000}},
        {"name": "new-linker", "when": {"new_author": True, "link_count": 0}},
    ]
    for index in range(8):
        words = [_word(rng, 7) for _ in range(50)]
        out.append({"name": f"small-{index}", "when": {"keywords": {"words": words}}})
    for position, rule in enumerate(out):
        rule.setdefault("action", "flag")
        rule["order"] = position
    assert len(out) == 20
    return out


def texts(count: int, rule_set: list[dict[str, Any]], seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    vocabulary = [_word(rng, rng.randint(3, 9)) for _ in range(3000)]
    listed = rule_set[0]["when"]["keywords"]["words"]
    out = []
    for index in range(count):
        words = [rng.choice(vocabulary) for _ in range(40)]
        if index % 50 == 0:
            words[rng.randrange(40)] = rng.choice(listed)
        if index % 70 == 0:
            words.append("call 555-123-4567")
        if index % 90 == 0:
            words.append("https://a.example/x https://b.example/y https://c.example/z")
        out.append(" ".join(words))
    return out


@dataclass(kw_only=True)
class Figure:
    label: str
    items: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def bare(compiled: list[Any], contents: list[str]) -> Figure:
    from kanri.moderation import matching

    started = time.perf_counter()
    patterns = matching.prefilter(compiled)
    for text in contents:
        matching.evaluate(compiled, text, "post", matching.Facts(), patterns=patterns)
    return Figure(label="bare loop", items=len(contents), seconds=time.perf_counter() - started)


async def through_api(client: httpx.AsyncClient, contents: list[str], round_: int) -> Figure:
    started = time.perf_counter()
    for offset in range(0, len(contents), BATCH):
        items = [
            {
                "external_id": f"r{round_}-{offset + i}",
                "content": text,
                "author": {"id": f"author-{(offset + i) % 1000}"},
            }
            for i, text in enumerate(contents[offset : offset + BATCH])
        ]
        answer = await client.post("/v1/moderation/items:batch", json={"items": items})
        if answer.status_code != 200:
            raise RuntimeError(f"items:batch: HTTP {answer.status_code} {answer.text[:300]}")
    return Figure(label="items:batch", items=len(contents), seconds=time.perf_counter() - started)


async def measure(count: int, workdir: Path) -> list[tuple[Figure, Figure]]:
    from kanri.app import create_app
    from kanri.config import Settings
    from kanri.db import migrations
    from kanri.moderation import matching
    from kanri.tenancy import service as tenancy

    url = f"sqlite:///{workdir / 'kanri.db'}"
    migrations.upgrade(url)
    settings = Settings(
        data_dir=workdir,
        database_url=url,
        secret_key="bench-" + "x" * 40,
        default_rate_limit_per_minute=10_000_000,
        admin_rate_limit_per_minute=10_000_000,
        log_level="warning",
    )
    rule_set = rules()
    contents = texts(count, rule_set)
    compiled = [
        matching.compile_rule(None, r["name"], r["when"], r["action"], None, None) for r in rule_set
    ]
    app = create_app(settings)
    async with LifespanManager(app):
        kanri = app.state.kanri
        boot = await kanri.db.write(tenancy.bootstrap, "bench", kanri.key_pepper)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as admin:
            admin.headers["Authorization"] = f"Bearer {boot.admin_key}"
            project = (await admin.post("/v1/projects", json={"name": "bench"})).json()
            key = (
                await admin.post(f"/v1/projects/{project['id']}/api-keys", json={"name": "b"})
            ).json()["key"]
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://bench",
            headers={"Authorization": f"Bearer {key}"},
            timeout=300,
        ) as client:
            for rule in rule_set:
                made = await client.post("/v1/moderation/rules", json=rule)
                if made.status_code != 201:
                    raise RuntimeError(f"rule {rule['name']}: {made.text[:300]}")
            await through_api(client, contents[:BATCH], -1)  # warm-up
            bare(compiled, contents[:BATCH])
            rounds = []
            for round_ in range(ROUNDS):
                measured = await through_api(client, contents, round_)
                rounds.append((measured, bare(compiled, contents)))
    return rounds


def run(count: int = 10_000) -> int:
    with tempfile.TemporaryDirectory(prefix="kanri-bench-moderation-") as tmp:
        rounds = asyncio.run(measure(count, Path(tmp)))
    print(
        f"moderation (SQLite, 20 rules incl. 2 x {WORDS_PER_LIST}-word lists and 5 regexes; "
        f"median of {len(rounds)} rounds)"
    )
    for kind in (0, 1):
        figures = [r[kind] for r in rounds]
        rate = statistics.median(f.per_second for f in figures)
        print(
            f"  {figures[0].label:<14} {count:>7} items  {rate:10.0f} items/s  (rounds: "
            + ", ".join(f"{f.per_second:.0f}" for f in figures)
            + ")"
        )
    api_rate = statistics.median(r[0].per_second for r in rounds)
    ratios = [a.per_second / b.per_second if b.per_second else 0.0 for a, b in rounds]
    verdict = "OK" if api_rate >= TARGET_ITEMS_PER_SECOND else "BELOW"
    print(
        f"  items:batch {api_rate:.0f} items/s (target >= {TARGET_ITEMS_PER_SECOND:.0f}) "
        f"{verdict}; ratio items:batch / bare loop: {statistics.median(ratios):.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
