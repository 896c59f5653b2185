"""Vacancies: the list with days empty and the ready-from date (docs/housing-chain.md)."""

urlpatterns: list = []
