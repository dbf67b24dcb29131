"""Excel exports: every table exports to .xlsx exactly as shown, personal numbers masked."""

from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from governance.audit.models import AuditKind
from governance.audit.services import audit_record, current_request
from infra.masking import mask_personal_data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell that begins like a formula would run as one when opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def _safe(value):
    if not isinstance(value, str):
        return value
    # Exports mask personal numbers, always: no export carries parties' or petitioners'
    # numbers as columns, and one typed into a free-text cell leaves masked all the same, by
    # the portal's one rule (a file has no one handling the case once it is out). Names are
    # masked by the table itself, row by row, as its page masks them.
    value = mask_personal_data(value)
    # Control characters (from an import, say) would make openpyxl refuse the whole file.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook_response(
    *, filename: str, title: str, header: list[str], rows: Iterable[list], area=None
) -> HttpResponse:
    """The table as an .xlsx download. Every export is recorded in the audit log: what, how
    many rows, with which filters, and for which area (`area`; if not given, the top of the
    downloading person's jurisdiction)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(str(name)) * 2 + 2)
    sheet.append([str(name) for name in header])
    count = 0
    for row in rows:
        sheet.append([_safe(value) for value in row])
        count += 1
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    request = current_request.get()
    audit_record(
        kind=AuditKind.EXPORT,
        request=request,
        area=area,
        target=filename,
        detail={
            "title": str(title),
            "rows": count,
            "query": request.GET.urlencode()[:500] if request is not None else "",
        },
    )
    return response
