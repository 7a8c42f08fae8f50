"""A `kanri serve` asked to stop ends its open server-sent-event streams instead of waiting
for their clients to leave: a rolling restart is not held by a dashboard left open."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx

from tests.engine.processes import Api, Processes, bootstrap, free_port, kanri_env, wait_healthy

# Streams send a heartbeat every 15 s when quiet: a read that waits longer is a dead stream.
TIMEOUT = httpx.Timeout(10.0, read=90.0)


class Reader(threading.Thread):
    """Reads one SSE stream to its end; `connected` is set by the stream's first line."""

    def __init__(self, base_url: str, path: str, headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.url = base_url + path
        self.headers = headers
        self.connected = threading.Event()
        self.lines: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx.stream("GET", self.url, headers=self.headers, timeout=TIMEOUT) as answer:
                assert answer.status_code == 200, answer.read()
                for line in answer.iter_lines():
                    self.lines.append(line)
                    self.connected.set()
        except BaseException as exc:
            self.error = exc
        finally:
            self.connected.set()


def test_sigterm_ends_open_streams_and_the_server_exits(tmp_path: Path) -> None:
    env = kanri_env(tmp_path)
    admin_key = bootstrap(env, tmp_path)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with Processes(tmp_path) as processes:
        server = processes.serve("api", env, port).start()
        wait_healthy(base_url, server)
        with Api(base_url, admin_key) as api:
            # A run parked on an approval: its stream would stay open until someone decides.
            automation = api.automation([{"id": "ask", "kind": "approval", "message": "go?"}])
            run_id = api.start_run(automation, {})
            readers = [
                Reader(base_url, f"/v1/runs/{run_id}/events", api.headers),
                Reader(base_url, "/v1/events/stream", api.headers),
            ]
            for reader in readers:
                reader.start()
            for reader in readers:
                assert reader.connected.wait(30), f"{reader.url} never answered"
            assert server.alive

            server.signal(signal.SIGTERM)
            # Both clients stay connected: only the server can end the streams. The
            # server's graceful shutdown waits for them, so it exits only if they end.
            assert server.popen is not None
            server.popen.wait(timeout=60)  # TimeoutExpired: a stream held the shutdown
            assert "Application shutdown complete" in server.tail(), server.tail()
            for reader in readers:
                reader.join(30)
                assert not reader.is_alive(), f"{reader.url} is still open"
                assert reader.error is None, f"{reader.url}: {reader.error!r}"
                assert reader.lines[0].startswith("retry:")
