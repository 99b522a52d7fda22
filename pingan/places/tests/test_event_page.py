"""附近视频点位 on the event page: the cameras within the radius, nearest first, for those
who are shown the event's exact point."""

from __future__ import annotations

from django.test import Client, override_settings

from pingan.api.tests.helpers import report
from pingan.places.tests.factories import new_camera


def _page(user, event):
    client = Client()
    client.force_login(user)
    return client.get(f"/events/{event.pk}/")


def test_the_event_page_lists_the_cameras_near_the_event(cast):
    event = report(cast)  # at point_a1, by the grid worker
    lat, lng = cast.point_a1
    new_camera(cast, "FAR", lat + 0.0025, lng, name="海滨路口")  # ~280 m
    new_camera(cast, "NEAR", lat + 0.0005, lng, name="城东菜场门口", link_name="城东-007")
    new_camera(cast, "OUT", lat + 0.01, lng, name="远处", region=cast.grid_a1.pk)  # ~1.1 km
    new_camera(cast, "GONE", lat, lng, name="已拆点位", status="removed")

    html = _page(cast.dispatcher, event).content.decode()
    assert 'data-testid="nearby-cameras"' in html
    assert html.index("城东菜场门口") < html.index("海滨路口")
    assert "城东-007" in html and "远处" not in html and "已拆点位" not in html
    with override_settings(PINGAN_CAMERA_RADIUS_M=100):
        html = _page(cast.gridworker, event).content.decode()  # the reporter
    assert "城东菜场门口" in html and "海滨路口" not in html

    # The county leader sees the event without its exact point: no camera block either.
    html = _page(cast.leader, event).content.decode()
    assert 'data-testid="nearby-cameras"' not in html and "城东菜场门口" not in html
