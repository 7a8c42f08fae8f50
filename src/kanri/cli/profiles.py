"""The client verbs' profiles: `$XDG_CONFIG_HOME/kanri/config.toml` (else
`~/.config/kanri/config.toml`), mode 0600, one `[profiles.NAME]` table of `base_url` and
`api_key` each; `KANRI_BASE_URL`/`KANRI_API_KEY` override the profile, `KANRI_PROFILE`
(or `kanri --profile`) chooses it."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kanri" / "config.toml"


def load() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {"current": "default", "profiles": {}}
    data = tomllib.loads(path.read_text())
    data.setdefault("current", "default")
    data.setdefault("profiles", {})
    return data


def save(data: dict[str, Any]) -> Path:
    """Write the file (0600 before any key is in it)."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = [f"current = {json.dumps(data['current'])}", ""]
    for name, profile in sorted(data["profiles"].items()):
        lines.append(f"[profiles.{json.dumps(name)}]")
        for key, value in sorted(profile.items()):
            lines.append(f"{key} = {json.dumps(str(value))}")
        lines.append("")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines))
    path.chmod(0o600)
    return path


@dataclass(frozen=True)
class Profile:
    name: str
    base_url: str | None
    api_key: str | None
    project: str | None


def active() -> Profile:
    data = load()
    name = os.environ.get("KANRI_PROFILE") or data["current"]
    stored = data["profiles"].get(name, {})
    return Profile(
        name=name,
        base_url=os.environ.get("KANRI_BASE_URL") or stored.get("base_url"),
        api_key=os.environ.get("KANRI_API_KEY") or stored.get("api_key"),
        project=os.environ.get("KANRI_PROJECT") or stored.get("project"),
    )
