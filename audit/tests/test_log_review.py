import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry
from audit.services import log_access
from referrals.tests.factories import ClientFactory

LOG = reverse("audit:log")
EXPORT = reverse("audit:export")


@pytest.fixture
def entries(case_officer, pilot, unit, client_record, outside_officer, other_unit):
    other_client = ClientFactory(unit=unit, first_name="Olle", last_name="Annansson")
    foreign = ClientFactory(unit=other_unit, first_name="Främmande", last_name="Kommunsdotter")
    ctx = AuditContext(case_officer, "/klienter/", "10.0.0.1")
    rows = [
        log_access(ctx, AccessAction.VIEW, client_record),
        log_access(ctx, AccessAction.UPDATE, client_record),
        log_access(AuditContext(pilot, "/", "10.0.0.2"), AccessAction.VIEW, other_client),
        # Written by a user of another unit: not this manager's to review.
        log_access(AuditContext(outside_officer, "/", "10.0.0.3"), AccessAction.VIEW, foreign),
    ]
    return rows


def rows_in(response):
    return list(response.context["page_obj"].object_list)


def test_anonymous_is_sent_to_login(client, db):
    for url in (LOG, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["case_officer", "pilot", "housing_admin", "system_admin"])
def test_other_roles_get_403(client, users, who):
    client.force_login(users[who])
    assert client.get(LOG).status_code == 403
    assert client.post(EXPORT).status_code == 403


def test_manager_sees_the_rows_of_their_unit_newest_first(client, manager, entries):
    client.force_login(manager)

    response = client.get(LOG)

    assert response.status_code == 200
    assert rows_in(response) == [entries[2], entries[1], entries[0]]


def test_filter_by_user(client, manager, entries, pilot):
    client.force_login(manager)
    client.post(LOG, {"user": pilot.pk})

    assert rows_in(client.get(LOG)) == [entries[2]]


@pytest.mark.parametrize("term_of", [
    lambda c: c.last_name,
    lambda c: c.personal_number[8:],
    lambda c: f"{c.personal_number[2:8]}-{c.personal_number[8:]}",
])
def test_filter_by_client_name_or_number(client, manager, entries, client_record, term_of):
    client.force_login(manager)
    response = client.post(LOG, {"client": term_of(client_record)})

    assert response["Location"] == LOG, "the term is not put in the URL"
    assert rows_in(client.get(LOG)) == [entries[1], entries[0]]


def test_filter_by_date_range(client, manager, case_officer, client_record):
    ctx = AuditContext(case_officer, "/", None)
    old = AccessLogEntry.objects.create(
        user=case_officer, action=AccessAction.VIEW, client_id=client_record.pk,
        object_type="referrals.client", at=timezone.make_aware(datetime(2026, 1, 15, 23, 30)),
    )
    log_access(ctx, AccessAction.VIEW, client_record)  # today
    client.force_login(manager)

    client.post(LOG, {"date_from": "2026-01-15", "date_to": "2026-01-15"})

    assert rows_in(client.get(LOG)) == [old]


def test_date_range_the_wrong_way_round_gets_a_message(client, manager):
    client.force_login(manager)

    response = client.post(LOG, {"date_from": "2026-02-01", "date_to": "2026-01-01"})

    assert response.status_code == 200
    assert "Slutdatumet är före startdatumet." in response.content.decode()


def test_client_page_link_filters_by_client_id(client, manager, entries, client_record):
    client.force_login(manager)

    response = client.get(LOG + f"?klient={client_record.pk}")
    assert response.status_code == 302

    assert rows_in(client.get(LOG)) == [entries[1], entries[0]]


def test_export_is_csv_of_the_search_and_is_itself_logged(client, manager, entries, pilot):
    client.force_login(manager)
    client.post(LOG, {"user": pilot.pk})

    response = client.post(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:4] == ["Tidpunkt", "Användare", "Händelse", "Klient"]
    assert len(rows) == 2
    assert rows[1][1] == pilot.username and rows[1][2] == "Visning"
    export_row = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).get()
    assert export_row.user == manager
    assert f"user={pilot.pk}" in export_row.note


