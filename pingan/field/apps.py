from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "pingan.field"
    label = "field"
    verbose_name = "移动端与照片核验"

    def ready(self) -> None:
        from pingan.field import receivers  # noqa: F401
