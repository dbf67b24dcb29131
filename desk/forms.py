"""The desk's forms: intake, classification, the public reply, and the resident's query."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.identity import clean_phone
from desk.models import MATTER_AREA_LEVELS, MatterChannel, MatterKind, MatterStatus, desk_roles
from disputes.attachments import check_attachment
from disputes.models import DisputeKind
from disputes.services.intake import clean_court_referral
from governance.forms import ISODateInput
from governance.models import Area
from grids.models import FindingCategory, Severity
from incidents.models import INCIDENT_CATEGORIES

MAX_ATTACHMENTS = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Photos or PDFs, each checked as a dispute's evidence is (`disputes.attachments`)."""

    widget = MultipleFileInput(attrs={"accept": "image/*,application/pdf"})

    def clean(self, data, initial=None):
        files = list(data) if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("At most %(count)d attachments per matter.") % {"count": MAX_ATTACHMENTS}
            )
        for upload in files:
            check_attachment(upload)
            upload.seek(0)
        return files


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return f"{area.parent.name} · {area.name}" if area.parent_id else area.name


def desk_areas(user):
    """The villages, communities and townships `user` staffs the desk for."""
    return (
        Area.objects.visible_to(user, roles=desk_roles())
        .filter(level__in=MATTER_AREA_LEVELS)
        .select_related("parent")
        .order_by("code")
    )


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(
        choices=MatterChannel.choices, label=_("Channel"), initial=MatterChannel.WALK_IN
    )
    area = AreaChoiceField(queryset=None, label=_("Where"), to_field_name="code")
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    subject = forms.CharField(label=_("What it is about"), max_length=100)
    description = forms.CharField(label=_("Details"), max_length=5000, widget=forms.Textarea)
    requester_name = forms.CharField(label=_("Who (name)"), max_length=50, required=False)
    requester_phone = forms.CharField(
        label=_("How to reach them (phone)"), max_length=20, required=False
    )
    attachments = AttachmentsField(label=_("Attachments (photos or PDF)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = desk_areas(user)

    def clean_requester_phone(self):
        return clean_phone(self.cleaned_data["requester_phone"])


CLASSIFY_KINDS = [(k, label) for k, label in MatterKind.choices if k != MatterKind.PENDING]


class ClassifyForm(forms.Form):
    kind = forms.ChoiceField(choices=CLASSIFY_KINDS, label=_("Kind of matter"))
    reply = forms.CharField(
        label=_("Answer given (consultation)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dispute_kind = forms.ChoiceField(
        choices=[("", "---------"), *DisputeKind.choices],
        label=_("Kind of dispute"),
        required=False,
    )
    respondent_name = forms.CharField(
        label=_("The other party (dispute)"), max_length=50, required=False
    )
    people_involved = forms.IntegerField(
        label=_("People involved"), min_value=1, max_value=10000, required=False
    )
    court_name = forms.CharField(label=_("Referring court"), max_length=100, required=False)
    court_case_number = forms.CharField(label=_("Court case number"), max_length=64, required=False)
    court_due_on = forms.DateField(
        label=_("Court's deadline"), required=False, widget=ISODateInput()
    )
    category = forms.ChoiceField(
        choices=[("", "---------")]
        + [(c, label) for c, label in FindingCategory.choices if c in INCIDENT_CATEGORIES],
        label=_("Category (incident)"),
        required=False,
    )
    severity = forms.ChoiceField(
        choices=Severity.choices, label=_("Severity"), required=False, initial=Severity.LOW
    )

    def __init__(self, *args, matter, **kwargs):
        self.matter = matter
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == MatterKind.CONSULTATION and not (cleaned.get("reply") or "").strip():
            self.add_error("reply", _("Write the answer given to the resident."))
        if kind == MatterKind.DISPUTE:
            if not cleaned.get("dispute_kind"):
                self.add_error("dispute_kind", _("Choose the kind of dispute."))
            if self.matter.channel == MatterChannel.COURT:
                try:
                    cleaned.update(
                        clean_court_referral(
                            court_name=cleaned.get("court_name", ""),
                            court_case_number=cleaned.get("court_case_number", ""),
                            court_due_on=cleaned.get("court_due_on"),
                        )
                    )
                except forms.ValidationError as error:
                    self.add_error("court_case_number", error)
        if kind == MatterKind.INCIDENT and not cleaned.get("category"):
            self.add_error("category", _("Choose the category of the incident."))
        return cleaned

    def case_fields(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == MatterKind.CONSULTATION:
            return {"reply": data["reply"]}
        if kind == MatterKind.DISPUTE:
            return {
                key: data.get(key)
                for key in (
                    "dispute_kind",
                    "respondent_name",
                    "people_involved",
                    "court_name",
                    "court_case_number",
                    "court_due_on",
                )
            }
        if kind == MatterKind.INCIDENT:
            return {"category": data["category"], "severity": data.get("severity") or "low"}
        return {}


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Public reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not the centre's"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MatterFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label=_("Status"))
    channel = forms.ChoiceField(required=False, label=_("Channel"))
    kind = forms.ChoiceField(required=False, label=pgettext_lazy("matter", "Kind"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["status"].choices = any_ + list(MatterStatus.choices)
        self.fields["channel"].choices = any_ + list(MatterChannel.choices)
        self.fields["kind"].choices = any_ + list(MatterKind.choices)


class QueryForm(forms.Form):
    number = forms.CharField(label=_("Receipt number"), max_length=32)
    code = forms.CharField(label=_("Query code"), max_length=12)
