"""Token-aware recursive chunking with headings kept as context.

A document is cut into sections at Markdown headings; each section's body is split
recursively (paragraphs, lines, sentences, words, then word pieces) into pieces that fit,
and the pieces are packed greedily into chunks of at most `max_tokens` word pieces with
`overlap_tokens` carried over from the previous chunk. The heading path ("Guide > Install")
is each chunk's context: it is indexed and embedded with the chunk, and its tokens count
against the model's window, so an embedded chunk is never truncated by the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SEPARATORS = ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ")
# [CLS] and [SEP] take two places of the model's window.
SPECIAL_TOKENS = 2
# A piece of text and its word pieces; None for a piece cut inside a word, whose pieces
# standing alone may differ from those it had inside the word.
_Piece = tuple[str, list[int] | None]


class Tokenizer(Protocol):
    def counts(self, texts: list[str]) -> list[int]: ...

    def ids(self, texts: list[str]) -> list[list[int]]: ...

    def offsets(self, text: str) -> list[tuple[int, int]]: ...


@dataclass(frozen=True, kw_only=True)
class Chunk:
    seq: int
    context: str
    text: str
    token_count: int
    # The word pieces of `embedded_text` (without [CLS]/[SEP]), as counted while chunking:
    # the local model embeds them without tokenising the text again.
    embedded_ids: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @property
    def embedded_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text


def sections(text: str) -> list[tuple[str, str]]:
    """(heading path, body) of each section of a Markdown-ish document."""
    out: list[tuple[str, str]] = []
    path: list[tuple[int, str]] = []
    start = 0
    context = ""
    for match in _HEADING.finditer(text):
        body = text[start : match.start()]
        if body.strip():
            out.append((context, body))
        level = len(match.group(1))
        path = [(lvl, title) for lvl, title in path if lvl < level]
        path.append((level, match.group(2).strip()))
        context = " > ".join(title for _, title in path)
        start = match.end()
    body = text[start:]
    if body.strip():
        out.append((context, body))
    return out


def _split_keep(text: str, separator: str) -> list[str]:
    parts = text.split(separator)
    return [part + separator for part in parts[:-1]] + [parts[-1]]


class Chunker:
    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def _pieces(self, text: str, budget: int, level: int = 0) -> list[tuple[_Piece, int]]:
        """`text` cut at the coarsest separator into pieces of at most `budget` tokens.

        Every separator ends in white space, where the tokenizer starts a new word: the word
        pieces of a text are those of its pieces, one after the other."""
        if level >= len(_SEPARATORS):
            return self._hard_split(text, budget)
        parts = [p for p in _split_keep(text, _SEPARATORS[level]) if p]
        out: list[tuple[_Piece, int]] = []
        for part, ids in zip(parts, self.tokenizer.ids(parts), strict=True):
            if len(ids) <= budget:
                out.append(((part, ids), len(ids)))
            else:
                out.extend(self._pieces(part, budget, level + 1))
        return out

    def _hard_split(self, text: str, budget: int) -> list[tuple[_Piece, int]]:
        offsets = self.tokenizer.offsets(text)
        out: list[tuple[_Piece, int]] = []
        for first in range(0, len(offsets), budget):
            window = offsets[first : first + budget]
            begin = 0 if first == 0 else window[0][0]
            end = len(text) if first + budget >= len(offsets) else offsets[first + budget][0]
            out.append(((text[begin:end], None), len(window)))
        return out

    def chunk(self, text: str, *, max_tokens: int, overlap_tokens: int, window: int) -> list[Chunk]:
        """Chunks of `text`: at most `max_tokens` tokens of text each, and never more than
        `window` tokens with the heading context and the model's special tokens."""
        chunks: list[Chunk] = []
        for context, body in sections(text):
            context_ids = self.tokenizer.ids([context])[0] if context else []
            context_tokens = len(context_ids) + 1 if context else 0
            budget = min(max_tokens, window - SPECIAL_TOKENS - context_tokens)
            if budget < 16:
                # A heading path too long for the window: keep only the innermost heading.
                context = context.rsplit(" > ", 1)[-1][:200]
                context_ids = self.tokenizer.ids([context])[0]
                context_tokens = len(context_ids) + 1
                budget = min(max_tokens, window - SPECIAL_TOKENS - context_tokens)
            overlap = min(overlap_tokens, budget // 2)
            current: list[tuple[_Piece, int]] = []
            size = 0
            for piece, count in self._pieces(body, budget):
                if current and size + count > budget:
                    chunks.append(self._make(len(chunks), context, context_ids, current))
                    # Carry the trailing pieces that fit in the overlap into the next chunk.
                    carried: list[tuple[_Piece, int]] = []
                    carried_size = 0
                    for prev in reversed(current):
                        if (
                            carried_size + prev[1] > overlap
                            or carried_size + prev[1] + count > budget
                        ):
                            break
                        carried.insert(0, prev)
                        carried_size += prev[1]
                    current, size = carried, carried_size
                current.append((piece, count))
                size += count
            if current and any(piece.strip() for (piece, _), _ in current):
                chunks.append(self._make(len(chunks), context, context_ids, current))
        return chunks

    def _make(
        self, seq: int, context: str, context_ids: list[int], pieces: list[tuple[_Piece, int]]
    ) -> Chunk:
        text = "".join(piece for (piece, _), _ in pieces).strip()
        if all(ids is not None for (_, ids), _ in pieces):
            ids = [i for (_, piece_ids), _ in pieces for i in piece_ids or ()]
        else:
            ids = self.tokenizer.ids([text])[0]
        return Chunk(
            seq=seq,
            context=context,
            text=text,
            token_count=len(ids),
            embedded_ids=tuple(context_ids + ids),
        )
