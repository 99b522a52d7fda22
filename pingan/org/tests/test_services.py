"""Organisation services as the demo builder and admins use them: idempotent grants."""

from __future__ import annotations

import pytest

from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.org.selectors import memberships_of, user_roles
from pingan.org.services import membership_grant, user_upsert


def test_granting_the_same_role_twice_keeps_one_membership(cast):
    membership_grant(user=cast.dispatcher, role=Role.DISPATCHER, region=cast.town_a)
    assert Membership.objects.filter(user=cast.dispatcher, role=Role.DISPATCHER).count() == 1


def test_a_deactivated_membership_is_reactivated_and_seen_again(cast):
    m = Membership.objects.get(user=cast.handler, role=Role.HANDLER)
    m.is_active = False
    m.save()
    assert user_roles(cast.handler) == set()
    membership_grant(user=cast.handler, role=Role.HANDLER, department=cast.police)
    assert user_roles(cast.handler) == {Role.HANDLER}
    assert [x.department for x in memberships_of(cast.handler)] == [cast.police]


def test_upserting_a_user_without_password_keeps_the_password(cast):
    user = user_upsert(username=cast.gridworker.username, name="张网格（改）")
    assert user.name == "张网格（改）"
    assert user.check_password(cast.password)


def test_new_user_without_password_cannot_sign_in(db):
    user = user_upsert(username="gw-generated", name="生成网格员")
    assert not user.has_usable_password()


@pytest.mark.parametrize("role", [Role.HANDLER])
def test_handler_needs_a_department(cast, role):
    with pytest.raises(ValueError):
        membership_grant(user=cast.leader, role=role, region=cast.county)
