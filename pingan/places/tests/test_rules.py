"""The rating rule and the distances, as docs/places.md states them."""

from __future__ import annotations

import pytest

from pingan.places.rules import CheckFacts, bbox, distance_m, rating_of

PASS = CheckFacts("pass", 0)
RECTIFY_1 = CheckFacts("rectify", 1)
RECTIFY_3 = CheckFacts("rectify", 3)
FAIL = CheckFacts("fail", 1)


@pytest.mark.parametrize(
    ("checks", "rating"),
    [
        ([], ""),
        ([PASS], "green"),
        ([PASS, PASS], "green"),
        ([PASS, RECTIFY_1], "green"),  # the hazard of last time was fixed
        ([RECTIFY_1], "yellow"),
        ([RECTIFY_1, PASS], "yellow"),
        ([RECTIFY_3], "red"),  # three hazards are red whatever the result says
        ([FAIL, PASS], "red"),
        ([PASS, FAIL], "yellow"),  # one clean check after a red one: probation
        ([PASS, RECTIFY_3], "yellow"),
        ([PASS, PASS, FAIL], "green"),  # only the last two count
    ],
)
def test_rating_from_the_last_checks(checks, rating):
    assert rating_of(checks) == rating


def test_distance_is_the_great_circle_distance():
    # 0.001 degree of latitude is about 111 m anywhere.
    assert distance_m(30.5, 120.9, 30.501, 120.9) == pytest.approx(111.2, abs=0.5)
    # A degree of longitude at 30° is cos(30°) of one at the equator.
    assert distance_m(30.0, 120.0, 30.0, 121.0) == pytest.approx(96_486, rel=0.002)


def test_the_box_holds_the_whole_circle():
    south, north, west, east = bbox(30.5, 120.9, 300)
    for lat, lng in ((south, 120.9), (north, 120.9), (30.5, west), (30.5, east)):
        assert distance_m(30.5, 120.9, lat, lng) >= 299
