from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "pingan.open311"
    label = "open311"
    verbose_name = "Open311 接口"

    def ready(self) -> None:
        from pingan.events.signals import event_changed
        from pingan.open311.receivers import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="open311.on_event_changed")

        from pingan.core.inputs import answer_under
        from pingan.open311.render import input_refusal

        # Bad input under /open311/ (a NUL, a body too big) answers with the spec's list.
        answer_under("/open311/", input_refusal)
