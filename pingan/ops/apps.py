from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Pingan in production: readiness, the database-unavailable answer, request
    logs, replica reads, backup and restore. (The data generator for scale tests,
    `generate_events`, is demo code: pingan/demo/generate.py.)

    It imports no other app of the project; the settings, the URLs and the API's 503
    answer (`pingan.api.v1.errors`) import it."""

    name = "pingan.ops"
    label = "ops"
    verbose_name = "运维"
