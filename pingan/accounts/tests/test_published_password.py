"""Production refuses the demo password this repository publishes (issue 16, #13)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from pingan.conftest import PASSWORD
from pingan.demo.organisation import DEMO_PASSWORD


@pytest.mark.parametrize("password", [DEMO_PASSWORD, PASSWORD, "pingan@2026!X", "Xy-PINGAN@2026"])
def test_production_refuses_the_published_demo_passwords(settings, password):
    settings.PINGAN_ENV = "production"
    with pytest.raises(ValidationError) as err:
        validate_password(password)
    assert "不能使用公开的演示密码" in err.value.messages


def test_outside_production_the_demo_password_passes(settings):
    settings.PINGAN_ENV = "development"
    validate_password(DEMO_PASSWORD)


def test_production_takes_other_good_passwords(settings):
    settings.PINGAN_ENV = "production"
    validate_password("Haiyan#Grid-7731")
