"""A paginator that stops counting: for tables that grow without end.

Django's Paginator counts every matching row to number the pages. The access
log grows by every read of every user (millions of rows a year at a large
unit), so counting a unit's whole log on each visit of the log page would
make the page slower every day. CappedPaginator counts at most `cap` rows
(`SELECT COUNT(*) FROM (… LIMIT cap + 1)`, which the database stops reading
at the limit) and reports `capped` when there are more: the page then says
"more than N rows" and offers the pages up to the cap; the filters (a date
range, a user, a client) narrow the search below it.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        """The number of rows, at most `cap`."""
        # Only the ids, unordered: the list's own annotations (per-row
        # subqueries) and ORDER BY would otherwise be computed for every
        # row counted.
        counted = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        self._over_cap = counted > self.cap
        return min(counted, self.cap)

    @property
    def capped(self) -> bool:
        """Whether more rows match than were counted."""
        self.count  # noqa: B018  (counting sets it)
        return self._over_cap
