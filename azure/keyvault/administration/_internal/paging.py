"""A pager that can be iterated more than once (sync)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TypeVar

from azure.core.paging import ItemPaged

ItemT = TypeVar("ItemT")


class ReiterableItemPaged(ItemPaged[ItemT]):
    """azure-core's ``ItemPaged``, except that every iteration (``for``, ``list()``) starts again from the first page.

    A plain ``ItemPaged`` is exhausted after one pass (a second ``for`` loop yields nothing); this one asks the
    service again. ``next()`` on the pager itself and ``by_page()`` behave as in azure-core.
    """

    def __iter__(self) -> Iterator[ItemT]:
        return itertools.chain.from_iterable(self.by_page())
