"""A pager that can be iterated more than once (async twin of ``paging``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

from azure.core.async_paging import AsyncItemPaged

ItemT = TypeVar("ItemT")


class ReiterableAsyncItemPaged(AsyncItemPaged[ItemT]):
    """azure-core's ``AsyncItemPaged``, except that every ``async for`` starts again from the first page.

    ``__anext__`` on the pager itself and ``by_page()`` behave as in azure-core.
    """

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return AsyncItemPaged(*self._args, page_iterator_class=self._page_iterator_class, **self._kwargs)
