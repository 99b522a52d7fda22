"""Events linked to a major matter: inside its polygon, within its radius of its point,
or neither; the disputes among them; only what the viewer may see; a fixed cost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pingan.access.actor import Actor
from pingan.conftest import square
from pingan.events.models import Event
from pingan.events.services import event_report
from pingan.geo import geometry
from pingan.risk import place
from pingan.risk.linking import linked_events
from pingan.risk.tests.factories import new_matter

pytestmark = pytest.mark.django_db


def _event(cast: Any, lat: float, lng: float, category: Any = None, user: Any = None) -> Event:
    e, _ = event_report(
        actor=user or cast.dispatcher,
        category=(category or cast.neighbour).pk,
        description="群众反映征收补偿问题",
        lat=lat,
        lng=lng,
        outside_own_grid=True,
        extra={"place_kind": "住宅"} if category is cast.fire else None,
    )
    return e


def test_within_the_radius_of_the_point_and_not_beyond(cast):
    lat, lng = cast.point_a1  # (30.525, 120.945), radius 500 m
    near = _event(cast, lat + 0.002, lng)  # ≈ 223 m north
    far = _event(cast, lat + 0.0045, lng - 0.0045)  # ≈ 660 m: in the box, outside the circle
    assert place.distance_m(lat, lng, far.lat, far.lng) > 500
    m = new_matter(cast)
    got = linked_events(actor=cast.county_dispatcher, matter=m)
    assert [e.pk for e in got.latest] == [near.pk]
    assert (got.events, got.disputes) == (1, 1)


def test_inside_the_polygon_and_outside_it(cast):
    # grid A2: 120.95–120.96 × 30.52–30.53
    m = new_matter(
        cast, lat=None, lng=None, area=square(120.952, 30.522, 0.006), region=cast.grid_a2.pk
    )
    inside = _event(cast, 30.525, 120.955, category=cast.fire)
    outside = _event(cast, 30.5295, 120.9595)  # in the grid, beyond the square's corner
    got = linked_events(actor=cast.county_dispatcher, matter=m)
    assert [e.pk for e in got.latest] == [inside.pk]
    assert got.events == 1 and got.disputes == 0  # a fire hazard is not a dispute
    assert outside.pk not in {e.pk for e in got.latest_disputes}


def test_polygon_and_point_together_link_both(cast):
    lat, lng = cast.point_a1
    m = new_matter(cast, area=square(120.952, 30.522, 0.006))
    a = _event(cast, lat + 0.001, lng)
    b = _event(cast, 30.525, 120.955)
    got = linked_events(actor=cast.county_dispatcher, matter=m)
    assert {e.pk for e in got.latest} == {a.pk, b.pk}
    assert got.disputes == 2 and [e.pk for e in got.latest_disputes] == [b.pk, a.pk]


def test_only_events_the_viewer_sees_are_linked(cast):
    lat, lng = cast.point_a1
    _event(cast, lat, lng)
    m = new_matter(cast)
    assert linked_events(actor=cast.county_dispatcher, matter=m).events == 1
    # The market handler sees the matter only through a measure; the event is not his.
    assert linked_events(actor=cast.handler_market, matter=m).events == 0


def test_events_long_before_the_matter_are_not_linked(cast, settings):
    lat, lng = cast.point_a1
    e = _event(cast, lat, lng)
    Event.objects.filter(pk=e.pk).update(reported_at=e.reported_at - dt.timedelta(days=400))
    m = new_matter(cast)
    assert linked_events(actor=cast.county_dispatcher, matter=m).events == 0
    settings.PINGAN_RISK_LINK_DAYS = 500
    assert linked_events(actor=cast.county_dispatcher, matter=m).events == 1


def test_a_matter_without_a_place_links_nothing(cast):
    m = new_matter(cast, lat=None, lng=None, kind="policy")
    got = linked_events(actor=cast.county_dispatcher, matter=m)
    assert not got.has_place and got.events == 0


def test_the_cost_does_not_grow_with_the_events(cast, django_assert_max_num_queries):
    lat, lng = cast.point_a1
    for i in range(12):
        _event(cast, lat + i * 0.0001, lng)
    m = new_matter(cast)
    actor = Actor.for_user(cast.county_dispatcher)
    assert actor.clearances is not None  # resolved once per request, before
    with django_assert_max_num_queries(3):
        got = linked_events(actor=actor, matter=m)
    assert got.events == 12 and len(got.latest) == 10


@pytest.mark.parametrize(
    "area, reason",
    [
        ({"type": "Point", "coordinates": [120.9, 30.5]}, "多边形"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
            },
            "自相交",
        ),
        ("not json", "GeoJSON"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [0, 1], [0, 0]]]}, "超出"),
    ],
)
def test_a_bad_polygon_is_refused_naming_the_field(area, reason):
    from pingan.core.errors import Invalid

    with pytest.raises(Invalid) as e:
        geometry.area_of(area)
    assert reason in e.value.fields["area"]
