"""The frames every server-sent-events stream of kanri sends (`core/sse.py`)."""

from __future__ import annotations

import json

from openai._streaming import SSEDecoder

from kanri.core import sse


def _decoded(text: str) -> list[tuple[str | None, str, str | None]]:
    """(event, data, id) of each event as the `openai` SDK's decoder reads the stream."""
    decoder = SSEDecoder()
    return [
        (event.event, event.data, event.id) for event in decoder.iter_bytes(iter([text.encode()]))
    ]


def test_a_frame_is_its_id_event_and_data_lines_and_a_blank_line() -> None:
    data = json.dumps({"id": "evt_1", "data": {"text": "a\nb"}})
    assert sse.frame(data, id="evt_1", event="run.delta") == (
        f"id: evt_1\nevent: run.delta\ndata: {data}\n\n"
    )
    assert sse.retry() == "retry: 2000\n\n"
    assert sse.HEARTBEAT == ": heartbeat\n\n"


def test_openai_chunks_are_data_lines_the_sdk_reads_as_sent() -> None:
    chunk = json.dumps({"object": "chat.completion.chunk", "choices": []})
    text = sse.frame(chunk) + sse.HEARTBEAT + sse.frame("[DONE]")
    assert text == f"data: {chunk}\n\n: heartbeat\n\ndata: [DONE]\n\n"
    assert _decoded(text) == [(None, chunk, None), (None, "[DONE]", None)]


def test_line_breaks_cannot_end_a_frame_early() -> None:
    text = sse.frame("one\ntwo\r\nthree\rfour", id="evt\n_1", event="run.\r\nx")
    assert text == ("id: evt_1\nevent: run.x\ndata: one\ndata: two\ndata: three\ndata: four\n\n")
    assert _decoded(text) == [("run.x", "one\ntwo\nthree\nfour", "evt_1")]
