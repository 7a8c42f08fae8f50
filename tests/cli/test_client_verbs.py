"""The CLI's client verbs against a live kanri (tests/client/conftest.py serves the app)."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kanri.cli.main import app
from kanri.client import AsyncKanri
from tests.client.conftest import kanri_url, sdk  # noqa: F401 - the live server's fixtures
from tests.factories import Tenant, unique

KANRI = str(Path(sys.executable).with_name("kanri"))


@pytest.fixture
def env(kanri_url: str, tenant: Tenant, tmp_path: Path) -> dict[str, str]:  # noqa: F811
    return {
        "KANRI_BASE_URL": kanri_url,
        "KANRI_API_KEY": tenant.key,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "KANRI_PROFILE": "",
    }


async def cli(env: dict[str, str], *args: str) -> Result:
    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, app, list(args), env=env)


AUTOMATION = """\
name: {name}
description: pays
definition:
  inputs: {{type: object, properties: {{amount: {{type: number}}}}}}
  steps:
    - id: check
      kind: condition
      if: "inputs.amount > 100"
      then: sign_off
      else: pay
    - id: sign_off
      kind: approval
      message: "Refund {{{{ inputs.amount }}}}?"
      allow_self_approval: true
    - id: pay
      kind: transform
      output: {{paid: "{{{{ inputs.amount }}}}"}}
