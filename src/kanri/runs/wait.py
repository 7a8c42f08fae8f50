"""Holding an answer until a run ends: `?wait=` on the start endpoints (automations, agents,
the OpenAI-compatible chat completions)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from kanri.core.auth import Principal
from kanri.engine.states import TERMINAL
from kanri.runs import schemas, service

if TYPE_CHECKING:
    from kanri.runtime import Kanri

POLL_SECONDS = 0.02


async def wait_for(kanri: Kanri, who: Principal, run: schemas.Run, seconds: float) -> schemas.Run:
    """The run once it ended, or as it is after `seconds`."""
    deadline = time.monotonic() + seconds
    while run.status not in TERMINAL and time.monotonic() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        run = await kanri.db.read(service.get, who, run.id)
    return run
