"""Resource ids are ULIDs (the spec's Crockford base32 of 48 bits of time and 80 random bits),
read back with the time they were made."""

from __future__ import annotations

import os
import time

import pytest

from kanri.core.ids import decode, encode, looks_like_id, new_id, ulid, ulid_at, ulid_milliseconds


def test_an_id_is_a_prefix_and_a_ulid_of_the_current_millisecond() -> None:
    before = int(time.time() * 1000)
    made = new_id("run")
    after = int(time.time() * 1000)
    prefix, body = made.split("_")
    assert prefix == "run"
    assert encode(decode(body)) == body
    assert before <= ulid_milliseconds(body) <= after
    assert looks_like_id(made, "run")
    assert not looks_like_id(made, "apr")


def test_ids_sort_in_the_order_they_were_made_even_within_a_millisecond() -> None:
    made = []
    for _ in range(5):
        made += [ulid() for _ in range(1000)]
        time.sleep(0.002)
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    stamps = [ulid_milliseconds(u) for u in made]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) > 1  # several milliseconds: the random part is drawn again


def test_ids_made_by_several_threads_at_once_are_all_different() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        batches = list(pool.map(lambda _: [ulid() for _ in range(2000)], range(4)))
    made = [u for batch in batches for u in batch]
    assert len(set(made)) == len(made)
    assert all(batch == sorted(batch) for batch in batches)


def _crockford(value: int) -> str:
    """The spec's encoding, one 5-bit digit at a time from the last."""
    digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(digits[(value >> 5 * (25 - place)) & 31] for place in range(26))


def test_the_encoding_is_the_specs_for_every_bit_pattern() -> None:
    # The spec's example time, and values the `ulid` package writes the same way.
    assert ulid_at(1469918176385).startswith("01ARYZ6S41")
    assert encode(0x0123456789ABCDEF0123456789ABCDEF) == "014D2PF2DBSQQG28T5CY4TQKFF"
    assert encode((1 << 128) - 1) == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
    values = [0, 1, (1 << 128) - 1, 1 << 80, ((1 << 48) - 1) << 80, 0x0123456789ABCDEF << 40]
    values += [1 << bit for bit in range(128)]
    values += [int.from_bytes(os.urandom(16), "big") for _ in range(1000)]
    for value in values:
        assert encode(value) == _crockford(value)
        assert decode(encode(value)) == value
        assert decode(encode(value).lower()) == value


def test_a_ulid_at_a_time_carries_that_time_and_those_bits() -> None:
    randomness = bytes(range(1, 11))
    made = ulid_at(1_700_000_000_123, randomness)
    assert ulid_milliseconds(made) == 1_700_000_000_123
    assert decode(made) & ((1 << 80) - 1) == int.from_bytes(randomness, "big")
    assert ulid_at(1_700_000_000_123) < made  # zeros: the smallest of its millisecond
    with pytest.raises(ValueError, match="48 bits"):
        ulid_at(1 << 48)
    with pytest.raises(ValueError, match="48 bits"):
        ulid_at(0, bytes(9))


@pytest.mark.parametrize(
    "text",
    ["", "0" * 25, "0" * 27, "8" + "0" * 25, "0" * 25 + "I", "0" * 25 + "U", "0" * 25 + "-"],
)
def test_text_that_is_not_a_ulid_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a ULID"):
        decode(text)
