"""Helpers of the dashboard tests: rolled-up figures without the case tables, and the tables
read back from a page and from its Excel file."""

import random
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from html import unescape
from io import BytesIO

from django.db.models import Sum
from openpyxl import load_workbook

from governance.models import Area, Department
from governance.rollups.models import (
    DEPARTMENT_METRIC_NAMES,
    METRIC_NAMES,
    DailyStat,
    DepartmentDailyStat,
    JobRun,
)
from grids.models import Grid

PETITIONS = {name for name in METRIC_NAMES if name.startswith("petitions_")}
STATES = {
    "disputes_overdue_open",
    "disputes_supervised",
    "petitions_overdue",
    "incidents_overdue_open",
}


def _random_counts(rng: random.Random, *, grid: bool) -> dict[str, int]:
    counts = {}
    for name in METRIC_NAMES:
        if grid and name in PETITIONS:
            counts[name] = 0
        else:
            counts[name] = rng.randint(0, 3 if name in STATES else 6)
    return counts


def roll_up(*, end: date, days: int, seed: int = 2026) -> None:
    """`days` days of figures up to `end`, shaped as the daily job leaves them: a row per grid,
    a row for every area with something counted (a village's row adds its grids' rows and what
    concerns the village alone; every area above adds its children), a row for most
    departments, a finished run per day. About a third of the villages have nothing on a given
    day, so they have no row."""
    rng = random.Random(seed)
    parents = dict(Area.objects.values_list("pk", "parent_id"))
    villages = list(Area.objects.filter(level="village").values_list("pk", flat=True))
    grids = list(Grid.objects.values_list("pk", "village_id"))
    departments = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    rows, department_rows, runs = [], [], []
    for offset in range(days):
        day = end - timedelta(days=offset)
        totals: dict[int, Counter] = defaultdict(Counter)

        def add(village_id, counts, totals=totals):
            node = village_id
            while node is not None:
                totals[node].update(counts)
                node = parents[node]

        for grid_id, village_id in grids:
            counts = _random_counts(rng, grid=True)
            rows.append(DailyStat(day=day, area_id=village_id, grid_id=grid_id, **counts))
            add(village_id, counts)
        for village_id in villages:
            if rng.random() < 0.66:
                add(village_id, _random_counts(rng, grid=False))
        for area_id, counts in totals.items():
            full = {name: counts.get(name, 0) for name in METRIC_NAMES}
            rows.append(DailyStat(day=day, area_id=area_id, **full))
        for department_id in departments:
            if rng.random() < 0.8:
                counts = {name: rng.randint(0, 4) for name in DEPARTMENT_METRIC_NAMES}
                department_rows.append(
                    DepartmentDailyStat(day=day, department_id=department_id, **counts)
                )
        runs.append(JobRun(job="daily", period=day.isoformat(), outcome=JobRun.Outcome.DONE))
    DailyStat.objects.bulk_create(rows, batch_size=2000)
    DepartmentDailyStat.objects.bulk_create(department_rows, batch_size=2000)
    JobRun.objects.bulk_create(runs)


def stored_sums(*, start: date, end: date, **filters) -> dict[str, int]:
    """What the table holds for the rows matching `filters` over the period, summed straight
    from DailyStat: flows added up, states read on the last day."""
    rows = DailyStat.objects.filter(day__range=(start, end), **filters)
    sums = rows.aggregate(**{name: Sum(name, default=0) for name in METRIC_NAMES})
    last = rows.filter(day=end).aggregate(**{name: Sum(name, default=0) for name in STATES})
    return {**sums, **last}


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _value(text: str):
    """A number as a number (a spreadsheet reads 100.0 back as 100: equal as numbers)."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def page_table(html: str, key: str) -> tuple[list[str], list[list]]:
    """The header and the rows of the table `key` as the page shows them."""
    match = re.search(rf'data-testid="table-{key}">(.*?)</section>', html, re.S)
    assert match, f"no table {key} on the page"
    section = match.group(1)
    header = [_text(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", section, re.S)]
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1)
    rows = [
        [_value(_text(cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    return header, rows


def page_link(html: str, key: str, testid: str) -> str:
    """The href of the element `testid` in the table `key`."""
    match = re.search(rf'data-testid="table-{key}">(.*?)</section>', html, re.S)
    href = re.search(rf'href="([^"]+)" data-testid="{testid}"', match.group(1))
    return unescape(href.group(1))


def workbook_table(content: bytes) -> tuple[list[str], list[list]]:
    sheet = load_workbook(BytesIO(content), read_only=True).worksheets[0]
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    return [str(cell) for cell in lines[0]], lines[1:]
