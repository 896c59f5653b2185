"""One person, one record: possible matches, links and their undoing (docs/housing-chain.md)."""

urlpatterns: list = []
