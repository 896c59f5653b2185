"""A database outage gives the Swedish 503 page, never a stack trace or a
bare 500 (core/db_errors.py); other errors stay the plain 500 page. The
real restart of PostgreSQL is test_postgres_restart.py."""

from unittest import mock

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client

from core.db_errors import RETRY_AFTER_SECONDS

pytestmark = [pytest.mark.urls("config.tests.db_outage_urls"), pytest.mark.django_db]

PAGE_TEXT = "Databasen svarar inte just nu"


def _client():
    # As a browser sees it: the handler's response, not the exception.
    return Client(raise_request_exception=False)


def _assert_503_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert PAGE_TEXT in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert "server closed the connection" not in body, "the driver's text (host names) never reaches the page"


def test_a_view_losing_the_database_answers_503_in_swedish(caplog):
    response = _client().get("/test-db/borta/")

    _assert_503_page(response)
    assert any("Database unavailable (OperationalError) during GET /test-db/borta/" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("method", ["load", "save"])
def test_a_middleware_losing_the_database_answers_503_through_handler500(case_officer, method, caplog):
    """The session is loaded by the middleware checking the second factor
    (before the view) and saved by SessionMiddleware (after it):
    process_exception sees neither; handler500 does."""
    client = _client()
    client.force_login(case_officer)
    # Sessions are cached_db: a load reads the row when the cache has none
    # (cleared here, as after a Redis restart), a save writes the row.
    cache.clear()
    target = {"load": "_get_session_from_db", "save": "save"}[method]
    with mock.patch.object(SessionStore, target, side_effect=OperationalError("terminating connection")):
        response = client.get("/test-db/las/")

    _assert_503_page(response)
    assert [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == [
        "Database unavailable (OperationalError) during GET /test-db/las/"
    ], "one line per request, without Django's traceback"


def test_a_program_error_stays_the_plain_500_page():
    response = _client().get("/test-db/fel/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "Ett fel uppstod" in body and PAGE_TEXT not in body
    assert "Traceback" not in body
