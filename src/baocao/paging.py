"""List pages at national size (docs/adr/0009): counts stop at a cap, and so do the pages.

Counting every row a national administrator may see (100,000 accounts, millions of audit
events) costs more than the page itself. A list counts at most COUNT_CAP rows; beyond, it
says "more than COUNT_CAP" and offers the first COUNT_CAP / page size pages, each served by
an index in constant time (a deeper page would be a longer walk: narrow the search instead).
"""
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def capped_count(queryset, cap=COUNT_CAP):
    """(count, capped): the number of rows, at most `cap`, and whether there are more."""
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


class CappedPaginator(Paginator):
    """A Paginator whose count (and so whose last page) stops at COUNT_CAP."""

    cap = COUNT_CAP

    @cached_property
    def _capped_count(self):
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self):
        return self._capped_count[0]

    @property
    def capped(self):
        """True when there are more rows than the count says."""
        return self._capped_count[1]
