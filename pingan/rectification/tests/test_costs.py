"""Costs: the list (API and page) and an order's page cost a fixed number of queries,
whatever the number of orders; issuing an order and one transition a handful."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient
from pingan.rectification.tests.factories import acknowledged, fire, new_order

pytestmark = pytest.mark.django_db


def _count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_the_orders(cast):
    api = ApiClient(Client(), token_issue(user=cast.county_dispatcher))
    page = Client()
    page.force_login(cast.county_dispatcher)
    new_order(cast)
    new_order(cast, unit="police")
    api.get("/rectifications")  # warm: the token's and the session's first writes
    page.get("/rectifications/")
    few = _count(lambda: api.get("/rectifications")), _count(lambda: page.get("/rectifications/"))
    for _i in range(8):
        new_order(cast, unit="police")
    many = _count(lambda: api.get("/rectifications")), _count(lambda: page.get("/rectifications/"))
    assert many == few
    print("costs: api list", many[0], "page list", many[1])


def test_issue_and_transition_costs(cast):
    new_order(cast)  # the sequence row exists
    issue = _count(lambda: new_order(cast))
    o = new_order(cast)
    ack = _count(lambda: acknowledged(cast, o))
    ext = _count(
        lambda: fire(o, cast.county_dispatcher, "extend", deadline="2099-01-01", note="延期")
    )
    print("costs: issue", issue, "acknowledge", ack, "extend", ext)
    assert issue <= 20 and ack <= 20 and ext <= 20
