"""The page where an administrator uploads grids and teams (format: grids/grid_import.py)."""

import csv
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.models import Role
from governance.selectors import user_roles
from grids.grid_import import (
    TEMPLATE_HEADER,
    GridImportError,
    import_grids,
    summary_lines,
    unsupported_type_message,
)

MAX_UPLOAD_MB = 5
ACCEPTED_SUFFIXES = (".xlsx", ".csv")


class GridImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError(unsupported_type_message(), code="file_type")
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB: split it into several.")
                % {"max": MAX_UPLOAD_MB},
                code="file_size",
            )
        return upload


@login_required
def grid_import_view(request):
    if Role.ADMINISTRATOR not in user_roles(user=request.user):
        raise PermissionDenied
    if request.GET.get("template") == "csv":
        return _blank_template()
    errors: list[str] = []
    summary: list[str] = []
    if request.method == "POST":
        form = GridImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_grids(
                    actor=request.user, content=upload.read(), filename=upload.name
                )
            except GridImportError as error:
                errors = error.messages
            else:
                summary = summary_lines(result)
                form = GridImportForm()
    else:
        form = GridImportForm()
    return render(
        request,
        "grids/grid_import.html",
        {"form": form, "errors": errors, "summary": summary, "max_upload_mb": MAX_UPLOAD_MB},
    )


def _blank_template() -> HttpResponse:
    """A header-only CSV to fill in. The byte-order mark makes Excel read it as UTF-8."""
    text = io.StringIO()
    csv.writer(text).writerow(TEMPLATE_HEADER)
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grids-template.csv"'
    return response
