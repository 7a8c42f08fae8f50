"""The systemd units and the environment file of docs/deploy.md fit kanri's command line
and settings: each `ExecStart=` parses as the CLI would parse it, and each variable is a
setting with a value kanri accepts."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
from pydantic import ValidationError

from kanri.cli.main import app
from kanri.config import Settings
from tests.docs.conftest import ROOT
from tests.docs.runner import Block, blocks

PAGE = ROOT / "docs" / "deploy.md"
INSTANCE = "8000"  # what systemd puts for %i in the examples' instance units


def _files(suffix: str) -> dict[str, Block]:
    """The page's `ini` blocks that start with `# <path ending in suffix>`, by path."""
    found = {}
    for block in blocks(PAGE):
        first = block.text.splitlines()[0]
        if block.language == "ini" and first.startswith("# /") and first.endswith(suffix):
            found[first[2:]] = block
    return found


def _directives(block: Block, section: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    current = None
    for line in block.text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section:
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


# Typer ships its own click: its exceptions are reached through the public BadParameter.
UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def parse_command_line(argv: list[str]) -> Any:
    """`kanri …` parsed by the CLI itself, without running it: the command's context (its
    `params`), or UsageError for an unknown command or option or a value of the wrong type."""
    command: Any = typer.main.get_command(app)
    name, args = "kanri", list(argv)
    while hasattr(command, "commands"):  # a group: the next word names a command of it
        if not args or args[0] not in command.commands:
            raise UsageError(f"no command {args[:1]} in `{name}`")
        name = args.pop(0)
        command = command.commands[name]
    return command.make_context(name, args)


def test_the_page_has_the_units_and_the_environment_file() -> None:
    assert sorted(_files(".service")) == [
        "/etc/systemd/system/kanri-api@.service",
        "/etc/systemd/system/kanri-migrate.service",
        "/etc/systemd/system/kanri-worker@.service",
        "/etc/systemd/system/kanri.service",
    ]
    assert list(_files(".env")) == ["/etc/kanri/kanri.env"]


@pytest.mark.parametrize("unit", sorted(_files(".service")), ids=lambda p: Path(p).name)
def test_each_unit_runs_a_kanri_command_the_cli_accepts(unit: str) -> None:
    service = _directives(_files(".service")[unit], "Service")
    (exec_start,) = service["ExecStart"]
    program, *argv = shlex.split(exec_start.replace("%i", INSTANCE))
    assert Path(program).name == "kanri"
    context = parse_command_line(argv)
    assert context.info_name in {"serve", "worker", "migrate"}
    if context.info_name == "serve" and "--no-worker" in argv:
        assert context.params["no_worker"] is True
    for path in service.get("EnvironmentFile", []):
        assert path.lstrip("-") in _files(".env")


def test_a_command_line_the_cli_refuses_is_caught() -> None:
    assert parse_command_line(["worker", "--concurrency", "4"]).params["concurrency"] == 4
    with pytest.raises(UsageError, match="--workers"):
        parse_command_line(["serve", "--workers", "4"])
    with pytest.raises(typer.BadParameter, match="integer"):
        parse_command_line(["serve", "--port", "%i"])
    with pytest.raises(UsageError, match="api"):
        parse_command_line(["api"])
    with pytest.raises(UsageError, match="rotate"):
        parse_command_line(["admin", "keys", "rotate"])


def test_the_environment_file_holds_settings_with_values_kanri_accepts() -> None:
    (block,) = _files(".env").values()
    pairs = dict(
        line.split("=", 1)
        for line in block.text.splitlines()
        if line.strip() and not line.startswith("#")
    )
    fields = {f"KANRI_{name.upper()}": name for name in Settings.model_fields}
    assert [name for name in pairs if name not in fields] == []
    try:
        Settings.model_validate({fields[name]: value for name, value in pairs.items()})
    except ValidationError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"{PAGE.name}: {exc}")
