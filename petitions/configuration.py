"""The petition clocks on a county's settings page: the periods of the 信访工作条例, which an
administrator of the whole city may shorten, never lengthen."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.configuration.views import (
    save_settings_section,
)
from governance.selectors import administers_every_area
from petitions.models import CLOCK_LABELS, CLOCK_SOURCES, DEFAULT_CLOCK_DAYS, PetitionClock
from petitions.services import petition_clocks_set

SECTION = "petition_clocks"


class PetitionClocksForm(forms.Form):
    """One number of days per clock; empty: the statute's period."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, default in DEFAULT_CLOCK_DAYS.items():
            self.fields[name] = forms.IntegerField(
                label=CLOCK_LABELS[name], required=False, min_value=1, max_value=default
            )


def render_section(request, county, form=None) -> str:
    current = dict(PetitionClock.objects.values_list("name", "days"))
    editable = administers_every_area(user=request.user)
    if editable and form is None:
        form = PetitionClocksForm(initial=current)
    rows = [
        {
            "cells": [CLOCK_LABELS[name]],
            # A clock may be shortened, never lengthened.
            "max": default,
            "set": current.get(name),
            "default": default,
            "source": CLOCK_SOURCES[name],
            "field": form[name] if editable else None,
        }
        for name, default in DEFAULT_CLOCK_DAYS.items()
    ]
    return render_to_string(
        "cases/partials/_days_settings.html",
        {
            "section": {
                "id": "petition-clocks",
                "testid": "settings-petition-clocks",
                "title": _("Petition clocks"),
                "help": _(
                    "Days, counted as calendar days; a period that ends on a day off ends on the "
                    "next working day. The periods of the 信访工作条例 are the longest allowed: a "
                    "clock may be shortened, never lengthened. Leave a box empty to use the "
                    "statute's period. For the whole city."
                ),
                "action": reverse("petitions:clock_settings", args=[county.code]),
                "headings": [_("Clock")],
                "default_heading": _("Statute"),
                "submit": _("Save the clocks"),
            },
            "rows": rows,
            "form": form,
            "editable": editable,
        },
        request=request,
    )


@login_required
def clock_settings(request, code):
    return save_settings_section(
        request,
        code,
        key=SECTION,
        form_class=PetitionClocksForm,
        save=lambda *, actor, county, form: petition_clocks_set(
            actor=actor, days={name: form.cleaned_data[name] for name in DEFAULT_CLOCK_DAYS}
        ),
        saved=_("The petition clocks are saved."),
        city_wide=True,
    )
