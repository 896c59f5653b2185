from django.apps import AppConfig


class TenanciesConfig(AppConfig):
    name = "tenancies"
