"""/audit/: administrators read their own jurisdiction's entries, filter them, page through
them and export them; administrators of another county see none of them; others are refused."""

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.audit.models import AuditEntry, AuditKind
from governance.audit.services import audit_record
from governance.models import Role
from tests.audit.conftest import entries
from tests.conftest import DIANSHANG, HANDIAN, LUCHENG
from tests.factories import UserFactory, area, person_with_role

URL = "/audit/"


def shown(response) -> list[str]:
    """The objects of the entries on the page, top to bottom."""
    return [entry.target for entry, _details in response.context["rows"]]


@pytest.fixture
def logged(people):
    """An entry of each kind of source, in 潞城区 and in 上党区."""
    handian_person = person_with_role(Role.TOWNSHIP_STAFF, HANDIAN, username="han")
    stranger = UserFactory(username="nobody-with-a-role")
    audit_record(kind=AuditKind.ACCESS_DENIED, actor=people["staff"], target="dianshang-denied")
    audit_record(kind=AuditKind.EXPORT, actor=None, area=area(LUCHENG), target="lucheng-export")
    audit_record(kind=AuditKind.SIGN_IN_FAILED, actor=handian_person, target="handian-failed")
    audit_record(kind=AuditKind.EXPORT, actor=stranger, target="stranger-export")
    return people


def test_the_administrator_sees_their_jurisdictions_entries_newest_first(client, logged):
    client.force_login(logged["admin"])

    response = client.get(URL)

    assert response.status_code == 200
    assert [t for t in shown(response) if t] == ["lucheng-export", "dianshang-denied"]


def test_an_administrator_of_another_county_sees_none_of_them(client, logged):
    client.force_login(logged["other_admin"])

    response = client.get(URL)

    assert [t for t in shown(response) if t] == ["handian-failed"]


def test_a_superuser_sees_everything(client, logged):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    targets = set(shown(client.get(URL)))

    assert {"lucheng-export", "dianshang-denied", "handian-failed", "stranger-export"} <= targets


@pytest.mark.parametrize("url", [URL, URL + "export/"])
def test_anyone_else_is_refused_and_the_refusal_is_recorded(client, logged, url):
    client.force_login(logged["staff"])

    assert client.get(url).status_code == 403

    assert entries()[-1].kind == AuditKind.ACCESS_DENIED
    assert entries()[-1].target == url


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_menu_shows_the_audit_log_to_administrators_only(client, people):
    client.force_login(people["admin"])
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(people["staff"])
    assert URL not in client.get(reverse("home")).content.decode()


def test_the_page_filters_by_event_person_and_dates(client, logged):
    long_ago = timezone.make_aware(datetime(2026, 1, 10, 23, 30))  # Beijing time
    AuditEntry.objects.create(
        kind=AuditKind.EXPORT, area=area(DIANSHANG), target="january-export", at=long_ago
    )
    client.force_login(logged["admin"])

    def targets(query):
        return [t for t in shown(client.get(URL + query)) if t]

    assert targets("?kind=access_denied") == ["dianshang-denied"]
    assert targets("?person=liu") == ["dianshang-denied"]
    assert targets("?date_from=2026-01-10&date_to=2026-01-10") == ["january-export"]
    assert targets("?date_to=2026-01-09") == []
    assert targets("?kind=export&date_from=2026-01-11") == ["lucheng-export"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=2026-02-01&date_to=2026-01-01", "第一天晚于最后一天"),
        ("?date_from=not-a-date", "输入一个有效的日期"),
        ("?kind=make_coffee", "选择一个有效的选项"),
    ],
)
def test_bad_filters_answer_with_a_message_not_an_error(client, logged, query, message):
    client.force_login(logged["admin"])

    response = client.get(URL + query)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert shown(response) == []


def test_the_page_is_paginated(client, people):
    start = timezone.now() - timedelta(hours=2)
    for number in range(60):
        AuditEntry.objects.create(
            kind=AuditKind.EXPORT,
            area=area(DIANSHANG),
            target=f"export-{number:02d}",
            at=start + timedelta(minutes=number),
        )
    client.force_login(people["admin"])

    first = shown(client.get(URL + "?kind=export"))
    second = shown(client.get(URL + "?kind=export&page=2"))

    assert len(first) == 50
    assert first[0] == "export-59"
    assert second[-1] == "export-00"
    assert len(first) + len(second) == 60


def test_the_export_holds_the_filtered_entries_and_is_itself_recorded(client, logged):
    client.force_login(logged["admin"])

    response = client.get(URL + "export/?kind=access_denied")

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "人员")
    assert [row[4] for row in rows[1:]] == ["dianshang-denied"]
    exported = AuditEntry.objects.latest("pk")
    assert exported.kind == AuditKind.EXPORT
    assert exported.actor == logged["admin"]
    assert exported.area.code == LUCHENG
    assert exported.detail["query"] == "kind=access_denied"


def test_the_admin_site_shows_entries_read_only(client, logged):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    entry = AuditEntry.objects.first()

    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    change = client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"target": "x"})
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.target != "x"
