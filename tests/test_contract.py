"""Contract test: every operation of `/openapi.json`, fuzzed by schemathesis, against a real server.

The app runs as `kanri serve` in a subprocess on 127.0.0.1:<free port> (not in-process: the
session app and its database writer live in pytest-asyncio's event loop, and schemathesis
calls synchronously). On PostgreSQL the server shares the session's test database (already
reset and migrated by the `database_url` fixture) under its own organization; on SQLite it
gets its own data directory. Run alone with `pytest -k contract`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import checks

from kanri.app import create_app
from kanri.config import Settings
from tests.conftest import BACKEND
from tests.factories import bearer, unique

SEED = 20240601
MAX_EXAMPLES = 15
KANRI = Path(sys.executable).with_name("kanri")

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@dataclass(frozen=True)
class Server:
    base_url: str
    admin_key: str  # organization admin key: the only kind /v1/projects* accepts
    project_key: str  # full-access secret key of the project the fuzzer works in
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}
    env.update(
        KANRI_DATA_DIR=str(data_dir),
        KANRI_SECRET_KEY="contract-secret-" + "x" * 40,
        KANRI_DEFAULT_RATE_LIMIT_PER_MINUTE="1000000",
        KANRI_ADMIN_RATE_LIMIT_PER_MINUTE="1000000",
        KANRI_PUBLIC_RATE_LIMIT_PER_MINUTE="1000000",
        KANRI_LOG_LEVEL="warning",
        KANRI_CONFIG_FILE=str(data_dir / "kanri.toml"),  # none: only the env above counts
    )
    if BACKEND == "postgresql":
        env["KANRI_DATABASE_URL"] = database_url
    return env


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@pytest.fixture(scope="module")
def contract_server(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("kanri-contract")
    env = _server_env(data_dir, database_url)
    boot = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(KANRI), "admin", "bootstrap", "--org", unique("contract"), "--json"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert boot.returncode == 0, boot.stderr
    admin_key: str = json.loads(boot.stdout.strip().splitlines()[-1])["admin_key"]

    port = _free_port()
    log = data_dir / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603
            [str(KANRI), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=data_dir,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url, timeout=10) as http:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    pytest.fail(f"kanri serve exited with {process.returncode}:\n{_tail(log)}")
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"kanri serve did not answer within 30 s:\n{_tail(log)}")
                time.sleep(0.1)
            project = http.post(
                "/v1/projects", json={"name": unique("contract")}, headers=bearer(admin_key)
            )
            assert project.status_code == 201, project.text
            key = http.post(
                f"/v1/projects/{project.json()['id']}/api-keys",
                json={"name": "contract"},
                headers=bearer(admin_key),
            )
            assert key.status_code == 201, key.text
        yield Server(base_url, admin_key, key.json()["key"], log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _document() -> dict[str, Any]:
    settings = Settings(secret_key="contract-" + "x" * 40, redis_url=None, log_level="warning")
    return create_app(settings).openapi()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
        }
    ),
)


@schema.parametrize()
@hypothesis.settings(deadline=None)
def test_contract(case: schemathesis.Case, contract_server: Server) -> None:
    key = contract_server.admin_key if case.path.startswith("/v1/projects") else contract_server.project_key
    case.call_and_validate(base_url=contract_server.base_url, headers=bearer(key), checks=CHECKS)
