"""The outbox's messages come from Django's JavaScript catalogue: one external script per
language (the strict CSP allows no inline one), loaded before outbox.js, kept in caches since
it is the same for everyone, and in Chinese unless the person chose English."""

import re

import pytest
from django.urls import reverse

from governance.jsi18n import catalogue_url
from grids.models import GridRole
from tests.conftest import DIANSHANG_VILLAGE
from tests.factories import GridFactory, area, team_member


@pytest.fixture
def worker(changzhi_slice):
    grid = GridFactory(village=area(DIANSHANG_VILLAGE), code="140406100200-01", name="一网格")
    return team_member(grid, GridRole.WORKER, first_name="张网格")


def readable(response) -> str:
    """The catalogue's script with its \\u escapes read as the characters they stand for."""
    return re.sub(
        r"\\u([0-9a-f]{4})", lambda match: chr(int(match[1], 16)), response.content.decode()
    )


def scripts(page: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', page)


@pytest.mark.parametrize("name", ["grids:worker_home", "grids:finding_new"])
def test_the_outbox_pages_load_the_catalogue_just_before_the_outbox(client, worker, name):
    client.force_login(worker)

    page = client.get(reverse(name)).content.decode()

    sources = [src.replace("&amp;", "&") for src in scripts(page)]
    outbox = next(i for i, src in enumerate(sources) if "js/outbox" in src)
    assert sources[outbox - 1] == catalogue_url("zh-hans")


def test_the_catalogue_says_the_outbox_messages_in_chinese(client, worker):
    client.force_login(worker)

    response = client.get(catalogue_url("zh-hans"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    script = readable(response)
    assert "网络不通：这条发现已保存在手机上" in script
    assert "已发送 %(count)s 条暂存在手机上的发现。" in script
    # Only the portal's own strings: not the admin's calendar.
    assert "January" not in script and "一月" not in script


def test_the_english_catalogue_leaves_the_source_strings(client, worker):
    script = readable(client.get(catalogue_url("en")))

    assert "网络不通" not in script
    assert "function gettext" in script or "django.gettext" in script


def test_the_catalogue_is_kept_in_caches_even_for_a_signed_in_person(client, worker):
    client.force_login(worker)

    response = client.get(catalogue_url("zh-hans"))

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" in cache_control
    assert "no-store" not in cache_control
    assert "max-age=31536000" in cache_control


@pytest.mark.parametrize(
    "query", ["", "?language=zh-hans&v=old", "?language=klingon&v=x", "?language=en"]
)
def test_an_old_or_made_up_catalogue_address_leads_to_the_current_one(client, query):
    response = client.get(f"/jsi18n/{query}")

    assert response.status_code == 302
    assert response["Location"] in (catalogue_url("zh-hans"), catalogue_url("en"))
    if "language=en" in query:
        assert response["Location"] == catalogue_url("en")


def test_the_catalogue_is_sent_compressed_to_a_phone_that_takes_it(client):
    response = client.get(catalogue_url("zh-hans"), headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 3000
