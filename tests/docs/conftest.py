"""One live `kanri serve` for the documentation's shell examples and for examples/, and a
fake OpenAI-compatible server they may point a provider at."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kanri.config import Settings
from tests.conftest import BACKEND
from tests.engine.processes import KanriProcess, free_port, wait_healthy
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class DocsServer:
    base_url: str
    env: dict[str, str]  # the server's KANRI_* settings, which `kanri admin …` needs too

    def shell_env(self, **extra: str) -> dict[str, str]:
        """What a reader's shell next to this server has: its settings, kanri on PATH."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}
        path = f"{BIN}{os.pathsep}{inherited.get('PATH', '')}"
        return {**inherited, **self.env, "PATH": path, "API": self.base_url, **extra}


@pytest.fixture(scope="package")
def docs_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DocsServer]:
    """`kanri serve` on a loopback port, on a database of its own on SQLite (one process
    per SQLite file) and on the session's database on PostgreSQL (with the session's
    secret, so the test app's worker may run its runs too). Rate limits are lifted: the
    docs make more calls a minute than a project's default allows."""
    home = tmp_path_factory.mktemp("kanri-docs")
    secret = "docs-secret-" + "d" * 40
    database_url = None
    if BACKEND == "postgresql":
        database_url = request.getfixturevalue("database_url")
        settings: Settings = request.getfixturevalue("settings")
        assert settings.secret_key is not None
        secret = settings.secret_key.get_secret_value()
    env = {
        "KANRI_DATA_DIR": str(home / "kanri-data"),
        "KANRI_SECRET_KEY": secret,
        "KANRI_DEFAULT_RATE_LIMIT_PER_MINUTE": "100000",
        "KANRI_ADMIN_RATE_LIMIT_PER_MINUTE": "100000",
        "KANRI_LOG_LEVEL": "warning",
    }
    if database_url:
        env["KANRI_DATABASE_URL"] = database_url
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KANRI_")}
    process = KanriProcess(
        name="docs-server",
        args=["serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**inherited, **env},
        cwd=home,
        log_path=home / "server.log",
    ).start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, process, within=90)
        yield DocsServer(base_url, env)
    finally:
        process.terminate()
        print(f"\n----- docs server ({process.log_path})\n{process.tail()}")  # noqa: T201


@pytest.fixture(scope="package")
async def docs_openai() -> AsyncIterator[FakeOpenAI]:
    """The fake OpenAI-compatible server the docs' provider examples talk to."""
    server = await FakeOpenAI().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A working directory that looks like the repository's root to the examples."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "clients").symlink_to(ROOT / "clients")
    return tmp_path
