"""The now board (/board/): what township and county staff must see at once, read live beside
the nightly dashboards. Red cases of every kind with a light, the count of red and yellow per
kind, the supervisions open (and lately answered) with their answers, and the panels the case
apps register for the board (red-risk and group disputes, urgent findings of the last 24
hours, repeat petitions). Each part is a fixed number of queries, whatever the rows."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.clocks import Light
from cases.levels import LEVEL_ROLES, works_above_level, works_at_level
from cases.lights import WATCHED, WarningPeriods, periods_for, watched_for
from cases.models import Supervision, SupervisionOrigin
from cases.panels import render_panels
from cases.supervision import (
    may_answer,
    may_instruct,
    supervision_answer,
    supervision_instruct,
)
from governance.models import Role
from governance.selectors import get_or_404_audited, jurisdiction_roots
from infra.errors import error_text

BOARD_ROLES = frozenset({Role.TOWNSHIP_STAFF, Role.COUNTY_OFFICIAL, Role.CITY_OFFICIAL})
BOARD_LIMIT = 50
# Answered supervisions stay on the board this long, so the level above reads the answer.
ANSWERED_SHOWN_DAYS = 7


def may_use_board(user) -> bool:
    return bool(jurisdiction_roots(user=user, roles=BOARD_ROLES))


def supervisions_visible_to(user):
    """The supervisions of the cases `user` sees: each kind's one rule decides."""
    condition = Q(pk__in=[])
    for key, watched in WATCHED.items():
        condition |= Q(kind=key, object_id__in=watched.visible_to(user).values("pk"))
    return Supervision.objects.filter(condition)


def red_cases(user, periods: WarningPeriods, today) -> list[dict]:
    rows = []
    for key, watched in WATCHED.items():
        red = (
            watched.visible_to(user)
            .filter(periods.light_q(key, Light.RED, on=today))
            .select_related(*watched.related)
            .order_by("pk")[:BOARD_LIMIT]
        )
        for obj in red:
            clock = watched.clocks.running(obj)
            rows.append(
                {
                    "kind": watched.label,
                    "number": str(getattr(obj, "number", "") or obj),
                    "url": watched.url(obj),
                    "area": watched.area(obj),
                    "level": watched.level_of(obj),
                    "clock": clock,
                    "light": Light.RED,
                }
            )
    rows.sort(key=lambda row: row["clock"].due)
    return rows[:BOARD_LIMIT]


def light_counts(user, periods: WarningPeriods, today) -> list[dict]:
    counts = []
    for key, watched in WATCHED.items():
        numbers = watched.visible_to(user).aggregate(
            red=Count("pk", filter=periods.light_q(key, Light.RED, on=today)),
            yellow=Count("pk", filter=periods.light_q(key, Light.YELLOW, on=today)),
        )
        counts.append({"kind": watched.label, **numbers})
    return counts


def board_supervisions(user, today) -> list[Supervision]:
    """The open supervisions, and those answered lately, of the cases `user` sees. Which of
    them the person instructs or answers is decided from their memberships alone (no query
    per row); the services check again."""
    since = timezone.now() - timedelta(days=ANSWERED_SHOWN_DAYS)
    rows = list(
        supervisions_visible_to(user)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__gte=since))
        .select_related("area", "area__parent", "instructed_by", "answered_by")
        .order_by("answered_at", "due_on", "pk")[:BOARD_LIMIT]
    )
    for supervision in rows:
        area = supervision.area
        supervision.may_instruct = supervision.answered_at is None and (
            works_at_level(user=user, area=area, level=supervision.level)
            or works_above_level(user=user, area=area, level=supervision.level)
        )
        supervision.may_answer = (
            supervision.answered_at is None
            and supervision.origin == SupervisionOrigin.RED_LIGHT
            and supervision.case_level in LEVEL_ROLES
            and works_at_level(user=user, area=area, level=supervision.case_level)
        )
        supervision.late = _late(supervision, today)
    return rows


def _late(supervision: Supervision, today) -> bool:
    """Open past its due date (a superior's own supervision has none)."""
    return (
        supervision.answered_at is None
        and supervision.due_on is not None
        and supervision.due_on < today
    )


def page_supervisions(request, case) -> list[Supervision]:
    """The supervisions shown on `case`'s page (one query, and the checks of who answers)."""
    watched = watched_for(case)
    if watched is None or request is None:
        return []
    user = request.user
    rows = list(
        Supervision.objects.filter(url=watched.url(case))
        .select_related("area", "instructed_by", "answered_by")
        .order_by("-opened_at", "-pk")
    )
    today = timezone.localdate()
    for supervision in rows:
        open_ = supervision.answered_at is None
        supervision.may_instruct = open_ and may_instruct(user=user, supervision=supervision)
        supervision.may_answer = open_ and may_answer(user=user, supervision=supervision)
        supervision.late = _late(supervision, today)
    return rows


@require_GET
@login_required
def board(request):
    if not may_use_board(request.user):
        raise Http404
    today = timezone.localdate()
    periods = periods_for(request)
    return render(
        request,
        "cases/board.html",
        {
            "today": today,
            "counts": light_counts(request.user, periods, today),
            "red": red_cases(request.user, periods, today),
            "supervisions": board_supervisions(request.user, today),
            "panels": render_panels("board", request, None),
            "now": timezone.localtime(),
        },
    )


def _supervision_or_404(request, pk) -> Supervision:
    return get_or_404_audited(
        supervisions_visible_to(request.user).select_related("area"),
        user=request.user,
        area_field="area",
        pk=pk,
    )


def _post(request, pk, write, field: str, saved: str):
    supervision = _supervision_or_404(request, pk)
    try:
        write(actor=request.user, supervision=supervision, text=request.POST.get(field, ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, saved)
    # From the case's page, back to it (the address the supervision keeps, never the post's).
    if request.POST.get("back") == "case":
        return redirect(supervision.url)
    return redirect("cases:board")


@require_POST
@login_required
def supervision_instruct_view(request, pk):
    return _post(
        request,
        pk,
        lambda *, actor, supervision, text: supervision_instruct(
            actor=actor, supervision=supervision, note=text
        ),
        "note",
        _("The instruction is sent."),
    )


@require_POST
@login_required
def supervision_answer_view(request, pk):
    return _post(
        request,
        pk,
        lambda *, actor, supervision, text: supervision_answer(
            actor=actor, supervision=supervision, answer=text
        ),
        "answer",
        _("The answer is sent."),
    )
