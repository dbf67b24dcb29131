"""The area picker: a filter's area chosen by typing its name, not its 12-digit division code.

The form field still holds the code (what the filters match on); the widget shows a search
box beside it, and static/js/area_picker.js asks `area_search` for the areas of the person's
jurisdiction whose name holds what was typed.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from governance.models import Area, AreaLevel
from governance.selectors import areas_matching
from infra.middleware import CONTROL_CHARACTERS

SEARCH_MAX_LENGTH = 50


def area_path(area: Area) -> str:
    """The area with the two levels above it (a village with its county and township), as
    the picker lists it: names repeat across townships, their paths do not."""
    names = [area.name]
    parent = area.parent  # both levels come with the area (areas_matching), nothing more
    if parent is not None and parent.level != AreaLevel.CITY:
        names.insert(0, parent.name)
        grandparent = parent.parent
        if grandparent is not None and grandparent.level != AreaLevel.CITY:
            names.insert(0, grandparent.name)
    return " · ".join(names)


class AreaSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH, strip=True)

    def clean_q(self):
        text = self.cleaned_data["q"]
        if CONTROL_CHARACTERS.search(text):
            raise forms.ValidationError(
                _(
                    "What you sent contains invisible control characters (usually brought in "
                    "by copying and pasting). Remove them and send it again."
                )
            )
        return text


@require_GET
@login_required
def area_search(request):
    """The areas of the person's jurisdiction matching ?q= (a name, or the start of a code),
    as JSON for the picker. Nothing outside the jurisdiction is ever listed."""
    form = AreaSearchForm(request.GET)
    if not form.is_valid():
        errors = [message for messages in form.errors.values() for message in messages]
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    areas = areas_matching(user=request.user, text=form.cleaned_data["q"])
    return JsonResponse(
        {
            "ok": True,
            "areas": [
                {
                    "code": area.code,
                    "name": area.name,
                    "path": area_path(area),
                    "level": area.get_level_display(),
                }
                for area in areas
            ],
        }
    )


class AreaPickerInput(forms.TextInput):
    """A form field's area code, chosen in a search box by name (area_picker.js).

    The field's own input is hidden and keeps the code; the search box gets the field's id,
    so the field's label names it. Without the script the box does nothing and the filter
    keeps whatever code it had."""

    placeholder = gettext_lazy("Type a name")

    @property
    def media(self):
        return forms.Media(js=[forms.Script("js/area_picker.js", defer=True)])

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        box_id = attrs.get("id") or f"id_{name}"
        return format_html(
            '<div class="area-picker" data-area-picker data-search-url="{url}"'
            ' data-no-match="{no_match}" data-choose="{choose}" data-failed="{failed}">'
            '<input type="hidden" name="{name}" value="{value}" data-area-code>'
            '<input type="search" id="{box_id}" class="{css}" autocomplete="off"'
            ' placeholder="{placeholder}" role="combobox" aria-autocomplete="list"'
            ' aria-expanded="false" aria-controls="{box_id}-options"'
            ' aria-describedby="{box_id}-hint" data-area-box>'
            '<ul class="list-group area-picker-options" id="{box_id}-options" role="listbox"'
            " hidden></ul>"
            '<div class="form-text" id="{box_id}-hint" data-area-hint aria-live="polite"></div>'
            "</div>",
            url=reverse("area_search"),
            no_match=_("No area of yours has this name."),
            choose=_("Choose an area from the list, or clear the box."),
            failed=_("The areas could not be searched; try again."),
            name=name,
            value=self.format_value(value) or "",
            box_id=box_id,
            css=attrs.get("class") or "form-control",
            placeholder=self.placeholder,
        )
