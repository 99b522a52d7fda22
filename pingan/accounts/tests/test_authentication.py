"""Authentication rules of GB/T 22239 level 3: passwords, two factors, lockout, sessions,
revocation, dormant accounts."""

from __future__ import annotations

import datetime as dt
import time

import pyotp
import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pingan.accounts import roles
from pingan.accounts.models import ApiToken, LoginFailure, TotpDevice, User
from pingan.accounts.services import (
    accounts_disable_unused,
    password_expired,
    token_issue,
    token_user,
    totp_enrol_start,
    totp_verify,
)
from pingan.core.models import AuditEntry
from pingan.org.choices import ADMIN_ROLES, Role

NEW_PASSWORD = "Haiyan#Spring-2027"


def post_token(payload: dict) -> object:
    return Client().post("/api/v1/auth/token", payload, content_type="application/json")


def bind(user: User) -> str:
    """Bind an authenticator for `user`; returns the code used to confirm it."""
    device = totp_enrol_start(user=user)
    code = pyotp.TOTP(device.secret).now()
    assert totp_verify(user=user, code=code, confirm=True)
    return code


def next_code(user: User) -> str:
    """A code for the step after the last one used (accepted as one step of drift)."""
    device = TotpDevice.objects.get(user=user)
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    if device.last_step >= totp.timecode(now):
        now += dt.timedelta(seconds=30)
    return totp.at(now)


