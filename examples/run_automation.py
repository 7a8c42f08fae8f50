"""Create an automation from a YAML or JSON file (or update its draft), publish it, run it
and wait for the result: a small kanri client on httpx.

    export KANRI_URL=http://127.0.0.1:8000 KANRI_KEY=kanri_sk_...
    python examples/run_automation.py examples/automations/order-summary.yaml \
        --inputs '{"order_id": "A-17", "lines": [{"sku": "tea", "amount": 12.5}]}'

The file holds the body of `POST /v1/automations`: `name`, `description`, `definition`.
kanri's API takes JSON; a `.yaml` or `.yml` file is converted here with PyYAML when it is
installed (`pip install pyyaml`), and the `.json` twin works without it. Prints the
finished run as JSON; exits 0 when the run completed, 1 when it did not, 2 on an API error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

FINISHED = {"completed", "failed", "cancelled"}


def load(path: Path) -> dict[str, Any]:
    """The automation in `path`, from JSON, or from YAML through PyYAML."""
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped]  # optional: only YAML files need it
        except ImportError:
            sys.exit(f"{path}: reading YAML needs PyYAML (pip install pyyaml); use the .json file")
        loaded: dict[str, Any] = yaml.safe_load(path.read_text())
        return loaded
    parsed: dict[str, Any] = json.loads(path.read_text())
    return parsed


def answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON body of a successful response; the problem's detail and exit 2 otherwise."""
    if response.is_error:
        problem = response.json()
        errors = "".join(f"\n  {e['field']}: {e['message']}" for e in problem.get("errors", []))
        print(f"{response.status_code} {problem.get('detail')}{errors}", file=sys.stderr)
        raise SystemExit(2)
    body: dict[str, Any] = response.json()
    return body


def save(http: httpx.Client, automation: dict[str, Any]) -> dict[str, Any]:
    """Create the automation, or put the file's definition into the draft of the existing
    one of that name; then publish the draft as a new version."""
    created = http.post("/v1/automations", json=automation)
    if created.status_code == 409:  # the name is taken: update that automation's draft
        changes = {k: v for k, v in automation.items() if k in ("description", "definition")}
        answer(http.patch(f"/v1/automations/{automation['name']}", json=changes))
    else:
        answer(created)
    return answer(http.post(f"/v1/automations/{automation['name']}/publish"))


def run(http: httpx.Client, name: str, inputs: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Start a run and wait for its end: kanri holds the answer up to `?wait=` seconds, and
    a run that waits longer (an approval, a timer) is polled until it ends or time is up."""
    deadline = time.monotonic() + timeout
    started = http.post(
        f"/v1/automations/{name}/runs", params={"wait": min(timeout, 30)}, json={"inputs": inputs}
    )
    current = answer(started)
    while current["status"] not in FINISHED and time.monotonic() < deadline:
        time.sleep(1)
        current = answer(http.get(f"/v1/runs/{current['id']}"))
    return current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="automation as YAML or JSON")
    parser.add_argument("--inputs", default="{}", help="the run's inputs as JSON")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait at most")
    args = parser.parse_args()
    automation = load(args.file)
    base_url = os.environ.get("KANRI_URL", "http://127.0.0.1:8000")
    headers = {"Authorization": f"Bearer {os.environ['KANRI_KEY']}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=args.timeout + 10) as http:
        version = save(http, automation)
        print(f"published {automation['name']} version {version['version']}", file=sys.stderr)
        finished = run(http, automation["name"], json.loads(args.inputs), args.timeout)
    print(json.dumps(finished, indent=2))
    sys.exit(0 if finished["status"] == "completed" else 1)


if __name__ == "__main__":
    main()
