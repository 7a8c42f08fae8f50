"""The client address kanri records (audit rows, per-address limits) is the connection's,
not what X-Forwarded-For claims, unless kanri is told to trust a proxy: then the client
that one of the configured proxies names."""

from __future__ import annotations

from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from kanri.app import create_app
from kanri.config import Settings
from tests.engine.processes import Processes, bootstrap, free_port, kanri_env, wait_healthy
from tests.factories import bearer, make_org, unique

CLIENT = "203.0.113.9"


def _trail_filter(project_id: str) -> dict[str, str]:
    return {"filter": f'action = "project.created" AND resource_id = "{project_id}"'}


def test_kanri_serve_believes_x_forwarded_for_only_when_told_to_trust_the_proxy(
    tmp_path: Path,
) -> None:
    env = kanri_env(tmp_path, KANRI_WORKER_ENABLED="false")
    admin_key = bootstrap(env, tmp_path)

    def audited_ip(process_env: dict[str, str], forwarded_for: str) -> str | None:
        """The audit row's `ip` of a project created through `kanri serve` (from 127.0.0.1)
        with `X-Forwarded-For: forwarded_for`."""
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        with Processes(tmp_path) as processes:
            server = processes.serve("api", process_env, port).start()
            wait_healthy(base_url, server)
            with httpx.Client(base_url=base_url, headers=bearer(admin_key), timeout=10) as http:
                created = http.post(
                    "/v1/projects",
                    json={"name": unique("fwd")},
                    headers={"X-Forwarded-For": forwarded_for},
                )
                assert created.status_code == 201, created.text
                trail = http.get("/v1/audit-logs", params=_trail_filter(created.json()["id"]))
        assert trail.status_code == 200, trail.text
        [row] = trail.json()["data"]
        ip: str | None = row["ip"]
        return ip

    assert audited_ip(env, CLIENT) == "127.0.0.1"
    trusting = {**env, "KANRI_TRUST_FORWARDED_FOR": "true"}
    # The proxy (127.0.0.1, trusted by default) appends the address it saw; whatever the
    # client wrote before it is not believed.
    assert audited_ip(trusting, f"198.51.100.77, {CLIENT}") == CLIENT


async def test_x_forwarded_for_from_a_peer_that_is_not_a_configured_proxy_is_ignored(
    settings: Settings,
) -> None:
    trusting = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key=settings.secret_key,
        log_level="warning",
        worker_enabled=False,
        trust_forwarded_for=True,
        trusted_proxies="10.0.0.0/8",
    )
    application = create_app(trusting)
    async with LifespanManager(application):
        _, admin_key = await make_org(application.state.kanri)
        ips = []
        for peer in ("192.0.2.5", "10.1.2.3"):
            transport = httpx.ASGITransport(app=application, client=(peer, 40_000))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://kanri.test", headers=bearer(admin_key)
            ) as http:
                created = await http.post(
                    "/v1/projects",
                    json={"name": unique("fwd")},
                    headers={"X-Forwarded-For": CLIENT},
                )
                assert created.status_code == 201, created.text
                trail = await http.get("/v1/audit-logs", params=_trail_filter(created.json()["id"]))
                ips.append(trail.json()["data"][0]["ip"])
    assert ips == ["192.0.2.5", CLIENT]
