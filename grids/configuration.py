"""The patrol target on a county's settings page: the county's own ("一日三巡")."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.configuration.views import (
    save_settings_section,
)
from grids.models import DEFAULT_PATROLS_PER_DAY, PatrolTarget
from grids.services import PATROL_TARGET_BOUNDS, patrol_target_set

SECTION = "patrol_target"


class PatrolTargetForm(forms.Form):
    per_day = forms.IntegerField(
        label=gettext_lazy("Patrols per grid per day"),
        min_value=PATROL_TARGET_BOUNDS[0],
        max_value=PATROL_TARGET_BOUNDS[1],
    )


def render_section(request, county, form=None) -> str:
    current = PatrolTarget.objects.filter(county=county).values_list("per_day", flat=True).first()
    if form is None:
        form = PatrolTargetForm(
            initial={"per_day": current if current is not None else DEFAULT_PATROLS_PER_DAY}
        )
    return render_to_string(
        "grids/partials/_patrol_target_settings.html",
        {"area": county, "form": form, "current": current, "default": DEFAULT_PATROLS_PER_DAY},
        request=request,
    )


@login_required
def patrol_target_settings(request, code):
    return save_settings_section(
        request,
        code,
        key=SECTION,
        form_class=PatrolTargetForm,
        save=lambda *, actor, county, form: patrol_target_set(
            actor=actor, county=county, per_day=form.cleaned_data["per_day"]
        ),
        saved=_("The patrol target is saved."),
    )
