from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "dashboard.reviews"
    label = "reviews"
    verbose_name = "QA reviews and audit"

    def ready(self) -> None:
        from . import signals

        signals.connect()
