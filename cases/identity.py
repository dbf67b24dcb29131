"""Checks of the personal identifiers people give: resident ID numbers and phone numbers."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK_CHARS = "10X98765432"
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def clean_id_number(value: str) -> str:
    """A resident identity number (GB 11643): 17 digits and a check character."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise forms.ValidationError(
            _("An ID number has 18 characters: 17 digits and a check digit.")
        )
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK_CHARS[total % 11] != value[17]:
        raise forms.ValidationError(_("This ID number's check digit is wrong."))
    return value


def clean_phone(value: str) -> str:
    phone = (value or "").strip().replace(" ", "")
    if phone and not PHONE.match(phone):
        raise forms.ValidationError(_("Enter a mobile number or a landline with area code."))
    return phone


class PersonIdentityForm(forms.Form):
    """A person's name, ID number and phone, checked: the base of party and petitioner forms."""

    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])
