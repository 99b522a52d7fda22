"""Passwords are hashed with Argon2id at OWASP's parameters; hashes made with Django's
defaults (every account before the change) still sign in and are upgraded on sign-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from argon2 import extract_parameters
from django.conf import settings as django_settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import Client
from django.urls import reverse

from pingan.accounts.hashers import OwaspArgon2PasswordHasher
from pingan.accounts.models import User


def production_hashers() -> list[str]:
    """PASSWORD_HASHERS of config.settings (the test settings hash with MD5 for speed;
    apps never import config, so it is read in another process)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-c", "import json, config.settings as s; "
         "print(json.dumps(s.PASSWORD_HASHERS))"],
        cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )  # fmt: skip
    return list(json.loads(out.stdout))


HASHERS = [
    "pingan.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def argon2_hashers(settings: Any) -> None:
    # The test settings hash with MD5 for speed; these tests need the production list
    # (the first test checks that HASHERS is it).
    settings.PASSWORD_HASHERS = HASHERS


def params(encoded: str) -> tuple[int, int, int]:
    assert encoded.startswith("argon2$")
    p = extract_parameters(encoded.removeprefix("argon2"))
    return p.memory_cost, p.time_cost, p.parallelism


def test_owasp_hasher_comes_first_and_djangos_argon2_is_still_known() -> None:
    configured = production_hashers()
    assert configured[0] == "pingan.accounts.hashers.OwaspArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in configured
    assert configured == HASHERS  # what the other tests sign in with


def test_new_password_is_hashed_with_owasp_parameters(argon2_hashers: None) -> None:
    assert params(make_password("Haiyan#Spring-2027")) == (19456, 2, 1)


def test_password_hashed_with_djangos_defaults_signs_in_and_is_rehashed(
    cast: Any, argon2_hashers: None
) -> None:
    old = make_password(cast.password, hasher=Argon2PasswordHasher())
    assert params(old) == (102400, 2, 8)
    User.objects.filter(pk=cast.gridworker.pk).update(password=old)

    r = Client().post(reverse("login"), {"username": "gw", "password": cast.password})

    assert r.status_code == 302 and r["Location"] != reverse("login")
    stored = User.objects.get(pk=cast.gridworker.pk).password
    assert params(stored) == (
        OwaspArgon2PasswordHasher.memory_cost,
        OwaspArgon2PasswordHasher.time_cost,
        OwaspArgon2PasswordHasher.parallelism,
    )
    assert Client().post(reverse("login"), {"username": "gw", "password": cast.password})[
        "Location"
    ] != reverse("login")


def test_wrong_password_on_an_old_hash_is_refused_and_leaves_the_hash(
    cast: Any, argon2_hashers: None
) -> None:
    old = make_password(cast.password, hasher=Argon2PasswordHasher())
    User.objects.filter(pk=cast.gridworker.pk).update(password=old)

    r = Client().post(reverse("login"), {"username": "gw", "password": "Not-the-password-1"})

    assert r.status_code != 302
    assert User.objects.get(pk=cast.gridworker.pk).password == old
