"""A webhook receiver that verifies kanri's Standard Webhooks signatures.

    WEBHOOK_SECRET=whsec_... python examples/webhook_receiver.py --port 8001

Point a webhook at it (`POST /v1/webhooks {"url": "http://<host>:8001/kanri", ...}`; the
answer holds the `secret`). Each delivery whose signature verifies (`webhook-id`,
`webhook-timestamp` within five minutes, `webhook-signature` over the exact body) is
answered 204 and printed as one JSON line, the event as kanri sent it; one that does not is
answered 400 and not printed. `webhook-id` is the event's id, the same on every retry:
delivery is at least once, so a receiver drops the ids it has seen (this one remembers them
in memory). `GET` answers 200, for a readiness check. `--exit-after N` stops after N events.

Needs `standardwebhooks` (`pip install standardwebhooks`), which kanri itself signs with.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver(HTTPServer):
    def __init__(self, host: str, port: int, secret: str, exit_after: int | None) -> None:
        super().__init__((host, port), Handler)
        self.webhook = Webhook(secret)
        self.seen: set[str] = set()
        self.exit_after = exit_after

    def accept(self, body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        """The verified event, None for a repeat; WebhookVerificationError otherwise."""
        event: dict[str, Any] = self.webhook.verify(body, headers)
        if headers["webhook-id"] in self.seen:
            return None
        self.seen.add(headers["webhook-id"])
        return event


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_GET(self) -> None:
        self._answer(200, b"ready\n")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            event = self.server.accept(body, headers)
        except (WebhookVerificationError, KeyError) as exc:
            print(f"refused a delivery: {exc!r}", file=sys.stderr)
            self._answer(400, b"signature does not verify\n")
            return
        self._answer(204, b"")
        if event is not None:
            print(json.dumps(event), flush=True)
            if self.server.exit_after is not None:
                self.server.exit_after -= 1

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return  # one JSON line per event on stdout, nothing else


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--exit-after", type=int, help="stop after this many events")
    args = parser.parse_args()
    receiver = Receiver(args.host, args.port, os.environ["WEBHOOK_SECRET"], args.exit_after)
    print(f"listening on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    with receiver:
        while receiver.exit_after is None or receiver.exit_after > 0:
            receiver.handle_request()


if __name__ == "__main__":
    main()
