"""The dispatcher's HTTP client: aiohttp sessions behind the outbound SSRF guard.

Deliveries are many small POSTs to few hosts, so the client is chosen for cost per request:
aiohttp's C parser and keep-alive pool spend about a twentieth of the CPU that httpx does
on the same post (docs/architecture.md, "Webhooks"). The guard is the same one that
`core.net.guarded_client` applies, at the same two points:

- every hop (the first request and each redirect) is checked with `check_url`: scheme,
  metadata names, `localhost`, and blocked IP literals, which aiohttp would dial without a
  lookup;
- every DNS lookup goes through `GuardedResolver`, which resolves with
  `resolve_and_check` and hands the connector only addresses that passed. The connector
  keeps those answers for `DNS_CACHE_SECONDS` (a refusal is never kept), so a pooled
  connection or a cached answer is always one that was checked.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from kanri.core.net import check_url, resolve_and_check

DNS_CACHE_SECONDS = 10
KEEPALIVE_SECONDS = 30.0
REDIRECTS = (301, 302, 303, 307, 308)


class GuardedResolver(AbstractResolver):
    """Resolves a host and refuses it (BlockedDestination) when any address is blocked."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await resolve_and_check(host, port, allow_private=self._allow_private)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: str  # the first `body_limit` characters, decoded leniently


class TooManyRedirects(Exception):
    pass


class Sender:
    """Posts signed bodies; one keep-alive pool for projects with private networks allowed,
    one for the others. Create and close it on the running loop."""

    def __init__(
        self,
        *,
        concurrency: int,
        timeout_seconds: float,
        user_agent: str,
        max_redirects: int = 5,
        body_limit: int = 1024,
    ) -> None:
        self.max_redirects = max_redirects
        self.timeout_seconds = timeout_seconds
        self.body_limit = body_limit
        self._checked: set[tuple[str, bool]] = set()
        timeout = aiohttp.ClientTimeout(
            total=timeout_seconds, sock_connect=min(timeout_seconds, 10.0)
        )
        self._sessions = {
            allow: aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    resolver=GuardedResolver(allow_private=allow),
                    limit=concurrency,
                    ttl_dns_cache=DNS_CACHE_SECONDS,
                    keepalive_timeout=KEEPALIVE_SECONDS,
                ),
                timeout=timeout,
                headers={"User-Agent": user_agent},
                cookie_jar=aiohttp.DummyCookieJar(),  # one endpoint's cookies reach no other
                trust_env=False,  # proxies from the environment would connect unchecked
                auto_decompress=True,
            )
            for allow in (False, True)
        }

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], *, allow_private: bool
    ) -> Answer:
        """POST `body` to `url`, following redirects (each hop checked) up to
        `max_redirects`, all within `timeout_seconds`. Returns the final answer, whatever
        its status.

        Raises BlockedDestination for a refused hop or address, ValidationFailed for a
        redirect to a URL that is not http(s), TooManyRedirects, TimeoutError on a timeout,
        and aiohttp.ClientError for connection and protocol failures.
        """
        # The whole attempt, redirects included, within one timeout: the dispatcher's lease
        # is sized from it.
        async with asyncio.timeout(self.timeout_seconds):
            return await self._post(url, body, headers, allow_private=allow_private)

    async def _post(
        self, url: str, body: bytes, headers: dict[str, str], *, allow_private: bool
    ) -> Answer:
        session = self._sessions[allow_private]
        method = "POST"
        data: bytes | None = body
        target = url
        for _ in range(self.max_redirects + 1):
            if (target, allow_private) not in self._checked:
                check_url(target, allow_private=allow_private)
                self._remember((target, allow_private))
            async with session.request(
                method, URL(target, encoded=True), data=data, headers=headers, allow_redirects=False
            ) as response:
                location = response.headers.get("Location")
                if response.status in REDIRECTS and location:
                    await response.read()  # drained: the connection goes back to the pool
                    target = str(response.url.join(URL(location)))
                    if response.status in (301, 302, 303):
                        # As browsers and httpx do: the body is not sent on.
                        method, data = "GET", None
                        headers = {k: v for k, v in headers.items() if k != "content-type"}
                    continue
                return Answer(response.status, await self._text(response))
        raise TooManyRedirects(f"more than {self.max_redirects} redirects")

    def _remember(self, checked: tuple[str, bool]) -> None:
        # check_url depends on the URL and the flag alone (no DNS): a pass can be kept.
        if len(self._checked) >= 10_000:
            self._checked.clear()
        self._checked.add(checked)

    async def _text(self, response: aiohttp.ClientResponse) -> str:
        # Read to the end so that the connection is reused, keeping only the start.
        kept = bytearray()
        async for chunk in response.content.iter_any():
            if len(kept) < self.body_limit * 4:
                kept += chunk
        return bytes(kept[: self.body_limit * 4]).decode("utf-8", "replace")[: self.body_limit]

    async def close(self) -> None:
        await asyncio.gather(*(session.close() for session in self._sessions.values()))
