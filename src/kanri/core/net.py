"""The outbound SSRF guard for HTTP steps and tools, model providers and webhook deliveries.

Two checks, because a URL that looks public when it is saved can point anywhere by the time
it is called (DNS rebinding):

- `check_url`, when a URL is configured: well-formed http(s), no credentials, and no private
  or metadata host written as an IP literal or a well-known name.
- `guarded_client`, when a request is sent: every new connection resolves the host, checks
  every address, and connects only to those checked addresses. Redirects go through the
  same transport, so each hop is checked.

Private, loopback, CGNAT and other non-public ranges are refused unless the project allows
private networks. Link-local ranges and cloud metadata endpoints are refused even then: they
hand out the host's cloud credentials and are never a legitimate automation target.

`fetch` sends one request through both checks and reads the response up to a byte cap, so a
huge answer is refused as it streams in instead of being held in memory whole.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import anyio
import httpcore
import httpx

from kanri.core.errors import FieldError, KanriError, ValidationFailed

if TYPE_CHECKING:
    import httpx2

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog"})
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud
    }
)
_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# getaddrinfo also reads shorthand IPv4 such as "127.1", "0x7f.1" or "2130706433".
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


class BlockedDestination(KanriError):
    status = 422
    code = "BLOCKED_DESTINATION"
    title = "Destination not allowed"


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4 or NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _not_public(ip: IPAddress) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
        or not ip.is_global  # also CGNAT 100.64.0.0/10, which is neither private nor global
    )


def _never_allowed(ip: IPAddress) -> bool:
    """Metadata endpoints and link-local ranges: refused even where private networks are on."""
    candidates = [ip, _embedded_ipv4(ip)]
    return any(
        c is not None
        and (
            c in METADATA_ADDRESSES
            or any(c.version == net.version and c in net for net in _LINK_LOCAL)
        )
        for c in candidates
    )


def is_blocked_ip(address: str) -> bool:
    """True when `address` is not a public unicast address, so a project without private
    networks may not reach it: private, loopback, link-local, multicast, reserved,
    unspecified, CGNAT, or an IPv6 address (IPv4-mapped, 6to4, NAT64) that stands for such an
    IPv4 address. Brackets and an IPv6 zone (`fe80::1%eth0`) are accepted. Text that is not
    an IP address counts as blocked. Raises nothing."""
    ip = _parse_ip(address)
    if ip is None:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        # ::ffff:0:0/96 itself counts as private; the IPv4 address it carries is what decides.
        return _not_public(ip.ipv4_mapped)
    embedded = _embedded_ipv4(ip)
    return _not_public(ip) or (embedded is not None and _not_public(embedded))


def _literal_ip(host: str) -> IPAddress | None:
    ip = _parse_ip(host)
    if ip is None and _NUMERIC_HOST.fullmatch(host):
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return ip


def _blocked(field: str, detail: str) -> BlockedDestination:
    return BlockedDestination(detail, errors=[FieldError(field, detail, "blocked_destination")])


def _refusal(ip: IPAddress, allow_private: bool, label: str) -> str | None:
    """Why `ip` may not be reached, or None; `label` is how the caller wrote it."""
    if str(ip) != label:
        label = f"{label} ({ip})"
    if _never_allowed(ip):
        return f"{label} is a link-local or cloud metadata address, which is never allowed"
    if not allow_private and is_blocked_ip(str(ip)):
        return f"{label} is not a public address and private networks are off for this project"
    return None


def _check_host(host: str, *, allow_private: bool, field: str) -> None:
    """Refuse a host that is blocked by its name or literal alone, before any DNS lookup."""
    name = host.strip("[]").lower().rstrip(".")
    if name in METADATA_HOSTS:
        raise _blocked(field, f"{name} is a cloud metadata endpoint, which is never allowed")
    ip = _literal_ip(name)
    if ip is not None:
        if reason := _refusal(ip, allow_private, name):
            raise _blocked(field, reason)
    elif not allow_private and (name == "localhost" or name.endswith(".localhost")):
        detail = f"{name} is this machine and private networks are off for this project"
        raise _blocked(field, detail)


def check_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """The normalised form of `url` (lower-case scheme and host, IDNA host, escaped path),
    checked for use as an outbound target.

    Raises ValidationFailed (with a FieldError on `field`) when the URL is not absolute
    http(s), has no host or a malformed one, a bad port, or a `user:password@` part.
    Raises BlockedDestination when the host is a blocked IP literal, `localhost` or
    `*.localhost` (unless `allow_private`), or a metadata endpoint (always). A host name that
    merely resolves to a blocked address passes here; `guarded_client` refuses it on connect.
    """

    def invalid(message: str) -> ValidationFailed:
        return ValidationFailed(message, errors=[FieldError(field, message, "invalid_url")])

    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL as exc:
        raise invalid(f"not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise invalid("must be an absolute http:// or https:// URL")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise invalid("must name a host")
    if parsed.userinfo:
        raise invalid("must not carry a user name or password; send credentials in a header")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise invalid("port must be between 1 and 65535")
    if _literal_ip(host) is None and not _HOST_NAME.fullmatch(host.rstrip(".")):
        raise invalid(f"'{parsed.host}' is not a valid host name")
    _check_host(host, allow_private=allow_private, field=field)
    return str(parsed)


async def resolve_and_check(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses `host` resolves to (running loop's getaddrinfo, TCP), in resolver order
    without duplicates, once every one of them passed the guard. Connect only to these.

    Raises BlockedDestination when the host is blocked by name or literal, or when ANY
    resolved address is blocked (one bad answer is enough: it is the one a rebinding
    attacker wants used). Raises socket.gaierror when the name does not resolve.
    """
    _check_host(host, allow_private=allow_private, field="url")
    loop = asyncio.get_running_loop()
    answers = await loop.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in answers))
    for address in addresses:
        ip = _parse_ip(address)
        reason = "not an IP address" if ip is None else _refusal(ip, allow_private, address)
        if reason:
            raise _blocked("url", f"{host} resolves to {address}: {reason}")
    return addresses


