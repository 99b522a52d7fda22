from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and test data, all of it: the demo county (`load_demo`, `demo_accounts`), the
    field data of the six systems (`load_field_demo`), the channels with well-known keys
    (`channel_demo`, `open311_demo`) and the scale-test generator (`generate_events`).

    Installed everywhere except `PINGAN_ENV=production` (config/settings.py), so none of
    these commands exists in production. No other app imports it (tests may); it has no
    models. The default catalogue a real county loads is production code:
    pingan/routing/catalogue.py (`load_catalogue`)."""

    name = "pingan.demo"
    label = "demo"
    verbose_name = "演示数据"
