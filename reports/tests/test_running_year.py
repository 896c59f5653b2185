"""The running year's dashboard figures kept a few minutes in the cache
(reports.running_year): counted once, then read from the cache until the
keeping time runs out, per unit; with keeping off, counted every time."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from reports.tests.test_dashboard import QUERIES
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

# The dashboard without the KPI engine and the charts: the request (2), the
# unit and its years (2). QUERIES counts 22 engine and 5 chart queries, and
# the running year has no frozen-year query.
KEPT = QUERIES - 1 - 22 - 5


def _moved_out(unit, day):
    TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(day.year - 1, 1, 1),
                   end_date=day, end_reason=EndReason.OWN_HOUSING)


def _page(client, year):
    return client.get(reverse("reports:dashboard", args=[year]))


def test_counted_once_then_read_from_the_cache(client, unit, settings, django_assert_num_queries):
    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    year = timezone.localdate().year
    manager = UserFactory(username="chef_r", unit=unit, roles=[Role.MANAGER])
    client.force_login(manager)
    _page(client, year)  # counts and keeps

    with django_assert_num_queries(KEPT):
        response = _page(client, year)
    assert response.status_code == 200
    assert 'id="counted-at"' in response.content.decode()
    assert "räknas om efter högst 5 minuter" in response.content.decode()


def test_kept_figures_stay_until_the_keeping_runs_out(client, unit, settings):
    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    today = timezone.localdate()
    manager = UserFactory(username="chef_s", unit=unit, roles=[Role.MANAGER])
    client.force_login(manager)
    before = _page(client, today.year).context["running"].chart_data

    _moved_out(unit, today)  # a move-out this year: the end-reasons chart changes
    assert _page(client, today.year).context["running"].chart_data == before

    cache.clear()  # the keeping time has run out
    after = _page(client, today.year).context["running"].chart_data
    assert after != before


def test_each_unit_has_its_own(client, unit, other_unit, settings):
    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    year = timezone.localdate().year
    ours = UserFactory(username="chef_t", unit=unit, roles=[Role.MANAGER])
    theirs = UserFactory(username="chef_u", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(ours)
    _page(client, year)
    client.force_login(theirs)
    response = _page(client, year)
    assert response.context["unit"] == other_unit
    assert response.context["running"].counted_at is not None


def test_without_keeping_every_request_counts(client, unit, settings, django_assert_num_queries):
    settings.RUNNING_YEAR_CACHE_SECONDS = 0
    year = timezone.localdate().year
    client.force_login(UserFactory(username="chef_v", unit=unit, roles=[Role.MANAGER]))
    _page(client, year)
    with django_assert_num_queries(QUERIES - 1):
        response = _page(client, year)
    assert 'id="counted-at"' not in response.content.decode()


# --- One count at a time (reports.running_year's lock) -----------------------------------------

def _fake_count(calls, delay=0.0):
    def count(unit, year, today):
        import time
        calls.append(unit.pk)
        time.sleep(delay)
        return ("kpis", "sections", "caseload", "charts")
    return count


def test_requests_arriving_while_one_counts_wait_for_its_result(unit, settings, monkeypatch):
    """Four requests at once when nothing is kept: one counts, the three
    others get its figures (not four identical counts competing for the
    cores)."""
    import threading

    from reports import running_year

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    calls, results = [], []
    monkeypatch.setattr(running_year, "_count", _fake_count(calls, delay=0.3))
    today = timezone.localdate()
    threads = [threading.Thread(target=lambda: results.append(running_year.running_figures(unit, today.year, today)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [unit.pk]
    assert len(results) == 4
    assert {result.counted_at for result in results} == {results[0].counted_at}
    assert all(result.kpis == "kpis" for result in results)


def test_a_waiting_request_counts_itself_when_the_counter_gives_up(unit, settings, monkeypatch):
    """The lock is gone without a result (the counting request failed):
    the waiting request counts at once rather than waiting out its time."""
    import time

    from reports import running_year

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    calls = []
    monkeypatch.setattr(running_year, "_count", _fake_count(calls))
    today = timezone.localdate()
    lock = running_year._key(unit, today.year, today) + ":counting"
    cache.set(lock, 1, 1)  # expires after a second, as a failed counter's lock is deleted
    started = time.monotonic()
    figures = running_year.running_figures(unit, today.year, today)
    assert calls == [unit.pk]
    assert figures.kpis == "kpis"
    assert time.monotonic() - started < running_year.WAIT_SECONDS


def test_a_waiting_request_counts_itself_after_the_wait(unit, settings, monkeypatch):
    """A lock held with no result in time (a counter killed mid-count keeps
    it until COUNT_LOCK_SECONDS): the request counts after WAIT_SECONDS."""
    from reports import running_year

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    calls = []
    monkeypatch.setattr(running_year, "_count", _fake_count(calls))
    monkeypatch.setattr(running_year, "WAIT_SECONDS", 0.3)
    today = timezone.localdate()
    cache.set(running_year._key(unit, today.year, today) + ":counting", 1, 60)
    figures = running_year.running_figures(unit, today.year, today)
    assert calls == [unit.pk]
    assert figures.kpis == "kpis"
    # Its result is kept for the next request.
    assert running_year.running_figures(unit, today.year, today).counted_at == figures.counted_at
    assert calls == [unit.pk]


def test_a_failed_count_frees_the_lock(unit, settings, monkeypatch):
    from reports import running_year

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    today = timezone.localdate()

    def broken(unit, year, today):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(running_year, "_count", broken)
    with pytest.raises(RuntimeError):
        running_year.running_figures(unit, today.year, today)
    assert cache.get(running_year._key(unit, today.year, today) + ":counting") is None


def test_a_process_unpickles_the_kept_figures_once_per_count(unit, settings, monkeypatch):
    """The cache holds the counting time under the key and the figures
    beside it; a process that has read the figures of that count uses its
    own copy (unpickling ~160 lazy labels is most of a kept page's cost),
    and reads them again when another process has counted anew."""
    from reports import running_year

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    calls = []
    monkeypatch.setattr(running_year, "_count", _fake_count(calls))
    today = timezone.localdate()
    key = running_year._key(unit, today.year, today)
    first = running_year.running_figures(unit, today.year, today)

    cache.delete(f"{key}:data")  # the figures are no longer read from the cache
    again = running_year.running_figures(unit, today.year, today)
    assert again is first
    assert calls == [unit.pk]

    # Another process counted later: its stamp and figures replace ours.
    later = first.counted_at + timezone.timedelta(minutes=6)
    cache.set(f"{key}:data", ("theirs", "sections", "caseload", "charts", later), 300)
    cache.set(key, later, 300)
    theirs = running_year.running_figures(unit, today.year, today)
    assert (theirs.kpis, theirs.counted_at) == ("theirs", later)
    assert calls == [unit.pk]


def test_a_stamp_without_its_figures_is_counted_again(unit, settings, monkeypatch):
    """The stamp outlived its figures (evicted from the cache): counted
    again rather than shown empty."""
    from reports import running_year

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    calls = []
    monkeypatch.setattr(running_year, "_count", _fake_count(calls))
    monkeypatch.setattr(running_year, "_memo", running_year.OrderedDict())
    today = timezone.localdate()
    key = running_year._key(unit, today.year, today)
    cache.set(key, timezone.now(), 300)
    figures = running_year.running_figures(unit, today.year, today)
    assert calls == [unit.pk]
    assert figures.kpis == "kpis"


# --- The rendered figures kept as one fragment (reports/views/dashboard.py) ----------------------

def _figures_html(response):
    html = response.content.decode()
    return html[html.index('<section aria-labelledby="goals-heading"'):html.index("</main>")]


def _count_chart_renders(monkeypatch):
    from reports.views import dashboard

    calls = []
    original = dashboard.charts.render

    def render(data):
        calls.append(data.key)
        return original(data)

    monkeypatch.setattr(dashboard.charts, "render", render)
    return calls


def test_the_figures_are_rendered_once_per_count(client, unit, settings, monkeypatch):
    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    year = timezone.localdate().year
    client.force_login(UserFactory(username="chef_w", unit=unit, roles=[Role.MANAGER]))
    renders = _count_chart_renders(monkeypatch)
    first = _page(client, year)
    assert renders, "the first page draws its charts"
    drawn = len(renders)

    again = _page(client, year)
    assert len(renders) == drawn, "the kept fragment is shown, no chart drawn again"
    assert _figures_html(again) == _figures_html(first)

    cache.clear()  # a new count: the fragment's key changes with it
    _page(client, year)
    assert len(renders) == 2 * drawn


def test_the_fragment_follows_the_permission_that_adds_a_link(client, unit, settings):
    """The enforcement figures' link is in the fragment only for users who
    may enter them, also when such a user's page was kept first."""
    from django.contrib.auth.models import Permission

    settings.RUNNING_YEAR_CACHE_SECONDS = 300
    year = timezone.localdate().year
    link = reverse("reports:enforcement_edit", args=[year])
    client.force_login(UserFactory(username="chef_x", unit=unit, roles=[Role.MANAGER]))
    assert link in _figures_html(_page(client, year))

    reader = UserFactory(username="lasare_x", unit=unit, roles=[])
    reader.user_permissions.add(Permission.objects.get(codename="view_kpi_dashboard"))
    client.force_login(reader)
    response = _page(client, year)
    assert response.status_code == 200
    assert link not in _figures_html(response)


def test_without_keeping_the_figures_are_rendered_every_time(client, unit, settings, monkeypatch):
    settings.RUNNING_YEAR_CACHE_SECONDS = 0
    year = timezone.localdate().year
    client.force_login(UserFactory(username="chef_y", unit=unit, roles=[Role.MANAGER]))
    renders = _count_chart_renders(monkeypatch)
    _page(client, year)
    drawn = len(renders)
    _page(client, year)
    assert drawn and len(renders) == 2 * drawn
