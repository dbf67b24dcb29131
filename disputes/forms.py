from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.identity import PersonIdentityForm
from cases.levels import LEVEL_ROLES
from disputes.models import (
    LEVEL_ORDER,
    SUCCESS_OUTCOMES,
    TERMINATION_OUTCOMES,
    Channel,
    Dispute,
    DisputeKind,
    Fulfilment,
    Level,
    Outcome,
    ReferralKind,
    Risk,
    Route,
    Side,
    Status,
)
from disputes.selectors import departments_for, handler_candidates
from governance.area_picker import AreaPickerInput
from governance.forms import ISODateInput, ModelMultipleChoiceField
from governance.models import AreaLevel
from governance.selectors import areas_for_user, user_roles
from grids.models import Grid


def long_text(label, max_length: int, *, rows: int, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PartyForm(PersonIdentityForm):
    side = forms.ChoiceField(choices=Side.choices, label=_("Side"))

    field_order = ["side", "name", "id_number", "phone"]


PartyFormSet = forms.formset_factory(
    PartyForm, extra=0, min_num=1, validate_min=True, max_num=20, validate_max=True
)


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return f"{area.parent.name} · {area.name}" if area.parent_id else area.name


class DisputeRegisterForm(forms.Form):
    kind = forms.ChoiceField(choices=DisputeKind.choices, label=_("Kind"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("Intake channel"))
    village = VillageChoiceField(
        queryset=None, label=_("Village / community"), to_field_name="code"
    )
    grid = forms.ModelChoiceField(queryset=None, label=_("Grid"), required=False)
    level = forms.ChoiceField(choices=Level.choices, label=_("Handling level"))
    people_involved = forms.IntegerField(
        label=_("People involved"), min_value=1, max_value=100000, initial=2
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    court_name = forms.CharField(
        label=_("Referring court"),
        max_length=100,
        required=False,
        help_text=_("For a court's referral (委派/委托调解) only."),
    )
    court_case_number = forms.CharField(
        label=_("Court case number"),
        max_length=64,
        required=False,
        help_text=_("As the court numbered it, e.g. （2026）晋0406民初123号."),
    )
    court_due_on = forms.DateField(
        label=_("The court's deadline"),
        required=False,
        widget=ISODateInput(),
        help_text=_("A court-referred dispute works to this day."),
    )
    confirm_repeat = forms.BooleanField(
        label=_("Register anyway and mark it as a possible repeat"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = areas_for_user(user=user).filter(level=AreaLevel.VILLAGE)
        self.fields["village"].queryset = villages.select_related("parent").order_by("code")
        self.fields["grid"].queryset = Grid.objects.filter(village__in=villages)
        # Preselect the level the person's own centre staffs (the lowest, if several): the
        # list starts at the grid, where a township's staff cannot register.
        roles = user_roles(user=user)
        staffed = [level for level in LEVEL_ORDER if roles & LEVEL_ROLES[level]]
        self.initial.setdefault("level", staffed[0] if staffed else Level.GRID)

    def clean(self):
        cleaned = super().clean()
        grid, village = cleaned.get("grid"), cleaned.get("village")
        if grid and village and grid.village_id != village.pk:
            self.add_error("grid", _("The grid does not belong to this village."))
        if cleaned.get("channel") == Channel.COURT:
            for name, message in (
                ("court_name", _("Name the court that referred it.")),
                ("court_case_number", _("Give the court's case number.")),
                ("court_due_on", _("Give the deadline the court set.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned


class VersionedForm(forms.Form):
    """Every action form carries the version of the dispute it was drawn from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, dispute=None, user=None, **kwargs):
        self.dispute, self.user = dispute, user
        super().__init__(*args, **kwargs)
        if dispute is not None and not self.is_bound:
            self.fields["version"].initial = dispute.version


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(VersionedForm):
    lead = forms.ModelChoiceField(queryset=None, label=_("Lead handler (person)"), required=False)
    lead_department = forms.ModelChoiceField(
        queryset=None, label=_("or lead department"), required=False
    )
    co_handlers = ModelMultipleChoiceField(queryset=None, label=_("Co-handlers"), required=False)
    co_departments = ModelMultipleChoiceField(
        queryset=None, label=_("Co-handling departments"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = handler_candidates(dispute=self.dispute)
        departments = departments_for(dispute=self.dispute)
        for name in ("lead", "co_handlers"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        for name in ("lead_department", "co_departments"):
            self.fields[name].queryset = departments

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("lead")) == bool(cleaned.get("lead_department")):
            raise forms.ValidationError(_("Choose one lead handler: a person or a department."))
        return cleaned


def _person_label(person):
    roles = "、".join(sorted({m.get_role_display() for m in person.memberships.all()}))
    return f"{person.first_name or person.username}（{roles}）" if roles else person.username


class RouteForm(VersionedForm):
    route = forms.ChoiceField(choices=Route.choices, label=_("Handling route"))


class SessionForm(VersionedForm):
    held_on = forms.DateField(
        label=_("Held on"),
        widget=ISODateInput(),
        initial=timezone.localdate,
    )
    participants = forms.CharField(label=_("Who took part"), max_length=500)
    agreed = forms.CharField(
        label=_("What was agreed"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveForm(VersionedForm):
    outcome = forms.ChoiceField(
        choices=[(k, v) for k, v in Outcome.choices if k in SUCCESS_OUTCOMES],
        label=_("Form of the agreement"),
        widget=forms.RadioSelect,
    )
    agreement = forms.CharField(
        label=_("What the parties agreed"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For an oral agreement, record its content here."),
    )


class TerminateForm(VersionedForm):
    outcome = forms.ChoiceField(
        choices=[(k, v) for k, v in Outcome.choices if k in TERMINATION_OUTCOMES],
        label=_("Why the mediation ends"),
        widget=forms.RadioSelect,
    )
    referral_kind = forms.ChoiceField(
        choices=[("", "—"), *ReferralKind.choices], label=_("Referred to"), required=False
    )
    referral_body = forms.CharField(
        label=_("Receiving body"),
        max_length=100,
        required=False,
        help_text=_("The court or arbitration commission that received it."),
    )
    referral_case_number = forms.CharField(
        label=_("Its case number"), max_length=64, required=False
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Outcome.REFERRED:
            for name, message in (
                ("referral_kind", _("Say whether it went to a court or to arbitration.")),
                ("referral_body", _("Name the court or the arbitration commission.")),
                ("referral_case_number", _("Give the case number the receiving body gave it.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned


class ExtensionForm(VersionedForm):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=30)
    consent = forms.CharField(
        label=_("The parties' consent"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who agreed to the longer period, and how (signed, by phone...)."),
    )
    consented_on = forms.DateField(
        label=_("Consent given on"), widget=ISODateInput(), initial=timezone.localdate
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideExtensionForm(VersionedForm):
    approved = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class SummonForm(VersionedForm):
    departments = ModelMultipleChoiceField(queryset=None, label=_("Departments"))
    due_on = forms.DateField(label=_("Report by"), widget=ISODateInput())
    note = forms.CharField(label=_("Matter"), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments_for(dispute=self.dispute)


class SummonsReportForm(VersionedForm):
    report = forms.CharField(
        label=_("Report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(VersionedForm):
    note = forms.CharField(
        label=_("Instruction"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(VersionedForm):
    answer = forms.CharField(
        label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


SATISFACTION_CHOICES = [
    ("5", _("5 · Very satisfied")),
    ("4", _("4 · Satisfied")),
    ("3", _("3 · Fairly satisfied")),
    ("2", _("2 · Dissatisfied")),
    ("1", _("1 · Very dissatisfied")),
]


class RevisitForm(VersionedForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    fulfilment = forms.ChoiceField(
        label=_("Was the agreement carried out?"),
        choices=Fulfilment.choices,
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(label=_("Remarks"), max_length=2000, required=False)


class MergeForm(VersionedForm):
    target = forms.CharField(label=_("Number of the dispute to merge into"), max_length=32)

    def clean_target(self):
        number = self.cleaned_data["target"].strip()
        target = Dispute.objects.visible_to(self.user).filter(number=number).first()
        if target is None:
            raise forms.ValidationError(_("No dispute you can see has this number."))
        return target


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Photo or PDF"), allow_empty_file=True)


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label=_("Status"))
    level = forms.ChoiceField(required=False, label=_("Level"))
    kind = forms.ChoiceField(required=False, label=_("Kind"))
    risk = forms.ChoiceField(required=False, label=_("Risk"))
    area = forms.CharField(required=False, max_length=12, label=_("Area"), widget=AreaPickerInput())
    date_from = forms.DateField(required=False, label=_("From"), widget=ISODateInput())
    date_to = forms.DateField(required=False, label=_("To"), widget=ISODateInput())
    queue = forms.CharField(required=False, widget=forms.HiddenInput)
    mine = forms.BooleanField(required=False, label=_("Assigned to me"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["status"].choices = any_ + list(Status.choices)
        self.fields["level"].choices = any_ + list(Level.choices)
        self.fields["kind"].choices = any_ + list(DisputeKind.choices)
        self.fields["risk"].choices = any_ + list(Risk.choices)
