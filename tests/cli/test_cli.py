from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from kanri.cli.main import app
from tests.factories import unique

KANRI = str(Path(sys.executable).with_name("kanri"))


def _env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}
    env["KANRI_DATA_DIR"] = str(data_dir)
    env["KANRI_LOG_LEVEL"] = "warning"
    if database_url:
        env["KANRI_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def kanri(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [KANRI, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_bootstrap_json_prints_only_json_and_refuses_a_taken_name(
    tmp_path: Path, database_url: str
) -> None:
    env = _env(tmp_path, database_url, KANRI_SECRET_KEY="cli-secret-" + "y" * 40)
    org = unique("acme")
    first = kanri("admin", "bootstrap", "--org", org, "--json", env=env)
    assert first.returncode == 0, first.stderr
    printed = json.loads(first.stdout)
    assert set(printed) == {"organization_id", "admin_key"}
    assert printed["organization_id"].startswith("org_")
    assert printed["admin_key"].startswith("kanri_ak_")

    again = kanri("admin", "bootstrap", "--org", org, "--json", env=env)
    assert again.returncode == 1
    assert again.stdout == ""
    assert "already exists" in again.stderr


def test_admin_verbs_create_projects_and_keys(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert kanri("admin", "bootstrap", "--org", "acme", "--json", env=env).returncode == 0
    project = kanri("admin", "projects", "create", "shop", env=env)
    assert project.returncode == 0, project.stderr
    assert json.loads(project.stdout)["name"] == "shop"
    key = kanri(
        "admin", "keys", "create", "--project", "shop", "--scope", "runs:read", "--json", env=env
    )
    assert key.returncode == 0, key.stderr
    created = json.loads(key.stdout)
    assert created["key"].startswith("kanri_sk_")
    assert created["scopes"] == ["runs:read"]
    listed = kanri("admin", "keys", "list", "--project", "shop", "--json", env=env)
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [created["id"]]
    assert created["key"] not in listed.stdout
    revoked = kanri("admin", "keys", "revoke", created["id"], env=env)
    assert revoked.returncode == 0, revoked.stderr
    bad = kanri("admin", "projects", "create", "Not A Slug", env=env)
    assert bad.returncode == 1


def test_config_masks_secrets(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        KANRI_SECRET_KEY="very-secret-value-1234567890",
        KANRI_REDIS_URL="redis://:hunter2@127.0.0.1:6379/0",
    )
    shown = kanri("config", env=env)
    assert shown.returncode == 0, shown.stderr
    settings = json.loads(shown.stdout)
    assert settings["secret_key"] == "********"
    assert "very-secret" not in shown.stdout
    assert "hunter2" not in shown.stdout
    assert settings["data_dir"] == str(tmp_path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, int]:
    return tmp_path, _free_port()


def _serve(data_dir: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [KANRI, "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_healthy(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("kanri serve did not become healthy")


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.terminate()
    try:
        return process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def test_serve_bootstraps_once_and_the_printed_key_works(served: tuple[Path, int]) -> None:
    data_dir, port = served
    process = _serve(data_dir, port)
    try:
        _wait_healthy(port, process)
        base = f"http://127.0.0.1:{port}"
        ready = httpx.get(f"{base}/ready")
        assert ready.status_code == 200
        assert ready.json()["database"] == "sqlite"
    finally:
        stdout, stderr = _stop(process)
    admin_key = stdout.strip()
    assert admin_key.startswith("kanri_ak_")
    assert admin_key not in stderr, "keys never reach the logs"
    assert f"http://127.0.0.1:{port}/v1/projects" in stderr, "the banner names the real port"
    assert (data_dir / "kanri.db").exists()
    assert stat.S_IMODE((data_dir / "secret_key").stat().st_mode) == 0o600

    process = _serve(data_dir, port)
    try:
        _wait_healthy(port, process)
        headers = {"Authorization": f"Bearer {admin_key}"}
        project = httpx.post(f"{base}/v1/projects", json={"name": "demo"}, headers=headers)
        assert project.status_code == 201, project.text
    finally:
        stdout, _ = _stop(process)
    assert stdout.strip() == "", "the admin key is printed on the first start only"


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    done = kanri("migrate", env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "kanri.db").exists()


def test_a_lost_admin_key_is_replaced_and_any_key_revoked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # in process (the operator verbs' own code paths), on a data directory of its own
    for name in [k for k in os.environ if k.startswith("KANRI_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("KANRI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KANRI_LOG_LEVEL", "warning")
    monkeypatch.setenv("COLUMNS", "80")
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args))

    assert run("admin", "bootstrap", "--org", "acme", "--json").exit_code == 0
    assert run("admin", "bootstrap", "--org", "other", "--json").exit_code == 0
    minted = run("admin", "keys", "create", "--admin", "--org", "acme", "--json")
    assert minted.exit_code == 0, minted.output
    created = json.loads(minted.stdout)
    assert created["key"].startswith("kanri_ak_")
    assert created["kind"] == "admin"

    # any key by its id alone, though two organizations exist
    revoked = run("admin", "keys", "revoke", created["id"])
    assert revoked.exit_code == 0, revoked.output
    assert created["id"] in revoked.output

    assert run("admin", "projects", "create", "shop", "--org", "acme").exit_code == 0
    key = run("admin", "keys", "create", "--project", "shop", "--org", "acme", "--json")
    key_id = json.loads(key.stdout)["id"]
    table = run("admin", "keys", "list", "--project", "shop", "--org", "acme")
    assert key_id in table.stdout, table.stdout
    assert run("admin", "keys", "create", "--org", "acme").exit_code == 2


def test_the_migrations_are_quiet_unless_verbose(tmp_path: Path) -> None:
    done = kanri("migrate", env=_env(tmp_path, KANRI_LOG_LEVEL="info"))
    assert done.returncode == 0, done.stderr
    assert "alembic" not in done.stderr
