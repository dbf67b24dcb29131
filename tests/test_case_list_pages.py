"""The case lists show one page of 50 at a time, newest first, with links to the older and the
newer page that keep the filter; a page number out of range or not a number is answered, never
a server error."""

import re

import pytest
from django.urls import reverse

from governance.models import Role
from tests.conftest import DIANSHANG
from tests.factories import DisputeFactory, PetitionFactory, person_with_role


def numbers_on(response, prefix):
    return re.findall(rf">({prefix}\d{{7}})<", response.content.decode())


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="赵镇干")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "prefix", "url_name", "filter_query"),
    [
        (DisputeFactory, "JFT", "disputes:list", "status=registered"),
        (PetitionFactory, "XFT", "petitions:list", "status=received"),
    ],
)
def test_a_long_list_is_read_page_by_page(
    client, township_staff, factory, prefix, url_name, filter_query
):
    made = [factory().number for _ in range(52)]
    newest_first = list(reversed(made))  # one after another: the later, the newer
    client.force_login(township_staff)
    url = reverse(url_name)

    first = client.get(f"{url}?{filter_query}")
    assert numbers_on(first, prefix) == newest_first[:50]
    page = first.content.decode()
    assert f'href="?{filter_query}&amp;page=2"' in page, "the older page keeps the filter"
    assert 'rel="prev"' not in page

    second = client.get(f"{url}?{filter_query}&page=2")
    assert numbers_on(second, prefix) == newest_first[50:]
    assert f'href="?{filter_query}&amp;page=1"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()

    for odd in ("0", "-3", "abc", "99999999999999999999"):
        response = client.get(f"{url}?page={odd}")
        assert response.status_code == 200
    assert numbers_on(client.get(f"{url}?page=abc"), prefix) == newest_first[:50]
    assert numbers_on(client.get(f"{url}?page=200"), prefix) == []
