"""AI classification of items: scores per category (0..1) from the classifier a project
environment's settings name.

- `builtin`: a local, deterministic word-list classifier (no model, nothing downloaded):
  a few hundred cue words per category, email and phone patterns for `pii`, links for spam.
- a provider (id or name): a model call through the providers feature asking for JSON
  scores, checked against the project's budgets first. The offline provider answers a
  prompt's `/json {…}` line, which makes it a deterministic classifier for tests.

A classifier that fails or is over budget gives no scores (`error` says why): the rules
that read scores do not match, and the item is still moderated.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from kanri.costs import budgets
from kanri.moderation import matching, schemas, settings_service
from kanri.providers import service as providers
from kanri.providers.clients import ModelRequest, complete

if TYPE_CHECKING:
    from kanri.runtime import Kanri

BUILTIN = settings_service.BUILTIN_CLASSIFIER
_JSON = re.compile(r"\{.*\}", re.DOTALL)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+?\d[\d\s().-]{8,}\d)")
_CUES: dict[str, frozenset[str]] = {
    "spam": frozenset(
        [
            "buy",
            "cheap",
            "discount",
            "free",
            "winner",
            "prize",
            "click",
            "subscribe",
            "viagra",
            "casino",
            "crypto",
            "bitcoin",
            "giveaway",
            "promo",
            "offer",
            "deal",
            "earn",
            "income",
            "loan",
        ]
    ),
    "harassment": frozenset(
        ["idiot", "stupid", "loser", "moron", "dumb", "shut", "ugly", "pathetic", "worthless"]
    ),
    "hate": frozenset(["hate", "vermin", "subhuman", "inferior", "exterminate"]),
    "sexual": frozenset(["nude", "naked", "porn", "sex", "xxx", "explicit"]),
    "violence": frozenset(["kill", "murder", "shoot", "stab", "bomb", "attack", "beat", "destroy"]),
    "self_harm": frozenset(["suicide", "selfharm", "cutting", "overdose"]),
    "illegal": frozenset(
        ["drugs", "cocaine", "heroin", "counterfeit", "stolen", "hack", "weapons"]
    ),
    "pii": frozenset(["ssn", "passport", "password"]),
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {c: {"type": "number", "minimum": 0, "maximum": 1} for c in schemas.CATEGORIES},
    "required": list(schemas.CATEGORIES),
    "additionalProperties": False,
}
PROMPT = (
    "You are a content moderation classifier. Score the user content below for each "
    "category from 0 (certainly not) to 1 (certainly): "
    + ", ".join(schemas.CATEGORIES)
    + ". Answer only with one JSON object of those keys.\n\nContent:\n"
)


def builtin_scores(text: str) -> dict[str, float]:
    """The local classifier's scores of `text` (deterministic)."""
    tokens = matching.words(matching.normalise(text))
    counts = {c: sum(1 for t in tokens if t in cues) for c, cues in _CUES.items()}
    scores = {c: min(1.0, 0.45 * n) for c, n in counts.items()}
    link_count = len(matching.links(text))
    scores["spam"] = min(1.0, scores["spam"] + 0.25 * link_count)
    if _EMAIL.search(text) or _PHONE.search(text):
        scores["pii"] = max(scores["pii"], 0.9)
    return {c: round(v, 4) for c, v in scores.items()}


def _parse(content: str) -> dict[str, float]:
    match = _JSON.search(content)
    answer = json.loads(match.group(0) if match else content)
    if not isinstance(answer, dict):
        raise ValueError("the classifier did not answer with a JSON object")
    out: dict[str, float] = {}
    for category in schemas.CATEGORIES:
        value = answer.get(category, 0.0)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"score of {category} is not a number")
        out[category] = min(1.0, max(0.0, float(value)))
    return out


async def classify(
    kanri: Kanri, project_id: str, settings: schemas.Settings, texts: list[str]
) -> list[dict[str, Any] | None]:
    """Scores of each text (`{"categories", "source", …}`), or None without a classifier."""
    chosen = settings.classifier
    if chosen is None:
        return [None] * len(texts)
    if chosen.provider == BUILTIN:
        return [{"categories": builtin_scores(t), "source": BUILTIN} for t in texts]
    verdict = await kanri.db.read(budgets.verdict, project_id, None)
    over = verdict.block or verdict.approval
    if over:
        return [{"categories": {}, "source": chosen.provider, "error": f"budget: {over}"}] * len(
            texts
        )
    try:
        provider = await kanri.db.read(
            providers.resolve, project_id, kanri.settings.secret, chosen.provider
        )
    except Exception as exc:  # a provider deleted since the settings named it
        return [{"categories": {}, "source": chosen.provider, "error": str(exc)}] * len(texts)
    model = chosen.model or provider.default_model or "offline"
    out: list[dict[str, Any] | None] = []
    for text in texts:
        request = ModelRequest(
            model=model,
            messages=[{"role": "user", "content": PROMPT + text}],
            params={"temperature": 0},
            response_format=None
            if provider.kind != "openai"
            else {
                "type": "json_schema",
                "json_schema": {"name": "moderation_scores", "schema": SCHEMA, "strict": True},
            },
        )
        entry: dict[str, Any] = {"source": provider.name, "model": model}
        try:
            reply = await complete(provider, request)
            entry["categories"] = _parse(str(reply.message.get("content") or ""))
            entry["usage"] = reply.usage.as_dict()
        except Exception as exc:  # recorded on the item, never raised
            entry["categories"] = {}
            entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
        out.append(entry)
    return out
