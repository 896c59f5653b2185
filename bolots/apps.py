from django.apps import AppConfig


class BolotsConfig(AppConfig):
    name = "bolots"
