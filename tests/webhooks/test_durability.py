"""Dispatch survives kill -9: real `kanri serve` processes, a real loopback receiver.

Events are written through the API while the receiver answers slowly; the server is killed
with SIGKILL while deliveries are in flight (and others not yet fanned out), then started
again. Every event must reach the receiver (at least once, with its `webhook-id`), and every
delivery must end `succeeded` — never marked done without a 2xx.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKEND, PG_URL
from tests.engine.processes import (
    Api,
    Processes,
    bootstrap,
    free_port,
    kanri_env,
    wait_healthy,
    wait_until,
)
from tests.factories import unique

pytestmark = pytest.mark.slow
EVENTS = 24
ROUNDS = 2


class SlowReceiver:
    """Answers every POST after `delay` s with 200 and counts `webhook-id`s."""

    def __init__(self, delay: float = 0.3) -> None:
        self.delay = delay
        self.ids: Counter[str] = Counter()
        self.in_flight = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                json.loads(body)
                with receiver.lock:
                    receiver.in_flight += 1
                try:
                    time.sleep(receiver.delay)
                    with receiver.lock:
                        receiver.ids[self.headers["webhook-id"]] += 1
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender was killed mid-call
                finally:
                    with receiver.lock:
                        receiver.in_flight -= 1

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                return

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_killing_the_dispatching_server_loses_no_event(tmp_path: Path) -> None:
    home = tmp_path / "data"
    home.mkdir()
    database = PG_URL if BACKEND == "postgresql" else None
    env = kanri_env(home, database, KANRI_WEBHOOK_TIMEOUT_SECONDS="2")
    admin_key = bootstrap(env, home)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sink = SlowReceiver()
    with Processes(tmp_path) as processes:
        server = processes.serve("serve", env, port, "--data-dir", str(home)).start()
        wait_healthy(base, server, within=90)
        with Api(base, admin_key) as api:
            created = api.http.post(
                "/v1/webhooks",
                json={"url": sink.url, "event_types": ["environment.created"]},
                headers=api.headers,
            )
            assert created.status_code == 201, created.text
            webhook_id = created.json()["id"]
            events: list[str] = []
            for round_ in range(ROUNDS):
                if round_:
                    server.start()
                    wait_healthy(base, server, within=90)
                for _ in range(EVENTS // ROUNDS):
                    made = api.http.post(
                        "/v1/environments", json={"name": unique("env")}, headers=api.headers
                    )
                    assert made.status_code == 201, made.text
                    events.append(made.json()["id"])
                wait_until(lambda: sink.in_flight > 0, 15, "a delivery in flight")
                server.kill()
            server.start()
            wait_healthy(base, server, within=90)
            wanted = _event_ids(api, events)
            wait_until(
                lambda: set(sink.ids) >= wanted, 60, "every event at the receiver", every=0.2
            )
            deliveries = _deliveries(api, webhook_id)
            wait_until(
                lambda: all(d["status"] == "succeeded" for d in _deliveries(api, webhook_id)),
                30,
                "every delivery to be recorded",
                every=0.2,
            )
    sink.close()
    assert {d["event_id"] for d in deliveries} == wanted
    assert len(deliveries) == len(wanted)  # one delivery per event, however often it ran


def _event_ids(api: Api, environment_ids: list[str]) -> set[str]:
    found: set[str] = set()
    token = None
    while True:
        params: dict[str, Any] = {"page_size": 1000, "filter": 'type = "environment.created"'}
        if token:
            params["page_token"] = token
        page = api.http.get("/v1/events", params=params, headers=api.headers).json()
        found |= {e["id"] for e in page["data"] if e["resource_id"] in environment_ids}
        token = page.get("next_page_token")
        if not token:
            return found


def _deliveries(api: Api, webhook_id: str) -> list[dict[str, Any]]:
    response = api.http.get(
        f"/v1/webhooks/{webhook_id}/deliveries", params={"page_size": 1000}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found
