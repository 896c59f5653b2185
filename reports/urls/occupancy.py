"""Occupancy of the stock (docs/housing-chain.md)."""

urlpatterns: list = []
