from typing import Any

from django.apps import AppConfig
from django.core import checks


class PrivacyConfig(AppConfig):
    name = "pingan.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"

    def ready(self) -> None:
        checks.register(check_pii_keys, checks.Tags.security)


def check_pii_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every management command (migrate, check --deploy, runserver) refuses to run when
    production lacks the personal-data keys; the first encryption would fail anyway."""
    from django.core.exceptions import ImproperlyConfigured

    from pingan.core import pii

    try:
        pii.check_keys()
    except ImproperlyConfigured as e:
        return [
            checks.Error(
                str(e),
                hint="Set PINGAN_PII_KEYS and PINGAN_PII_INDEX_KEY (docs/privacy.md).",
                id="pingan.E101",
            )
        ]
    return []
