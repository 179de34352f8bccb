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
    if isinstance(queryset, Chain):
        return queryset.capped_count(cap)
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def rows_between(queryset, bottom, top, defer_from=None):
    """The rows bottom..top of an ordered queryset; past `defer_from` (DEFER_FROM) skipped
    rows, their keys first (walking only the ordering's index), then those rows with their joins."""
    if bottom < (DEFER_FROM if defer_from is None else defer_from):
        return list(queryset[bottom:top])
    keys = list(queryset.values_list("pk", flat=True)[bottom:top])
    rows = queryset.order_by().filter(pk__in=keys).in_bulk()
    return [rows[key] for key in keys if key in rows]


class Chain:
    """Ordered querysets read one after the other as one list: an order no index serves as a
    whole (the user list by status: the rare revoked, locked and locked-out accounts, then
    the active ones) read as parts that each walk an index (docs/adr/0014). Slicing counts
    only the parts it skips past (each capped), so a page costs a page whatever the table."""

    def __init__(self, parts):
        self.parts = list(parts)
        self._counts = {}

    def _count(self, n, cap=COUNT_CAP):
        if n not in self._counts:
            self._counts[n] = self.parts[n].order_by()[: cap + 1].count()
        return self._counts[n]

    def capped_count(self, cap=COUNT_CAP):
        total = 0
        for n in range(len(self.parts)):
            total += self._count(n, cap)
            if total > cap:
                return cap, True
        return total, False

    def __getitem__(self, window):
        if not isinstance(window, slice):
            raise TypeError("Chain supports slices only")
        skip, need = window.start or 0, window.stop - (window.start or 0)
        out = []
        for n, part in enumerate(self.parts):
            if need <= 0:
                break
            if skip:
                size = self._count(n)
                if skip >= size:
                    skip -= size
                    continue
            rows = rows_between(part, skip, skip + need)
            out += rows
            need -= len(rows)
            skip = 0
        return out


class CappedPaginator(Paginator):
    """A Paginator whose count (and so whose last page) stops at COUNT_CAP. defer_from=0:
    every page reads its keys first (a subtree's audit events: when the planner sorts the
    subtree's rows rather than walk the time index, it sorts them without their joins)."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *args, defer_from=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self._defer_from = defer_from

    @property
    def defer_from(self):
        return DEFER_FROM if self._defer_from is None else self._defer_from

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
        if bottom < self.defer_from or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_between(self.object_list, bottom, top, self.defer_from), number, self)


class KeysetPage:
    """One page of a list too long to count or to skip through (every unit of the country
    that owes a form, every report not sent): the rows after a key, in an order an index
    serves, and the key to ask for the next page (docs/adr/0014). `count` is what is known
    without reading the rows (stored counters), or None."""

    def __init__(self, rows, per_page, *, after="", key=None, count=None):
        self.has_next = len(rows) > per_page
        self.object_list = list(rows[:per_page])
        self.after = after
        self.next_after = key(self.object_list[-1]) if self.has_next and key else ""
        self.count = count

    @property
    def is_first(self):
        return not self.after

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)
