"""Reading a division file (`code,name,level,parent_code`) into checked rows.

Parsing knows nothing of the database beyond the areas already stored, which it is given; the
writing is `governance.services.area_tree_import`. Every problem is reported with the line it
was found on, and the first problem stops the import before anything is written.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from governance.models import CODE_LENGTH, AreaLevel, parent_level_of
from infra.textfiles import NotText, decode_csv_bytes

EXPECTED_HEADER = ["code", "name", "level", "parent_code"]
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class DivisionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


class AreaImportError(Exception):
    """A division file that cannot be imported; `line` is 1-based, counting the header."""

    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(_("Line %(line)d: %(reason)s") % {"line": line, "reason": reason})


def read_division_file(
    stream: Iterable[str],
    *,
    stored_levels: dict[str, str],
    progress: Callable[[int], None] | None = None,
) -> list[DivisionRow]:
    """Parse and check every line of a division file.

    `stored_levels` maps the codes already in the database to their levels, so that a file
    holding one county may name an existing city as its parent. Returns the rows in file
    order; raises `AreaImportError` on the first bad line.
    """
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise AreaImportError(1, _("the file is empty.")) from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise AreaImportError(1, _("unreadable line (%(error)s).") % {"error": error}) from None
    if [cell.strip().lstrip("\ufeff") for cell in header] != EXPECTED_HEADER:
        raise AreaImportError(
            1, _("the header must be “%(header)s”.") % {"header": ",".join(EXPECTED_HEADER)}
        )

    levels_in_file: dict[str, str] = {}
    rows: list[DivisionRow] = []
    line = 1
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except (csv.Error, UnicodeDecodeError) as error:
            raise AreaImportError(
                line, _("unreadable line (%(error)s).") % {"error": error}
            ) from None
        if not cells or all(not cell.strip() for cell in cells):
            continue
        row = _check_cells(line, cells)
        if row.code in levels_in_file:
            raise AreaImportError(
                line, _("the code %(code)s appears twice in the file.") % {"code": row.code}
            )
        stored_level = stored_levels.get(row.code)
        if stored_level is not None and stored_level != row.level:
            raise AreaImportError(
                line,
                _("the code %(code)s is already stored as a %(stored)s.")
                % {"code": row.code, "stored": AreaLevel(stored_level).label},
            )
        levels_in_file[row.code] = row.level
        rows.append(row)
        if progress and len(rows) % 1000 == 0:
            progress(len(rows))

    # Parents may come later in the file than their children, so check them once all is read.
    for row in rows:
        if not row.parent_code:
            continue
        parent_level = levels_in_file.get(row.parent_code) or stored_levels.get(row.parent_code)
        if parent_level is None:
            raise AreaImportError(
                row.line,
                _("the parent %(parent)s is neither in the file nor stored.")
                % {"parent": row.parent_code},
            )
        if parent_level != parent_level_of(row.level):
            raise AreaImportError(
                row.line,
                _("a %(level)s cannot hang under %(parent)s, which is a %(parent_level)s.")
                % {
                    "level": AreaLevel(row.level).label,
                    "parent": row.parent_code,
                    "parent_level": AreaLevel(parent_level).label,
                },
            )
    if progress:
        progress(len(rows))
    return rows


def _check_cells(line: int, cells: list[str]) -> DivisionRow:
    if len(cells) != len(EXPECTED_HEADER):
        raise AreaImportError(
            line,
            _("expected %(expected)d fields, found %(found)d.")
            % {"expected": len(EXPECTED_HEADER), "found": len(cells)},
        )
    code, name, level, parent_code = (cell.strip() for cell in cells)
    if level not in AreaLevel.values:
        raise AreaImportError(
            line,
            _("unknown level “%(level)s” (expected one of %(levels)s).")
            % {"level": level, "levels": ", ".join(AreaLevel.values)},
        )
    digits = CODE_LENGTH[level]
    if not (code.isascii() and code.isdigit() and len(code) == digits):
        raise AreaImportError(
            line,
            _("the code “%(code)s” is not a %(digits)d-digit %(level)s code.")
            % {"code": code, "digits": digits, "level": AreaLevel(level).label},
        )
    if not name:
        raise AreaImportError(line, _("the name is empty."))
    if len(name) > MAX_NAME_LENGTH:
        raise AreaImportError(
            line, _("the name is longer than %(max)d characters.") % {"max": MAX_NAME_LENGTH}
        )
    if any(ord(char) < 32 for char in name):
        raise AreaImportError(line, _("the name contains control characters."))
    if level == AreaLevel.CITY:
        if parent_code:
            raise AreaImportError(line, _("a city has no parent."))
    else:
        if not parent_code:
            raise AreaImportError(line, _("the parent code is missing."))
        if not code.startswith(parent_code):
            raise AreaImportError(
                line,
                _("the code %(code)s does not begin with its parent's code %(parent)s.")
                % {"code": code, "parent": parent_code},
            )
    return DivisionRow(line=line, code=code, name=name, level=level, parent_code=parent_code)


def open_text(path: str) -> io.StringIO:
    """A division file as text: UTF-8 (a byte-order mark is tolerated) or GBK, as Excel saves
    it. Raises AreaImportError naming the line where it is neither."""
    with open(path, "rb") as stream:
        content = stream.read()
    try:
        return io.StringIO(decode_csv_bytes(content), newline="")
    except NotText as error:
        raise AreaImportError(error.line, _("the file is neither UTF-8 nor GBK text.")) from None
