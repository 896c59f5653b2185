"""The waiting list of granted, non-executed apartment decisions (docs/housing-chain.md)."""

urlpatterns: list = []
