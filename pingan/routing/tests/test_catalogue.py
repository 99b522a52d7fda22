"""The default catalogue (`manage.py load_catalogue`): idempotent, local offices lead
neighbourhood matters in their town."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pingan.events.models import Category
from pingan.org.models import Department
from pingan.routing.models import RoutingRule


def test_load_catalogue_is_idempotent_and_routes_locally(cast):
    out = StringIO()
    call_command("load_catalogue", "--county", "330424", stdout=out)
    first = (Department.objects.count(), Category.objects.count(), RoutingRule.objects.count())
    call_command("load_catalogue", stdout=out)  # the only county: no --county needed
    assert (Department.objects.count(), Category.objects.count(), RoutingRule.objects.count()) == (
        first
    )
    labour = Category.objects.get(code="dispute.labour")
    assert labour.default_department.name == "县人力社保局"
    assert [f["name"] for f in labour.extra_fields] == ["people", "amount"]
    assert labour.deadlines.get(urgency="normal").handle_unit == "days"
    rule = RoutingRule.objects.get(category__code="dispute.neighbour", region=cast.town_a)
    assert rule.lead_department.name == "武原街道司法所"
    county_rule = RoutingRule.objects.get(category__code="dispute.neighbour", region=cast.county)
    assert county_rule.lead_department.name == "县司法局"


def test_load_catalogue_needs_a_county_it_can_find(cast):
    with pytest.raises(CommandError, match="330999"):
        call_command("load_catalogue", "--county", "330999")
