"""Resource ids are ULIDs: the `ulid` package reads them back with the time they were made."""

from __future__ import annotations

import time

from ulid import ULID

from kanri.core.ids import encode, looks_like_id, new_id, ulid


def test_an_id_is_a_prefix_and_a_ulid_of_the_current_millisecond() -> None:
    before = int(time.time() * 1000)
    made = new_id("run")
    after = int(time.time() * 1000)
    prefix, body = made.split("_")
    assert prefix == "run"
    assert str(ULID.from_str(body)) == body
    assert before <= ULID.from_str(body).milliseconds <= after
    assert looks_like_id(made, "run")
    assert not looks_like_id(made, "apr")


def test_ids_sort_in_the_order_they_were_made_even_within_a_millisecond() -> None:
    made = []
    for _ in range(5):
        made += [ulid() for _ in range(1000)]
        time.sleep(0.002)
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    stamps = [ULID.from_str(u).milliseconds for u in made]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) > 1  # several milliseconds: the random part is drawn again


def test_ids_made_by_several_threads_at_once_are_all_different() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        batches = list(pool.map(lambda _: [ulid() for _ in range(2000)], range(4)))
    made = [u for batch in batches for u in batch]
    assert len(set(made)) == len(made)
    assert all(batch == sorted(batch) for batch in batches)


def test_the_encoding_is_the_ulid_packages_for_every_bit_pattern() -> None:
    values = [0, 1, (1 << 128) - 1, 1 << 80, ((1 << 48) - 1) << 80, 0x0123456789ABCDEF << 40]
    values += [1 << bit for bit in range(128)]
    for value in values:
        assert encode(value) == str(ULID.from_int(value))
