from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.selectors import areas_for_user
from governance.services import REVOKE_REASON_MAX_LENGTH


class ISODateInput(forms.DateInput):
    """The browser's date picker, which takes only ISO dates whatever the language (Django
    would render the Chinese format 2026/11/26, which the picker drops as invalid)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, except that an id beyond the database's integers is refused as an
    invalid choice: on SQLite the `__in` query raised OverflowError (a server error)."""

    def clean(self, value):
        try:
            return super().clean(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": ", ".join(map(str, value))[:50]},
            ) from None


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        indent = "\u3000" * area.mptt_level
        return f"{indent}{area.name}（{area.code}）"


class MembershipForm(forms.Form):
    """A role in an area; the areas offered are those the administrator manages."""

    area = AreaChoiceField(queryset=None, label=_("Area"), to_field_name="code")
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))
    is_head = forms.BooleanField(
        label=_("Head of the centre (approves a petition's extension)"), required=False
    )

    def __init__(self, *args, administrator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_for_user(
            user=administrator, roles=[Role.ADMINISTRATOR]
        ).order_by("tree_id", "lft")


class MembershipRevokeForm(forms.Form):
    """Why a role is taken away: required, and kept in the audit log with who did it."""

    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=REVOKE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the role is revoked.")},
    )


class PersonCreateForm(MembershipForm):
    # A head is appointed on the person's page, once they exist.
    is_head = None
    username = forms.RegexField(
        label=_("Sign-in name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, strip=False, max_length=128
    )

    field_order = ["username", "full_name", "password", "area", "role"]


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the name's length enforced. Django sets the name field's
    max_length after the field is built, so no validator checks it, and an overlong name went
    on to the sign-in lockout's table (255 characters) and failed there with a server error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
