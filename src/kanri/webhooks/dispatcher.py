"""The webhook dispatcher: runs next to the engine on the worker role.

Four loops: fan-out (outbox → deliveries, a short poll), send (claims due deliveries in
batches under a lease and posts them, up to `concurrency` at once and a quarter of that per
endpoint), record (writes attempt outcomes in batches), and housekeeping (outbox
retention). Time comes from `clock`, which tests replace
to walk through the retry schedule.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp
import structlog
from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from kanri import __version__
from kanri.core import secrets
from kanri.core.errors import ValidationFailed
from kanri.core.net import BlockedDestination
from kanri.core.time import utcnow
from kanri.events import service as events_service
from kanri.webhooks import dispatch, fanout
from kanri.webhooks.sender import Sender, TooManyRedirects
from kanri.webhooks.service import SECRET_PURPOSE, signing_value

if TYPE_CHECKING:
    from kanri.runtime import Kanri

log = structlog.get_logger("kanri.webhooks")
FAN_OUT_BATCH = 500  # events read at a time
FAN_OUT_CHUNK = 100  # events turned into deliveries per transaction
CLAIM_BATCH = 200
RECORD_BATCH = 500
SETTLE = timedelta(seconds=5)  # how late a transaction may commit its event and still be seen
SETTLE_MAX = timedelta(minutes=10)  # how long an open transaction may hold the cursor back
CLOCK_SKEW = timedelta(seconds=1)  # between the database's clock and the API processes'
LEASE_MARGIN_SECONDS = 1.0  # a send starts only if its lease outlasts the timeout by this
RESCAN_SECONDS = 0.25  # how often events committed late are looked for
CURSOR_SECONDS = 2.0  # how often the settled cursor is stored
PRUNE_SECONDS = 600.0
USER_AGENT = f"kanri-webhooks/{__version__}"


class Dispatcher:
    """Delivers webhooks for every project of the database this process serves."""

    def __init__(
        self,
        kanri: Kanri,
        *,
        concurrency: int = 64,
        poll_seconds: float = 0.05,
        lease_seconds: float = 60.0,
        timeout_seconds: float = 15.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.kanri = kanri
        self.db = kanri.db
        settings = kanri.settings
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.lease_seconds = max(lease_seconds, timeout_seconds * 2)
        self.timeout_seconds = timeout_seconds
        self.disable_after = timedelta(days=settings.webhook_disable_after_days)
        self.retention = timedelta(days=settings.event_retention_days)
        self.clock = clock
        self._box = secrets.box(settings.secret, SECRET_PURPOSE)
        self._sender: Sender | None = None
        self.per_endpoint = max(1, concurrency // 4)
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._ready: collections.deque[dispatch.Claimed] = collections.deque()
        self._per_endpoint: collections.Counter[str] = collections.Counter()
        self._lease_ends: dict[str, float] = {}  # monotonic time each queued lease runs out
        self._outcomes: asyncio.Queue[dispatch.Outcome] = asyncio.Queue()
        self._wake_send = asyncio.Event()
        self._new_work = False  # set by wake(): deliveries may have fallen due
        self._wake_record = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []

    @classmethod
    def for_settings(cls, kanri: Kanri) -> Dispatcher:
        """The dispatcher configured by `kanri.settings` (`KANRI_WEBHOOK_*`)."""
        settings = kanri.settings
        return cls(
            kanri,
            concurrency=settings.webhook_concurrency,
            timeout_seconds=settings.webhook_timeout_seconds,
            lease_seconds=settings.lease_seconds,
            poll_seconds=min(0.05, settings.poll_seconds),
        )

    def wake(self) -> None:
        """Deliveries may be due: claim now instead of at the next poll."""
        self._new_work = True
        self._wake_send.set()

    async def start(self) -> None:
        self._sender = Sender(
            concurrency=self.concurrency,
            timeout_seconds=self.timeout_seconds,
            user_agent=USER_AGENT,
            body_limit=dispatch.RESPONSE_BODY_LIMIT,
        )
        self._loops = [
            asyncio.create_task(self._fan_out_loop(), name="kanri-webhooks-fan-out"),
            asyncio.create_task(self._send_loop(), name="kanri-webhooks-send"),
            asyncio.create_task(self._record_loop(), name="kanri-webhooks-record"),
            asyncio.create_task(self._housekeeping_loop(), name="kanri-webhooks-housekeeping"),
        ]
        log.info("webhook_dispatcher_started", concurrency=self.concurrency)

    async def stop(self, grace_seconds: float = 5.0) -> None:
        for task in self._loops[:2]:
            task.cancel()
        await asyncio.gather(*self._loops[:2], return_exceptions=True)
        if self._ready:
            # Leased but not attempted: give them back at once instead of at lease expiry.
            tokens = {delivery.id: delivery.lease_token for delivery in self._ready}
            self._ready.clear()
            self._lease_ends.clear()
            with contextlib.suppress(Exception):
                await self.db.write(dispatch.release, list(tokens), tokens)
        if self._inflight:
            await asyncio.wait(list(self._inflight.values()), timeout=grace_seconds)
            for task in self._inflight.values():
                task.cancel()
        self._wake_record.set()
        await asyncio.sleep(0)
        with contextlib.suppress(Exception):
            await self._flush_outcomes()
        for task in self._loops[2:]:
            task.cancel()
        await asyncio.gather(*self._loops[2:], return_exceptions=True)
        if self._sender is not None:
            await self._sender.close()

    # ------------------------------------------------------------ fan-out

    async def _fan_out_loop(self) -> None:
        # New events are scanned with a read from `head`; a write happens only for events
        # that match an endpoint. A transaction may commit its event after events with
        # larger ids were read: every RESCAN_SECONDS the ids between the settled cursor and
        # `head` are listed (an index-only read) and those not yet seen are fanned out.
        # `seen` holds the ids read since the settled cursor, with their times; the cursor
        # moves (at most every CURSOR_SECONDS) to the newest seen id older than SETTLE.
        settled = await self.db.write(fanout.cursor, self.clock())
        head = settled
        seen: dict[str, datetime] = {}
        stored = settled
        rescan_at = cursor_at = time.monotonic()
        while True:
            try:
                # Taken before the reads below: events older than `before` are in them.
                before = await self._settle_before() if time.monotonic() >= rescan_at else None
                idle = await self.db.read(fanout.idle_head)
                if idle is not None:
                    # No endpoint is enabled: the events up to `idle` match none, and are
                    # passed over unread. Those older than `before` are settled; younger
                    # ones not seen are listed by the rescan if an endpoint appears.
                    head = max(head, idle)
                    if before is not None:
                        rescan_at = time.monotonic() + RESCAN_SECONDS
                        floor = min(events_service.id_floor(before - CLOCK_SKEW), head)
                        if floor > settled:
                            settled = floor
                            for event_id in [event_id for event_id in seen if event_id <= floor]:
                                del seen[event_id]
                else:
                    batch = await self.db.read(fanout.scan, head, FAN_OUT_BATCH)
                    await self._fan_out(batch, seen)
                    head = batch.head or head
                    if len(batch.ids) == FAN_OUT_BATCH:
                        continue
                    if before is not None:
                        rescan_at = time.monotonic() + RESCAN_SECONDS
                        if head > settled:
                            listed = await self.db.read(fanout.ids_between, settled, head)
                            late = [event_id for event_id in listed if event_id not in seen]
                            if late:
                                scanned = await self.db.read(fanout.scan_ids, late)
                                await self._fan_out(scanned, seen)
                        settled = _settle(seen, settled, before)
                if settled > stored and time.monotonic() >= cursor_at:
                    cursor_at = time.monotonic() + CURSOR_SECONDS
                    await self.db.write(fanout.advance_cursor, settled, self.clock())
                    stored = settled
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook_fan_out_failed")
                await asyncio.sleep(1.0)
            await asyncio.sleep(self.poll_seconds)

    async def _settle_before(self) -> datetime:
        """Events written before this time can no longer commit: SETTLE ago, or earlier while
        a writing transaction that began before then is still open (PostgreSQL), up to
        SETTLE_MAX ago."""
        now = self.clock()
        before = now - SETTLE
        oldest = await self.db.read(fanout.oldest_open_write)
        if oldest is not None:
            before = max(min(before, oldest - CLOCK_SKEW), now - SETTLE_MAX)
        return before

    async def _fan_out(self, batch: fanout.Scan, seen: dict[str, datetime]) -> None:
        # In chunks, so that the first deliveries are sent while later ones are being made.
        for start in range(0, len(batch.wanted), FAN_OUT_CHUNK):
            chunk = batch.wanted[start : start + FAN_OUT_CHUNK]
            if await self.db.write(fanout.fan_out, chunk, self.clock()):
                self.wake()
        seen.update(zip(batch.ids, batch.times, strict=True))

    # ------------------------------------------------------------ send

    async def _send_loop(self) -> None:
        # Claims come in batches: when the queue of leased deliveries runs low, it is
        # filled up to twice the concurrency, so one claim serves many sends. After a claim
        # that came back short, a finished send only starts queued ones; claiming again
        # waits for new work (a wake) or the next poll.
        exhausted = False
        while True:
            self._start_ready()
            room = 2 * self.concurrency - len(self._inflight) - len(self._ready)
            if not exhausted and len(self._ready) <= self.concurrency // 2 and room > 0:
                self._wake_send.clear()
                self._new_work = False
                claimed: list[dispatch.Claimed] = []
                lease_end = time.monotonic() + self.lease_seconds
                try:
                    if await self.db.read(dispatch.has_due, self.clock()):
                        claimed = await self.db.write(
                            dispatch.claim, self.clock(), min(room, CLAIM_BATCH), self.lease_seconds
                        )
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook_claim_failed")
                self._ready.extend(claimed)
                self._lease_ends.update((delivery.id, lease_end) for delivery in claimed)
                exhausted = len(claimed) < min(room, CLAIM_BATCH)
                if not exhausted:
                    continue  # more may be due
                self._start_ready()
            timeout = self.poll_seconds * 4 * (0.8 + 0.4 * random.random())
            try:
                await asyncio.wait_for(self._wake_send.wait(), timeout)
            except TimeoutError:
                exhausted = False  # the poll came round
            if self._new_work:
                exhausted = False
            self._new_work = False
            self._wake_send.clear()

    def _start_ready(self) -> None:
        """Start queued deliveries, oldest first, within the global and per-endpoint limits."""
        if not self._ready or len(self._inflight) >= self.concurrency:
            return
        waiting: collections.deque[dispatch.Claimed] = collections.deque()
        # A send must end (it is bounded by the timeout) before its lease does, or another
        # dispatcher could claim and send it too; one that waited too long here is left to
        # be claimed again once its lease has run out.
        latest_start = time.monotonic() + self.timeout_seconds + LEASE_MARGIN_SECONDS
        while self._ready and len(self._inflight) < self.concurrency:
            delivery = self._ready.popleft()
            if self._lease_ends[delivery.id] < latest_start:
                del self._lease_ends[delivery.id]
                log.warning("webhook_lease_ran_short", delivery=delivery.id)
                continue
            if self._per_endpoint[delivery.endpoint_id] >= self.per_endpoint:
                waiting.append(delivery)
                continue
            del self._lease_ends[delivery.id]
            self._per_endpoint[delivery.endpoint_id] += 1
            task = asyncio.create_task(self._attempt(delivery))
            self._inflight[delivery.id] = task
            task.add_done_callback(functools.partial(self._done, delivery))
        waiting.extend(self._ready)
        self._ready = waiting

    def _done(self, delivery: dispatch.Claimed, _: asyncio.Task[None]) -> None:
        self._inflight.pop(delivery.id, None)
        self._per_endpoint[delivery.endpoint_id] -= 1
        if not self._per_endpoint[delivery.endpoint_id]:
            del self._per_endpoint[delivery.endpoint_id]
        self._wake_send.set()

    async def _named_signature(self, delivery: dispatch.Claimed, sent_at: datetime) -> str:
        """The signature by the secret the endpoint names (its current version, read now).
        _Unsigned naming the secret when the project's default environment lacks it or its
        value is no Standard Webhooks secret."""
        name = delivery.signing_secret
        assert name is not None
        try:
            value = await self.db.read(
                signing_value, self.kanri.settings.secret, delivery.project_id, name
            )
        except LookupError:
            raise _Unsigned(
                f"signing secret '{name}' does not exist in the project's default environment"
            ) from None
        try:
            signer = Webhook(value)
        except (ValueError, EmptyWebhookSecretError):
            raise _Unsigned(
                f"signing secret '{name}' is not a Standard Webhooks secret (whsec_ + base64)"
            ) from None
        return signer.sign(delivery.event_id, sent_at, delivery.payload)

    def _signature(self, delivery: dispatch.Claimed, sent_at: datetime) -> str:
        secrets_in_use = [delivery.secret_encrypted]
        if delivery.previous_secret_encrypted:
            secrets_in_use.append(delivery.previous_secret_encrypted)
        return " ".join(
            _signer(self._box, token).sign(delivery.event_id, sent_at, delivery.payload)
            for token in secrets_in_use
        )

    async def _attempt(self, delivery: dispatch.Claimed) -> None:
        sent_at = utcnow()  # the real time: receivers check the timestamp against theirs
        started = time.perf_counter()
        status_code: int | None = None
        error: str | None = None
        body: str | None = None
        try:
            headers = {
                "content-type": "application/json",
                "webhook-id": delivery.event_id,
                "webhook-timestamp": str(int(sent_at.timestamp())),
                "webhook-signature": (
                    await self._named_signature(delivery, sent_at)
                    if delivery.signing_secret
                    else self._signature(delivery, sent_at)
                ),
            }
            assert self._sender is not None, "Dispatcher.start() was not awaited"
            answer = await self._sender.post(
                delivery.url,
                delivery.payload.encode(),
                headers,
                allow_private=delivery.allow_private,
            )
            status_code = answer.status_code
            # NUL cannot be stored in PostgreSQL text or JSONB.
            body = answer.body.replace("\x00", "\ufffd")
            if not 200 <= status_code < 300:
                error = f"answered {status_code}"
        except _Unsigned as exc:
            error = str(exc)
        except BlockedDestination as exc:
            error = f"blocked: {exc.detail}"
        except ValidationFailed as exc:
            error = f"redirected to an invalid URL: {exc.detail}"
        except TimeoutError:
            error = f"timed out after {self.timeout_seconds:g} s"
        except TooManyRedirects:
            error = "too many redirects"
        except aiohttp.ClientError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500].replace("\x00", "\ufffd")
        except Exception:
            # A secret that no longer decrypts (the server's secret key changed), …: an attempt
            # that failed here, recorded like any other, not a delivery leased forever.
            log.exception("webhook_attempt_crashed", delivery=delivery.id)
            error = "internal error while sending"
        outcome = dispatch.Outcome(
            delivery_id=delivery.id,
            lease_token=delivery.lease_token,
            status_code=status_code,
            error=error,
            latency_ms=int((time.perf_counter() - started) * 1000),
            time=self.clock(),
            response_body=body,
        )
        self._outcomes.put_nowait(outcome)
        self._wake_record.set()

    # ------------------------------------------------------------ record

    async def _flush_outcomes(self) -> int:
        batch: list[dispatch.Outcome] = []
        while not self._outcomes.empty() and len(batch) < RECORD_BATCH:
            batch.append(self._outcomes.get_nowait())
        if batch:
            seed = random.getrandbits(32)
            await self.db.write(dispatch.record, batch, self.clock(), self.disable_after, seed)
        return len(batch)

    async def _record_loop(self) -> None:
        while True:
            await self._wake_record.wait()
            self._wake_record.clear()
            try:
                while await self._flush_outcomes():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                # The outcomes are lost, not the deliveries: their leases run out and they
                # are attempted again.
                log.exception("webhook_record_failed")
            self.wake()  # an ordered endpoint may have its next delivery ready

    # ------------------------------------------------------------ housekeeping

    async def _housekeeping_loop(self) -> None:
        while True:
            try:
                before = self.clock() - self.retention
                pruned = await self.db.write(events_service.prune, before)
                while pruned:
                    pruned = await self.db.write(events_service.prune, before)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event_prune_failed")
            await asyncio.sleep(PRUNE_SECONDS * (0.8 + 0.4 * random.random()))


def _settle(seen: dict[str, datetime], settled: str, before: datetime) -> str:
    """The new settled cursor: the newest seen id whose event is older than `before` (no
    transaction still open may add an id below it); older ids leave `seen`."""
    ready = [event_id for event_id, created in seen.items() if created <= before]
    if not ready:
        return settled
    newest = max(ready)
    for event_id in [event_id for event_id in seen if event_id <= newest]:
        del seen[event_id]
    return max(settled, newest)


class _Unsigned(Exception):
    """A delivery that cannot be signed: the attempt fails with this message."""


_signers: dict[str, Webhook] = {}


def _signer(box: secrets.SecretBox, token: str) -> Webhook:
    """The signer of an encrypted secret; decrypting and decoding it once, not per post."""
    signer = _signers.get(token)
    if signer is None:
        signer = Webhook(box.decrypt(token))
        if len(_signers) > 10_000:
            _signers.clear()
        _signers[token] = signer
    return signer
