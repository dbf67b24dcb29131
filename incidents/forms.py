import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.forms import HiddenFieldErrorsMixin, PhotosField
from incidents.models import UnitKind
from incidents.selectors import departments_for, proposed_unit


def long_text(label, max_length, *, rows=3, required=True):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VersionedForm(forms.Form):
    """Carries the version of the incident the form was drawn from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, user=None, incident=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if incident is not None:
            initial.setdefault("version", incident.version)
        super().__init__(*args, initial=initial, **kwargs)
        self.user = user
        self.incident = incident


class DispatchForm(VersionedForm):
    unit_kind = forms.ChoiceField(choices=UnitKind.choices, label=_("Handling unit"))
    department = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Department"),
        help_text=_("Only when the unit is a department."),
    )
    reason = long_text(
        _("Reason for another unit than the matters list proposes"), 1000, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(self.incident)
        unit_kind, department, _days = proposed_unit(self.incident)
        self.fields["unit_kind"].initial = unit_kind
        self.fields["department"].initial = department.pk if department else None

    def clean(self):
        data = super().clean()
        if data.get("unit_kind") == UnitKind.DEPARTMENT and not data.get("department"):
            self.add_error("department", _("Choose the department."))
        return data


class ReasonForm(VersionedForm):
    reason = long_text(_("Reason"), 1000)


class HandleForm(VersionedForm):
    what_was_done = long_text(_("What was done"), 2000)
    photos = PhotosField(label=_("Photos (up to 6)"), required=False)


class CheckForm(VersionedForm):
    passed = forms.TypedChoiceField(
        label=_("Result of the check"),
        choices=[("yes", _("Passed: close it")), ("no", _("Failed: do it again"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = long_text(_("What is still wrong"), 1000, required=False)
    photos = PhotosField(
        label=_("Photos of what is still wrong"),
        required=False,
        help_text=_("Needed when the check fails."),
    )

    def clean(self):
        data = super().clean()
        if data.get("passed") is False:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say what is still wrong."))
            if not data.get("photos") and not self.has_error("photos"):
                self.add_error("photos", _("Take a photo of what is still wrong."))
        return data


class PhoneCheckForm(HiddenFieldErrorsMixin, CheckForm):
    """The check on the worker's phone, sent through the outbox: its key, made by the phone
    before the first try, records it once however often it is sent."""

    # A fresh key with each page, for a phone without JavaScript; the outbox makes its own.
    client_key = forms.UUIDField(
        label=_("Submission key"), widget=forms.HiddenInput, initial=uuid.uuid4
    )
