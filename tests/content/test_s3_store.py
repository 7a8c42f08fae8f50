"""The S3 asset store against a local S3-compatible server (moto's `moto_server`, when it
is installed): put, ranged reads, delete, and the settings that choose it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kanri.config import Settings
from kanri.content.storage import DiskStore, S3Store, store_of
from tests.engine.processes import free_port

MOTO = shutil.which("moto_server")
pytestmark = pytest.mark.skipif(MOTO is None, reason="no `moto_server` (pip install moto[server])")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    assert MOTO is not None
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - the moto_server found on PATH
        [MOTO, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_s3_store_keeps_reads_ranges_of_and_deletes_a_file(endpoint: str) -> None:
    store = S3Store(endpoint, "assets", "key", "secret", "us-east-1")
    store.client.make_bucket("assets")
    data = bytes(range(256)) * 1000
    key = f"prj_01M99ASE15DWKGVSDYAZRGXNSQ/{hashlib.sha256(data).hexdigest()}"
    store.put(key, data)
    assert b"".join(store.read(key, 0, len(data) - 1)) == data
    assert b"".join(store.read(key, 10, 19)) == data[10:20]
    store.delete(key)
    store.delete(key)  # already gone: no error
    with pytest.raises(ValueError, match="not an asset key"):
        store.put("../etc/passwd", b"x")


def test_the_settings_choose_the_store(endpoint: str, tmp_path: Path) -> None:
    s3 = Settings(assets_s3_endpoint=endpoint, assets_s3_bucket="assets", data_dir=tmp_path)
    assert isinstance(store_of(s3), S3Store)
    assert isinstance(store_of(Settings(data_dir=tmp_path)), DiskStore)
