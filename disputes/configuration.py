"""The dispute settings on a county's settings page: the deadlines (one row per level and
kind, the default where no rule is set, and where each default comes from), and the days
after its end before a dispute of the county is revisited."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.models import (
    DEFAULT_DAYS,
    DEFAULT_REVISIT_AFTER_DAYS,
    LEVEL_ORDER,
    REVISIT_AFTER_BOUNDS,
    DeadlineRule,
    DisputeKind,
    Level,
    RevisitSetting,
)
from disputes.services import DEADLINE_BOUNDS, deadline_rules_set, revisit_setting_set
from governance.configuration.views import save_settings_section
from governance.selectors import administers_every_area

SECTION = "dispute_deadlines"
REVISIT_SECTION = "dispute_revisits"

# Where each level's default comes from. The one period the rules give is people's
# mediation's: "人民调解委员会调解纠纷，一般在一个月内调结" (人民调解工作若干规定, 司法部 2002);
# the Law on People's Mediation (人民调解法, 2010) sets none. A month is a calendar period, so
# every deadline is in calendar days; a period that ends on a day off ends on the next working
# day, as the civil code (民法典) counts periods. The grid's days are the portal's own.
MEDIATION_SOURCE = gettext_lazy(
    "人民调解工作若干规定 (司法部, 2002): 人民调解委员会调解纠纷，一般在一个月内调结 — "
    "one month, in calendar days"
)
DEFAULT_SOURCES = {
    Level.GRID: gettext_lazy(
        "Portal default, set by no rule: small matters are settled in the grid on the spot "
        "(微事不出网格)"
    ),
    Level.VILLAGE: MEDIATION_SOURCE,
    Level.TOWNSHIP: MEDIATION_SOURCE,
    Level.COUNTY: MEDIATION_SOURCE,
}
# What no table row shows: the two rules that override the days.
OTHER_SOURCES = [
    gettext_lazy(
        "An extension needs the parties' consent, recorded with it (一般在一个月内调结: longer "
        "only if the parties agree)."
    ),
    gettext_lazy(
        "A dispute a court refers for mediation (委派/委托调解) works to the deadline the court "
        "set, whatever its level."
    ),
]
REVISIT_SOURCE = gettext_lazy(
    "Portal default, set by no rule: the parties have had time to carry out the agreement."
)


def row_label(level: str, kind: str) -> str:
    return f"{Level(level).label} · {DisputeKind(kind).label if kind else _('Any kind')}"


def field_name(level: str, kind: str) -> str:
    return f"{level}-{kind or 'any'}"


ROWS = [(level, kind) for level in LEVEL_ORDER for kind in ["", *DisputeKind.values]]


class DeadlineRulesForm(forms.Form):
    """One number of days per level and kind; empty: no rule, the default applies."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = DEADLINE_BOUNDS
        for level, kind in ROWS:
            self.fields[field_name(level, kind)] = forms.IntegerField(
                label=row_label(level, kind),
                required=False,
                min_value=low,
                max_value=high,
            )

    def days(self) -> dict:
        return {(level, kind): self.cleaned_data[field_name(level, kind)] for level, kind in ROWS}


def _current() -> dict:
    return {(r.level, r.kind): r.days for r in DeadlineRule.objects.all()}


def render_section(request, county, form=None) -> str:
    current = _current()
    editable = administers_every_area(user=request.user)
    if editable and form is None:
        form = DeadlineRulesForm(
            initial={field_name(level, kind): days for (level, kind), days in current.items()}
        )
    rows = []
    for level, kind in ROWS:
        level_days = current.get((level, "")) or DEFAULT_DAYS[level]
        rows.append(
            {
                # The level heads its rows: named once, on its "any kind" row.
                "cells": [
                    Level(level).label if not kind else "",
                    DisputeKind(kind).label if kind else _("Any kind"),
                ],
                "emphasised": not kind,
                "max": DEADLINE_BOUNDS[1],
                "set": current.get((level, kind)),
                "default": DEFAULT_DAYS[level] if not kind else level_days,
                "source": DEFAULT_SOURCES[level]
                if not kind
                else _("As for any kind at this level"),
                "field": form[field_name(level, kind)] if editable else None,
            }
        )
    return render_to_string(
        "cases/partials/_days_settings.html",
        {
            "section": {
                "id": "dispute-deadlines",
                "testid": "settings-dispute-deadlines",
                "title": _("Dispute deadlines"),
                "help": _(
                    "Calendar days each level has to resolve a dispute, for any kind or for "
                    "one kind. Leave a box empty to use the default. For the whole city."
                ),
                "action": reverse("disputes:deadline_settings", args=[county.code]),
                "headings": [_("Level"), _("Kind")],
                "default_heading": _("Default"),
                "source_testid": "deadline-source",
                "submit": _("Save the deadlines"),
            },
            "rows": rows,
            "form": form,
            "editable": editable,
            "other_sources": OTHER_SOURCES,
        },
        request=request,
    )


@login_required
def deadline_settings(request, code):
    return save_settings_section(
        request,
        code,
        key=SECTION,
        form_class=DeadlineRulesForm,
        save=lambda *, actor, county, form: deadline_rules_set(actor=actor, days=form.days()),
        saved=_("The dispute deadlines are saved."),
        city_wide=True,
    )


class RevisitSettingForm(forms.Form):
    """The county's days after the end of a dispute before its revisit; empty: the default."""

    after_days = forms.IntegerField(
        label=gettext_lazy("Revisit after (days)"),
        required=False,
        min_value=REVISIT_AFTER_BOUNDS[0],
        max_value=REVISIT_AFTER_BOUNDS[1],
    )


def render_revisit_section(request, county, form=None) -> str:
    setting = RevisitSetting.objects.filter(county=county).first()
    if form is None:
        form = RevisitSettingForm(initial={"after_days": setting.after_days if setting else None})
    return render_to_string(
        "disputes/partials/_revisit_settings.html",
        {
            "area": county,
            "form": form,
            "current": setting.after_days if setting else None,
            "default": DEFAULT_REVISIT_AFTER_DAYS,
            "source": REVISIT_SOURCE,
            "low": REVISIT_AFTER_BOUNDS[0],
            "high": REVISIT_AFTER_BOUNDS[1],
        },
        request=request,
    )


def _save_revisit(*, actor, county, form):
    return revisit_setting_set(
        actor=actor, county=county, after_days=form.cleaned_data["after_days"]
    )


@login_required
def revisit_settings(request, code):
    return save_settings_section(
        request,
        code,
        key=REVISIT_SECTION,
        form_class=RevisitSettingForm,
        save=_save_revisit,
        saved=_("The revisit setting is saved."),
    )
