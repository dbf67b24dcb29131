"""Importing grids and their teams from a spreadsheet (.xlsx) or a CSV file.

The format, one row per grid or per team member of a grid; the header row names the columns,
in any order, in English or in Chinese:

    grid_code     网格编码          required on every row
    grid_name     网格名称          required for a new grid
    kind          类型              required for a new grid: 农村 / 城市社区 / 专属
                                    (or rural / urban / dedicated)
    village_code  村(社区)代码      required for a new grid: the 12-digit division code
    households    户数              optional whole number (empty: 0 for a new grid)
    population    人口              optional whole number (empty: 0 for a new grid)
    username      登录名            optional: a team member's sign-in name
    full_name     姓名              optional: checked against the person's stored name
    team_role     角色              with username: 网格长 / 网格员 / 网格辅助员 / 民警
                                    (or chief / worker / assistant / police)
    starts_on     起始日期          optional: 2026-03-01 (empty: the day of the import)

A grid may take several rows, one per team member. Its grid columns may be repeated on each
of them or left empty after the first; where they are given they must agree. An empty grid
column of a grid that already exists keeps what is stored, so a file of just `grid_code` and
the team columns adds people to existing grids. Team members are people who can already sign
in: they are added on the People pages, never by this import. A grid stays in its village.

The first row that is not blank is the header (a one-cell title row above it is skipped). At
most MAX_ROWS rows are read, and of each row the first MAX_COLUMNS columns.

The import is all or nothing: every row is checked, every problem is reported with its row
number as the spreadsheet shows it (up to MAX_ERRORS of them), and if there is any, nothing
is written. Otherwise the grids are created or updated and the team members assigned in one
transaction, through `grids.services`. Running the same file again changes nothing.

`actor` is the administrator uploading the file, who may only import into the areas they
administer and assign the people they manage; None is the operator at the command line. To an
administrator a village, a grid or a person outside their areas is as if it did not exist: the
message is the one for a code or a name that exists nowhere ("not found in your area"), so that
an import cannot be used to learn what exists elsewhere.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Area, AreaLevel, Role
from governance.selectors import areas_for_user, people_for_administrator
from grids import services
from grids.models import Grid, GridAssignment, GridKind, GridRole
from infra.textfiles import NotText, decode_csv_bytes

MAX_ROWS = 10_000
MAX_COLUMNS = 30
# Excel's own limit: a row past it is a made-up file, not a long one.
EXCEL_MAX_ROWS = 1_048_576
MAX_ERRORS = 1_000
MAX_COUNT = 1_000_000
MAX_CODE_LENGTH = Grid._meta.get_field("code").max_length
MAX_NAME_LENGTH = Grid._meta.get_field("name").max_length
# A workbook of 10,000 full rows unpacks to about 5 MB; parsing time grows with the unpacked
# size, so a small file that unpacks to far more (a zip bomb) is refused unread.
MAX_UNPACKED_BYTES = 12 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000

GRID_CODE = re.compile(r"^[\w.\-]+\Z")
DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\Z")

# Column → the header names it is recognised by (compared after `_header_key`).
COLUMNS = {
    "grid_code": ["grid_code", "网格编码", "网格编号", "网格代码"],
    "grid_name": ["grid_name", "网格名称"],
    "kind": ["kind", "类型", "网格类型"],
    "village_code": ["village_code", "村(社区)代码", "村(社区)编码", "村代码", "社区代码"],
    "households": ["households", "户数"],
    "population": ["population", "人口", "人口数"],
    "username": ["username", "登录名"],
    "full_name": ["full_name", "姓名"],
    "team_role": ["team_role", "角色", "网格角色"],
    "starts_on": ["starts_on", "起始日期", "开始日期"],
}
REQUIRED_COLUMNS = ["grid_code"]
COLUMN_LIST = ", ".join(f"{names[1]} ({column})" for column, names in COLUMNS.items())
# The header of a blank file to fill in, as offered on the upload page.
TEMPLATE_HEADER = [names[1] for names in COLUMNS.values()]

KINDS = {
    **{kind: kind for kind in GridKind.values},
    "农村": GridKind.RURAL,
    "农村网格": GridKind.RURAL,
    "城市社区": GridKind.URBAN,
    "城市社区网格": GridKind.URBAN,
    "社区": GridKind.URBAN,
    "专属": GridKind.DEDICATED,
    "专属网格": GridKind.DEDICATED,
}
TEAM_ROLES = {
    **{role: role for role in GridRole.values},
    "网格长": GridRole.CHIEF,
    "网格员": GridRole.WORKER,
    "专职网格员": GridRole.WORKER,
    "网格辅助员": GridRole.ASSISTANT,
    "辅助员": GridRole.ASSISTANT,
    "民警": GridRole.POLICE,
    "网格民警": GridRole.POLICE,
    "包村民警": GridRole.POLICE,
    "社区民警": GridRole.POLICE,
    "包村(社区)民警": GridRole.POLICE,
}


class GridImportError(Exception):
    """A file that cannot be imported. `messages` names every problem found, row by row."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass(frozen=True)
