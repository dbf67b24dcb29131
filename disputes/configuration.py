"""The dispute deadlines on a county's settings page: one row per level and kind, the
default where no rule is set, and where each default comes from."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.models import DEFAULT_WORKING_DAYS, LEVEL_ORDER, DeadlineRule, DisputeKind, Level
from disputes.services import DEADLINE_BOUNDS, deadline_rules_set
from governance.configuration.views import (
    save_settings_section,
)
from governance.selectors import administers_every_area

SECTION = "dispute_deadlines"

# Where each level's default comes from. The levels' own periods are the portal's defaults,
# after "微事不出网格、小事不出村居、大事不出乡镇"; the one period in the rules is people's
# mediation's "一般在一个月内调结".
DEFAULT_SOURCES = {
    Level.GRID: gettext_lazy("Portal default: small matters stay in the grid (微事不出网格)"),
    Level.VILLAGE: gettext_lazy("Portal default: minor matters stay in the village (小事不出村居)"),
    Level.TOWNSHIP: gettext_lazy(
        "Portal default: major matters stay in the township (大事不出乡镇); people's "
        "mediation: 一般在一个月内调结 (人民调解工作若干规定)"
    ),
    Level.COUNTY: gettext_lazy(
        "Portal default; people's mediation: 一般在一个月内调结 (人民调解工作若干规定)"
    ),
}


def row_label(level: str, kind: str) -> str:
    return f"{Level(level).label} · {DisputeKind(kind).label if kind else _('Any kind')}"


def field_name(level: str, kind: str) -> str:
    return f"{level}-{kind or 'any'}"


ROWS = [(level, kind) for level in LEVEL_ORDER for kind in ["", *DisputeKind.values]]


class DeadlineRulesForm(forms.Form):
    """One number per level and kind; empty: no rule, the default applies."""

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

    def working_days(self) -> dict:
        return {(level, kind): self.cleaned_data[field_name(level, kind)] for level, kind in ROWS}


def _current() -> dict:
    return {(r.level, r.kind): r.working_days for r in DeadlineRule.objects.all()}


def render_section(request, county, form=None) -> str:
    current = _current()
    editable = administers_every_area(user=request.user)
    if editable and form is None:
        form = DeadlineRulesForm(
            initial={field_name(level, kind): days for (level, kind), days in current.items()}
        )
    rows = []
    for level, kind in ROWS:
        level_days = current.get((level, "")) or DEFAULT_WORKING_DAYS[level]
        rows.append(
            {
                "level": Level(level).label,
                "kind": DisputeKind(kind).label if kind else _("Any kind"),
                "any_kind": not kind,
                "set": current.get((level, kind)),
                "default": DEFAULT_WORKING_DAYS[level] if not kind else level_days,
                "source": DEFAULT_SOURCES[level]
                if not kind
                else _("As for any kind at this level"),
                "field": form[field_name(level, kind)] if editable else None,
            }
        )
    return render_to_string(
        "disputes/partials/_deadline_settings.html",
        {"area": county, "rows": rows, "form": form, "editable": editable},
        request=request,
    )


@login_required
def deadline_settings(request, code):
    return save_settings_section(
        request,
        code,
        key=SECTION,
        form_class=DeadlineRulesForm,
        save=lambda *, actor, county, form: deadline_rules_set(
            actor=actor, working_days=form.working_days()
        ),
        saved=_("The dispute deadlines are saved."),
        city_wide=True,
    )
