"""The arrears pages: who may open them, what they show (the income source,
a protected tenant's apartment left out), the CSV, a bad date refused
beside the field, the access log in one insert, and the query counts
(the same for 5 and 100 tenancies)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLogEntry
from referrals.models import ProtectionLevel
from tenancies.models import IncomeKind
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, add_income

from .arrears_factories import notice, pay

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PAGES = ["rent:aging", "rent:aging_csv", "rent:behind", "rent:arrears_figures"]
STATUS = {"case_officer": 200, "housing_admin": 200, "manager": 200, "pilot": 403, "second_pilot": 403,
          "system_admin": 403, "outside_officer": 200}
ON = "2025-03-31"


@pytest.fixture
def tenancy(unit, client_record):
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Hemliga vägen 7"),
                             client=client_record, start_date=date(2024, 6, 1))
    add_income(tenancy, kind=IncomeKind.FINANCIAL_ASSISTANCE, valid_from=date(2024, 6, 1))
    january = notice(tenancy, date(2025, 1, 31), 500000)
    pay(january, 200000, date(2025, 2, 10))
    notice(tenancy, date(2025, 3, 31), 500000)
    return tenancy


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("who", sorted(STATUS))
@pytest.mark.parametrize("name", PAGES)
def test_status_per_role(client, users, tenancy, who, name):
    client.force_login(users[who])

    response = client.get(reverse(name), {"on": ON})

    assert response.status_code == STATUS[who]
    if response.status_code == 200 and name != "rent:arrears_figures":
        shown = tenancy.client.full_name in response.content.decode("utf-8")
        assert shown == (who != "outside_officer"), "another unit's tenants are never listed"


def test_the_aging_list_shows_buckets_income_and_the_flag(client, users, tenancy):
    client.force_login(users["case_officer"])

    html = client.get(reverse("rent:aging"), {"on": ON}).content.decode()

    assert tenancy.client.full_name in html
    assert "3\xa0000\xa0kr" in html  # January's open 3 000 kr, 59 days late
    assert "5\xa0000\xa0kr" in html  # March's, due that day: not yet due
    assert "Ekonomiskt bistånd" in html
    assert "Behöver ett nytt samtal" in html
    assert "Hemliga vägen 7" in html


def test_a_bad_date_is_refused_beside_the_field(client, users, tenancy):
    client.force_login(users["housing_admin"])

    response = client.get(reverse("rent:aging"), {"on": "0226-13-45"})

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    response = client.get(reverse("rent:behind"), {"on": "1850-01-01"})
    assert "Datumet kan inte vara före" in response.content.decode()


def test_the_behind_list_keeps_the_boundary(client, users, tenancy):
    client.force_login(users["manager"])
    name = tenancy.client.full_name

    # January 31 + 1 month = 28 February: not more than a month behind that day, the next day yes.
    assert name not in client.get(reverse("rent:behind"), {"on": "2025-02-28"}).content.decode()
    assert name in client.get(reverse("rent:behind"), {"on": "2025-03-01"}).content.decode()


def test_a_protected_tenant_is_named_without_the_apartment(client, users, tenancy):
    tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenancy.client.save()
    client.force_login(users["housing_admin"])

    for name in ("rent:aging", "rent:behind", "rent:aging_csv"):
        text = client.get(reverse(name), {"on": ON}).content.decode("utf-8")
        assert tenancy.client.full_name in text
        assert "Hemliga vägen 7" not in text
        assert "Lägenheten visas inte" in text

    officer = users["case_officer"]
    officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(officer)
    assert "Hemliga vägen 7" in client.get(reverse("rent:aging"), {"on": ON}).content.decode()


def test_the_csv(client, users, tenancy):
    client.force_login(users["housing_admin"])

    response = client.get(reverse("rent:aging_csv"), {"on": ON})

    assert response["Content-Type"].startswith("text/csv")
    assert "aldersanalys-2025-03-31.csv" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Hyresgäst;Lägenhet;Ej förfallet;1–30 dagar;31–60 dagar;Över 60 dagar")
    assert tenancy.client.full_name in lines[1]
    assert "Ja" in lines[1]
    assert AccessLogEntry.objects.filter(object_type="rent.aging_export", action="export").count() == 1


def test_the_figures_page(client, users, tenancy):
    client.force_login(users["manager"])

    html = client.get(reverse("rent:arrears_figures"), {"on": ON, "year": 2025}).content.decode()

    assert "3\xa0000\xa0kr" in html  # total arrears on 31 March
    assert "2025-02-28" in html  # the trend's month ends


def test_the_list_is_logged_in_one_insert(client, users, unit, tenancy):
    for _ in range(3):
        other = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2024, 1, 1))
        notice(other, date(2025, 1, 31), 1000)
    client.force_login(users["case_officer"])

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("rent:aging"), {"on": ON})

    rows = AccessLogEntry.objects.filter(object_type="rent.aging")
    assert rows.count() == 4
    assert tenancy.client_id in set(rows.values_list("client_id", flat=True))
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_accesslogentry"')]
    assert len(inserts) == 1


def _tenancies(unit, count):
    for _ in range(count):
        made = TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(2024, 1, 1))
        add_income(made, kind=IncomeKind.SALARY, valid_from=date(2024, 1, 1))
        notice(made, date(2025, 1, 31), 1000)
        notice(made, date(2025, 3, 31), 1000)


LOG_INSERT = 'INSERT INTO "audit_accesslogentry"'


@pytest.mark.parametrize("name", PAGES)
def test_query_counts_do_not_grow_with_the_tenancies(client, users, unit, name):
    """The same queries for 5 and 100 tenancies. The access-log rows go in
    one bulk insert, which Django's SQLite backend splits at 999 parameters
    (two statements for 100 rows); on PostgreSQL it is one."""
    client.force_login(users["housing_admin"])
    client.get(reverse(name), {"on": ON})  # warm the session and permission caches: the first page after a login fills them (issue 16 §1)
    counts, inserts = [], []
    for more in (5, 95):
        _tenancies(unit, more)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name), {"on": ON})
        assert response.status_code == 200
        sql = [query["sql"] for query in queries.captured_queries]
        counts.append(sum(1 for text in sql if not text.startswith(LOG_INSERT)))
        inserts.append(sum(1 for text in sql if text.startswith(LOG_INSERT)))

    assert counts[0] == counts[1], f"{name}: {counts}"
    assert counts[1] + min(inserts[1], 1) <= 12
    assert inserts[1] <= inserts[0] + (1 if connection.vendor == "sqlite" else 0)