class GridImportSummary:
    grids_created: int = 0
    grids_updated: int = 0
    grids_unchanged: int = 0
    assignments_created: int = 0
    assignments_unchanged: int = 0


@dataclass
class _GridPlan:
    code: str
    first_row: int
    existing: Grid | None
    # Field name → (value, row it was first given on).
    given: dict[str, tuple[object, int]] = field(default_factory=dict)
    # Fields given on some row with a value already reported as wrong.
    refused: set[str] = field(default_factory=set)
    village: Area | None = None


@dataclass(frozen=True)
class _TeamPlan:
    row: int
    grid_code: str
    person: object
    role: str
    starts_on: date
    # An identical open assignment is already stored: grid_assign will leave it as it is.
    already_open: bool


class _Problems:
    """The problems found so far, each with its row; stops listing after MAX_ERRORS."""

    def __init__(self):
        self.items: list[tuple[int, str]] = []

    def add(self, row: int, reason: str) -> None:
        self.items.append((row, reason))
        if len(self.items) >= MAX_ERRORS:
            raise _TooManyProblems

    def messages(self) -> list[str]:
        ordered = sorted(self.items, key=lambda item: item[0])
        return [_row_message(row, reason) for row, reason in ordered]


class _TooManyProblems(Exception):
    pass


def summary_lines(summary: GridImportSummary) -> list[str]:
    """What an import did, in sentences for the page and the command line."""
    return [
        _("Grids: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "created": summary.grids_created,
            "updated": summary.grids_updated,
            "unchanged": summary.grids_unchanged,
        },
        _("Team members: %(created)d assigned, %(unchanged)d already on the team.")
        % {"created": summary.assignments_created, "unchanged": summary.assignments_unchanged},
    ]


def _row_message(row: int, reason: str) -> str:
    if row <= 0:
        return reason
    return _("Row %(row)d: %(reason)s") % {"row": row, "reason": reason}


def import_grids(*, actor, content: bytes, filename: str) -> GridImportSummary:
    """Check every row of the file and, if all are good, write it; else raise GridImportError
    naming every bad row, having written nothing."""
    rows = read_rows(content=content, filename=filename)
    grids, team = _check_rows(actor=actor, rows=rows)
    return _apply(actor=actor, grids=grids, team=team)


# Reading the file into rows of text ------------------------------------------------------


