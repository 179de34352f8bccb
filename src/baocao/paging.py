"""List pages at national size (docs/adr/0009): counts stop at a cap, and so do the pages.

Counting every row a national administrator may see (100,000 accounts, millions of audit
events) costs more than the page itself. A list counts at most COUNT_CAP rows; beyond, it
says "more than COUNT_CAP" and offers the first COUNT_CAP / page size pages, each served by
an index in constant time (a deeper page would be a longer walk: narrow the search instead).

A deep page is read in two steps (a "deferred join"): the keys of its rows first, walking
only the ordering's index past the rows before it, then those rows with their joins. Read
in one step, every skipped row would be joined too (a unit per account, 9,950 of them on
page 200).
"""
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000
# From this many rows skipped, a page reads its keys first.
DEFER_FROM = 500


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

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEFER_FROM or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.order_by().filter(pk__in=keys).in_bulk()
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
