"""Resource ids: ULIDs that other ULID readers read back, in time order."""

from __future__ import annotations

import time

from ulid import ULID

from kanri.core.ids import looks_like_id, new_id, ulid


def test_ids_are_ulids_carrying_the_time_they_were_made() -> None:
    before = time.time()
    made = [ulid() for _ in range(2000)]
    after = time.time()
    for text in made:
        parsed = ULID.from_str(text)
        assert str(parsed) == text
        assert before - 0.001 <= parsed.timestamp <= after + 0.001
    assert len(set(made)) == len(made)
    assert looks_like_id(new_id("rec"), "rec")
    assert not looks_like_id(new_id("rec"), "run")


def test_ids_made_a_millisecond_apart_sort_in_time_order() -> None:
    first = ulid()
    time.sleep(0.002)
    assert ulid()[:10] > first[:10]
