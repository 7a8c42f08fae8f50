"""The files of examples/ do what they say, against a live kanri: the automation in YAML
and JSON, the client that runs it, the agent on the offline provider, and the webhook
receiver that verifies Standard Webhooks signatures."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml  # type: ignore[import-untyped]
from standardwebhooks.webhooks import Webhook

from tests.docs.conftest import ROOT, DocsServer
from tests.engine.processes import free_port
from tests.factories import bearer, unique

EXAMPLES = ROOT / "examples"
ORDER = {
    "order_id": "A-17",
    "lines": [{"sku": "tea", "amount": 12.5}, {"sku": "pot", "amount": 20}],
}


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str


async def python(*args: str, env: dict[str, str], cwd: Path = ROOT) -> Finished:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


@pytest.fixture(scope="module")
async def admin_key(docs_server: DocsServer) -> str:
    """An organization of the docs server, made with the CLI as a reader would."""
    boot = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("kanri")),
        *("admin", "bootstrap", "--org", unique("examples"), "--json"),
        env=docs_server.shell_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await boot.communicate()
    assert boot.returncode == 0, err.decode()
    key: str = json.loads(out)["admin_key"]
    return key


@pytest.fixture
async def client_env(docs_server: DocsServer, admin_key: str) -> dict[str, str]:
    """What a reader exports for the example clients: the URL and a key of a new project."""
    name = unique("examples")
    async with httpx.AsyncClient(base_url=docs_server.base_url) as http:
        project = await http.post("/v1/projects", json={"name": name}, headers=bearer(admin_key))
        assert project.status_code == 201, project.text
        key = await http.post(
            f"/v1/projects/{name}/api-keys", json={"name": "examples"}, headers=bearer(admin_key)
        )
        assert key.status_code == 201, key.text
    shell = docs_server.shell_env()
    return {**shell, "KANRI_URL": docs_server.base_url, "KANRI_KEY": key.json()["key"]}


def test_the_yaml_and_json_automations_are_the_same() -> None:
    folder = EXAMPLES / "automations"
    for source in folder.glob("*.yaml"):
        assert yaml.safe_load(source.read_text()) == json.loads(
            source.with_suffix(".json").read_text()
        )
    assert {p.suffix for p in folder.iterdir()} == {".yaml", ".json"}


async def test_the_client_creates_runs_and_waits_for_the_automation(
    client_env: dict[str, str],
) -> None:
    yaml_file = "examples/automations/order-summary.yaml"
    first = await python(
        "examples/run_automation.py", yaml_file, "--inputs", json.dumps(ORDER), env=client_env
    )
    assert first.code == 0, first.stderr
    run = json.loads(first.stdout)
    assert run["status"] == "completed"
    assert run["outputs"] == {"order_id": "A-17", "lines": 2, "total": 32.5, "needs_review": False}
    assert "published order-summary version 1" in first.stderr

    big = {**ORDER, "lines": [{"sku": "pot", "amount": 1500}]}
    again = await python(
        "examples/run_automation.py",
        yaml_file.replace(".yaml", ".json"),
        "--inputs",
        json.dumps(big),
        env=client_env,
    )
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["outputs"]["needs_review"] is True
    assert "published order-summary version 2" in again.stderr  # the draft was updated


async def test_the_client_names_the_fields_kanri_refused(client_env: dict[str, str]) -> None:
    refused = await python(
        "examples/run_automation.py",
        "examples/automations/order-summary.json",
        "--inputs",
        '{"order_id": 17}',
        env=client_env,
    )
    assert refused.code == 2
    assert "422" in refused.stderr
    assert "body.inputs.order_id: 17 is not of type 'string'" in refused.stderr
    assert refused.stdout == ""


async def test_without_pyyaml_the_client_asks_for_the_json_file(
    client_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "yaml.py").write_text("raise ImportError('PyYAML is not installed here')\n")
    env = {**client_env, "PYTHONPATH": f"{tmp_path}:{client_env.get('PYTHONPATH', '')}"}
    yaml_file = "examples/automations/order-summary.yaml"
    missing = await python("examples/run_automation.py", yaml_file, env=env)
    assert missing.code == 1
    assert "reading YAML needs PyYAML" in missing.stderr
    assert "use the .json file" in missing.stderr
    json_file = yaml_file.replace(".yaml", ".json")
    works = await python(
        "examples/run_automation.py", json_file, "--inputs", json.dumps(ORDER), env=env
    )
    assert works.code == 0, works.stderr


async def test_the_offline_agent_answers_and_calls_a_tool(client_env: dict[str, str]) -> None:
    said = await python("examples/offline_agent.py", "Where is my order?", env=client_env)
    assert said.code == 0, said.stderr
    assert said.stdout == "You said: Where is my order?\n"
    message = '/tool emit_event {"type": "order.checked", "data": {"order": 42}}'
    tool = await python("examples/offline_agent.py", message, env=client_env)
    assert tool.code == 0, tool.stderr
    assert tool.stdout.splitlines() == [
        'The tool returned: {"emitted": "agent.order.checked"}',
        '  tool emit_event {"data": {"order": 42}, "type": "order.checked"}: completed',
    ]


@dataclass(frozen=True)
class Receiver:
    url: str
    secret: str
    process: asyncio.subprocess.Process


@pytest.fixture
async def receiver(client_env: dict[str, str]) -> AsyncIterator[Receiver]:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "examples/webhook_receiver.py",
        "--port",
        str(port),
        "--exit-after",
        "2",
        cwd=ROOT,
        env={**client_env, "WEBHOOK_SECRET": secret},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    assert "listening on" in (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
    try:
        yield Receiver(f"http://127.0.0.1:{port}/kanri", secret, process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


def _signed(secret: str, event: Mapping[str, Any], event_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode()
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(event_id, now, body.decode())
    headers = {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
    return body, headers


async def test_the_receiver_prints_verified_events_once_and_refuses_forged_ones(
    receiver: Receiver,
) -> None:
    first = {"type": "run.completed", "timestamp": "2026-12-01T09:00:00Z", "data": {"id": "run_1"}}
    second = {**first, "data": {"id": "run_2"}}
    async with httpx.AsyncClient() as http:
        body, headers = _signed(receiver.secret, first, "evt_1")
        assert (await http.post(receiver.url, content=body, headers=headers)).status_code == 204
        again = await http.post(receiver.url, content=body, headers=headers)  # a retry
        assert again.status_code == 204
        forged = await http.post(
            receiver.url, content=body.replace(b"run_1", b"run_9"), headers=headers
        )
        assert forged.status_code == 400
        other_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        body2, headers2 = _signed(other_secret, second, "evt_2")
        assert (await http.post(receiver.url, content=body2, headers=headers2)).status_code == 400
        body2, headers2 = _signed(receiver.secret, second, "evt_2")
        assert (await http.post(receiver.url, content=body2, headers=headers2)).status_code == 204
    assert await asyncio.wait_for(receiver.process.wait(), 30) == 0  # --exit-after 2
    assert receiver.process.stdout is not None
    printed = (await receiver.process.stdout.read()).decode().splitlines()
    assert [json.loads(line) for line in printed] == [first, second]
