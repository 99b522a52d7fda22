"""Three administrators (三员): each does his own job in the back office and no other's;
production refuses to start while an active superuser exists."""

from __future__ import annotations

import pytest
from django.core import checks
from django.test import Client

from pingan.accounts.checks import refuse_to_start_with_errors, superusers_check
from pingan.core import audit
from pingan.core.models import AuditEntry
from pingan.org.admin import MembershipForm
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.org.services import membership_grant, user_upsert

# URL → which administrator may open it (the others get 403).
PAGES = {
    "/admin/accounts/user/": {"sys_admin", "sec_admin"},  # sec_admin: to find whom to grant
    "/admin/accounts/user/add/": {"sys_admin"},
    "/admin/geo/region/": {"sys_admin", "sec_admin"},
    "/admin/org/department/add/": {"sys_admin"},
    "/admin/events/category/": {"sys_admin"},
    "/admin/core/workdayoverride/": {"sys_admin"},
    "/admin/routing/routingrule/": {"sys_admin"},
    "/admin/org/membership/": {"sec_admin"},
    "/admin/org/membership/add/": {"sec_admin"},
    "/admin/accounts/apitoken/": {"sec_admin"},
    "/admin/accounts/loginfailure/": {"sec_admin"},
    "/admin/accounts/totpdevice/": {"sec_admin"},
    "/admin/core/auditentry/": {"audit_admin"},
    "/admin/core/auditanchor/": {"audit_admin"},
    "/security/audit/": {"audit_admin"},
    "/security/audit/export.csv": {"audit_admin"},
}


@pytest.fixture
def admins(cast):
    out = {"sys_admin": cast.sysadmin}
    for role, name in (("sec_admin", "secadmin"), ("audit_admin", "auditadmin")):
        u = user_upsert(username=name, name=name, password=cast.password)
        membership_grant(user=u, role=role)
        out[role] = u
    return out


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("url", sorted(PAGES))
def test_each_administrator_reaches_only_his_own_pages(admins, url):
    for role, user in admins.items():
        status = client_for(user).get(url).status_code
        if role in PAGES[url]:
            assert status == 200, (role, url, status)
        else:
            assert status in (403, 404), (role, url, status)


def test_the_back_office_is_closed_to_other_roles_even_with_the_staff_flag(cast):
    cast.dispatcher.is_staff = True
    cast.dispatcher.save()
    # Sent to the sign-in page, which refuses a signed-in user without an admin role.
    r = client_for(cast.dispatcher).get("/admin/", follow=True)
    assert r.status_code == 403
    assert client_for(cast.gridworker).get("/admin/", follow=True).status_code == 403


def test_per_user_permissions_grant_nothing(admins):
    from django.contrib.auth.models import Permission

    sysadmin = admins["sys_admin"]
    sysadmin.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    assert client_for(sysadmin).get("/admin/core/auditentry/").status_code == 403


def test_two_administrator_roles_give_the_powers_of_neither(admins):
    sysadmin = admins["sys_admin"]
    membership_grant(user=sysadmin, role=Role.AUDIT_ADMIN)
    c = client_for(sysadmin)
    assert c.get("/admin/core/auditentry/", follow=True).status_code == 403
    assert c.get("/admin/accounts/user/", follow=True).status_code == 403


def test_membership_form_refuses_a_second_administrator_role(admins):
    form = MembershipForm(
        data={"user": admins["sec_admin"].pk, "role": Role.AUDIT_ADMIN, "is_active": True}
    )
    assert not form.is_valid()
    assert "三员分立" in str(form.errors["role"])


def test_the_sysadmin_cannot_make_anyone_a_superuser(admins, cast):
    c = client_for(admins["sys_admin"])
    page = c.get(f"/admin/accounts/user/{cast.gridworker.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="is_active"' in page


def test_admin_changes_are_audited(admins, cast):
    c = client_for(admins["sec_admin"])
    r = c.post(
        "/admin/org/membership/add/",
        {"user": cast.gridworker.pk, "role": Role.GRID_LEADER, "region": cast.village_a.pk,
         "is_active": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="admin.add", object_type="org.membership")
    assert entry.actor == admins["sec_admin"]
    assert Membership.objects.filter(user=cast.gridworker, role=Role.GRID_LEADER).exists()


def test_admin_login_goes_through_the_one_sign_in_page(db):
    r = Client().get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=")


def test_production_refuses_an_active_superuser(cast, settings):
    root = user_upsert(username="root", name="root", password=cast.password)
    root.is_superuser = True
    root.save()
    settings.PRODUCTION = False
    assert superusers_check() == []
    settings.PRODUCTION = True
    errors = superusers_check()
    assert [e.id for e in errors] == ["accounts.E001"]
    assert errors[0].level == checks.ERROR
    with pytest.raises(RuntimeError, match=r"accounts\.E001"):
        refuse_to_start_with_errors()
    root.is_active = False
    root.save()
    assert superusers_check() == []


def test_production_refuses_mfa_exemptions(settings):
    from pingan.accounts.checks import mfa_exempt_check

    settings.PRODUCTION = True
    settings.PINGAN_MFA_EXEMPT_USERS = ["demo-dispatcher"]
    assert [e.id for e in mfa_exempt_check()] == ["accounts.E002"]
    settings.PINGAN_MFA_EXEMPT_USERS = []
    assert mfa_exempt_check() == []


def test_audit_rows_name_the_actor_without_personal_data(cast):
    entry = audit.record(action="x", actor=cast.gridworker)
    assert entry.username == "gw"