def read_rows(*, content: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """The rows of the file as (row number, cells as stripped text), header first, blank rows
    left out. Raises GridImportError if the file cannot be read at all."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        rows = _xlsx_rows(content)
    elif suffix == "csv":
        rows = _csv_rows(content)
    else:
        raise GridImportError([unsupported_type_message()])
    return rows


def unsupported_type_message() -> str:
    return _(
        "Only Excel workbooks (.xlsx) and CSV files (.csv) can be imported. Save an older .xls "
        "workbook as .xlsx first."
    )


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = decode_csv_bytes(content)
    except NotText as error:
        raise GridImportError([str(error)]) from None
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise GridImportError(
                [_row_message(number, _("the row cannot be read (%(error)s).") % {"error": error})]
            ) from None
        _collect(rows, number, cells)
    return rows


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    not_a_workbook = _(
        "This is not a readable Excel workbook (.xlsx). Open it in Excel and save it again as "
        ".xlsx, or save it as CSV UTF-8."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise GridImportError([not_a_workbook]) from None
    # zipfile stops unpacking a member at its declared size, so checking the declared sizes
    # bounds what openpyxl can be made to unpack.
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise GridImportError([_("The workbook is too large once unpacked.")])

    from openpyxl import load_workbook

    rows = []
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # The size a sheet declares may be wrong; read what it holds. Columns past the
            # limit are not read at all, so a row of 16,384 cells costs no more than a short one.
            sheet.reset_dimensions()
            blank = None
            for number, values in enumerate(
                sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1
            ):
                if number > EXCEL_MAX_ROWS:
                    raise GridImportError([too_many_rows_message()])
                # openpyxl fills a gap between rows with one shared blank tuple: skip it fast.
                if values is blank:
                    continue
                if any(value is not None for value in values):
                    _collect(rows, number, [_cell_text(value) for value in values])
                else:
                    blank = values
        finally:
            workbook.close()
    except GridImportError:
        raise
    except Exception:  # noqa: BLE001 - any failure of the parser on untrusted bytes means the same
        raise GridImportError([not_a_workbook]) from None
    return rows


def _collect(rows: list, number: int, cells: list[str]) -> None:
    """Keep a row unless it is blank; refuse a file with more rows than may be imported."""
    cells = [cell.strip() for cell in cells[: MAX_COLUMNS + 1]]
    if not any(cells):
        return
    if number > MAX_ROWS + 1:
        raise GridImportError([too_many_rows_message()])
    rows.append((number, cells))


def too_many_rows_message() -> str:
    return _("The file has more than %(max)d rows: split it into several.") % {"max": MAX_ROWS}


def _shown(text: str) -> str:
    """A value from the file as it may be quoted in a message: short, without control
    characters."""
    shown = "".join("\ufffd" if ord(char) < 32 else char for char in text[:40])
    return shown + "…" if len(text) > 40 else shown


def _cell_text(value) -> str:
    """A cell's value as the text the clerk sees: 140406100200, not 140406100200.0."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Checking the rows ------------------------------------------------------------------------


def _header_key(name: str) -> str:
    return (
        name.replace("\ufeff", "")
        .replace("（", "(")
        .replace("）", ")")
        .replace(" ", "")
        .replace("\u3000", "")
        .lower()
    )


ALIASES = {_header_key(alias): column for column, names in COLUMNS.items() for alias in names}


def _read_header(number: int, cells: list[str], problems: _Problems) -> dict[str, int]:
    positions: dict[str, int] = {}
    if any(cells[MAX_COLUMNS:]):
        problems.add(number, _("The file has more than %(max)d columns.") % {"max": MAX_COLUMNS})
    cells = cells[:MAX_COLUMNS]
    for index, name in enumerate(cells):
        if not name:
            continue
        column = ALIASES.get(_header_key(name))
        if column is None:
            problems.add(
                number,
                _("unknown column “%(name)s” (the columns are: %(columns)s).")
                % {"name": _shown(name), "columns": COLUMN_LIST},
            )
        elif column in positions:
            problems.add(number, _("the column “%(name)s” appears twice.") % {"name": _shown(name)})
        else:
            positions[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            problems.add(
                number,
                _("the column “%(name)s” (%(alias)s) is missing.")
                % {"name": column, "alias": COLUMNS[column][1]},
            )
    if ("username" in positions) != ("team_role" in positions):
        problems.add(
            number, _("a team member needs both the “username” and the “team_role” columns.")
        )
    return positions


def _check_rows(*, actor, rows: list[tuple[int, list[str]]]):
    problems = _Problems()
    try:
        grids, team = _check_all(actor=actor, rows=rows, problems=problems)
    except _TooManyProblems:
        raise GridImportError(
            [
                *problems.messages(),
                _("More than %(max)d problems: correct these and import the file again.")
                % {"max": MAX_ERRORS},
            ]
        ) from None
    if problems.items:
        raise GridImportError(problems.messages())
    return grids, team


def _check_all(*, actor, rows, problems: _Problems):
    if not rows:
        problems.add(0, _("The file is empty."))
        return {}, []
    # The first row that is not blank is the header, unless it is a title: a single cell
    # that names no column, as a clerk may put above the table.
    header_number, header = rows[0]
    if len(rows) > 1 and sum(1 for cell in header if cell) == 1:
        title = next(cell for cell in header if cell)
        if _header_key(title) not in ALIASES:
            rows = rows[1:]
            header_number, header = rows[0]
    positions = _read_header(header_number, header, problems)
    if problems.items:
        return {}, []
    records = rows[1:]
    if not records:
        problems.add(0, _("The file has a header but no grids."))
        return {}, []

    unnamed = [index for index in range(MAX_COLUMNS + 1) if index not in positions.values()]
    parsed: list[tuple[int, dict[str, str]]] = []
    for number, cells in records:
        stray = next((i for i in unnamed if i < len(cells) and cells[i]), None)
        if stray is not None:
            problems.add(
                number,
                _("column %(column)d holds a value but has no header.") % {"column": stray + 1},
            )
        parsed.append(
            (
                number,
                {
                    column: (cells[index] if index < len(cells) else "")
                    for column, index in positions.items()
                },
            )
        )

    lookups = _Lookups.load(actor=actor, records=[values for _number, values in parsed])
    grids: dict[str, _GridPlan] = {}
    team: list[_TeamPlan] = []
    team_rows: dict[tuple[str, str, str], int] = {}
    today = timezone.localdate()
    for number, values in parsed:
        _check_record(number, values, lookups, grids, team, team_rows, today, problems)
    for plan in grids.values():
        _check_grid(plan, lookups, problems)
    return grids, team


@dataclass
class _Lookups:
    """What the rows refer to, fetched in a few queries before any row is checked."""

    actor: object
    # The areas and grids the rows name that the actor may import into; those outside their
    # areas are left out, as if they did not exist.
    areas: dict[str, Area]
    people: dict[str, object]
    grids: dict[str, Grid]
    open_assignments: set[tuple[int, int, str]]
    # Grid codes the rows name that are used by grids outside the actor's areas: such a code
    # is "not found" like any other, but cannot be given to a new grid (codes are unique).
    codes_used_elsewhere: set[str]

    @classmethod
    def load(cls, *, actor, records: list[dict[str, str]]) -> "_Lookups":
        village_codes = {r.get("village_code", "") for r in records} - {""}
        usernames = {r.get("username", "") for r in records} - {""}
        grid_codes = {r.get("grid_code", "") for r in records} - {""}
        areas = {a.code: a for a in Area.objects.filter(code__in=village_codes)}
        grids = {
            g.code: g for g in Grid.objects.filter(code__in=grid_codes).select_related("village")
        }
        codes_used_elsewhere: set[str] = set()
        if actor is None:
            people_qs = get_user_model().objects.all()
        else:
            administered = set(
                areas_for_user(user=actor, roles=[Role.ADMINISTRATOR])
                .filter(code__in=set(areas) | {g.village.code for g in grids.values()})
                .values_list("code", flat=True)
            )
            areas = {code: a for code, a in areas.items() if code in administered}
            codes_used_elsewhere = {
                code for code, g in grids.items() if g.village.code not in administered
            }
            grids = {code: g for code, g in grids.items() if code not in codes_used_elsewhere}
            people_qs = people_for_administrator(user=actor)
        # Someone who may no longer sign in is not put on a team.
        people = {p.username: p for p in people_qs.filter(username__in=usernames, is_active=True)}
        open_assignments = set(
            GridAssignment.objects.filter(
                grid__in=grids.values(), ends_on__isnull=True
            ).values_list("grid_id", "person_id", "role")
        )
        return cls(actor, areas, people, grids, open_assignments, codes_used_elsewhere)


def _check_record(number, values, lookups, grids, team, team_rows, today, problems) -> None:
    code = values["grid_code"]
    if not code:
        problems.add(number, _("the grid code is empty."))
    elif len(code) > MAX_CODE_LENGTH:
        problems.add(
            number,
            _("the grid code “%(code)s” is longer than %(max)d characters.")
            % {"code": _shown(code), "max": MAX_CODE_LENGTH},
        )
        code = ""
    elif not GRID_CODE.match(code):
        problems.add(
            number,
            _("the grid code “%(code)s” may hold only letters, digits, “-”, “_” and “.”.")
            % {"code": _shown(code)},
        )
        code = ""

    given = {}
    refused = set()
    name = values.get("grid_name", "")
    if name:
        if len(name) > MAX_NAME_LENGTH:
            problems.add(
                number,
                _("the grid name is longer than %(max)d characters.") % {"max": MAX_NAME_LENGTH},
            )
            refused.add("grid_name")
        elif any(ord(char) < 32 for char in name):
            problems.add(number, _("the grid name contains control characters."))
            refused.add("grid_name")
        else:
            given["grid_name"] = name
    kind = values.get("kind", "")
    if kind:
        if _alias(kind) in KINDS:
            given["kind"] = KINDS[_alias(kind)]
        else:
            problems.add(
                number,
                _("unknown grid kind “%(value)s” (use rural, urban or dedicated).")
                % {"value": _shown(kind)},
            )
            refused.add("kind")
    village_code = values.get("village_code", "")
    if village_code:
        village = _check_village(number, village_code, lookups, problems)
        if village is not None:
            given["village_code"] = village.code
        else:
            refused.add("village_code")
    for column, message in (
        (
            "households",
            _("the households “%(value)s” must be a whole number from 0 to %(max)d."),
        ),
        (
            "population",
            _("the population “%(value)s” must be a whole number from 0 to %(max)d."),
        ),
    ):
        text = values.get(column, "")
        if text:
            count = _whole_number(text)
            if count is None:
                problems.add(number, message % {"value": _shown(text), "max": MAX_COUNT})
            else:
                given[column] = count

    if code:
        plan = grids.get(code)
        if plan is None:
            plan = grids[code] = _GridPlan(
                code=code, first_row=number, existing=lookups.grids.get(code)
            )
        _merge(plan, given, number, problems)
        plan.refused |= refused

    _check_team_member(number, values, code, lookups, team, team_rows, today, problems)


def _alias(text: str) -> str:
    return _header_key(text)


def _whole_number(text: str) -> int | None:
    # The length test first: int() refuses thousands of digits with an error of its own.
    if not text.isdecimal() or len(text) > len(str(MAX_COUNT)):
        return None
    number = int(text)
    return number if number <= MAX_COUNT else None


def _check_village(number, code, lookups, problems) -> Area | None:
    area = lookups.areas.get(code)
    if area is None:
        # Outside an administrator's areas or nowhere at all: the same words either way.
        if lookups.actor is None:
            message = _("the village (community) code %(code)s does not exist.")
        else:
            message = _("the village (community) code %(code)s was not found in your area.")
        problems.add(number, message % {"code": _shown(code)})
        return None
    if area.level != AreaLevel.VILLAGE:
        problems.add(
            number,
            _("%(code)s is a %(level)s (%(name)s), not a village or community.")
            % {"code": code, "level": AreaLevel(area.level).label, "name": area.name},
        )
        return None
    return area


CONFLICTS = {
    "grid_name": lambda: _(
        "grid %(code)s is named “%(here)s” here but “%(there)s” on row %(first)d."
    ),
    "kind": lambda: _("grid %(code)s has kind “%(here)s” here but “%(there)s” on row %(first)d."),
    "village_code": lambda: _(
        "grid %(code)s is in village (community) %(here)s here but %(there)s on row %(first)d."
    ),
    "households": lambda: _(
        "grid %(code)s has %(here)s households here but %(there)s on row %(first)d."
    ),
    "population": lambda: _(
        "grid %(code)s has a population of %(here)s here but %(there)s on row %(first)d."
    ),
}


def _merge(plan: _GridPlan, given: dict, number: int, problems: _Problems) -> None:
    for column, value in given.items():
        if column not in plan.given:
            plan.given[column] = (value, number)
            continue
        there, first = plan.given[column]
        if there != value:
            if column == "kind":
                value, there = GridKind(value).label, GridKind(there).label
            problems.add(
                number,
                CONFLICTS[column]()
                % {"code": plan.code, "here": value, "there": there, "first": first},
            )


def _check_team_member(number, values, code, lookups, team, team_rows, today, problems) -> None:
    username = values.get("username", "")
    role_text = values.get("team_role", "")
    start_text = values.get("starts_on", "")
    full_name = values.get("full_name", "")
    if not (username or role_text):
        if start_text or full_name:
            problems.add(
                number,
                _("a name or start date is given but no team member (username and team_role)."),
            )
        return
    if not username:
        problems.add(number, _("the team role is given but the username is empty."))
    if not role_text:
        problems.add(number, _("the username is given but the team role is empty."))

    role = TEAM_ROLES.get(_alias(role_text)) if role_text else None
    if role_text and role is None:
        problems.add(
            number,
            _("unknown team role “%(value)s” (use chief, worker, assistant or police).")
            % {"value": _shown(role_text)},
        )
    person = lookups.people.get(username) if username else None
    if username and person is None:
        if lookups.actor is None:
            message = _(
                "nobody signs in as “%(username)s”. People are added on the People pages, "
                "not by this import."
            )
        else:
            message = _(
                "nobody among the people you manage signs in as “%(username)s”. People are "
                "added on the People pages, not by this import."
            )
        problems.add(number, message % {"username": _shown(username)})
    if person is not None and full_name and person.first_name and full_name != person.first_name:
        problems.add(
            number,
            _("“%(username)s” is %(stored)s, not %(given)s.")
            % {"username": username, "stored": person.first_name, "given": _shown(full_name)},
        )
    starts_on = today
    if start_text:
        starts_on = _parse_date(start_text)
        if starts_on is None:
            problems.add(
                number,
                _("the start date “%(value)s” is not a date (write it like 2026-03-01).")
                % {"value": _shown(start_text)},
            )
    if not (code and person is not None and role is not None and starts_on is not None):
        return
    key = (code, username, role)
    if key in team_rows:
        problems.add(
            number,
            _("%(username)s is already listed as %(role)s of grid %(code)s on row %(first)d.")
            % {
                "username": username,
                "role": GridRole(role).label,
                "code": code,
                "first": team_rows[key],
            },
        )
        return
    team_rows[key] = number
    grid = lookups.grids.get(code)
    team.append(
        _TeamPlan(
            row=number,
            grid_code=code,
            person=person,
            role=role,
            starts_on=starts_on,
            already_open=grid is not None
            and (grid.pk, person.pk, role) in lookups.open_assignments,
        )
    )


def _parse_date(text: str) -> date | None:
    match = DATE.match(text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _check_grid(plan: _GridPlan, lookups: _Lookups, problems: _Problems) -> None:
    """What can only be judged once all of a grid's rows are read."""
    village_code = plan.given.get("village_code", (None, 0))[0]
    existing = plan.existing
    if existing is None:
        missing = [
            column
            for column in ("grid_name", "kind", "village_code")
            if column not in plan.given and column not in plan.refused
        ]
        if missing:
            # A grid outside an administrator's areas is not found, exactly as one that does
            # not exist: the same words either way.
            if lookups.actor is None:
                message = _(
                    "grid %(code)s is new, so its name, kind and village (community) code must "
                    "be given on at least one of its rows."
                )
            else:
                message = _(
                    "the grid code %(code)s was not found in your area: a new grid needs its "
                    "name, kind and village (community) code on at least one of its rows."
                )
            problems.add(plan.first_row, message % {"code": plan.code})
            return
        if plan.code in lookups.codes_used_elsewhere:
            # Grid codes are unique across the city, so this one cannot be given to a new grid.
            problems.add(
                plan.first_row,
                _("the grid code %(code)s is already in use: choose another.")
                % {"code": plan.code},
            )
            return
        if village_code is not None:
            plan.village = lookups.areas[village_code]
        return
    stored_village = existing.village.code
    if village_code is not None and village_code != stored_village:
        problems.add(
            plan.given["village_code"][1],
            _(
                "the grid code %(code)s is already used by a grid of another village "
                "(community), %(village)s."
            )
            % {"code": plan.code, "village": stored_village},
        )
    plan.village = existing.village


# Writing ----------------------------------------------------------------------------------


def _apply(*, actor, grids: dict[str, _GridPlan], team: list[_TeamPlan]) -> GridImportSummary:
    counts = dict.fromkeys(
        ["created", "updated", "unchanged", "assigned", "assignment_unchanged"], 0
    )
    try:
        with transaction.atomic():
            saved: dict[str, Grid] = {}
            for plan in grids.values():
                values = {column: value for column, (value, _row) in plan.given.items()}
                if plan.existing is None:
                    saved[plan.code] = services.grid_create(
                        actor=actor,
                        village=plan.village,
                        code=plan.code,
                        name=values["grid_name"],
                        kind=values["kind"],
                        households=values.get("households", 0),
                        population=values.get("population", 0),
                    )
                    counts["created"] += 1
                    continue
                grid = saved[plan.code] = plan.existing
                changed = services.grid_update(
                    actor=actor,
                    grid=grid,
                    name=values.get("grid_name", grid.name),
                    kind=values.get("kind", grid.kind),
                    households=values.get("households", grid.households),
                    population=values.get("population", grid.population),
                )
                counts["updated" if changed else "unchanged"] += 1
            for member in team:
                grid = saved[member.grid_code]
                services.grid_assign(
                    actor=actor,
                    grid=grid,
                    person=member.person,
                    role=member.role,
                    starts_on=member.starts_on,
                )
                counts["assignment_unchanged" if member.already_open else "assigned"] += 1
    except (ValidationError, PermissionDenied, IntegrityError) as error:
        detail = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        raise GridImportError(
            [
                _("Nothing was imported: %(error)s Try again; if it happens again, report it.")
                % {"error": detail}
            ]
        ) from None
    return GridImportSummary(
        grids_created=counts["created"],
        grids_updated=counts["updated"],
        grids_unchanged=counts["unchanged"],
        assignments_created=counts["assigned"],
        assignments_unchanged=counts["assignment_unchanged"],
    )
