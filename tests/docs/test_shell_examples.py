"""Every `sh` block of README.md and docs/ runs against a live kanri and answers as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.conftest import ROOT, DocsServer
from tests.docs.runner import DocsFailed, blocks, run_file, runnable
from tests.engine.processes import free_port
from tests.fakes.openai_server import FakeOpenAI

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
WITH_SHELL = [path for path in DOCUMENTS if any(b.language == "sh" for b in blocks(path))]


def test_shell_examples_are_fenced_so_that_they_run() -> None:
    for path in DOCUMENTS:
        runnable(path)  # ValueError for a `bash` or `shell` fence
    assert ROOT / "README.md" in WITH_SHELL


@pytest.mark.parametrize("path", WITH_SHELL, ids=lambda p: str(p.relative_to(ROOT)))
async def test_shell_examples_run_against_a_live_server(
    path: Path, docs_server: DocsServer, docs_openai: FakeOpenAI, scratch: Path
) -> None:
    env = docs_server.shell_env(
        OPENAI_BASE_URL=docs_openai.base_url, RECEIVER_PORT=str(free_port())
    )
    await run_file(path, env=env, scratch=scratch)


async def _run(text: str, docs_server: DocsServer, scratch: Path) -> str:
    page = scratch / "page.md"
    page.write_text(text)
    return await run_file(page, env=docs_server.shell_env(), scratch=scratch, within=30)


async def test_a_status_line_is_checked(docs_server: DocsServer, scratch: Path) -> None:
    ok = "```sh\ncurl -s $API/health   # → 200\ncurl -s $API/v1/nowhere\n# → 404\n```\n"
    assert '"healthy"' in await _run(ok, docs_server, scratch)
    with pytest.raises(DocsFailed, match=r"(?s)line 1 failed .*expected HTTP 201, got 200"):
        await _run("```sh\ncurl -s $API/health   # → 201\n```\n", docs_server, scratch)


async def test_an_error_status_nobody_expects_fails_its_block(
    docs_server: DocsServer, scratch: Path
) -> None:
    text = "```sh\necho fine\n```\n\n```sh\nKEY=$(curl -s $API/v1/projects | jq -r .id)\n```\n"
    with pytest.raises(DocsFailed, match=r"(?s)line 5 failed .*401\t-s http"):
        await _run(text, docs_server, scratch)


async def test_variables_carry_over_and_unset_ones_stop_the_file(
    docs_server: DocsServer, scratch: Path
) -> None:
    text = "```sh\nNAME=kanri\n```\n\n```console\nnot run\n```\n\n```sh\necho $NAME-$HOOK\n```\n"
    with pytest.raises(DocsFailed, match=r"(?s)line 9 failed .*HOOK: unbound variable"):
        await _run(text, docs_server, scratch)
    assert "kanri-" not in (scratch / ".docs-state" / "page.out").read_text()


def test_bash_fences_are_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("- a list item:\n\n   ```bash\n   echo hidden\n   ```\n")
    with pytest.raises(ValueError, match=r"page.md:3: a `bash` fence is not run"):
        runnable(page)
