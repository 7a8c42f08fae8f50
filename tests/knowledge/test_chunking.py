from __future__ import annotations

import itertools

from kanri.knowledge.chunking import SPECIAL_TOKENS, Chunker, sections
from kanri.knowledge.embeddings import word_pieces


def _chunker() -> Chunker:
    return Chunker(word_pieces())


def test_headings_become_the_context_of_their_sections() -> None:
    text = "Intro line.\n# Guide\nAbout.\n## Install\nRun make.\n## Use\nCall it.\n# FAQ\nAsk."
    assert sections(text) == [
        ("", "Intro line.\n"),
        ("Guide", "\nAbout.\n"),
        ("Guide > Install", "\nRun make.\n"),
        ("Guide > Use", "\nCall it.\n"),
        ("FAQ", "\nAsk."),
    ]


def test_no_chunk_is_longer_than_the_model_window_with_its_context() -> None:
    heading = "# " + "Very long heading words " * 10 + "\n\n"
    body = heading + " ".join(f"sentence {i} has several words in it." for i in range(400))
    chunks = _chunker().chunk(body, max_tokens=800, overlap_tokens=400, window=256)
    counts = word_pieces().counts([c.embedded_text for c in chunks])
    assert len(chunks) > 5
    assert max(counts) <= 256 - SPECIAL_TOKENS
    assert all(c.context.startswith("Very long heading") for c in chunks)


def test_chunks_overlap_and_cover_the_whole_text() -> None:
    words = [f"w{i}" for i in range(600)]
    chunks = _chunker().chunk(" ".join(words), max_tokens=64, overlap_tokens=16, window=256)
    seen = set()
    for before, after in itertools.pairwise(chunks):
        tail = before.text.split()[-3:]
        assert " ".join(tail) in after.text  # the next chunk starts inside the previous
    for chunk in chunks:
        seen.update(chunk.text.split())
        assert chunk.token_count <= 64
    assert seen == set(words)


def test_text_without_separators_is_cut_by_word_pieces() -> None:
    # Each CJK character is a word piece of its own; there is no space to split at.
    giant = "漢字" * 1000
    chunks = _chunker().chunk(giant, max_tokens=256, overlap_tokens=0, window=256)
    assert len(chunks) > 1
    assert "".join(c.text for c in chunks) == giant
    assert all(c.token_count <= 254 for c in chunks)


def test_each_chunk_carries_the_word_pieces_of_its_embedded_text() -> None:
    # Separators, headings, accents, CJK and a word longer than a chunk (cut inside itself).
    text = (
        "# Guide\n\n## Install ünïcödé\n\n"
        + " ".join(f"step {i}: run make, then check; done." for i in range(150))
        + "\n\n# Other\n"
        + "漢字" * 300
        + " "
        + "x" * 2000
    )
    pieces = word_pieces()
    for max_tokens, overlap in ((256, 32), (100, 40)):
        chunks = _chunker().chunk(text, max_tokens=max_tokens, overlap_tokens=overlap, window=256)
        assert len(chunks) > 5
        assert [list(c.embedded_ids) for c in chunks] == pieces.ids(
            [c.embedded_text for c in chunks]
        )
        assert [c.token_count for c in chunks] == pieces.counts([c.text for c in chunks])
