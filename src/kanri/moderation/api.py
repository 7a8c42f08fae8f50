"""Routes of moderation (section `moderation`, environment-scoped): items, rules, the review
queue, authors, settings, scans and statistics."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id, problem_responses
from kanri.core.schemas import ListResponse, UtcDatetime
from kanri.moderation import (
    flows,
    review_service,
    rule_service,
    schemas,
    service,
    settings_service,
    stats,
)

router = APIRouter(tags=["moderation"], generate_unique_id_function=operation_id)
ItemId = Annotated[str, Path(description="item id, or your external_id", max_length=200)]
RuleId = Annotated[str, Path(description="rule id or name", max_length=100)]
AuthorId = Annotated[str, Path(description="the author's id in your system", max_length=200)]
Reader = Annotated[Principal, RequireSection("moderation", "read")]
Writer = Annotated[Principal, RequireSection("moderation", "write")]
TOO_LARGE = problem_responses(413)


@router.post(
    "/v1/moderation/items",
    status_code=201,
    responses={**link_to("moderation_items_get", item_id=BODY_ID), **TOO_LARGE},
)
async def create_item(
    body: schemas.ItemSubmit,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Item:
    """Submit content for moderation: the rules (and the classifier, when the settings name
    one) decide its status at once. The same `external_id` again updates the content and
    moderates it anew. Content over the cap (64 KB by default) is a 413."""
    [scores] = await flows.scores_for(kanri, who, [body])
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.moderate_one,
        who,
        body,
        scores,
        location=lambda item: f"/v1/moderation/items/{item.id}",
    )


@router.post("/v1/moderation/items:batch", responses=TOO_LARGE)
async def batch_items(
    body: schemas.ItemBatch, kanri: Runtime, who: Writer
) -> schemas.ModerationBatchResult:
    """Submit up to 500 items in one transaction (backfills): each is stored or updated and
    moderated as `POST /v1/moderation/items` does; the answer lists them in order."""
    return schemas.ModerationBatchResult(data=await flows.submit(kanri, who, body.items))


@router.get("/v1/moderation/items")
async def list_items(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Item]:
    """Items of the environment, newest first. Filter on status, category, action, kind,
    `author.id`, external_id, rule_id, create_time."""
    return ListResponse.of(await db.read(service.list_items, who, params))


@router.get("/v1/moderation/items/{item_id}")
async def get_item(item_id: ItemId, db: Db, who: Reader) -> schemas.ItemWithHistory:
    """The item with its scores, appeal and decision history (oldest first)."""
    return await db.read(service.get, who, item_id)


@router.post("/v1/moderation/items/{item_id}:claim")
async def claim_item(item_id: ItemId, body: schemas.Claim, db: Db, who: Writer) -> schemas.Item:
    """Claim a queued item for `lease_seconds`: no other reviewer can claim or decide it
    until the lease ends (409 naming who holds it). Claiming again extends your lease."""
    return await db.write(review_service.claim, who, item_id, body)


@router.post("/v1/moderation/items/{item_id}:decide")
async def decide_item(item_id: ItemId, body: schemas.Decide, db: Db, who: Writer) -> schemas.Item:
    """A reviewer's decision (`approve`, `flag`, `hide`, `warn`, `reject`), audited with the
    calling key. `warn` records a warning against the author. 409 while another reviewer
    holds the claim, or when someone else decided the item since you claimed it."""
    return await db.write(review_service.decide, who, item_id, body)


@router.post("/v1/moderation/items/{item_id}:appeal")
async def appeal_item(
    item_id: ItemId, body: schemas.AppealCreate, db: Db, who: Writer
) -> schemas.Item:
    """Appeal a hidden or rejected item: it goes back to the review queue with the appeal,
    which the next decision settles. An item is appealed once (409 after)."""
    return await db.write(review_service.appeal, who, item_id, body)


@router.get("/v1/moderation/queue")
async def list_queue(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Item]:
    """The review queue: flagged and appealed items, oldest first (by when they entered
    it). Filter as the item list, and on queue_time."""
    return ListResponse.of(await db.read(review_service.queue, who, params))


@router.get("/v1/moderation/authors/{author_id}")
async def get_author(author_id: AuthorId, db: Db, who: Reader) -> schemas.AuthorView:
    """An author's record: items by status, the latest items, warnings and whether new
    items are hidden automatically (`restricted`: the warnings in the window reached the
    setting's `warnings_to_hide`)."""
    return await db.read(review_service.author, who, author_id)


@router.post(
    "/v1/moderation/rules",
    status_code=201,
    responses=link_to("moderation_rules_get", rule_id=BODY_ID),
)
async def create_rule(
    body: schemas.RuleCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ModerationRule:
    """A rule: when every condition of `when` holds, its `action` decides the item. Rules run
    by `order` (lowest first); the first that matches decides. A regex RE2 cannot run is a
    422 naming `body.when.regex.pattern`."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        rule_service.create,
        who,
        body,
        location=lambda rule: f"/v1/moderation/rules/{rule.id}",
    )


@router.get("/v1/moderation/rules")
async def list_rules(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.ModerationRule]:
    """The environment's rules in the order they run. Filter on name, enabled, action,
    category, order, create_time."""
    return ListResponse.of(await db.read(rule_service.list_rules, who, params))


@router.get("/v1/moderation/rules/{rule_id}")
async def get_rule(rule_id: RuleId, db: Db, who: Reader) -> schemas.ModerationRule:
    """One rule."""
    return await db.read(rule_service.get, who, rule_id)


@router.patch("/v1/moderation/rules/{rule_id}")
async def update_rule(
    rule_id: RuleId, body: schemas.RuleUpdate, db: Db, who: Writer
) -> schemas.ModerationRule:
    """Change a rule; items already moderated keep their status until a scan."""
    return await db.write(rule_service.update, who, rule_id, body)


@router.delete("/v1/moderation/rules/{rule_id}", status_code=204)
async def delete_rule(rule_id: RuleId, db: Db, who: Writer) -> None:
    """Delete a rule."""
    await db.write(rule_service.delete, who, rule_id)


@router.get("/v1/moderation/settings", operation_id="moderation_settings_get")
async def get_settings(db: Db, who: Reader) -> schemas.Settings:
    """The environment's moderation settings (the defaults until changed)."""
    return await db.read(settings_service.get_settings, who)


@router.put("/v1/moderation/settings", operation_id="moderation_settings_replace")
async def put_settings(body: schemas.Settings, db: Db, who: Writer) -> schemas.Settings:
    """Replace the settings: `auto_moderate`, the classifier (`builtin` or a provider), the
    warnings that hide an author's new items, the content cap, the rules' time limit."""
    return await db.write(settings_service.put_settings, who, body)


@router.post(
    "/v1/moderation/scan",
    status_code=202,
    responses=link_to("runs_get", status=202, run_id=BODY_ID),
)
async def start_scan(
    body: schemas.ScanCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.ScanStarted:
    """Moderate stored items again with the current rules and classifier, as a durable run
    (follow it at `/v1/runs/{id}`; its output is `{scanned, flagged, actions}`). Items a
    reviewer decided keep their decision."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.start_scan,
        who,
        body,
        location=lambda started: f"/v1/runs/{started.run_id}",
        status_code=202,
    )


@router.get("/v1/moderation/stats", operation_id="moderation_stats_get")
async def get_stats(
    db: Db,
    who: Reader,
    start: Annotated[
        UtcDatetime | None, Query(alias="from", description="decisions from (RFC 3339)")
    ] = None,
    end: Annotated[UtcDatetime | None, Query(alias="to", description="until (exclusive)")] = None,
    group_by: Annotated[
        Literal["day", "category", "action", "rule"], Query(description="the series' key")
    ] = "day",
) -> schemas.Stats:
    """Totals of the decisions in the range (`total_actions`, `auto_moderated`,
    `manual_review`, `flagged`, … as K0nsult's mod-stats also names them) and one series."""
    return await db.read(stats.stats, who, start, end, group_by)
