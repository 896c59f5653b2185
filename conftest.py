"""Fixtures shared by every app's tests.

Fixed users, one per role, in one unit; plus an unassigned second bolots and
a case officer of another unit (the outsider), as in healthchecks' hc/test.py.
"""

import logging
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread

from accounts.roles import Role
from accounts.tests.factories import UnitFactory, UserFactory
from audit.context import AuditContext
from config.tests.log_watch import LogLeakWatch
from referrals.tests.factories import ClientFactory

BASE_DIR = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests log in hundreds of times. The real
    # hasher order is asserted in accounts/tests/test_settings.py.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _force_login_verified(self, user, backend=None):
    """Client.force_login that also passes the second factor, as a real
    login does after the code step (accounts.login): every page requires a
    verified session. Tests of the second step itself use
    `unverified_login` below."""
    _django_force_login(self, user, backend)
    from accounts.tests.second_factor import mark_client_verified

    mark_client_verified(self, user)


_django_force_login = Client.force_login
Client.force_login = _force_login_verified


class _OneRequestAtATimeServer(WSGIServer):
    """The live server for the SQLite pass. There its request threads share
    the test's one in-memory connection (Django's LiveServerThread), so two
    requests at once (a double tap on a submit button) would interleave
    their transactions on that one connection and hang. Served one after the
    other instead; the browser's second request waits for the first, as it
    would behind a busy worker. PostgreSQL keeps the threaded server, with a
    connection per request."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LiveServerThread.server_class = _OneRequestAtATimeServer


@pytest.fixture
def unverified_login():
    """Log a client in with the password step only."""
    return lambda client, user, backend=None: _django_force_login(client, user, backend)


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache outlives a test's rolled-back transaction: a cached session,
    # menu or permission set of one test must not leak into the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def unit(db):
    return UnitFactory(municipality="Vallentuna")


@pytest.fixture
def other_unit(db):
    return UnitFactory(municipality="Österåker")


@pytest.fixture
def case_officer(unit):
    return UserFactory(username="handlaggare", unit=unit, roles=[Role.CASE_OFFICER])


@pytest.fixture
def pilot(unit):
    return UserFactory(username="bolots", unit=unit, roles=[Role.PILOT])


@pytest.fixture
def second_pilot(unit):
    """A bolots in the same unit who is assigned nothing."""
    return UserFactory(username="bolots2", unit=unit, roles=[Role.PILOT])


@pytest.fixture
def housing_admin(unit):
    return UserFactory(username="boendeadmin", unit=unit, roles=[Role.HOUSING_ADMIN])


@pytest.fixture
def manager(unit):
    return UserFactory(username="chef", unit=unit, roles=[Role.MANAGER])


@pytest.fixture
def system_admin(unit):
    return UserFactory(username="sysadmin", unit=unit, roles=[Role.SYSTEM_ADMIN], is_staff=True)


@pytest.fixture
def outside_officer(other_unit):
    """A case officer of another unit: an outsider to `unit`'s clients."""
    return UserFactory(username="handlaggare_annan", unit=other_unit, roles=[Role.CASE_OFFICER])


@pytest.fixture
def users(case_officer, pilot, second_pilot, housing_admin, manager, system_admin, outside_officer):
    return {
        "case_officer": case_officer,
        "pilot": pilot,
        "second_pilot": second_pilot,
        "housing_admin": housing_admin,
        "manager": manager,
        "system_admin": system_admin,
        "outside_officer": outside_officer,
    }


@pytest.fixture
def client_record(unit, case_officer):
    return ClientFactory(unit=unit, responsible_officer=case_officer)


class ActingContext(AuditContext):
    """The audit context a service test acts in. Calling it gives the same
    context for another user, for tests where several people act in turn:
    `services.accept_order(ctx(pilot), ...)`."""

    def __call__(self, user) -> AuditContext:
        return AuditContext(user=user, path=self.path)


@pytest.fixture
def ctx(request) -> ActingContext:
    """Who acts, from where, in a service test: the case officer on "/test/"
    unless the module (or test) says otherwise with
    `@pytest.mark.acting_as("housing_admin", path="/uppdrag/1/besok/nytt/")`,
    naming one of the user fixtures above. One fixture, so that a change to
    AuditContext touches one place instead of every service test module."""
    marker = request.node.get_closest_marker("acting_as")
    role = marker.args[0] if marker and marker.args else "case_officer"
    path = marker.kwargs.get("path", "/test/") if marker else "/test/"
    return ActingContext(user=request.getfixturevalue(role), path=path)


# --- Browser tests -------------------------------------------------------


def _browser_available():
    return Path(CHROMIUM).exists() and AXE_JS.exists()


