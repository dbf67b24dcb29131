"""The matters list (事项清单) on a county's settings page: one row per category of incident,
the unit that handles it (the village, the township or one of the county's departments) and
in how many working days. Dispatch proposes the unit from it."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.configuration.views import save_settings_section
from grids.models import FindingCategory
from incidents.models import INCIDENT_CATEGORIES, MatterRule, UnitKind
from incidents.selectors import DEFAULT_WORKING_DAYS, departments_of_county
from incidents.services import MATTER_WORKING_DAYS_BOUNDS, matter_rules_set

SECTION = "matter_rules"


def field_name(category: str, part: str) -> str:
    return f"{category}-{part}"


class MatterRulesForm(forms.Form):
    """Per category: the unit kind, the department (its id; the service checks it is one of
    the county's) and the working days; a row left empty: the default applies."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = MATTER_WORKING_DAYS_BOUNDS
        for category in INCIDENT_CATEGORIES:
            label = FindingCategory(category).label
            self.fields[field_name(category, "unit_kind")] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", gettext_lazy("Default (the village)")), *UnitKind.choices],
            )
            self.fields[field_name(category, "department")] = forms.IntegerField(
                label=label, required=False, min_value=1
            )
            self.fields[field_name(category, "working_days")] = forms.IntegerField(
                label=label, required=False, min_value=low, max_value=high
            )

    def rules(self) -> dict:
        return {
            category: {
                part: self.cleaned_data[field_name(category, part)]
                for part in ("unit_kind", "department", "working_days")
            }
            for category in INCIDENT_CATEGORIES
        }


def render_section(request, county, form=None) -> str:
    current = {
        rule.category: rule
        for rule in MatterRule.objects.filter(county=county).select_related("department")
    }
    if form is None:
        initial = {}
        for category, rule in current.items():
            initial[field_name(category, "unit_kind")] = rule.unit_kind
            initial[field_name(category, "department")] = rule.department_id
            initial[field_name(category, "working_days")] = rule.working_days
        form = MatterRulesForm(initial=initial)
    departments = list(departments_of_county(county).select_related("area"))
    rows = []
    for category in INCIDENT_CATEGORIES:
        department_field = form[field_name(category, "department")]
        chosen = str(department_field.value() or "")
        rows.append(
            {
                "category": FindingCategory(category).label,
                "unit_kind": form[field_name(category, "unit_kind")],
                "department": department_field,
                "department_options": [
                    {
                        "value": str(d.pk),
                        "label": d.name if d.area_id == county.pk else f"{d.area.name} · {d.name}",
                        "selected": str(d.pk) == chosen,
                    }
                    for d in departments
                ],
                "working_days": form[field_name(category, "working_days")],
                "is_set": category in current,
            }
        )
    low, high = MATTER_WORKING_DAYS_BOUNDS
    return render_to_string(
        "incidents/partials/_matter_rules_settings.html",
        {
            "area": county,
            "rows": rows,
            "form": form,
            "default_days": DEFAULT_WORKING_DAYS,
            "low": low,
            "high": high,
        },
        request=request,
    )


@login_required
def matter_rules_settings(request, code):
    return save_settings_section(
        request,
        code,
        key=SECTION,
        form_class=MatterRulesForm,
        save=lambda *, actor, county, form: matter_rules_set(
            actor=actor, county=county, rules=form.rules()
        ),
        saved=_("The matters list is saved."),
    )


def matters_list_missing(county) -> str:
    """The administrator's home warns of a county without a matters list (事项清单)."""
    if MatterRule.objects.filter(county=county).exists():
        return ""
    return str(
        _("No matters list yet: every incident goes to its own village, in five working days.")
    )
