"""The home page's parts that every kind of case shares (registered in CasesConfig.ready()):
the cases given to the person to handle, reddest first, and the now board's counts. Both read
the kinds and their lights through `cases.lights`, as the board and the lists do."""

from datetime import date

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.board import BOARD_LIMIT, light_counts, may_use_board, supervisions_visible_to
from cases.clocks import Light
from cases.lights import WATCHED, periods_for
from cases.models import WatchedKind
from governance.models import Role

# Who is given cases to handle (an assignment, or through their department).
HANDLER_ROLES = frozenset(
    {
        Role.MEDIATOR,
        Role.GRID_CHIEF,
        Role.VILLAGE_STAFF,
        Role.TOWNSHIP_STAFF,
        Role.DEPARTMENT_LIAISON,
    }
)
MY_CASES_LIMIT = 30
LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, None: 3}


def my_cases(user, periods, today: date) -> tuple[list[dict], int]:
    """The open cases of every kind given to `user` to handle, red first, then yellow, then
    by due date; and how many there are in all (the rows are the first MY_CASES_LIMIT)."""
    rows, total = [], 0
    for key, watched in WATCHED.items():
        if watched.assigned_to is None:
            continue
        mine = watched.assigned_to(user).filter(watched.clocks.open_q())
        total += mine.count()
        for obj in mine.select_related(*watched.related).order_by("pk")[:BOARD_LIMIT]:
            clock = watched.clocks.running(obj)
            rows.append(
                {
                    "key": key,
                    "kind": watched.label,
                    "number": str(getattr(obj, "number", "") or obj),
                    "url": watched.url(obj),
                    "area": watched.area(obj),
                    "clock": clock,
                    "light": periods.light(obj, on=today),
                }
            )
    rows.sort(
        key=lambda row: (
            LIGHT_ORDER.get(row["light"], 3),
            row["clock"].due if row["clock"] and row["clock"].due else date.max,
        )
    )
    return rows[:MY_CASES_LIMIT], total


def my_cases_panel(request) -> str:
    rows, total = my_cases(request.user, periods_for(request), timezone.localdate())
    return render_to_string(
        "cases/partials/_my_cases.html",
        {
            "rows": rows,
            "total": total,
            "more": total > len(rows),
            "lists": _assigned_lists(),
        },
        request=request,
    )


def _assigned_lists() -> list[dict]:
    """The case lists filtered to "assigned to me", for the panel's links."""
    links = []
    for url_name, key in (
        ("disputes:list", WatchedKind.DISPUTE),
        ("petitions:list", WatchedKind.PETITION),
        ("incidents:list", WatchedKind.INCIDENT),
    ):
        if key in WATCHED:
            links.append({"label": WatchedKind(key).label, "url": reverse(url_name) + "?mine=on"})
    return links


def board_panel(request) -> str:
    """The now board at a glance: red and yellow per kind, the open supervisions."""
    if not may_use_board(request.user):
        return ""
    counts = light_counts(request.user, periods_for(request), timezone.localdate())
    open_supervisions = (
        supervisions_visible_to(request.user).filter(answered_at__isnull=True).count()
    )
    return render_to_string(
        "cases/partials/_home_board.html",
        {"counts": counts, "open_supervisions": open_supervisions},
        request=request,
    )
