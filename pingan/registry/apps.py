from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pingan.registry"
    verbose_name = "实有人口与重点人员"
    default_auto_field = "django.db.models.BigAutoField"
