import pytest
from django.db import connections, transaction

from .world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world per test module (building it takes seconds), rolled back
    at the module's end. Tests that use it must not commit: they run inside
    this outer transaction, each in its own savepoint (the `db` fixture)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for connection in connections.all():
                connection.close_if_unusable_or_obsolete()