class _CheckedNetwork(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses `resolve_and_check` returned for the host.

    httpcore still does TLS with the original host name (SNI and certificate checks), and
    pools connections by it, so pinning the address changes nothing else. `core` is httpcore
    or its fork httpcore2 (the same API), whichever the connection pool is of.
    """

    def __init__(self, *, allow_private: bool, core: ModuleType = httpcore) -> None:
        self._allow_private = allow_private
        self._core = core
        self._network = core.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore names it so
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await resolve_and_check(host, port, allow_private=self._allow_private)
        except TimeoutError as exc:  # before OSError: TimeoutError is one
            raise self._core.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:
            # httpx turns httpcore.ConnectError into httpx.ConnectError for the caller.
            raise self._core.ConnectError(f"cannot resolve {host}: {exc}") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                stream: httpcore.AsyncNetworkStream = await self._network.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
                return stream
            except self._core.ConnectError as exc:  # e.g. no IPv6 route: try the next address
                failure = exc
        raise failure or self._core.ConnectError(f"{host} resolved to no address")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that refuses blocked destinations.

    Per request: the host is checked by name and literal (metadata names, `localhost`, IP
    literals). Per new connection: the inner transport's pool dials through `_CheckedNetwork`,
    which resolves, checks every address, and connects only to those. A refused request
    raises BlockedDestination itself, not an httpx error, and opens no connection.

    `http` and `core` are httpx and httpcore, or their forks httpx2 and httpcore2 (the same
    API), which the model SDKs speak.
    """

    def __init__(
        self, *, allow_private: bool, http: ModuleType = httpx, core: ModuleType = httpcore
    ) -> None:
        self._allow_private = allow_private
        # trust_env=False: proxies from the environment would connect on our behalf, unchecked.
        self._inner = http.AsyncHTTPTransport(trust_env=False)
        limits = http.Limits(max_connections=100, max_keepalive_connections=20)
        # httpx has no public hook for httpcore's network backend, so the pool is swapped for
        # one built with the same defaults; the check fails loudly if httpx's internals move.
        if not isinstance(getattr(self._inner, "_pool", None), core.AsyncConnectionPool):
            raise RuntimeError(f"{http.__name__}.AsyncHTTPTransport has no pool `_pool`")
        self._inner._pool = core.AsyncConnectionPool(
            ssl_context=http.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_CheckedNetwork(allow_private=allow_private, core=core),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _check_host(
            request.url.raw_host.decode("ascii"), allow_private=self._allow_private, field="url"
        )
        response: httpx.Response = await self._inner.handle_async_request(request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def guarded_client(
    *, allow_private: bool, timeout: float = 30.0, max_redirects: int = 5
) -> httpx.AsyncClient:
    """An httpx.AsyncClient for user-configured URLs, to be used as `async with`.

    It follows up to `max_redirects` redirects, each checked like the first request; ignores
    proxy and netrc settings from the environment; and limits connecting to 10 s (or
    `timeout` if shorter) and each read, write and pool wait to `timeout`. A blocked
    destination raises BlockedDestination from `client.request(...)`; other failures raise
    the usual httpx errors (an unresolvable host is httpx.ConnectError, too many redirects
    httpx.TooManyRedirects).
    """
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_private=allow_private),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10)),
        follow_redirects=True,
        max_redirects=max_redirects,
        trust_env=False,
    )


