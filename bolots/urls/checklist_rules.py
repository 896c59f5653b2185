"""Which checklist items each kind of order asks, per unit."""

urlpatterns: list = []
