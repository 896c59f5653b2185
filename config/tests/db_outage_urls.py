"""The real URLs plus three test-only views for the database-outage tests
(config/tests/test_db_outage.py, test_postgres_restart.py): a view whose
database is gone, a read, and a multi-record write that is still running
when PostgreSQL restarts. Anonymous and outside the second-factor check's
scope, so that the restart test needs no login on a fresh cluster."""

from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Unit
from config.urls import handler500  # noqa: F401 (handler500 is looked up here)
from config.urls import urlpatterns as app_urlpatterns

INTERRUPTED_MUNICIPALITY = "Avbruten skrivning"


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def program_bug(request):
    raise ValueError("a bug, not an outage")


def read_units(request):
    return HttpResponse(f"units: {Unit.objects.count()}")


@csrf_exempt
def interrupted_write(request):
    """Two rows, then a long wait inside the same transaction: PostgreSQL
    restarts during the wait, so neither row may survive."""
    with transaction.atomic():
        Unit.objects.create(municipality=INTERRUPTED_MUNICIPALITY, name="Första")
        Unit.objects.create(municipality=INTERRUPTED_MUNICIPALITY, name="Andra")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(60)")
    return HttpResponse("saved")


urlpatterns = [
    path("test-db/borta/", database_gone),
    path("test-db/fel/", program_bug),
    path("test-db/las/", read_units),
    path("test-db/skriv/", interrupted_write),
    *app_urlpatterns,
]
