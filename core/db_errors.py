"""The database is unreachable (PostgreSQL restarting, failing over, a
network cut): the user gets a plain Swedish page with status 503 and
`Retry-After`, never a stack trace or a bare 500, and the next request is
served again once the database answers.

Two ways in, because Django reports exceptions in two places:

- `DatabaseUnavailableMiddleware.process_exception` catches what a view or
  its template rendering raises (the common case: a query in the view).
- `server_error` is `handler500` (config/urls.py): an exception raised in a
  middleware (loading the session or the user, saving the session) never
  reaches `process_exception`; Django turns it into a 500 through the
  handler, which looks at the exception being handled and answers 503 when
  it is the database's.

Nothing is half-written: every multi-record write is one
`transaction.atomic()` (DESIGN.md), so a connection lost inside it rolls the
whole write back on the server. Recovering needs no restart:
CONN_HEALTH_CHECKS (config/settings.py) makes Django test a persistent
connection before reusing it, and a connection that failed is closed at the
end of its request, so the next request opens a fresh one.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# The errors psycopg (through Django's wrappers) raises when the server is
# gone, refuses connections or the connection broke mid-query. Integrity and
# programming errors are not among them: those are bugs, and stay 500.
DATABASE_DOWN = (OperationalError, InterfaceError)

TEMPLATE = "503.html"
# Seconds a browser or proxy is told to wait: a fast restart takes a few.
RETRY_AFTER_SECONDS = 10


def database_unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without the request and its context
    processors (navigation, permissions): they would query the database
    that just failed."""
    response = HttpResponse(loader.get_template(TEMPLATE).render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _log(request: HttpRequest, exception: BaseException) -> None:
    # Once per request: a session that failed to load is tried again by the
    # outer middleware (SessionMiddleware saving it), each time through
    # handler500.
    if getattr(request, "_database_unavailable_logged", False):
        return
    request._database_unavailable_logged = True
    # The path holds ids only (no personal data in URLs); the exception's
    # text may name the host, so only its class is logged.
    logger.warning("Database unavailable (%s) during %s %s", type(exception).__name__, request.method, request.path)


class DatabaseUnavailableMiddleware:
    """Turns a database outage raised in a view into the 503 page. Last in
    MIDDLEWARE so that its `process_exception` runs first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_DOWN):
            _log(request, exception)
            return database_unavailable_response()
        return None


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the 503 page when the exception being handled is the
    database's, Django's plain 500 page (templates/500.html) otherwise."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        _log(request, exception)
        response = database_unavailable_response()
        # Logged above in one line; Django would add an ERROR with the
        # traceback (django.utils.log.log_response skips responses so
        # marked), once per request for as long as the outage lasts.
        response._has_been_logged = True
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())
