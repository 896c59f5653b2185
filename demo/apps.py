from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Fictional demo data (`seed_demo`, `demo_code`). The top layer: it may
    import every app, and no app imports it (demo/tests/test_isolation.py)."""

    name = "demo"
