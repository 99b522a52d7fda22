from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "pingan.safety"
    verbose_name = "安全生产"
    default_auto_field = "django.db.models.BigAutoField"
