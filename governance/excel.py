"""Excel exports: every table exports to .xlsx exactly as shown, personal numbers masked."""

from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from governance.masking import mask_numbers_in_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell that begins like a formula would run as one when opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def _safe(value):
    if not isinstance(value, str):
        return value
    # Exports mask personal data, always: no export carries parties' or petitioners' numbers
    # as columns, and one typed into a free-text field leaves masked all the same.
    value = mask_numbers_in_text(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook_response(
    *, filename: str, title: str, header: list[str], rows: Iterable[list]
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(str(name)) * 2 + 2)
    sheet.append([str(name) for name in header])
    for row in rows:
        sheet.append([_safe(value) for value in row])
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response
