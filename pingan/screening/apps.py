from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "pingan.screening"
    verbose_name = "矛盾纠纷排查"
    default_auto_field = "django.db.models.BigAutoField"
