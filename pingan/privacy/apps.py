from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "pingan.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"

    def ready(self) -> None:
        from pingan.core import pii

        # Fail at start, not at the first encrypted read, when production lacks the keys.
        pii.check_keys()
