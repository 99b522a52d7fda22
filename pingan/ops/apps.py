from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Pingan in production: readiness, the database-unavailable answer, request
    logs, replica reads, backup and restore, and the data generator for scale tests.

    Nothing in the project imports this app; it may import any of them."""

    name = "pingan.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self) -> None:
        from pingan.ops import unavailable

        unavailable.install_api_handlers()
