"""`kanri-client` alone: its wheel, built from clients/python, installs into a fresh venv
with httpx and pydantic (and what they need) and nothing of the server, and talks to kanri."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import Tenant

ROOT = Path(__file__).parents[2]
# Wheels of the SDK's dependencies, at the lock's versions, fetched once from the package
# index (pip's ordinary client) and kept; the install itself is --no-index.
WHEELHOUSE = Path(os.environ.get("KANRI_WHEELHOUSE", Path.home() / ".cache" / "kanri-wheels"))


def _pins() -> list[str]:
    lock = (ROOT / "requirements.lock").read_text()
    pins = []
    for name in ("httpx", "pydantic"):
        match = re.search(rf"^{name}==([^\s;]+)", lock, re.MULTILINE)
        assert match, f"{name} is not pinned in requirements.lock"
        pins.append(f"{name}=={match.group(1)}")
    return pins


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our interpreters and pip
        list(args), cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def _build_and_install(tmp: Path) -> Path:
    # a staging copy, so that the build leaves nothing in the checkout
    stage = tmp / "stage"
    shutil.copytree(ROOT / "clients" / "python", stage / "clients" / "python")
    shutil.copytree(
        ROOT / "src" / "kanri" / "client",
        stage / "src" / "kanri" / "client",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    dist = tmp / "dist"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
        "--no-index", str(stage / "clients" / "python"), "-w", str(dist),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    pins = _pins()
    if not all(any(WHEELHOUSE.glob(f"{p.replace('==', '-')}-*.whl")) for p in pins):
        fetched = _run(
            sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
            "-d", str(WHEELHOUSE), *pins,
        )  # fmt: skip
        if fetched.returncode != 0:
            pytest.skip(f"the dependencies' wheels could not be fetched: {fetched.stderr[-300:]}")
    venv = tmp / "venv"
    # a venv without pip of its own (ensurepip is the slow part); this pip installs into it
    assert _run(sys.executable, "-m", "venv", "--without-pip", str(venv)).returncode == 0
    python = venv / "bin" / "python"
    installed = _run(
        sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index",
        "--find-links", str(dist), "--find-links", str(WHEELHOUSE), "kanri-client",
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    return python


async def test_the_wheel_installs_alone_and_works(
    tmp_path: Path, kanri_url: str, tenant: Tenant
) -> None:
    python = await asyncio.to_thread(_build_and_install, tmp_path)
    listed = await asyncio.to_thread(
        _run, sys.executable, "-m", "pip", "--python", str(python), "list", "--format=freeze"
    )
    names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert {"kanri-client", "httpx", "pydantic"} <= names
    assert not names & {"kanri", "fastapi", "sqlalchemy", "uvicorn", "typer"}
    code = (
        "import os; from kanri.client import Kanri, NotFound\n"
        "c = Kanri(os.environ['URL'], os.environ['KEY'])\n"
        "print([e.name for e in c.environments.list()])\n"
        "try:\n    c.runs.get('run_01M0000000000000000000000')\n"
        "except NotFound as exc:\n    print('not found', exc.request_id is not None)\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "URL": kanri_url, "KEY": tenant.key}
    done = await asyncio.to_thread(
        subprocess.run,
        [str(python), "-I", "-c", code],  # -I: no PYTHONPATH, no checkout on sys.path
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "production" in done.stdout
    assert "not found True" in done.stdout
