"""The working-day calendar page (/calendar/<year>/): a year's public holidays and make-up
working days, published (the `holidays` package) and entered (corrections), and the forms
that add and remove them. For an administrator of the whole city only: for anybody else the
page does not exist (404), as a county's settings page does not for those who do not
administer it."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.configuration.calendar import (
    NOTE_LENGTH,
    calendar_day_add,
    calendar_day_remove,
    calendar_years,
)
from governance.forms import ISODateInput
from governance.models import CalendarDay, CalendarDayKind
from governance.selectors import administers_every_area
from governance.workdays import package_year
from infra.errors import error_text

KIND_CHOICES = [
    (CalendarDayKind.HOLIDAY.value, CalendarDayKind.HOLIDAY.label),
    (CalendarDayKind.WORKDAY.value, CalendarDayKind.WORKDAY.label),
]


class CalendarDayAddForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), widget=ISODateInput())
    kind = forms.ChoiceField(label=gettext_lazy("Kind of day"), choices=KIND_CHOICES)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_LENGTH,
        help_text=gettext_lazy("Where it comes from, e.g. the State Council's notice."),
    )


class CalendarDayRemoveForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=KIND_CHOICES, widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=NOTE_LENGTH, required=False)


def _year_or_404(request, year: int) -> int:
    """`year` if the person administers the whole city and the year may be seen; else 404."""
    if not administers_every_area(user=request.user) or year not in calendar_years():
        raise Http404
    return year


def _rows(year: int) -> list[dict]:
    """Every date of `year` that the package or a correction names, in date order."""
    published = package_year(year)
    entered = {
        correction.day: correction
        for correction in CalendarDay.objects.filter(
            day__gte=date(year, 1, 1), day__lte=date(year, 12, 31)
        ).select_related("changed_by")
    }
    rows = []
    for day in sorted(set(published) | set(entered)):
        package_kind, name = published.get(day, (CalendarDayKind.ORDINARY, ""))
        correction = entered.get(day)
        kind = correction.kind if correction else package_kind
        rows.append(
            {
                "day": day,
                "weekday": date_format(day, "l"),
                "weekend": day.weekday() >= 5,
                "kind": kind,
                "kind_label": CalendarDayKind(kind).label,
                "published": CalendarDayKind(package_kind).label
                if package_kind != CalendarDayKind.ORDINARY
                else "",
                "name": name,
                "correction": correction,
                "removable": kind != CalendarDayKind.ORDINARY,
            }
        )
    return rows


def render_calendar_page(request, year: int, *, add_form=None, refusal: str = ""):
    rows = _rows(year)
    return render(
        request,
        "governance/working_calendar.html",
        {
            "year": year,
            "years": list(calendar_years()),
            "rows": rows,
            "holidays": sum(1 for row in rows if row["kind"] == CalendarDayKind.HOLIDAY),
            "make_up_days": sum(1 for row in rows if row["kind"] == CalendarDayKind.WORKDAY),
            "add_form": add_form or CalendarDayAddForm(),
            "refusal": refusal,
            "note_length": NOTE_LENGTH,
        },
    )


@login_required
def working_calendar_now(request):
    return redirect("working_calendar", year=_year_or_404(request, timezone.localdate().year))


@login_required
def working_calendar(request, year):
    year = _year_or_404(request, year)
    if request.method != "GET":
        return redirect("working_calendar", year=year)
    return render_calendar_page(request, year)


def _post(request, year: int, *, form_class, change, saved: str):
    year = _year_or_404(request, year)
    if request.method != "POST":
        return redirect("working_calendar", year=year)
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change(actor=request.user, day=data["day"], kind=data["kind"], note=data["note"])
        except (ValidationError, PermissionDenied) as error:
            refusal = error_text(error)
        else:
            messages.success(
                request,
                saved
                % {
                    "day": data["day"].isoformat(),
                    "kind": CalendarDayKind(data["kind"]).label,
                },
            )
            target = data["day"].year if data["day"].year in calendar_years() else year
            return redirect("working_calendar", year=target)
    else:
        refusal = " ".join(str(message) for errors in form.errors.values() for message in errors)
    add_form = form if form_class is CalendarDayAddForm else None
    if add_form is not None and not add_form.errors:
        add_form.add_error(None, refusal)
    return render_calendar_page(
        request, year, add_form=add_form, refusal="" if add_form is not None else refusal
    )


@login_required
def calendar_day_add_view(request, year):
    return _post(
        request,
        year,
        form_class=CalendarDayAddForm,
        change=calendar_day_add,
        saved=_("%(day)s is now a %(kind)s."),
    )


@login_required
def calendar_day_remove_view(request, year):
    return _post(
        request,
        year,
        form_class=CalendarDayRemoveForm,
        change=calendar_day_remove,
        saved=_("%(day)s is no longer a %(kind)s."),
    )
