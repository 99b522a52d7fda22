from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "pingan.rectification"
    verbose_name = "整改"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The case kind registers itself with the case engine (kind.py, when it exists).
        import importlib.util

        if importlib.util.find_spec("pingan.rectification.kind") is not None:
            importlib.import_module("pingan.rectification.kind")
