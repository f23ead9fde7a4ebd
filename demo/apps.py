from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county and the benchmark city: generators, not the product."""

    name = "demo"
    verbose_name = "Demo data"
