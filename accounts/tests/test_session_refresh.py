"""The session row is renewed every SESSION_REFRESH_SECONDS, not on every
request (core.middleware.SessionRefreshMiddleware), and the idle-timeout
warning counts from its last write (issue 16 §1)."""

import re
import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.middleware import SESSION_REFRESHED_KEY

HOME = reverse("referrals:client_list")
KEEPALIVE = reverse("accounts:session_keepalive")


def session_writes(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def set_refreshed(client, seconds_ago):
    session = client.session
    session[SESSION_REFRESHED_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_a_page_soon_after_the_last_write_writes_no_session(client, case_officer):
    client.force_login(case_officer)
    assert client.get(HOME).status_code == 200  # first page: the row is renewed

    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200

    assert session_writes(queries) == []
    assert not any("django_session" in q["sql"] for q in queries), "read from the cache, not the row"


def test_a_page_after_the_refresh_interval_renews_the_session(client, case_officer, settings):
    client.force_login(case_officer)
    set_refreshed(client, settings.SESSION_REFRESH_SECONDS + 1)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)

    assert session_writes(queries)
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timedelta(minutes=29)
    assert abs(client.session[SESSION_REFRESHED_KEY] - time.time()) < 5


def test_the_keepalive_post_always_renews_the_session(client, case_officer):
    client.force_login(case_officer)
    set_refreshed(client, 5)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    assert client.post(KEEPALIVE).status_code == 200

    assert Session.objects.get().expire_date - timezone.now() > timedelta(minutes=29)


def test_the_warning_counts_from_the_last_write(client, case_officer, settings):
    client.force_login(case_officer)
    set_refreshed(client, 40)

    page = client.get(HOME).content.decode()

    left = int(re.search(r'data-session-left="(\d+)"', page).group(1))
    assert settings.SESSION_COOKIE_AGE - 45 <= left <= settings.SESSION_COOKIE_AGE - 39
    # A renewal (keep-alive, draft autosave) gives the whole age again, and
    # the page's countdown must know it: counting the shorter rest after a
    # renewal ended it before the server did.
    assert f'data-session-age="{settings.SESSION_COOKIE_AGE}"' in page


def test_a_renewing_page_gives_the_warning_the_whole_age(client, case_officer, settings):
    client.force_login(case_officer)
    set_refreshed(client, settings.SESSION_REFRESH_SECONDS + 1)

    page = client.get(HOME).content.decode()

    assert f'data-session-left="{settings.SESSION_COOKIE_AGE}"' in page
    assert f'data-session-age="{settings.SESSION_COOKIE_AGE}"' in page


def test_the_session_still_ends_after_the_idle_time_without_writes(client, case_officer, settings):
    """Pages within the refresh interval do not extend the session: it ends
    SESSION_COOKIE_AGE after its last write."""
    client.force_login(case_officer)
    client.get(HOME)
    expiry = Session.objects.get().expire_date

    client.get(HOME)

    assert Session.objects.get().expire_date == expiry


def test_anonymous_pages_create_no_session_row(client, db):
    client.get(reverse("accounts:login"))

    assert not Session.objects.exists()


def test_logout_leaves_no_session_behind(client, case_officer):
    client.force_login(case_officer)
    client.get(HOME)

    client.post(reverse("accounts:logout"))

    assert not Session.objects.exists()
