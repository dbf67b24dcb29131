"""The list of petitions and its Excel export show the same rows, in the same order, with the
same columns, under the same filter."""

import io
import re
from datetime import date
from html import unescape

import openpyxl

from petitions.models import PetitionStatus
from tests.conftest import WEIZI_VILLAGE
from tests.factories import PetitionFactory
from tests.petitions.helpers import register


def list_rows(response) -> tuple[list[str], list[list[str]]]:
    """The list table as a person reads it: the header and the rows, cell by cell."""
    html = response.content.decode()
    table = re.search(r'<table[^>]*data-testid="petition-list".*?</table>', html, re.S).group(0)

    def cells(row, tag):
        return [
            re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip()
            for cell in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", row, re.S)
        ]

    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return cells(rows[0], "th"), [cells(row, "td") for row in rows[1:] if "<td" in row]


def export_rows(response) -> tuple[list[str], list[list[str]]]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_the_list_and_the_export_match_row_for_row(client, township_staff, weizi_staff):
    register(township_staff, received_on=date(2026, 9, 20))
    register(township_staff, subject="小学门口道路积水", channel="visit")
    PetitionFactory(
        status=PetitionStatus.ACCEPTED,
        received_on=date(2026, 11, 2),
        acceptance_due=date(2026, 11, 17),
        decided_on=date(2026, 11, 3),
        conclusion_due=date(2027, 1, 4),
        subject='=HYPERLINK("http://example.com")',
    )
    register(weizi_staff, area_code=WEIZI_VILLAGE)  # not 店上镇's
    client.force_login(township_staff)

    header, rows = list_rows(client.get("/petitions/"))
    export_header, exported = export_rows(client.get("/petitions/?export=1"))

    assert header == export_header
    assert len(rows) == 3
    # The spreadsheet does not run what a petitioner wrote as a formula.
    assert exported[0][header.index("事由")] == '\'=HYPERLINK("http://example.com")'
    exported[0][header.index("事由")] = exported[0][header.index("事由")][1:]
    assert rows == exported
    assert rows[-1][header.index("收到日期")] == "2026-09-20"
    assert rows[-1][header.index("告知受理期限")] == "2026-10-08"
    assert rows[-1][header.index("渠道")] == "来信"
    assert rows[-2][header.index("渠道")] == "来访"


def test_the_status_filter_applies_to_the_list_and_the_export_alike(client, township_staff):
    register(township_staff)
    PetitionFactory(status=PetitionStatus.ACCEPTED, decided_on=date(2026, 11, 3))
    PetitionFactory(status=PetitionStatus.CLOSED, decided_on=date(2026, 11, 3))
    client.force_login(township_staff)

    response = client.get("/petitions/?status=accepted")
    _header, rows = list_rows(response)
    _header, exported = export_rows(client.get("/petitions/?status=accepted&export=1"))

    assert len(rows) == 1
    assert rows == exported
    assert "已受理" in rows[0]
    # The status pills keep counting every status, not only the one chosen.
    html = response.content.decode()
    for status, count in [("received", 1), ("accepted", 1), ("closed", 1), ("replied", 0)]:
        assert re.search(rf'href="\?status={status}">[^<]*<span[^>]*>{count}</span>', html)


def test_the_list_links_to_the_export_of_what_it_shows(client, township_staff):
    register(township_staff)
    client.force_login(township_staff)

    html = client.get("/petitions/?status=received").content.decode()

    assert 'href="?status=received&amp;export=1"' in html


def test_the_list_keeps_to_a_query_budget(client, township_staff, django_assert_max_num_queries):
    for _ in range(15):
        PetitionFactory(registered_by=township_staff)
    client.force_login(township_staff)

    # The lights read the counties' warning periods and, when no process has cached them yet,
    # the calendar's corrections: one query each, whatever the number of rows.
    with django_assert_max_num_queries(13):
        response = client.get("/petitions/")

    assert len(list_rows(response)[1]) == 15
