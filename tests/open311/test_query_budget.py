"""The hotline's list of its work orders costs the same number of queries however many there
are (each with its steps)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.open311.conftest import Api, work_order


@pytest.mark.django_db
def test_the_list_of_work_orders_has_a_fixed_query_budget(source_with_token):
    source, token = source_with_token
    api = Api(token)
    api.post(work_order(source_number="A-1"))
    with CaptureQueriesContext(connection) as one:
        assert len(api.requests().json()) == 1
    for n in range(2, 12):
        api.post(work_order(source_number=f"A-{n}"))

    with CaptureQueriesContext(connection) as eleven:
        assert len(api.requests().json()) == 11

    assert len(eleven) == len(one)
    assert len(eleven) <= 8
