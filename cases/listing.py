"""One page of a case list, newest first.

A township sees thousands of cases over a year and a county tens of thousands; a page shows
`PER_PAGE` of them and links to the next and the previous, as a clerk leafs through a register.
It asks for one row more than it shows to know whether a next page exists, so it never counts
the whole list (the status counts beside a list are a separate, grouped query).
"""

from dataclasses import dataclass

PER_PAGE = 50
# An offset past this many pages is refused as the last page: nobody leafs through 200 pages,
# and a hand-made ?page=10**9 must not make the database skip a billion rows.
MAX_PAGE = 200


@dataclass(frozen=True)
class ListPage:
    rows: list
    number: int
    has_next: bool
    # The list's other query parameters (its filter), for the links to the neighbouring pages.
    query: str

    # The names of Django's Page, so that one pager partial (templates/partials/_pager.html)
    # serves these lists and the paginated ones (the audit log, the notifications).
    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def page_number(value) -> int:
    """The page asked for: a whole number from 1 to MAX_PAGE; anything else is page 1 (a
    link's parameter, not a form: a wrong one shows the first page rather than an error)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def list_page(queryset, request, *, per_page: int = PER_PAGE) -> ListPage:
    """The page of `queryset` (already ordered) that `request` asks for with ?page=N."""
    number = page_number(request.GET.get("page"))
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return ListPage(
        rows=rows[:per_page],
        number=number,
        has_next=len(rows) > per_page,
        query=query.urlencode(),
    )