def guarded_sdk_client(
    *, allow_private: bool, timeout: float = 30.0, max_redirects: int = 5
) -> httpx2.AsyncClient:
    """`guarded_client` in httpx2, the fork of httpx that the model SDKs (openai, anthropic)
    take as their `http_client`: the same checks, limits and environment isolation."""
    import httpcore2
    import httpx2

    transport = GuardedTransport(allow_private=allow_private, http=httpx2, core=httpcore2)
    return httpx2.AsyncClient(
        # The transport is duck-typed: httpx2 calls the same methods httpx does.
        transport=cast("httpx2.AsyncBaseTransport", transport),
        timeout=httpx2.Timeout(timeout, connect=min(timeout, 10)),
        follow_redirects=True,
        max_redirects=max_redirects,
        trust_env=False,
    )


class ResponseTooLarge(Exception):
    """A response body went past the byte cap (`KANRI_HTTP_MAX_RESPONSE_BYTES`)."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(
            f"the response from {url} is larger than {limit} bytes, the limit "
            "(KANRI_HTTP_MAX_RESPONSE_BYTES)"
        )
        self.limit = limit


@dataclass(frozen=True)
class Fetched:
    """A response read to its end within the cap."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    encoding: str

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


async def fetch(
    method: str,
    url: str,
    *,
    allow_private: bool,
    max_bytes: int,
    timeout: float = 30.0,  # noqa: ASYNC109 - httpx's per-phase timeout, as guarded_client's
    headers: dict[str, str] | None = None,
    json: Any = None,
) -> Fetched:
    """Send one request to a user-configured URL through `guarded_client` and read the
    response, holding at most `max_bytes` of body (after content decoding) in memory.

    Raises ValidationFailed or BlockedDestination for a URL `check_url` refuses,
    BlockedDestination for an address refused on connect or redirect, ResponseTooLarge as
    soon as the body (or its Content-Length) passes `max_bytes`, and httpx errors otherwise.
    """
    checked = check_url(url, allow_private=allow_private)
    async with (
        guarded_client(allow_private=allow_private, timeout=timeout) as client,
        client.stream(method, checked, headers=headers, json=json) as response,
    ):
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise ResponseTooLarge(checked, max_bytes)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            if len(body) + len(chunk) > max_bytes:
                raise ResponseTooLarge(checked, max_bytes)
            body += chunk
        encoding = response.encoding or "utf-8"
        return Fetched(response.status_code, response.headers, bytes(body), encoding)
