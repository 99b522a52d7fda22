"""Who approves an export (`can_decide_export`, `can_approve_exports`): a second person,
the security administrator or a leader over the requester's region; given a user or an
actor (whose memberships are read as they are, not loaded again)."""

from __future__ import annotations

import pytest

from pingan.access.actor import Actor
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert
from pingan.privacy.selectors import can_approve_exports, can_decide_export
from pingan.privacy.services import export_request_create


@pytest.fixture
def request_of_town_a(cast):
    """Town A's dispatcher asks for an export."""
    return export_request_create(
        user=cast.dispatcher, kind="events", filters={}, row_count=5000, reason="周报"
    )


def test_a_leader_over_the_requesters_region_decides(cast, request_of_town_a):
    assert can_decide_export(cast.leader, request_of_town_a)  # the county's leader


def test_a_leader_of_another_town_does_not_decide(cast, request_of_town_a):
    assert can_approve_exports(cast.leader_b)
    assert not can_decide_export(cast.leader_b, request_of_town_a)


def test_nobody_decides_their_own_request(cast, request_of_town_a):
    membership_grant(user=cast.dispatcher, role=Role.LEADER, region=cast.county)
    fresh = type(cast.dispatcher).objects.get(pk=cast.dispatcher.pk)
    assert not can_decide_export(fresh, request_of_town_a)


def test_the_security_administrator_decides_any_request(cast, request_of_town_a):
    sec = user_upsert(username="secadmin", name="安全管理员", password=cast.password)
    membership_grant(user=sec, role=Role.SEC_ADMIN)
    assert can_approve_exports(sec)
    assert can_decide_export(sec, request_of_town_a)


def test_a_handlers_request_counts_their_departments_region(cast):
    # given a handler of a county department (no region of their own)
    req = export_request_create(
        user=cast.handler, kind="events", filters={}, row_count=5000, reason="月报"
    )
    # then the county's leader decides it, town B's does not
    assert can_decide_export(cast.leader, req)
    assert not can_decide_export(cast.leader_b, req)


def test_others_do_not_approve_exports(cast, request_of_town_a):
    for user in (cast.gridworker, cast.county_dispatcher, cast.handler):
        assert not can_approve_exports(user)
        assert not can_decide_export(user, request_of_town_a)
    assert not can_decide_export(None, request_of_town_a)


def test_an_actor_is_read_without_loading_memberships_again(
    cast, request_of_town_a, django_assert_num_queries
):
    leader = Actor.for_user(type(cast.leader).objects.get(pk=cast.leader.pk))
    request_of_town_a.requested_by.__dict__.pop("_pingan_memberships", None)
    with django_assert_num_queries(1):  # the requester's memberships only
        assert can_decide_export(leader, request_of_town_a)
    with django_assert_num_queries(0):
        assert can_approve_exports(leader)
