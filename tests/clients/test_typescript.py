"""The TypeScript client (clients/typescript, npm package `@kanri/client`): its generated
sources are what kanri's OpenAPI document makes of them now, and its own tests (Node's
test runner, against a `kanri serve` they start) pass, on this run's database.

Both need Node.js 20+ and npm; the npm dependencies come from package-lock.json (`npm ci`,
which `make test` runs first; here only when node_modules lacks them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from tools import gen_client_ts

from kanri.config import Settings
from tests.conftest import BACKEND

NODE = shutil.which("node")
NPM = shutil.which("npm")
pytestmark = pytest.mark.skipif(
    NODE is None or NPM is None,
    reason="no `node`/`npm` on PATH: the TypeScript client needs Node.js 20+ and npm",
)


@pytest.fixture(scope="module")
def installed() -> None:
    gen_client_ts.npm_ci()


def test_node_is_20_or_newer() -> None:
    assert NODE is not None
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    assert major >= 20, f"the TypeScript client needs Node.js 20+, this is {version.stdout}"


def test_the_generated_sources_are_up_to_date(installed: None) -> None:
    assert gen_client_ts.stale() == [], "run `make client-ts` and commit clients/typescript/src"


def test_every_operation_taking_an_idempotency_key_gets_one(app: FastAPI) -> None:
    named = gen_client_ts.idempotent_operations(app.openapi())
    assert "POST /v1/automations/{automation_id}/runs" in named
    assert all(name.startswith("POST ") for name in named)
    assert "POST /v1/objects/{object_id}/records:query" not in named


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_client_passes_its_tests_against_a_live_kanri(
    installed: None, request: pytest.FixtureRequest
) -> None:
    """`npm test`: builds the library (browser-safe: no Node types in src/) and runs
    test/client.test.ts, whose `kanri serve` uses this run's database on PostgreSQL (with
    the session's secret, as the docs' server does) and a fresh SQLite file otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}
    env["KANRI_TEST_BIN"] = str(Path(sys.executable).with_name("kanri"))
    if BACKEND == "postgresql":
        settings: Settings = request.getfixturevalue("settings")
        assert settings.secret_key is not None
        env["KANRI_TEST_SERVER_DATABASE_URL"] = request.getfixturevalue("database_url")
        env["KANRI_TEST_SERVER_SECRET_KEY"] = settings.secret_key.get_secret_value()
    assert NPM is not None
    done = subprocess.run(  # noqa: S603 - the client's own test script
        [NPM, "test", "--silent"],
        cwd=gen_client_ts.CLIENT,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    assert "# fail 0" in output, output[-4000:]
    assert "# pass 0" not in output, output[-4000:]
