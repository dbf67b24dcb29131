import re

from django import forms
from django.utils.translation import gettext_lazy as _

from desk.models import MatterChannel
from governance.models import Area
from open311.services import MAX_REQUESTS_PER_MINUTE, MAX_RETURN_LIMIT_HOURS, SCOPE_LEVELS


class SourceIssueForm(forms.Form):
    """A new source system and its token: who it is, what it sends as, where it may send."""

    name = forms.CharField(label=_("Name"), max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), choices=MatterChannel.choices)
    area_codes = forms.CharField(
        label=_("Area codes it may send to"),
        max_length=2000,
        help_text=_("Codes of the city, counties or townships, separated by spaces or commas."),
    )
    callback_url = forms.URLField(
        label=_("Callback URL"), max_length=500, required=False, assume_scheme="https"
    )
    return_limit_hours = forms.IntegerField(
        label=_("Hours within which a work order may be returned"),
        min_value=1,
        max_value=MAX_RETURN_LIMIT_HOURS,
        initial=24,
    )
    requests_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=MAX_REQUESTS_PER_MINUTE, initial=60
    )

    def clean_area_codes(self):
        codes = [code for code in re.split(r"[\s,，、]+", self.cleaned_data["area_codes"]) if code]
        if not codes:
            raise forms.ValidationError(_("Name at least one area the system may send to."))
        found = {
            area.code: area
            for area in Area.objects.filter(code__in=codes[:200], level__in=SCOPE_LEVELS)
        }
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("Not a city, county or township code: %(codes)s")
                % {"codes": "、".join(code[:20] for code in unknown[:5])}
            )
        return [found[code] for code in dict.fromkeys(codes)]
