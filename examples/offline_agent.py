"""An agent on kanri's offline provider: no model server, no model key, the same answer
every time. Useful to try agents, tools, policies and approvals before paying for tokens.

    export KANRI_URL=http://127.0.0.1:8000 KANRI_KEY=kanri_sk_...
    python examples/offline_agent.py "Where is my order?"
    python examples/offline_agent.py \
        '/tool emit_event {"type": "order.checked", "data": {"order": 42}}'

The offline provider answers "You said: <message>"; a message line `/tool <name> <json>`
makes it call that tool with those arguments, so the agent loop (model call, tool call,
model call) runs end to end. Makes the provider `offline` and the agent `echo-support`
when the project has none of those names; prints the reply and the tool calls.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import httpx

PROVIDER = {"name": "offline", "kind": "offline", "default_model": "echo"}
AGENT = {
    "name": "echo-support",
    "instructions": "Answer in one sentence.",
    "runtime": {"provider": "offline"},
    "tools": [{"name": "emit_event"}],
    "max_steps": 4,
}


def answer(response: httpx.Response) -> Any:
    """The JSON body of a successful response; the problem's detail and exit 2 otherwise."""
    if response.is_error:
        print(f"{response.status_code} {response.json().get('detail')}", file=sys.stderr)
        raise SystemExit(2)
    return response.json()


def ensure(http: httpx.Client, collection: str, body: dict[str, Any]) -> None:
    """Create `body` in `collection` unless one of its name exists (409)."""
    created = http.post(collection, json=body)
    if created.status_code != 409:
        answer(created)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("message", help="what to tell the agent")
    args = parser.parse_args()
    base_url = os.environ.get("KANRI_URL", "http://127.0.0.1:8000")
    headers = {"Authorization": f"Bearer {os.environ['KANRI_KEY']}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        ensure(http, "/v1/providers", PROVIDER)
        ensure(http, "/v1/agents", AGENT)  # version 1 is published at once
        started = http.post(
            f"/v1/agents/{AGENT['name']}/runs", params={"wait": 30}, json={"message": args.message}
        )
        run = answer(started)
        calls = answer(http.get(f"/v1/runs/{run['id']}/tool-calls"))["data"]
    if run["status"] != "completed":
        print(f"run {run['id']} is {run['status']}: {run['error']}", file=sys.stderr)
        raise SystemExit(1)
    print(run["outputs"]["content"])
    for call in calls:
        arguments = json.dumps(call["arguments"], sort_keys=True)
        print(f"  tool {call['name']} {arguments}: {call['status']}")


if __name__ == "__main__":
    main()