def pytest_collection_modifyitems(config, items):
    """Two rules for every test run.

    1. A transactional test must use serialized_rollback: its flush would
       otherwise wipe the roles and target groups that data migrations made,
       and every later test in the process would see none.
    2. Browser tests run when Chromium (and axe-core) are installed. CI sets
       BOLOTS_REQUIRE_BROWSER=1 so that a missing browser fails instead.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: use @pytest.mark.django_db(transaction=True, serialized_rollback=True)"
            )
    if _browser_available():
        return
    if os.environ.get("BOLOTS_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            f"Browser tests are required but Chromium ({CHROMIUM}) or axe-core ({AXE_JS}) is missing."
        )
    skip = pytest.mark.skip(reason="Chromium or axe-core not installed (make test installs axe-core; .ci/run installs Chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_for_every_connection(django_db_setup, django_db_blocker):
    """Keep serialized_rollback working once Playwright has run.

    Playwright's sync API leaves an event loop marked as running in the test
    thread, after which Django's `connections` (context-local) hands out new
    connection objects. Those lack the `_test_serialized_contents` that
    Django stored on the original object at database setup, so the data
    migrations' rows (roles, target groups) would not be restored after a
    transactional test. Putting the contents on the class fixes that.
    """
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # Reduced motion: Bootstrap then switches its colour transitions off, so
    # axe-core never measures a button's contrast halfway through one.
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _watch_policy(page)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy refused part of a page"


@pytest.fixture
def phone_page(browser, live_server):
    """A 375 × 667 touch screen, as bolotsar use between visits."""
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", reduced_motion="reduce",
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _watch_policy(page)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy refused part of a page"


@pytest.fixture(params=["phone", "desktop"])
def sized_page(request):
    """The test runs twice: on a 375 × 667 phone and on a desktop (the
    layouts differ: the menu collapses, tables stack)."""
    return request.getfixturevalue("phone_page" if request.param == "phone" else "page")


def _watch_policy(page):
    """Every browser test also proves the Content-Security-Policy breaks
    nothing: the browser reports each refused script or style on the
    console."""
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused


def assert_accessible(page):
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page; no violation
    is acceptable."""
    result = _run_axe(page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]
    assert not violations, f"axe-core violations on {page.url}:\n" + "\n".join(violations)


def _run_axe(page, attempts=3):
    """axe-core's result for the page as loaded.

    A click that follows a link returns before the next page arrives; axe
    started in that moment runs on a document the browser is discarding
    (no documentElement, or its context destroyed). Such a run checks no
    page at all, so it is run again on the page that arrives, never
    counted as a pass."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        page.wait_for_load_state("load")
        try:
            # Evaluated through the DevTools protocol, which the page's
            # Content-Security-Policy does not govern (an injected <script>
            # tag would be refused, as it should be).
            page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
            return page.evaluate(
                """async () => await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
            )
        except PlaywrightError as error:
            navigating = ("Execution context was destroyed" in str(error)
                          or "reading 'documentElement'" in str(error)
                          or "axe is not defined" in str(error))
            if not navigating or attempt == attempts - 1:
                raise
            page.wait_for_timeout(200)


@pytest.fixture
def axe():
    return assert_accessible


def login(page, username, password="test-password-123"):
    """Log in as a user does: the password, then the code the user's
    authenticator app shows (a device is given to users without one)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.tests.second_factor import fresh_code, give_totp

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or give_totp(user)
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: "logga-in" not in url)
    page.locator("input[name=code]").fill(fresh_code(device))
    page.get_by_role("button", name="Bekräfta", exact=True).click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)


@pytest.fixture
def browser_login():
    return login


def follow_menu(page, label):
    """Follow a main-menu entry the way a user does: open the collapsed menu
    on a phone, open the group's dropdown when the entry is in one, click."""
    nav = page.locator("#main-nav")
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and not nav.is_visible():
        toggler.click()
        nav.wait_for(state="visible")
    link = nav.get_by_role("link", name=label, exact=True)
    if not link.is_visible():
        # `has` matches relative to each <li>, so the inner locator starts at the page.
        dropdown = nav.locator("li.dropdown").filter(
            has=page.get_by_role("link", name=label, exact=True, include_hidden=True)
        )
        dropdown.get_by_role("button").click()
    link.click()


@pytest.fixture
def menu():
    return follow_menu


# --- Redis ------------------------------------------------------------------


@pytest.fixture
def redis_url():
    """A reachable Redis for tests that need a real broker. Skips locally
    when none answers; CI sets BOLOTS_REQUIRE_REDIS=1 to fail instead."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("BOLOTS_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (BOLOTS_REQUIRE_REDIS=1) but {url} does not answer.")
        pytest.skip(f"no Redis at {url}")
    return url


# --- Logs without personal data (issue 16 §4) ---------------------------------
#
# Every log record of the run is formatted as production writes it (a JSON
# line with the exception's text) and searched for the names and identity
# numbers of every client the tests created (a post_save receiver collects
# them), and for anything shaped like a valid personal identity number. A
# test after which such a line was logged fails in its teardown, naming the
# line; with pytest-xdist each worker checks its own records.


_log_watch = None


def pytest_sessionstart(session):
    # After pytest-django's django.setup(): LOGGING's dictConfig would
    # otherwise replace the root handlers, this one with them.
    global _log_watch
    from django.db.models.signals import post_save

    _log_watch = LogLeakWatch()
    logging.getLogger().addHandler(_log_watch)
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger) and not logger.propagate:
            logger.addHandler(_log_watch)
    post_save.connect(_log_watch.remember, sender="referrals.Client", weak=False,
                      dispatch_uid="conftest.log_leak_watch")


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs():
    yield
    leaks = _log_watch.leaks() if _log_watch is not None else []
    if leaks:
        pytest.fail("personal data in the log output:\n" + "\n".join(leaks), pytrace=False)


# --- Database rights ---------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _app_runs_as_runtime_role(django_db_setup, django_db_blocker):
    """On PostgreSQL every test runs with the runtime role's rights (no DDL,
    INSERT and SELECT only on the logs), as production does; on SQLite the
    append-only triggers are lifted only for the flush. See audit.testing."""
    from audit.testing import running_as_runtime_role

    with django_db_blocker.unblock(), running_as_runtime_role():
        yield
