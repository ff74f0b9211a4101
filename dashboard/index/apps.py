from django.apps import AppConfig
from django.db.backends.signals import connection_created


class IndexConfig(AppConfig):
    name = "dashboard.index"
    label = "index"
    verbose_name = "Interaction index"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .text import register_functions

        connection_created.connect(register_functions, dispatch_uid="index-text-functions")
