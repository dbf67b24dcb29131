from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance.audit.models import AuditKind
from governance.forms import ISODateInput


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label=_("Event"))
    person = forms.CharField(required=False, max_length=150, label=_("Person"))
    date_from = forms.DateField(required=False, label=_("From"), widget=ISODateInput())
    date_to = forms.DateField(required=False, label=_("To"), widget=ISODateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any"))] + list(AuditKind.choices)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The first day comes after the last."), code="date_order")
        return data
