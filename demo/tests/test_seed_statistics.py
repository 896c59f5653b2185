"""seed_demo leaves statistics behind on PostgreSQL (demo.seeding.analyze_area):
the tables an area wrote are ANALYZEd inside the seed's transaction, so the
later seeders' queries and the benchmarks are planned for the rows there.
(The suite runs as the runtime role on PostgreSQL, which owns no table, so
PostgreSQL skips the ANALYZE with a warning here; the statement is checked.)"""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo.seeding import AREA_APPS, AREAS, analyze_area
from referrals.models import TargetGroup

pytestmark = pytest.mark.django_db


def test_an_area_analyzes_its_apps_tables_on_postgresql_only():
    with CaptureQueriesContext(connection) as captured:
        analyze_area("referrals")

    if connection.vendor != "postgresql":
        assert captured.captured_queries == []
        return
    (query,) = [query for query in captured.captured_queries if query["sql"].startswith("ANALYZE ")]
    for table in ("referrals_client", "referrals_order", "referrals_decision"):
        assert f'"{table}"' in query["sql"]
    assert '"tenancies_tenancy"' not in query["sql"]


def test_a_table_not_written_since_it_was_analysed_is_not_analysed_again():
    analysed = {}
    analyze_area("referrals", analysed)
    with CaptureQueriesContext(connection) as captured:
        analyze_area("referrals", analysed)
    assert not [query for query in captured.captured_queries if query["sql"].startswith("ANALYZE ")]
    if connection.vendor != "postgresql":
        return
    TargetGroup.objects.create(code="demo-analyze", name="Analysera")
    with CaptureQueriesContext(connection) as captured:
        analyze_area("referrals", analysed)
    (query,) = [query for query in captured.captured_queries if query["sql"].startswith("ANALYZE ")]
    assert query["sql"] == 'ANALYZE "referrals_targetgroup"'


def test_every_area_names_installed_apps():
    for area, _seeders in AREAS:
        labels = AREA_APPS.get(area, (area,))
        assert any(label in apps.app_configs for label in labels), area
