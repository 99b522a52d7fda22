"""Audit of denials, the audit administrator's page and export, and web hardening
(CSP, HSTS, cookies, CSRF, rate limits, `check --deploy`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient
from pingan.core import audit
from pingan.core.models import AuditEntry
from pingan.events.services import event_report
from pingan.org.services import membership_grant, user_upsert

BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.fixture
def auditor(cast):
    u = user_upsert(username="auditadmin", name="审计员", password=cast.password)
    membership_grant(user=u, role="audit_admin")
    return u


def report(cast):
    lat, lng = cast.point_a1
    return event_report(
        actor=cast.gridworker, category=cast.neighbour.pk, description="楼道堆放杂物", lat=lat,
        lng=lng,
    )[0]  # fmt: skip


# ---- denials are audited ------------------------------------------------------------------


def test_out_of_scope_404_on_a_page_is_audited(cast, client):
    e = report(cast)
    client.force_login(cast.dispatcher_b)
    assert client.get(reverse("event_detail", args=[e.pk])).status_code == 404
    entry = AuditEntry.objects.get(action="access.denied")
    assert entry.actor == cast.dispatcher_b
    assert entry.result == "404" and entry.detail["path"] == f"/events/{e.pk}/"


def test_a_missing_page_is_not_a_denial(cast, client):
    client.force_login(cast.dispatcher)
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEntry.objects.filter(action="access.denied").exists()


def test_api_403_and_404_are_audited_with_the_token_user(cast):
    e = report(cast)
    api = ApiClient(Client(), token_issue(user=cast.leader))
    r = api.post(f"/events/{e.pk}/transitions", {"action": "accept"})
    assert r.status_code == 403
    other = ApiClient(Client(), token_issue(user=cast.handler_market))
    assert other.get(f"/events/{e.pk}").status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied").order_by("seq")
    assert [(d.actor, d.result) for d in denied] == [
        (cast.leader, "403"),
        (cast.handler_market, "404"),
    ]


def test_back_office_403_is_audited(cast, client):
    client.force_login(cast.sysadmin)
    assert client.get("/admin/core/auditentry/").status_code == 403
    assert AuditEntry.objects.filter(
        action="access.denied", actor=cast.sysadmin, result="403"
    ).exists()


# ---- the audit page -----------------------------------------------------------------------


def test_audit_page_filters_and_is_itself_audited(cast, client, auditor):
    audit.record(action="login", username="gw", result="failed")
    audit.record(action="login", username="h-police", result="ok")
    audit.record(action="event.export", username="gw")
    client.force_login(auditor)
    r = client.get(reverse("audit_log"), {"username": "gw", "action": "login"})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count("data-audit=") == 1 and "failed" in html
    r = client.get(reverse("audit_log"), {"date_from": "yesterday"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.content.decode()
    assert AuditEntry.objects.filter(action="audit.view", actor=auditor).exists()


def test_audit_export_is_csv_and_audited(cast, client, auditor):
    audit.record(action="login", username="gw", result="failed")
    client.force_login(auditor)
    r = client.get(reverse("audit_export"), {"action": "login"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("序号,时间,用户名,动作")
    assert len(lines) == 2 and ",gw,login," in lines[1]
    assert AuditEntry.objects.filter(action="audit.export", actor=auditor).exists()


@pytest.mark.parametrize("who", ["sysadmin", "dispatcher", "leader", "gridworker"])
def test_audit_page_is_hidden_from_everyone_else(cast, client, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("audit_log")).status_code == 404
    assert client.get(reverse("audit_export")).status_code == 404


def test_audit_administrator_sees_the_audit_link(cast, client, auditor):
    client.force_login(auditor)
    html = client.get(reverse("workbench")).content.decode()
    assert reverse("audit_log") in html


# ---- headers, cookies, CSRF ------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(cast, client):
    r = client.get(reverse("login"))
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_scripts_or_styles():
    import re

    roots = [BASE_DIR / "pingan"]
    offenders = []
    for root in roots:
        for path in root.rglob("templates/**/*.html"):
            text = path.read_text()
            for m in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
                offenders.append(f"{path}: {m.group(0)}")
            if re.search(r"\sstyle=\"|<style\b|\son[a-z]+=\"", text):
                offenders.append(f"{path}: inline style or handler")
    assert not offenders, offenders


def test_login_form_refuses_a_post_without_csrf_token(cast):
    c = Client(enforce_csrf_checks=True)
    r = c.post(reverse("login"), {"username": "gw", "password": cast.password})
    assert r.status_code == 403


def deploy_env(tmp_path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        PINGAN_ENV="production",
        SECRET_KEY="k7$Qv9!pZr2@Lm8#Xw4^Tn6&Ys1*Hb3(Jd5)Fg0-Ua+Ce=Oi;Wq<Ez>Rt?Py",
        ALLOWED_HOSTS="pingan.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        PINGAN_VAR_DIR=str(tmp_path),
        # Personal data keys are required in production (docs/privacy.md); test values.
        PINGAN_PII_KEYS="jbVoh03fDWlfBuqY1HC7XU-Hgea3BZz4RP8Ey2lFv1Y=",
        PINGAN_PII_INDEX_KEY="t3st-index-key-for-the-deploy-check-0123456789abcdef",
    )
    return env


@pytest.mark.slow  # a fresh process with production settings (about 13 s)
def test_production_settings_pass_check_deploy(tmp_path):
    env = deploy_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR, env=env, check=True, capture_output=True,
    )  # fmt: skip
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout
    # The production settings themselves.
    probe = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
         "'config.settings'; django.setup(); from django.conf import settings as s; "
         "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
         "s.SECURE_SSL_REDIRECT, s.DEBUG, s.PINGAN_MFA_EXEMPT_USERS)"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert probe.stdout.split() == ["31536000", "True", "True", "True", "False", "[]"]


@pytest.mark.slow  # a fresh process with production settings (about 16 s)
def test_production_check_fails_with_an_active_superuser(tmp_path):
    env = deploy_env(tmp_path)
    run = {"cwd": BASE_DIR, "env": env, "capture_output": True, "text": True}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], check=True, **run
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from pingan.accounts.models import User; "
         "User.objects.create_superuser('root', 'root@example.invalid', 'Xy7-long-password')"],
        check=True, **run,
    )  # fmt: skip
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], **run)
    assert out.returncode != 0 and "accounts.E001" in out.stderr + out.stdout
    wsgi = subprocess.run([sys.executable, "-c", "import config.wsgi"], **run)
    assert wsgi.returncode != 0 and "accounts.E001" in wsgi.stderr


# ---- rate limits ------------------------------------------------------------------------------


@pytest.fixture
def low_limits(settings):
    settings.PINGAN_RATELIMIT_LOGIN = "3/m"
    settings.PINGAN_RATELIMIT_API = "5/m"
    settings.PINGAN_RATELIMIT_PUBLIC = "4/m"
    cache.clear()
    yield
    cache.clear()


def test_sign_in_attempts_are_rate_limited_per_address(cast, low_limits):
    c = Client()
    codes = [
        c.post(reverse("login"), {"username": f"nobody{i}", "password": "x"}).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    assert AuditEntry.objects.filter(action="ratelimit", detail__group="login").exists()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post(reverse("login"), {"username": "gw", "password": cast.password}).status_code
        == 302
    )


def test_api_calls_are_rate_limited_per_token(cast, low_limits):
    api = ApiClient(Client(), token_issue(user=cast.gridworker))
    codes = [api.get("/me").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = api.get("/me")
    assert r.json()["error"]["code"] == "rate_limited"
    other = ApiClient(Client(), token_issue(user=cast.handler))
    assert other.get("/me").status_code == 200


def test_public_pages_are_rate_limited_per_address(db, low_limits):
    c = Client()
    codes = [c.get(reverse("login")).status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]
    assert "请求过于频繁" in c.get(reverse("login")).content.decode()


def test_an_act_whose_audit_row_fails_is_undone(cast, monkeypatch):
    from pingan.core.errors import DomainError
    from pingan.events.models import Event
    from pingan.events.services import event_transition

    e = report(cast)

    def broken(**kwargs):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises((RuntimeError, DomainError)):
        event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    assert Event.objects.get(pk=e.pk).status == "reported"
