"""The committed models and resources are what tools/gen_client.py makes of the document."""

from __future__ import annotations

from tools import gen_client


def test_regenerating_the_sdk_changes_nothing() -> None:
    for path, text in gen_client.formatted(gen_client.generate()).items():
        assert path.read_text() == text, f"{path.name} is stale: run `make client`"
