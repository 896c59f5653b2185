"""Server time and query count of the main pages at national scale.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/pages.py [--runs 20]

Run after `bench/seed_timing.py` (or `seed_demo --scale national`) on the
same database. Each page is requested in-process through Django's test
client as the demo user of the role that uses it (the demo users belong to
the first unit, which at national scale is as large as any other), first
once to warm caches, then `--runs` times; the script prints p50, p95 and the
number of SQL queries per page. Server time here is the time Django takes
from request to response body — middleware, views, templates and the
database — without the network and the browser.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def sample_pages():
    """(role username, label, url) for the pages people use every day, with
    record pages pointing at a typical record the user may see."""
    from django.urls import reverse

    from accounts.models import User
    from referrals.models import Client, Order, OrderState
    from tenancies.models import Apartment

    officer = User.objects.get(username="handlaggare")
    pilot = User.objects.get(username="bolots")
    client = Client.objects.visible_to(officer).order_by("pk").first()
    order = Order.objects.assigned_to(pilot).filter(
        state__in=OrderState.active_states(), client__isnull=False
    ).order_by("pk").first()
    apartment = Apartment.objects.visible_to(officer).order_by("pk").first()
    year = time.localtime().tm_year - 1
    pages = [
        ("bolots", "Min dag", reverse("bolots:my_day")),
        ("bolots", "Uppdragets besök", reverse("bolots:order_visits", args=[order.pk])),
        ("bolots", "Logga besök (formulär)", reverse("bolots:visit_create", args=[order.pk])),
        ("handlaggare", "Klienter", reverse("referrals:client_list")),
        ("handlaggare", "Klient", reverse("referrals:client_detail", args=[client.pk])),
        ("handlaggare", "Klientens besök", reverse("bolots:client_visits", args=[client.pk])),
        ("handlaggare", "Uppdrag", reverse("referrals:order_list")),
        ("handlaggare", "Ej verkställda beslut", reverse("referrals:decision_waiting_list")),
        ("handlaggare", "Signaler", reverse("bolots:signal_list")),
        ("handlaggare", "Lägenheter", reverse("tenancies:apartment_list")),
        ("handlaggare", "Lägenhet", reverse("tenancies:apartment_detail", args=[apartment.pk])),
        ("handlaggare", "Övertagande", reverse("bolots:takeover_candidates")),
        ("chef", "Enhetens översikt", reverse("bolots:unit_overview")),
        ("chef", "Avbokningar", reverse("reports:cancellations")),
        ("chef", "Måluppföljning", reverse("reports:dashboard", args=[year])),
        ("chef", "Åtkomstlogg", reverse("audit:log")),
        # The rent ledger and the log review (issues 14, 15; load-tested in issue 16).
        ("handlaggare", "Hyresreskontra", reverse("rent:overview")),
        ("handlaggare", "Åldersanalys", reverse("rent:aging")),
        ("handlaggare", "Efter med hyran", reverse("rent:behind")),
        ("chef", "Restskulder", reverse("rent:arrears_figures")),
        ("chef", "Logggranskning", reverse("logreview:month_list")),
    ]
    return pages


def measure(runs, show_queries=False):
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from accounts.tests.second_factor import mark_client_verified

    browsers = {}
    rows = []
    for username, label, url in sample_pages():
        if username not in browsers:
            browsers[username] = Client()
            user = User.objects.get(username=username)
            browsers[username].force_login(user)
            # Past the second step too, as after a real login.
            mark_client_verified(browsers[username], user)
        browser = browsers[username]
        response = browser.get(url)  # warm-up
        if response.status_code != 200:
            raise SystemExit(f"{label} {url}: status {response.status_code}")
        # Counted with an execute wrapper: the request cycle closes and resets
        # the connection, which a query log would not survive.
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            browser.get(url)
        if show_queries:
            print(f"-- {label} {url}: {len(queries)} queries")
            for sql in queries:
                print("   ", sql[:160])
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            browser.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        rows.append((label, url, statistics.median(timings), p95, len(queries)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL (profiling)")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    # The test client needs a host it may use; the access log still writes
    # as in production.
    settings.ALLOWED_HOSTS = ["*"]
    rows = measure(args.runs, args.show_queries)
    print(f"| page | p50 ms | p95 ms | queries |  ({args.runs} runs, {settings.DATABASES['default']['ENGINE']})")
    print("|---|---:|---:|---:|")
    for label, url, p50, p95, queries in rows:
        print(f"| {label} (`{url}`) | {p50:.0f} | {p95:.0f} | {queries} |")
    worst = max(row[3] for row in rows)
    print(f"worst p95: {worst:.0f} ms")


if __name__ == "__main__":
    main()
