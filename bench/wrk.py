"""Running `wrk` with the same settings for every target and parsing its `--latency` report."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Sends POST bodies with a unique environment name per request: `<tag>-<thread>-<counter>`.
# `tag` (the first argument after `--`) differs per wrk invocation, so warm-up and
# measurement never collide. Names match ^[a-z0-9][a-z0-9-]{0,62}$.
POST_LUA = """\
local tag = "x"
local n = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  if args[1] ~= nil then tag = args[1] end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  n = n + 1
  local body = string.format('{"name":"%s-%d-%d","description":"bench"}', tag, tid or 0, n)
  return wrk.format(nil, nil, nil, body)
end
"""

_UNITS_US = {"us": 1.0, "ms": 1_000.0, "s": 1_000_000.0, "m": 60_000_000.0, "h": 3_600_000_000.0}
_TIME = r"([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h)"
_RPS_RE = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)
_TOTAL_RE = re.compile(r"^\s*([0-9]+) requests in ([0-9.]+)(us|ms|s|m|h),", re.MULTILINE)
_PCT_RE = re.compile(r"^\s+(50|75|90|99)(?:\.0+)?%\s+" + _TIME + r"\s*$", re.MULTILINE)
_NON2XX_RE = re.compile(r"Non-2xx or 3xx responses:\s+([0-9]+)")
_SOCKET_RE = re.compile(
    r"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)"
)


class WrkError(RuntimeError):
    """wrk failed to run or printed something we could not parse."""


@dataclass(kw_only=True)
class WrkResult:
    """One wrk measurement. `valid` is False when any request failed."""

    requests_per_second: float
    requests: int
    duration_seconds: float
    latency_ms: dict[str, float]
    error_responses: int  # status >= 400, as wrk counts "Non-2xx or 3xx responses"
    socket_errors: dict[str, int] = field(default_factory=dict)
    server_cpu_percent: float | None = None  # CPU time the server process used / wall time
    warmup_requests: int = 0  # sent in the warm-up run just before
    raw: str = ""

    @property
    def failures(self) -> int:
        return self.error_responses + sum(self.socket_errors.values())

    @property
    def valid(self) -> bool:
        return self.failures == 0 and self.requests > 0

    @property
    def p50_ms(self) -> float:
        return self.latency_ms.get("p50", float("nan"))

    @property
    def p99_ms(self) -> float:
        return self.latency_ms.get("p99", float("nan"))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("raw")
        out["valid"] = self.valid
        return out


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_US[unit] / 1_000.0


def parse(output: str) -> WrkResult:
    """The numbers of a `wrk --latency` report."""
    rps = _RPS_RE.search(output)
    total = _TOTAL_RE.search(output)
    if rps is None or total is None:
        raise WrkError(f"could not parse wrk output:\n{output}")
    latency = {f"p{m.group(1)}": _to_ms(m.group(2), m.group(3)) for m in _PCT_RE.finditer(output)}
    non2xx = _NON2XX_RE.search(output)
    sockets = _SOCKET_RE.search(output)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True))
        if sockets
        else {}
    )
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        requests=int(total.group(1)),
        duration_seconds=_to_ms(total.group(2), total.group(3)) / 1_000.0,
        latency_ms=latency,
        error_responses=int(non2xx.group(1)) if non2xx else 0,
        socket_errors={k: v for k, v in socket_errors.items() if v},
        raw=output,
    )


@dataclass(frozen=True, kw_only=True)
class LoadSettings:
    """What every target gets: same threads, connections, duration, CPU and headers."""

    threads: int
    connections: int
    duration_seconds: int
    warmup_seconds: int
    cpu: int | None  # pin wrk to this CPU with taskset (None: no pinning)

    def command(
        self,
        url: str,
        seconds: int,
        headers: dict[str, str],
        script: Path | None,
        script_args: list[str],
    ) -> list[str]:
        cmd: list[str] = []
        if self.cpu is not None:
            cmd += ["taskset", "-c", str(self.cpu)]
        cmd += [
            "wrk",
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "--latency",
        ]
        for name, value in headers.items():
            cmd += ["-H", f"{name}: {value}"]
        if script is not None:
            cmd += ["-s", str(script)]
        cmd.append(url)
        if script_args:
            cmd += ["--", *script_args]
        return cmd


def run(
    load: LoadSettings,
    url: str,
    *,
    seconds: int,
    headers: dict[str, str],
    post_script: Path | None = None,
) -> WrkResult:
    """One wrk run; `post_script` switches to POSTs with unique names (fresh tag per run)."""
    script_args = [f"b{secrets.token_hex(4)}"] if post_script is not None else []
    cmd = load.command(url, seconds, headers, post_script, script_args)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if proc.returncode != 0:
        raise WrkError(f"wrk exited with {proc.returncode}: {proc.stderr.strip()}{proc.stdout}")
    return parse(proc.stdout)


def version() -> str:
    """wrk's version line (it prints usage and exits 1 on -v)."""
    if shutil.which("wrk") is None:
        return "missing"
    proc = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (proc.stdout or proc.stderr).strip().splitlines()
    return first[0].strip() if first else "unknown"