"""


async def test_apply_start_watch_approve_and_json(env: dict[str, str], tmp_path: Path) -> None:
    name = unique("refund")
    file = tmp_path / "refund.yaml"
    file.write_text(AUTOMATION.format(name=name))
    applied = await cli(env, "automations", "apply", "-f", str(file), "--publish")
    assert applied.exit_code == 0, applied.output
    assert "+  steps:" in applied.output or "steps" in applied.output

    watched = await cli(env, "runs", "start", name, "--input", "amount=40", "--watch")
    assert watched.exit_code == 0, watched.output
    assert "completed" in watched.output
    assert "pay" in watched.output, "the live view shows the run's steps"

    waiting = await cli(env, "runs", "start", name, "--input", "amount=400", "-o", "json")
    assert waiting.exit_code == 0, waiting.output
    run_id = json.loads(waiting.stdout)["id"]
    for _ in range(100):
        listed = await cli(
            env, "approvals", "list", "--filter", f'run_id = "{run_id}"', "-o", "json"
        )
        pending = json.loads(listed.stdout)
        if pending:
            break
        await asyncio.sleep(0.1)
    approved = await cli(env, "approvals", "approve", pending[0]["id"], "--comment", "ok")
    assert approved.exit_code == 0, approved.output
    done = await cli(env, "runs", "watch", run_id)
    assert done.exit_code == 0, done.output

    runs = await cli(env, "runs", "list", "-o", "json")
    assert {r["id"] for r in json.loads(runs.stdout)} >= {run_id}
    as_yaml = await cli(env, "runs", "get", run_id, "-o", "yaml")
    assert f"id: {run_id}" in as_yaml.stdout


async def test_a_failed_run_exits_1_and_problems_print_their_fields(env: dict[str, str]) -> None:
    missing = await cli(env, "runs", "get", "run_01M0000000000000000000000")
    assert missing.exit_code == 1
    assert "404 Not found" in missing.output
    assert "request_id" in missing.output
    bad = await cli(env, "runs", "list", "--filter", "status = ")
    assert bad.exit_code == 1
    assert "400" in bad.output


async def test_knowledge_upload_of_20_files_shows_progress_and_is_idempotent(
    env: dict[str, str],
    tmp_path: Path,
    sdk: AsyncKanri,  # noqa: F811
) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    for i in range(20):
        where = folder / "sub" if i % 2 else folder
        (where / f"doc{i}.md").write_text(f"# Doc {i}\n\nrefunds take {i} days\n")
    namespace = unique("help")
    first = await cli(env, "knowledge", "upload", str(folder), "--namespace", namespace)
    assert first.exit_code == 0, first.output
    assert "20/20" in first.output
    assert "/s" in first.output, "the rate"
    assert "20 of 20 files uploaded" in first.output
    again = await cli(env, "knowledge", "upload", str(folder), "--namespace", namespace)
    assert again.exit_code == 0, again.output
    entries = [e.id async for e in sdk.knowledge.namespaces_entries_list(namespace)]
    assert len(entries) == 20
    assert "sub:doc1.md" in entries


async def test_records_import_upserts_on_the_key(
    env: dict[str, str],
    tmp_path: Path,
    sdk: AsyncKanri,  # noqa: F811
) -> None:
    slug = unique("people")
    await sdk.objects.create(slug=slug, name="People")
    await sdk.objects.fields_create(slug, slug="email", name="Email", type="email", unique=True)
    await sdk.objects.fields_create(slug, slug="name", name="Name", type="text")
    data = tmp_path / "people.csv"
    data.write_text("email,name\nada@example.com,Ada\ngrace@example.com,Grace\nnot-an-email,X\n")
    first = await cli(env, "records", "import", str(data), "--object", slug, "--key", "email")
    assert first.exit_code == 1
    assert "2 of 3 rows imported" in first.output
    assert "line 4" in first.output
    await cli(env, "records", "import", str(data), "--object", slug, "--key", "email")
    assert len([r async for r in sdk.records.list(slug)]) == 2


async def test_login_writes_a_private_profile(env: dict[str, str], tmp_path: Path) -> None:
    key, url = env["KANRI_API_KEY"], env["KANRI_BASE_URL"]
    bare = {"XDG_CONFIG_HOME": env["XDG_CONFIG_HOME"], "KANRI_API_KEY": "", "KANRI_BASE_URL": ""}
    done = await cli(bare, "login", "--base-url", url, "--api-key", key, "--name", "work")
    assert done.exit_code == 0, done.output
    path = Path(env["XDG_CONFIG_HOME"]) / "kanri" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    listed = await cli(bare, "profile", "list", "-o", "json")
    assert [p["name"] for p in json.loads(listed.stdout)] == ["work"]
    assert key not in listed.stdout
    verified = await cli(bare, "audit", "verify", "-o", "json")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["valid"] is True


async def test_an_80_column_table_shows_whole_ids(env: dict[str, str], sdk: AsyncKanri) -> None:  # noqa: F811
    name = unique("wide-automation-name")
    created = await sdk.automations.create(
        name=name,
        description="x" * 200,
        definition={"steps": [{"id": "a", "kind": "log", "message": "hi"}]},
    )
    shell = {**{k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}, **env}
    shell["COLUMNS"] = "80"
    done = await asyncio.to_thread(
        subprocess.run,  # a real terminal width, as a user's
        [KANRI, "automations", "list", "--filter", f'name = "{name}"'],
        env=shell,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert created.id in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80


async def test_versions_rollback_logs_exceptions_and_costs(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    name = unique("twice")
    file = tmp_path / "a.json"
    definition = {"steps": [{"id": "say", "kind": "log", "message": "one"}]}
    file.write_text(json.dumps({"name": name, "definition": definition}))
    assert (await cli(env, "automations", "apply", "-f", str(file), "--publish")).exit_code == 0
    definition["steps"][0]["message"] = "two"
    file.write_text(json.dumps({"name": name, "definition": definition}))
    second = await cli(env, "automations", "apply", "-f", str(file), "--publish")
    assert second.exit_code == 0, second.output
    assert "-  message: one" in second.output
    assert "+  message: two" in second.output
    assert "concurrency" not in second.output, "defaults are no change"
    versions = await cli(env, "automations", "versions", name, "-o", "json")
    assert [v["version"] for v in json.loads(versions.stdout)] == [2, 1]
    back = await cli(env, "automations", "rollback", name, "--version", "1")
    assert back.exit_code == 0, back.output

    started = await cli(env, "runs", "start", name, "--watch")
    assert started.exit_code == 0, started.output
    run_id = started.stdout.split()[0]
    logs = await cli(env, "runs", "logs", run_id, "-o", "json")
    assert [line["message"] for line in json.loads(logs.stdout)] == ["one"]

    assert (await cli(env, "exceptions", "-o", "json")).exit_code == 0
    costs = await cli(env, "costs", "--group-by", "day")
    assert costs.exit_code == 0, costs.output
    assert "total" in costs.output
