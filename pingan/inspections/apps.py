from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "pingan.inspections"
    verbose_name = "督查检查"
    default_auto_field = "django.db.models.BigAutoField"
