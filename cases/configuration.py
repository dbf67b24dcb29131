"""The warning periods on a county's settings page: per kind of case, how many working days
before the due date its light turns yellow. The county's own setting; audited."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cases.lights import DEFAULT_WARNING_DAYS, WARNING_DAYS_BOUNDS
from cases.models import LightRule, WatchedKind
from governance.configuration.services import (
    audit_setting_change,
    require_county_administrator,
    whole_number,
)
from governance.configuration.views import save_settings_section

SECTION = "warning_lights"


def light_rules_set(*, actor, county, working_days: dict) -> int:
    """Set `county`'s warning period per kind of case: `working_days` maps a kind
    (`WatchedKind`) to a number of working days, or to None to drop the county's own value
    (the default applies again). `actor` must administer the county. All or nothing; each
    change audited with its old and new value. Returns how many changed."""
    require_county_administrator(actor=actor, county=county)
    low, high = WARNING_DAYS_BOUNDS
    clean, problems = {}, []
    for kind, value in working_days.items():
        if kind not in WatchedKind.values:
            problems.append(_("Unknown kind of case."))
            continue
        if value is None:
            clean[kind] = None
            continue
        try:
            clean[kind] = whole_number(value, low=low, high=high, label=WatchedKind(kind).label)
        except forms.ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise forms.ValidationError(problems, code="invalid_warning_days")
    changed = 0
    with transaction.atomic():
        current = {
            rule.kind: rule for rule in LightRule.objects.select_for_update().filter(county=county)
        }
        for kind, value in clean.items():
            rule = current.get(kind)
            old = rule.working_days if rule else None
            if old == value:
                continue
            if value is None:
                rule.delete()
            elif rule is None:
                LightRule.objects.create(county=county, kind=kind, working_days=value)
            else:
                rule.working_days = value
                rule.save(update_fields=["working_days"])
            audit_setting_change(
                actor=actor,
                area=county,
                setting="warning_days",
                key=f"{county.code}/{kind}",
                old=old,
                new=value,
                default=DEFAULT_WARNING_DAYS,
            )
            changed += 1
    return changed


class LightRulesForm(forms.Form):
    """One number per kind of case; empty: the default applies."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = WARNING_DAYS_BOUNDS
        for kind, label in WatchedKind.choices:
            self.fields[kind] = forms.IntegerField(
                label=label, required=False, min_value=low, max_value=high
            )

    def working_days(self) -> dict:
        return {kind: self.cleaned_data[kind] for kind in WatchedKind.values}


def render_section(request, county, form=None) -> str:
    current = dict(LightRule.objects.filter(county=county).values_list("kind", "working_days"))
    if form is None:
        form = LightRulesForm(initial=current)
    rows = [
        {"label": label, "field": form[kind], "set": current.get(kind)}
        for kind, label in WatchedKind.choices
    ]
    return render_to_string(
        "cases/partials/_light_settings.html",
        {
            "area": county,
            "rows": rows,
            "form": form,
            "default": DEFAULT_WARNING_DAYS,
            "low": WARNING_DAYS_BOUNDS[0],
            "high": WARNING_DAYS_BOUNDS[1],
        },
        request=request,
    )


@login_required
def light_settings(request, code):
    return save_settings_section(
        request,
        code,
        key=SECTION,
        form_class=LightRulesForm,
        save=lambda *, actor, county, form: light_rules_set(
            actor=actor, county=county, working_days=form.working_days()
        ),
        saved=_("The warning periods are saved."),
    )
