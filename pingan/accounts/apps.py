from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pingan.accounts"
    label = "accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        from pingan.accounts import checks, signals

        signals.connect()
        checks.register()