# ---- password policy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Short1!", False),  # under 10 characters
        ("alllowercaseletters", False),  # one class
        ("lowercase12345", False),  # two classes
        ("Password123", False),  # three classes but a common password
        ("Haiyan-2027spring", True),  # lower, upper, digit, symbol
        ("haiyan-2027-spring", True),  # lower, digit, symbol
        ("HAIYANspring2027", True),  # upper, lower, digit
    ],
)
def test_password_policy(db, password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_password_messages_are_chinese(db):
    with pytest.raises(ValidationError) as err:
        validate_password("lowercase12345")
    assert "至少 3 类" in " ".join(err.value.messages)


def test_administrator_password_expires_after_90_days(cast):
    admin = cast.sysadmin
    assert not password_expired(user=admin)
    User.objects.filter(pk=admin.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    admin.refresh_from_db()
    assert password_expired(user=admin)
    # Other roles are not forced.
    User.objects.filter(pk=cast.gridworker.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=400)
    )
    cast.gridworker.refresh_from_db()
    assert not password_expired(user=cast.gridworker)


def test_expired_administrator_can_only_change_the_password(cast, client):
    User.objects.filter(pk=cast.sysadmin.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    client.force_login(User.objects.get(pk=cast.sysadmin.pk))
    r = client.get(reverse("workbench"))
    assert r.status_code == 302 and r["Location"] == reverse("password_change")
    assert client.get("/admin/").status_code == 302
    r = client.post(
        reverse("password_change"),
        {
            "old_password": cast.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert r.status_code == 302
    assert client.get(reverse("workbench")).status_code == 200
    assert AuditEntry.objects.filter(action="password.change", actor=cast.sysadmin).exists()


def test_password_change_page_applies_the_policy(cast, client):
    client.force_login(cast.gridworker)
    r = client.post(
        reverse("password_change"),
        {
            "old_password": cast.password,
            "new_password1": "abcdefghijk",
            "new_password2": "abcdefghijk",
        },
    )
    assert r.status_code == 422
    assert "至少包含" in r.content.decode() or "至少 3 类" in r.content.decode()
    r = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert r.status_code == 422 and "原密码不正确" in r.content.decode()


# ---- revocation on password change and disabling --------------------------------------------


def test_password_change_ends_other_sessions_and_revokes_tokens(cast):
    other = Client()
    other.force_login(cast.gridworker)
    assert other.get(reverse("workbench")).status_code == 200
    token = token_issue(user=cast.gridworker)
    me = Client()
    me.force_login(cast.gridworker)
    r = me.post(
        reverse("password_change"),
        {
            "old_password": cast.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert r.status_code == 302
    assert me.get(reverse("workbench")).status_code == 200  # this session continues
    assert other.get(reverse("workbench")).status_code == 302  # the other one is gone
    assert token_user(key=token) is None
    assert not ApiToken.objects.filter(user=cast.gridworker, revoked=False).exists()


def test_an_admin_reset_revokes_tokens_too(cast):
    token = token_issue(user=cast.handler)
    user = User.objects.get(pk=cast.handler.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert token_user(key=token) is None
    user.refresh_from_db()
    assert user.password_changed_at > timezone.now() - dt.timedelta(minutes=1)


def test_a_password_hash_upgrade_is_not_a_change(cast):
    token = token_issue(user=cast.handler)
    user = User.objects.get(pk=cast.handler.pk)
    user.save(update_fields=["password"])  # as check_password does when it rehashes
    assert token_user(key=token) is not None


def test_disabling_ends_sessions_and_tokens(cast):
    client = Client()
    client.force_login(cast.handler)
    token = token_issue(user=cast.handler)
    user = User.objects.get(pk=cast.handler.pk)
    user.is_active = False
    user.save()
    assert client.get(reverse("workbench")).status_code == 302
    assert ApiToken.objects.get(user=user).revoked
    assert token_user(key=token) is None


# ---- lockout ----------------------------------------------------------------------------------


def test_lockout_is_by_username_and_audited(cast, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "gw", "password": "nope"})
    r = client.post(reverse("login"), {"username": "gw", "password": cast.password})
    assert r.status_code == 429
    # The same address may still sign in as someone else (carriers share addresses).
    assert (
        client.post(
            reverse("login"), {"username": "h-police", "password": cast.password}
        ).status_code
        == 302
    )
    assert AuditEntry.objects.filter(action="login", username="gw", result="failed").count() == 5
    assert AuditEntry.objects.filter(action="login", username="gw", result="throttled").exists()
    # The security administrator unlocks by deleting the failures.
    LoginFailure.objects.filter(username="gw").delete()
    assert (
        Client().post(reverse("login"), {"username": "gw", "password": cast.password}).status_code
        == 302
    )


def test_wrong_codes_count_towards_the_lockout(cast, client):
    bind(cast.gridworker)
    for _ in range(5):
        r = client.post(reverse("login"), {"username": "gw", "password": cast.password})
        assert r["Location"] == reverse("login_otp")
        assert client.post(reverse("login_otp"), {"code": "000000"}).status_code == 401
    r = client.post(reverse("login"), {"username": "gw", "password": cast.password})
    assert r.status_code == 429


# ---- two factors --------------------------------------------------------------------------------


def test_roles_requiring_two_factors_must_enrol_at_sign_in(cast, client):
    for user in (cast.dispatcher, cast.leader, cast.sysadmin):
        c = Client()
        r = c.post(reverse("login"), {"username": user.username, "password": cast.password})
        assert r["Location"] == reverse("login_otp_setup"), user.username
        # Not signed in yet: every page still asks to sign in.
        assert c.get(reverse("workbench")).status_code == 302
        assert "_auth_user_id" not in c.session
    # A grid worker (optional) goes straight in.
    r = client.post(reverse("login"), {"username": "gw", "password": cast.password})
    assert r["Location"] == reverse("workbench")


def test_enrolment_shows_a_server_drawn_qr_code_and_binds_with_a_code(cast, client):
    client.post(reverse("login"), {"username": "disp-a", "password": cast.password})
    page = client.get(reverse("login_otp_setup"))
    html = page.content.decode()
    assert "<svg" in html and "otpauth" not in html.split("<svg", 1)[0]
    secret = TotpDevice.objects.get(user=cast.dispatcher).secret
    assert secret in html
    assert client.post(reverse("login_otp_setup"), {"code": "123456"}).status_code == 401
    code = pyotp.TOTP(secret).now()
    r = client.post(reverse("login_otp_setup"), {"code": code})
    assert r["Location"] == reverse("workbench")
    assert TotpDevice.objects.get(user=cast.dispatcher).confirmed
    assert AuditEntry.objects.filter(action="mfa.enrol", actor=cast.dispatcher).exists()
    assert AuditEntry.objects.filter(
        action="login", actor=cast.dispatcher, result="ok", detail__factor="totp-enrol"
    ).exists()


def test_bound_users_enter_a_code_and_each_code_works_once(cast, client):
    used = bind(cast.dispatcher)
    r = client.post(reverse("login"), {"username": "disp-a", "password": cast.password})
    assert r["Location"] == reverse("login_otp")
    # The code used for binding is spent.
    assert client.post(reverse("login_otp"), {"code": used}).status_code == 401
    r = client.post(reverse("login_otp"), {"code": next_code(cast.dispatcher)})
    assert r["Location"] == reverse("workbench")
    assert client.get(reverse("workbench")).status_code == 200


def test_the_pending_second_step_expires(cast, client):
    bind(cast.dispatcher)
    client.post(reverse("login"), {"username": "disp-a", "password": cast.password})
    session = client.session
    session["pingan_pending_user"]["at"] = time.time() - 301
    session.save()
    r = client.post(reverse("login_otp"), {"code": next_code(cast.dispatcher)})
    assert r["Location"] == reverse("login")


def test_optional_two_factors_for_a_grid_worker(cast, client):
    client.force_login(cast.gridworker)
    client.post(reverse("account_security"), {"action": "start"})
    secret = TotpDevice.objects.get(user=cast.gridworker).secret
    client.post(
        reverse("account_security"), {"action": "confirm", "code": pyotp.TOTP(secret).now()}
    )
    assert TotpDevice.objects.get(user=cast.gridworker).confirmed
    r = Client().post(reverse("login"), {"username": "gw", "password": cast.password})
    assert r["Location"] == reverse("login_otp")
    client.post(reverse("account_security"), {"action": "remove"})
    assert not TotpDevice.objects.filter(user=cast.gridworker).exists()


def test_a_required_device_cannot_be_removed_by_its_user(cast, client):
    bind(cast.dispatcher)
    client.force_login(cast.dispatcher)
    assert client.post(reverse("account_security"), {"action": "remove"}).status_code == 403
    assert TotpDevice.objects.filter(user=cast.dispatcher).exists()


def test_api_token_needs_the_code_for_two_factor_users(cast):
    r = post_token({"username": "disp-a", "password": cast.password})
    assert r.status_code == 401 and r.json()["error"]["code"] == "otp_enrolment_required"
    bind(cast.dispatcher)
    r = post_token({"username": "disp-a", "password": cast.password})
    assert r.status_code == 401 and r.json()["error"]["code"] == "otp_required"
    r = post_token({"username": "disp-a", "password": cast.password, "otp": "000000"})
    assert r.status_code == 401
    r = post_token(
        {"username": "disp-a", "password": cast.password, "otp": next_code(cast.dispatcher)}
    )
    assert r.status_code == 200 and r.json()["token"]
    # Optional-role users still sign in with the password alone.
    assert post_token({"username": "gw", "password": cast.password}).status_code == 200


def test_demo_exemption_is_a_setting(cast, settings):
    settings.PINGAN_MFA_EXEMPT_USERS = ["disp-a"]
    assert post_token({"username": "disp-a", "password": cast.password}).status_code == 200


# ---- sessions ------------------------------------------------------------------------------------


def test_absolute_session_limit_of_12_hours(cast, client):
    client.force_login(cast.gridworker)
    assert client.get(reverse("workbench")).status_code == 200
    session = client.session
    session["pingan_auth_at"] = time.time() - 12 * 3600 - 1
    session.save()
    r = client.get(reverse("workbench"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert client.get(reverse("workbench")).status_code == 302


def test_idle_sessions_expire_after_30_minutes(cast, client, settings):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.PINGAN_SESSION_TOUCH_S == 60
    client.force_login(cast.gridworker)
    client.get(reverse("workbench"))
    key = client.session.session_key
    session = Session.objects.get(session_key=key)
    assert session.expire_date - timezone.now() > dt.timedelta(minutes=29)
    # Within the minute a page view writes nothing: the expiry stays where it was.
    early = timezone.now() + dt.timedelta(minutes=10)
    Session.objects.filter(session_key=key).update(expire_date=early)
    assert client.get(reverse("workbench")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == early
    # A minute after the last save, the next request moves the expiry 30 minutes ahead.
    data = client.session
    data["pingan_seen_at"] = time.time() - 61
    data.save()
    Session.objects.filter(session_key=key).update(expire_date=early)
    assert client.get(reverse("workbench")).status_code == 200
    pushed = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert pushed > dt.timedelta(minutes=29)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(reverse("workbench")).status_code == 302


# ---- dormant accounts ---------------------------------------------------------------------


def test_accounts_unused_for_90_days_are_disabled(cast):
    long_ago = timezone.now() - dt.timedelta(days=120)
    User.objects.update(date_joined=long_ago)
    User.objects.filter(pk=cast.gridworker.pk).update(
        last_login=timezone.now() - dt.timedelta(days=91)
    )
    User.objects.filter(pk=cast.handler.pk).update(last_login=timezone.now() - dt.timedelta(days=5))
    token_issue(user=cast.leader)
    ApiToken.objects.filter(user=cast.leader).update(
        last_used_at=timezone.now() - dt.timedelta(days=3)
    )
    disabled = accounts_disable_unused()
    assert "gw" in disabled
    assert "h-police" not in disabled and "leader" not in disabled
    assert not User.objects.get(pk=cast.gridworker.pk).is_active
    assert AuditEntry.objects.filter(
        action="account.disable_dormant", object_id=str(cast.gridworker.pk)
    ).exists()


def test_dormant_command_and_task(cast, capsys):
    User.objects.filter(pk=cast.gridworker.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=200)
    )
    call_command("disable_unused_accounts")
    assert "gw" in capsys.readouterr().out
    assert not User.objects.get(pk=cast.gridworker.pk).is_active
    User.objects.filter(pk=cast.handler.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=200)
    )
    call_command("disable_unused_accounts", "--enqueue")  # immediate backend in tests
    assert not User.objects.get(pk=cast.handler.pk).is_active


def test_role_codes_match_the_organisation(db):
    assert {str(r) for r in ADMIN_ROLES} == roles.ADMIN_ROLES
    assert {roles.SYS_ADMIN, roles.SEC_ADMIN, roles.AUDIT_ADMIN} <= set(Role.values)
