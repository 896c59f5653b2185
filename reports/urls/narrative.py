"""The evaluation's narrative sections, their delegates and history."""

urlpatterns: list = []
