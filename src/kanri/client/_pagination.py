"""Lists that page for the caller: iterate for items, `.pages()` for page-at-a-time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its items, the token of the next (None on the last), the total if asked."""

    data: list[T]
    next_page_token: str | None
    total_size: int | None = None


class SyncPager(Generic[T]):
    """`for item in pager` walks every page; `pager.pages()` yields them one at a time."""

    def __init__(self, fetch: Callable[[str | None], Page[T]]) -> None:
        self._fetch = fetch

    def pages(self) -> Iterator[Page[T]]:
        token: str | None = None
        while True:
            page = self._fetch(token)
            yield page
            if not page.next_page_token:
                return
            token = page.next_page_token

    def first_page(self) -> Page[T]:
        return self._fetch(None)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data


class AsyncPager(Generic[T]):
    """`async for item in pager` walks every page; `pager.pages()` yields them one at a time."""

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[T]]]) -> None:
        self._fetch = fetch

    async def pages(self) -> AsyncIterator[Page[T]]:
        token: str | None = None
        while True:
            page = await self._fetch(token)
            yield page
            if not page.next_page_token:
                return
            token = page.next_page_token

    async def first_page(self) -> Page[T]:
        return await self._fetch(None)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item
