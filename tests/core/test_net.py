"""The outbound guard against real sockets. Nothing here leaves 127.0.0.0/8: host names that
must resolve are answered by a fake resolver on the running loop (the edge of the world)."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from kanri.core import net
from kanri.core.errors import ValidationFailed
from kanri.core.net import (
    BlockedDestination,
    check_url,
    guarded_client,
    is_blocked_ip,
    resolve_and_check,
)


@dataclass
class LoopbackServer:
    """A one-response-per-connection HTTP server that records what reached it."""

    host: str
    port: int = 0
    connections: int = 0
    request_heads: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"


@asynccontextmanager
async def loopback_server(
    host: str = "127.0.0.1", status: int = 200, location: str | None = None
) -> AsyncIterator[LoopbackServer]:
    record = LoopbackServer(host)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        record.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            writer.close()
            return
        record.request_heads.append(head.decode("latin-1"))
        extra = f"Location: {location}\r\n" if location else ""
        head_out = f"HTTP/1.1 {status} Answer\r\nContent-Length: 2\r\nConnection: close\r\n"
        writer.write(f"{head_out}{extra}\r\nok".encode())
        await writer.drain()
        writer.close()

    try:
        server = await asyncio.start_server(answer, host, 0)
    except OSError as exc:  # 127.0.0.2 is not bindable everywhere (macOS)
        pytest.skip(f"cannot listen on {host}: {exc}")
    record.port = server.sockets[0].getsockname()[1]
    try:
        yield record
    finally:
        server.close()
        await server.wait_closed()


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Answer the given names from `answers` (an empty list: no such name) on the running
    loop; other names go to the real resolver. Returns the names asked, in order."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    asked: list[str] = []

    async def getaddrinfo(host: Any, port: Any, **kwargs: Any) -> list[Any]:
        asked.append(str(host))
        if host not in answers:
            return await real(host, port, **kwargs)
        if not answers[host]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    return asked


def treat_as_public(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Make the guard see one loopback address as public, to stand in for an internet host."""
    real: Callable[[str], bool] = net.is_blocked_ip
    monkeypatch.setattr(net, "is_blocked_ip", lambda a: a != address and real(a))


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("fe80::1", True),
        ("fe80::1%eth0", True),
        ("169.254.169.254", True),
        ("fd00:ec2::254", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.1.2.3", True),
        ("64:ff9b::a00:1", True),  # NAT64 for 10.0.0.1
        ("2002:7f00:1::", True),  # 6to4 for 127.0.0.1
        ("0.0.0.0", True),  # noqa: S104 - an address under test, not a bind
        ("::", True),
        ("100.64.0.1", True),  # CGNAT
        ("224.0.0.1", True),
        ("ff02::1", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("not-an-address", True),
        ("8.8.8.8", False),
        ("::ffff:8.8.8.8", False),
        ("2001:4860:4860::8888", False),
    ],
)
def test_is_blocked_ip_refuses_every_non_public_range(address: str, blocked: bool) -> None:
    assert is_blocked_ip(address) is blocked


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/file", "must be an absolute http:// or https:// URL"),
        ("example.com/hook", "must be an absolute http:// or https:// URL"),
        ("http:///hook", "must name a host"),
        ("https://user:secret@example.com/", "must not carry a user name or password"),
        ("https://example.com:99999/", "port must be between 1 and 65535"),
        ("https://exa mple.com/", "is not a valid host name"),
    ],
)
def test_check_url_rejects_malformed_urls_on_the_named_field(url: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        check_url(url, allow_private=True, field="body.url")
    assert [e.field for e in error.value.errors] == ["body.url"]
    assert message in error.value.errors[0].message
    assert error.value.errors[0].code == "invalid_url"


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("http://localhost/", "localhost"),
        ("http://api.localhost:8080/", "api.localhost"),
        ("http://[::1]/", "::1"),
        ("http://127.1/", "127.1 (127.0.0.1)"),
        ("http://2130706433/", "2130706433 (127.0.0.1)"),
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://[::ffff:192.168.0.1]/", "::ffff:192.168.0.1"),
    ],
)
def test_check_url_blocks_private_literals_and_localhost(url: str, names: str) -> None:
    with pytest.raises(BlockedDestination) as error:
        check_url(url, allow_private=False, field="body.url")
    assert error.value.status == 422
    assert error.value.problem(None)["code"] == "BLOCKED_DESTINATION"
    assert error.value.detail.startswith(names)
    assert [e.field for e in error.value.errors] == ["body.url"]
    assert check_url(url, allow_private=True) == str(httpx.URL(url))


@pytest.mark.parametrize(
    "url",
    [
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.google.internal./",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
        "http://169.254.170.2/v2/credentials",
    ],
)
def test_metadata_endpoints_are_blocked_even_when_private_networks_are_allowed(url: str) -> None:
    with pytest.raises(BlockedDestination, match="never allowed"):
        check_url(url, allow_private=True)


