from django import forms
from django.utils.translation import gettext_lazy as _

from cases.identity import PersonIdentityForm
from governance.forms import ISODateInput
from governance.models import AreaLevel
from governance.selectors import areas_for_user
from petitions.models import PetitionChannel, PetitionLevel, ReferralChannel


class BasePetitionerFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_few_forms": _("Name at least one petitioner."),
        "too_many_forms": _("Name at most %(num)d petitioners; give the others' number."),
    }


# One petitioner required; a second row, left empty, is ignored (a joint letter names more).
PetitionerFormSet = forms.formset_factory(
    PersonIdentityForm,
    formset=BasePetitionerFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=50,
    validate_max=True,
)


def long_text(label, max_length, *, rows=3, required=True):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return f"{area.parent.name} · {area.name}" if area.parent_id else area.name


class PetitionRegisterForm(forms.Form):
    channel = forms.ChoiceField(choices=PetitionChannel.choices, label=_("Channel"))
    received_on = forms.DateField(label=_("Received on"), widget=ISODateInput, required=False)
    area = AreaField(queryset=None, label=_("Area concerned"), to_field_name="code")
    level = forms.ChoiceField(choices=PetitionLevel.choices, label=_("Handling level"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    content = long_text(_("Content"), 10000, rows=5)
    group_size = forms.IntegerField(
        label=_("Petitioners in the group"), min_value=1, max_value=100000, initial=1
    )
    disputes = forms.CharField(
        label=_("Numbers of the disputes it concerns"),
        required=False,
        max_length=500,
        help_text=_("Separate several numbers with spaces."),
    )
    confirm_repeat = forms.BooleanField(
        label=_("Register anyway and link it to the earlier petitions"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].queryset = (
            areas_for_user(user=user)
            .filter(level__in=[AreaLevel.VILLAGE, AreaLevel.TOWNSHIP, AreaLevel.COUNTY])
            .select_related("parent")
            .order_by("code")
        )

    def clean_disputes(self):
        from disputes.models import Dispute

        numbers = self.cleaned_data["disputes"].split()
        found = list(Dispute.objects.visible_to(self.user).filter(number__in=numbers))
        missing = sorted(set(numbers) - {d.number for d in found})
        if missing:
            raise forms.ValidationError(
                _("No dispute you can see has the number %(numbers)s.")
                % {"numbers": "、".join(missing)}
            )
        return found


STALE_FORM = _("This form is incomplete or out of date. Reload the page and try again.")


class VersionedForm(forms.Form):
    """An action's form, carrying the version of the petition it was drawn from."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM, "min_value": STALE_FORM},
    )

    def __init__(self, *args, petition=None, user=None, **kwargs):
        self.petition, self.user = petition, user
        super().__init__(*args, **kwargs)
        if petition is not None and not self.is_bound:
            self.fields["version"].initial = petition.version

    def add_error(self, field, error):
        # The version is a hidden field: an error on it would show nowhere on the page.
        super().add_error(None if field == "version" else field, error)


class ReasonForm(VersionedForm):
    reason = long_text(_("Reason"), 2000, rows=2)


class ReferForm(VersionedForm):
    """诉访分离: the legal channel the claim belongs to and the body to apply to."""

    channel = forms.ChoiceField(choices=ReferralChannel.choices, label=_("Legal channel"))
    body = forms.CharField(
        label=_("Body to apply to"),
        max_length=200,
        help_text=_("For example 潞城区人民法院, or the labour arbitration commission."),
    )
    reason = long_text(_("Reason"), 2000, rows=2)


class DepartmentForm(VersionedForm):
    """转送/交办: the department of the county that will handle it."""

    department = forms.ModelChoiceField(queryset=None, label=_("Department"))
    note = long_text(_("Instruction to the department"), 2000, rows=2, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from governance.models import Department
        from petitions.selectors import department_choices

        self.fields["department"].queryset = (
            department_choices(petition=self.petition)
            if self.petition is not None
            else Department.objects.none()
        )


class AssistForm(VersionedForm):
    what = long_text(_("What the village did"), 2000, rows=2)


class AssignForm(VersionedForm):
    person = forms.ModelChoiceField(queryset=None, label=_("Handler"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from petitions.selectors import handler_candidates

        self.fields["person"].queryset = handler_candidates(petition=self.petition)
        self.fields["person"].label_from_instance = lambda p: p.first_name or p.username


class OpinionForm(VersionedForm):
    opinion = long_text(_("Opinion"), 5000)


class ReplyForm(VersionedForm):
    reply = long_text(_("Reply to the petitioner"), 5000, rows=5)


class SatisfactionForm(VersionedForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )


class ExtendForm(VersionedForm):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=365)
    reason = long_text(_("Reason"), 2000, rows=2)


class NoteForm(VersionedForm):
    note = long_text(_("Instruction"), 2000, rows=2)


class AnswerForm(VersionedForm):
    answer = long_text(_("Answer"), 2000, rows=2)


class LinkDisputeForm(forms.Form):
    number = forms.CharField(label=_("Dispute number"), max_length=32)
