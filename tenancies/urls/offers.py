"""Matching a vacancy to waiting decisions and the offers made (docs/housing-chain.md)."""

urlpatterns: list = []
