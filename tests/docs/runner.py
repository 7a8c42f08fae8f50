"""Run the shell examples of kanri's documentation against a live server.

What runs
    Fenced blocks whose info string is exactly `sh`, in the order they appear in one
    Markdown file, all in one `bash` process with `set -euo pipefail` (and
    `inherit_errexit`): a variable one block sets (`KEY=$(curl … | jq -r .key)`) is there
    for the blocks after it, a command that fails or an unset variable stops the file.
    Other fences (`console`, `text`, `ini`, `json`, `python`, …) are never run; `bash` and
    `shell` fences are refused, so that no shell example is left unrun by mistake.

What the blocks are given
    `API`, the server's base URL (the docs write `API=${API:-http://127.0.0.1:8000}`);
    `OPENAI_BASE_URL`, a fake OpenAI-compatible server (tests/fakes/openai_server.py; the
    docs default it to OpenAI's); `RECEIVER_PORT`, a free port for the webhook receiver
    the README starts (the docs default it to 8001); `KANRI_DATA_DIR`, `KANRI_DATABASE_URL` and
    `KANRI_SECRET_KEY` of that server, so that `kanri admin …` acts on its database as it
    does on a reader's machine next to `make run`; `PATH` with the virtualenv's `bin` first
    (`kanri`, `python`). The working directory is a scratch directory with the repository's
    `examples/` and `clients/` linked into it, as the repository root would have. Processes
    a block leaves in the background are stopped with the file's process group at the end.
    The server (tests/docs/conftest.py) lifts the per-project and per-organization rate
    limits: the docs make more calls a minute than a project's default allows.

Status lines
    `curl` is a shell function: it runs the real curl with `-D <file>` and notes the status
    of each response. A comment `# → 201`, on its own line after a command or at the end
    of the command's last line, asserts that the last response that command received had
    status 201 (text after the status is for the reader: `# → 200 {"status": …}`). A
    response of 400 or more that no such line expects fails its block. Nothing else is
    compared: the bodies are for the reader.

A failure names the file, the line of the block that failed and why (the exit status of
the command, or the HTTP status with the curl arguments), with the output so far.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

RUNNABLE = "sh"
REFUSED = frozenset({"bash", "shell", "zsh"})
_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<info>[^`]*)$")
_OWN_LINE_STATUS = re.compile(r"^(?P<indent>\s*)#\s*→\s*(?P<status>\d{3})\b.*$")
_TRAILING_STATUS = re.compile(r"^(?P<command>.*\S)\s+#\s*→\s*(?P<status>\d{3})\b.*$")

# Shell functions every file runs with (see the module's docstring).
PRELUDE = r"""
set -euo pipefail
shopt -s inherit_errexit
__kanri_log="$KANRI_DOCS_STATE/statuses"
: > "$__kanri_log"
curl() {
  local headers="$KANRI_DOCS_STATE/headers.$BASHPID" code=0 status args="$*"
  args="${args//$'\n'/ }"
  command curl -D "$headers" "$@" || code=$?
  [[ -p /dev/stdout ]] || echo  # a body for the reader ends its line; a piped one is as is
  status=$(awk '/^HTTP\// {s = $2} END {print s}' "$headers" 2>/dev/null || true)
  rm -f "$headers"
  printf '%s\t%s\n' "${status:-000}" "${args:0:300}" >> "$__kanri_log"
  return "$code"
}
__kanri_block() {
  printf '%s\n' "$1" > "$KANRI_DOCS_STATE/block"
}
__kanri_expect() {
  local last
  last=$(tail -n 1 "$__kanri_log")
  if [[ -z "$last" || "${last%%$'\t'*}" != "$1" ]]; then
    printf 'expected HTTP %s, got %s\n' "$1" "${last:-no response}" >&2
    exit 97
  fi
  sed -i '$ s/^/=/' "$__kanri_log"
}
__kanri_block_end() {
  if grep -E '^[45][0-9]{2}' "$__kanri_log" >&2; then
    printf 'HTTP error status(es) above that no "# → NNN" line expects\n' >&2
    exit 98
  fi
  : > "$__kanri_log"
}
"""


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    text: str


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, in order (indented fences of list items too)."""
    found: list[Block] = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = len(opening["indent"])
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        language = opening["info"].strip().split(" ")[0]
        found.append(Block(path, start + 1, language, "\n".join(body) + "\n"))
        index += 1
    return found


def runnable(path: Path) -> list[Block]:
    """The `sh` blocks of a file; ValueError for a shell fence that would not run."""
    found = blocks(path)
    for block in found:
        if block.language in REFUSED:
            raise ValueError(
                f"{path}:{block.line}: a `{block.language}` fence is not run by the docs "
                "tests: fence shell examples with `sh` (or `console` for output)"
            )
    return [block for block in found if block.language == RUNNABLE]


def with_status_checks(text: str) -> str:
    """`# → NNN` comments turned into checks of the last response's status."""
    out: list[str] = []
    for line in text.splitlines():
        if own := _OWN_LINE_STATUS.match(line):
            out.append(f"{own['indent']}__kanri_expect {own['status']}")
        elif trailing := _TRAILING_STATUS.match(line):
            out.append(line)
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}__kanri_expect {trailing['status']}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def script(found: list[Block]) -> str:
    """One bash script: the prelude, then each block between its markers."""
    parts = [PRELUDE]
    for block in found:
        parts.append(f"__kanri_block {block.line}\n")
        parts.append(with_status_checks(block.text))
        parts.append("__kanri_block_end\n")
    return "".join(parts)


class DocsFailed(AssertionError):
    pass


async def run_file(path: Path, *, env: Mapping[str, str], scratch: Path, within: float = 90) -> str:
    """Run the `sh` blocks of `path` in `scratch`; the combined output, or DocsFailed."""
    found = runnable(path)
    state = scratch / ".docs-state"
    state.mkdir(parents=True, exist_ok=True)
    script_path = state / f"{path.stem}.sh"
    script_path.write_text(script(found))
    output_path = state / f"{path.stem}.out"
    with output_path.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            "bash",
            str(script_path),
            cwd=scratch,
            env={**env, "KANRI_DOCS_STATE": str(state)},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            code = None
        finally:
            _stop_group(process.pid)
            await process.wait()
    text = output_path.read_text(errors="replace")
    if code != 0:
        marker = state / "block"
        line = marker.read_text().strip() if marker.exists() else "?"
        why = "timed out" if code is None else f"exit status {code}"
        tail = "\n".join(text.splitlines()[-40:])[-4000:]
        raise DocsFailed(f"{path}: the block at line {line} failed ({why}):\n{tail}")
    return text


def _stop_group(pid: int) -> None:
    """SIGTERM to the script's process group: the script and what it left running."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
