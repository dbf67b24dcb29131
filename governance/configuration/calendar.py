"""Corrections of the working-day calendar: an administrator of the whole city adds or removes
a public holiday or a make-up working day (调休上班) on a date, over what the `holidays`
package publishes. The calendar holds for every county, so only the city's administrator may
change it. Each change is checked (nothing is written when it is refused) and audited with
the date's kind before and after and the package's own.

A date keeps at most one correction, and none where it would only repeat the package: adding
back a published holiday that was removed drops the correction instead of storing a copy.
Deadlines already computed are stored dates and stay as they are; the next ones count with
the correction (`governance.workdays`)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.configuration.services import (
    audit_setting_change,
    city_area,
    require_city_administrator,
)
from governance.models import CalendarDay, CalendarDayKind
from governance.workdays import day_kind, forget_corrections, package_kind

NOTE_LENGTH = 200
# What can be added or removed (an ordinary day is what is left when a date is neither).
CHANGEABLE = (CalendarDayKind.HOLIDAY, CalendarDayKind.WORKDAY)


def calendar_years(today: date | None = None) -> range:
    """The years whose calendar may be seen and corrected: last year (a correction may still
    matter to periods running), this year and next year (published in the autumn)."""
    today = today or timezone.localdate()
    return range(today.year - 1, today.year + 2)


def _check_date(day) -> date:
    if not isinstance(day, date):
        raise ValidationError(_("Enter a valid date."), code="invalid_date")
    years = calendar_years()
    if day.year not in years:
        raise ValidationError(
            _("The calendar can be corrected from %(first)s to %(last)s only.")
            % {
                "first": date(years[0], 1, 1).isoformat(),
                "last": date(years[-1], 12, 31).isoformat(),
            },
            code="date_out_of_range",
        )
    return day


def _check_kind(kind) -> str:
    if kind not in CHANGEABLE:
        raise ValidationError(
            _("Choose a public holiday or a make-up working day."), code="unknown_kind"
        )
    return kind


def _check_note(note, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError(
            _("Say where the change comes from (for example the State Council's notice)."),
            code="note_required",
        )
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            _("The note may be at most %(length)d characters.") % {"length": NOTE_LENGTH},
            code="note_too_long",
        )
    return note


def _kind_label(kind: str) -> str:
    return str(CalendarDayKind(kind).label)


def _set(*, actor, day: date, old: str, new: str, note: str) -> None:
    """Make `day` of kind `new` (it was `old`): store a correction, or drop it where the
    package already says `new`; then audit and drop the cached corrections."""
    published = package_kind(day)
    try:
        with transaction.atomic():
            CalendarDay.objects.filter(day=day).delete()
            if new != published:
                CalendarDay.objects.create(
                    day=day, kind=new, note=note, changed_by=actor, changed_at=timezone.now()
                )
    except IntegrityError as error:
        raise ValidationError(
            _("Someone else changed this date at the same moment. Look at the calendar again."),
            code="changed_meanwhile",
        ) from error
    audit_setting_change(
        actor=actor,
        area=city_area(),
        setting="working_calendar",
        key=day.isoformat(),
        old=old,
        new=new,
        default=published,
        note=note,
    )
    forget_corrections()


def calendar_day_add(*, actor, day: date, kind: str, note: str) -> None:
    """Make `day` a public holiday (not a working day) or a make-up working day (a Saturday or
    Sunday that is worked). Refused when the date is out of range, already of that kind, or
    (a make-up day) not a weekend day; `note` (where it comes from) is required."""
    require_city_administrator(actor=actor)
    day, kind = _check_date(day), _check_kind(kind)
    note = _check_note(note, required=True)
    if kind == CalendarDayKind.WORKDAY and day.weekday() < 5:
        raise ValidationError(
            _(
                "%(day)s is a weekday: a make-up working day is a Saturday or Sunday that is "
                "worked. To work on a weekday holiday, remove the holiday."
            )
            % {"day": day.isoformat()},
            code="make_up_on_weekday",
        )
    with transaction.atomic():
        # One change of the calendar at a time: the check and the write see the same state.
        list(CalendarDay.objects.select_for_update().filter(day=day))
        old = day_kind(day, dict(CalendarDay.objects.filter(day=day).values_list("day", "kind")))
        if old == kind:
            raise ValidationError(
                _("%(day)s is already a %(kind)s.")
                % {"day": day.isoformat(), "kind": _kind_label(kind)},
                code="duplicate",
            )
        _set(actor=actor, day=day, old=old, new=kind, note=note)


def calendar_day_remove(*, actor, day: date, kind: str, note: str = "") -> None:
    """Take the public holiday or make-up working day off `day` (published or entered): it is
    an ordinary weekday or weekend day again. Refused when the date is out of range or is not
    of that kind."""
    require_city_administrator(actor=actor)
    day, kind = _check_date(day), _check_kind(kind)
    note = _check_note(note, required=False)
    with transaction.atomic():
        list(CalendarDay.objects.select_for_update().filter(day=day))
        old = day_kind(day, dict(CalendarDay.objects.filter(day=day).values_list("day", "kind")))
        if old != kind:
            raise ValidationError(
                _("%(day)s is not a %(kind)s: there is nothing to remove.")
                % {"day": day.isoformat(), "kind": _kind_label(kind)},
                code="not_there",
            )
        _set(actor=actor, day=day, old=old, new=CalendarDayKind.ORDINARY, note=note)
