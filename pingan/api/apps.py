from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pingan.api"
    label = "api"
    verbose_name = "接口"

    def ready(self) -> None:
        from pingan.api.v1.errors import input_refusal
        from pingan.core.inputs import API_PREFIX, answer_under

        # Bad input refused before ninja (pingan.core.inputs) answers in the API's envelope.
        answer_under(API_PREFIX, input_refusal)
