from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "dashboard.interactions"
    label = "interactions"
    verbose_name = "Interactions"
