"""National statistics on a reference date, and the enforcement figures beside the unit's evictions."""

urlpatterns: list = []
