from django import forms
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from grids.models import FindingCategory, FindingStatus, Grid, Severity
from grids.photos import LONGEST_SIDE, MAX_PHOTOS, process_photo


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS images, each checked and re-encoded by `grids.photos`.

    The phone shrinks them first (static/js/outbox.js), to the size the portal keeps: a
    camera's photo of several MB would not get through a weak mobile link."""

    widget = MultiplePhotoInput(
        attrs={
            "accept": "image/*",
            "capture": "environment",
            "data-photo-longest-side": LONGEST_SIDE,
        }
    )

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(count)d photos.") % {"count": MAX_PHOTOS}, code="too_many"
            )
        return [process_photo(super(PhotosField, self).clean(f, initial)) for f in files]


def labelled_errors(form: forms.Form) -> list[str]:
    """Every error of `form` as a sentence that names its field, for answers without a page
    (the phone's outbox reads them as JSON)."""
    return [
        str(message)
        if name == NON_FIELD_ERRORS
        else _("%(field)s: %(message)s") % {"field": form[name].label, "message": message}
        for name, messages in form.errors.items()
        for message in messages
    ]


class HiddenFieldErrorsMixin:
    """The phone fills some fields itself (its key, the time, the place); they are hidden, so
    the page has nowhere to show their errors. Those are moved to the form's own errors,
    named, so that the worker is told why nothing was saved."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if field.widget.is_hidden and name in self._errors:
                for message in self._errors.pop(name):
                    self.add_error(
                        None,
                        _("%(field)s: %(message)s")
                        % {"field": self[name].label, "message": message},
                    )
        return cleaned


def coordinate_field(label, limit: int, *, hidden: bool = False) -> forms.DecimalField:
    """A latitude (limit 90) or longitude (limit 180), as the browser's geolocation gives it."""
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-limit,
        max_value=limit,
        widget=forms.HiddenInput if hidden else None,
    )


ACTION_NEEDED = _("Say what was done when a finding is handled on the spot.")


class FindingForm(HiddenFieldErrorsMixin, forms.Form):
    client_key = forms.UUIDField(label=_("Submission key"), widget=forms.HiddenInput)
    grid = forms.ModelChoiceField(queryset=Grid.objects.none(), label=_("Grid"))
    category = forms.ChoiceField(choices=FindingCategory.choices, label=_("Category"))
    severity = forms.ChoiceField(
        choices=Severity.choices, label=_("Severity"), initial=Severity.LOW
    )
    description = forms.CharField(
        label=_("What did you see?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Nothing chosen beforehand: most findings are not handled on the spot, and one marked so
    # by default would be refused for want of what was done.
    status = forms.ChoiceField(
        choices=FindingStatus.choices, label=_("Disposal"), widget=forms.RadioSelect
    )
    action_taken = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                # The phone checks this before it keeps the finding (static/js/outbox.js).
                "data-outbox-required-if": f"status={FindingStatus.HANDLED}",
                "data-outbox-required-message": ACTION_NEEDED,
            }
        ),
    )
    urgent = forms.BooleanField(
        label=_("Urgent: report to the township and county at once (重大事项直报)"),
        required=False,
    )
    photos = PhotosField(label=_("Photos (up to 6)"), required=False)
    found_at = forms.DateTimeField(label=_("Time found"), required=False, widget=forms.HiddenInput)
    latitude = coordinate_field(_("Latitude"), 90, hidden=True)
    longitude = coordinate_field(_("Longitude"), 180, hidden=True)

    def __init__(self, *args, grids, patrol=None, **kwargs):
        """`patrol`, the worker's patrol under way if any: its grid is the one chosen at
        first, as what is found on a patrol is found in its grid."""
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
        if patrol is not None:
            self.fields["grid"].initial = patrol.grid_id
            return
        only = list(grids[:2])
        if len(only) == 1:
            self.fields["grid"].initial = only[0].pk

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == FindingStatus.HANDLED
            and not (cleaned.get("action_taken") or "").strip()
        ):
            self.add_error("action_taken", ACTION_NEEDED)
        return cleaned


class LocationForm(forms.Form):
    """The browser's location, when the worker allowed it; both or neither."""

    latitude = coordinate_field(_("Latitude"), 90)
    longitude = coordinate_field(_("Longitude"), 180)

    def clean(self):
        cleaned = super().clean()
        if self.has_error("latitude") or self.has_error("longitude"):
            return cleaned  # already told what is wrong with it
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError(_("A location needs both latitude and longitude."))
        return cleaned


class FindingActionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["code", "name", "kind", "households", "population"]


class HandoverForm(forms.Form):
    leaving = forms.ModelChoiceField(queryset=None, label=_("Leaving"))
    successor = forms.ModelChoiceField(queryset=None, label=_("Successor"))

    def __init__(self, *args, team, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaving"].queryset = team
        self.fields["successor"].queryset = candidates
        label = lambda person: person.first_name or person.username  # noqa: E731
        self.fields["leaving"].label_from_instance = label
        self.fields["successor"].label_from_instance = label
