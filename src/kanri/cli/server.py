"""uvicorn's server for `kanri serve`: asked to stop, it first ends kanri's open streams.

uvicorn's graceful shutdown waits for every open connection, and a server-sent-event stream
(`/v1/events/stream`, a run's events while the run waits for an approval) stays open as
long as its client wants: without this, a rolling restart would wait for the clients. The
streams end cleanly, and clients reconnect (with `Last-Event-ID`) to another process.
"""

from __future__ import annotations

from types import FrameType

import uvicorn

from kanri.runtime import Kanri


class Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, kanri: Kanri) -> None:
        super().__init__(config)
        self.kanri = kanri

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.kanri.stop_streams()
        super().handle_exit(sig, frame)