def test_log_list_query_count_is_independent_of_rows(client, manager, case_officer, client_record, django_assert_num_queries):
    ctx = AuditContext(case_officer, "/", None)
    for _ in range(60):
        log_access(ctx, AccessAction.VIEW, client_record)
    client.force_login(manager)
    client.get(LOG)

    # incl. the read log's one insert (audit.reads), its chain lock
    # (audit.chain), which of the page's clients are protected (audit.masking)
    # and which the reviewer may open (audit.flags' client links), and the
    # flags of the rows shown (audit.flags.mark_flags: one query for all)
    with django_assert_num_queries(10):
        client.get(LOG)
    for _ in range(60):
        log_access(ctx, AccessAction.VIEW, client_record)
    with django_assert_num_queries(10):
        client.get(LOG)


@pytest.mark.parametrize("level", ["confidentiality_mark", "protected_registration", "assumed_identity"])
def test_a_protected_clients_rows_show_no_record_or_path_without_the_permission(client, manager, case_officer, unit, level):
    """Issue 10 §1: the log must not tell where a protected client lives. A
    row about a complaint registered from the apartment page names the
    client beside the apartment's id and path; a reviewer without
    view_protected_client sees who read whom and when, not which apartment."""
    from django.contrib.auth.models import Permission

    from referrals.models import ProtectionLevel

    assert level in ProtectionLevel.values
    protected = ClientFactory(unit=unit, first_name="Skyddad", last_name="Loggsson", protection_level=level)
    plain = ClientFactory(unit=unit, first_name="Öppen", last_name="Loggsson")
    for person, apartment_id in ((protected, "4711"), (plain, "4712")):
        AccessLogEntry.objects.create(
            user=case_officer, action=AccessAction.VIEW, client_id=person.pk, client_label=person.audit_label,
            client_number=person.personal_number, object_type="tenancies.apartment", object_id=apartment_id,
            path=f"/lagenheter/{apartment_id}/klagomal/nytt/",
        )

    def page_and_export():
        client.force_login(manager)
        page = client.get(LOG).content.decode()
        export = b"".join(client.post(EXPORT).streaming_content).decode("utf-8-sig")
        return page, export

    manager.user_permissions.remove(*Permission.objects.filter(codename="view_protected_client"))
    page, export = page_and_export()
    for text in (page, export):
        assert "Loggsson" in text  # who was read stays in the log
        assert "4711" not in text and "/lagenheter/4711/" not in text
        assert "4712" in text  # a client without protection keeps record and path
    assert "/lagenheter/4712/klagomal/nytt/" in export

    manager.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    manager = type(manager).objects.get(pk=manager.pk)  # drop the cached permissions
    page, export = page_and_export()
    assert "4711" in page and "/lagenheter/4711/klagomal/nytt/" in export


def test_a_log_larger_than_the_count_cap_says_more_than_and_the_filters_narrow_it(
        client, manager, case_officer, pilot, client_record, monkeypatch):
    """The page counts at most LOG_COUNT_CAP rows (a unit's log grows without
    end); past it, it says so and still pages through the newest rows."""
    from audit import views

    monkeypatch.setattr(views, "LOG_COUNT_CAP", 5)
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)
    officer = AuditContext(case_officer, "/", None)
    for _ in range(7):
        log_access(officer, AccessAction.VIEW, client_record)
    log_access(AuditContext(pilot, "/", None), AccessAction.VIEW, client_record)
    client.force_login(manager)

    response = client.get(LOG)
    page = response.context["page_obj"]
    assert page.paginator.capped and page.paginator.count == 5 and page.paginator.num_pages == 3
    assert "Fler än 5 rader: avgränsa sökningen med datum, användare eller klient för att se alla." in (
        response.content.decode())
    assert len(rows_in(response)) == 2

    # Narrowed to the pilot: one row, counted exactly.
    client.post(LOG, {"user": pilot.pk})
    narrowed = client.get(LOG)
    assert not narrowed.context["page_obj"].paginator.capped
    assert narrowed.context["page_obj"].paginator.count == 1
    assert "1 rad." in narrowed.content.decode()