def test_check_url_returns_the_normalised_url() -> None:
    assert check_url(" HTTPS://Example.COM/a b?q=1 ", allow_private=False) == (
        "https://example.com/a%20b?q=1"
    )
    assert check_url("https://bücher.de/", allow_private=False) == "https://xn--bcher-kva.de/"
    assert check_url("http://8.8.8.8:8080/x", allow_private=False) == "http://8.8.8.8:8080/x"


async def test_resolve_and_check_refuses_a_name_if_any_answer_is_private(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_dns(monkeypatch, {"mixed.test": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(BlockedDestination, match=re.escape("mixed.test resolves to 10.0.0.7")):
        await resolve_and_check("mixed.test", 443, allow_private=False)
    assert await resolve_and_check("mixed.test", 443, allow_private=True) == [
        "93.184.215.14",
        "10.0.0.7",
    ]


async def test_resolve_and_check_uses_the_system_resolver_for_localhost() -> None:
    with pytest.raises(BlockedDestination):
        await resolve_and_check("localhost", 80, allow_private=False)
    assert "127.0.0.1" in await resolve_and_check("localhost", 80, allow_private=True)


async def test_a_request_to_loopback_is_refused_before_any_connection() -> None:
    async with loopback_server() as server, guarded_client(allow_private=False) as client:
        with pytest.raises(BlockedDestination) as error:
            await client.get(server.url)
    assert error.value.errors[0].field == "url"
    assert "127.0.0.1" in error.value.detail
    assert server.connections == 0


async def test_with_private_networks_allowed_loopback_answers() -> None:
    async with loopback_server() as server, guarded_client(allow_private=True) as client:
        response = await client.get(server.url + "hook?x=1")
    assert response.status_code == 200
    assert response.text == "ok"
    assert server.connections == 1
    assert server.request_heads[0].startswith("GET /hook?x=1 HTTP/1.1\r\n")


async def test_a_name_resolving_to_loopback_is_refused_when_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = fake_dns(monkeypatch, {"rebind.test": ["127.0.0.1"]})
    async with loopback_server() as server, guarded_client(allow_private=False) as client:
        with pytest.raises(
            BlockedDestination, match=re.escape("rebind.test resolves to 127.0.0.1")
        ):
            await client.get(f"http://rebind.test:{server.port}/")
    assert asked == ["rebind.test"]
    assert server.connections == 0


async def test_the_connection_goes_to_the_checked_address_without_a_second_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `.test` never resolves for real, so reaching the server proves the pinned address was
    # used; one lookup of the name proves httpcore did not resolve it again.
    asked = fake_dns(monkeypatch, {"pinned.test": ["127.0.0.1"]})
    async with loopback_server() as server, guarded_client(allow_private=True) as client:
        response = await client.get(f"http://pinned.test:{server.port}/")
    assert response.status_code == 200
    assert asked.count("pinned.test") == 1
    assert f"Host: pinned.test:{server.port}\r\n" in server.request_heads[0]


@pytest.mark.parametrize("target", ["literal", "name"])
async def test_a_redirect_to_a_blocked_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    """Proves each redirect hop goes through the guard again: the origin is 127.0.0.2, which
    this test alone treats as public; it redirects to 127.0.0.1, written as an IP literal
    (refused per request) or as a name that resolves to it (refused per connection)."""
    treat_as_public(monkeypatch, "127.0.0.2")
    fake_dns(monkeypatch, {"internal.test": ["127.0.0.1"]})
    async with loopback_server() as internal:
        host = "127.0.0.1" if target == "literal" else "internal.test"
        location = f"http://{host}:{internal.port}/admin"
        async with (
            loopback_server("127.0.0.2", status=302, location=location) as origin,
            guarded_client(allow_private=False) as client,
        ):
            with pytest.raises(BlockedDestination, match=re.escape("127.0.0.1")):
                await client.get(origin.url)
    assert origin.connections == 1
    assert internal.connections == 0


async def test_redirects_stop_at_the_limit() -> None:
    async with (
        loopback_server(status=307, location="/again") as server,
        guarded_client(allow_private=True, max_redirects=2) as client,
    ):
        with pytest.raises(httpx.TooManyRedirects):
            await client.get(server.url)
    assert server.connections == 3


async def test_proxies_from_the_environment_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    async with loopback_server() as proxy, loopback_server() as server:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        async with guarded_client(allow_private=True) as client:
            assert (await client.get(server.url)).status_code == 200
        async with guarded_client(allow_private=False) as client:
            with pytest.raises(BlockedDestination):
                await client.get(server.url)
    assert proxy.connections == 0
    assert server.connections == 1


async def test_an_unknown_host_is_an_httpx_connect_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"nowhere.test": []})
    async with guarded_client(allow_private=False) as client:
        with pytest.raises(httpx.ConnectError, match=re.escape("cannot resolve nowhere.test")):
            await client.get("http://nowhere.test/")


def test_the_client_bounds_connecting_at_ten_seconds() -> None:
    slow = guarded_client(allow_private=False, timeout=60)
    quick = guarded_client(allow_private=False, timeout=3)
    assert slow.timeout == httpx.Timeout(60, connect=10)
    assert quick.timeout == httpx.Timeout(3, connect=3)
    assert slow.max_redirects == 5
    assert slow.follow_redirects is True
