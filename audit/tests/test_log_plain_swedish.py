"""The access log page in plain Swedish (issue 12, "slows work"): rows say
what happened in words, can be narrowed to protected clients and to the
relation flags, and link to the client where the reviewer may open them."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order

LOG = reverse("audit:log")


def rows_in(response):
    return list(response.context["page_obj"].object_list)


def html_of(response):
    return response.content.decode()


@pytest.mark.parametrize(
    ("action", "object_type", "note", "words"),
    [
        (AccessAction.UPDATE, "tenancies.tenancy", "move_out", ["Ändring", "Hyresförhållande", "Utflyttning"]),
        (AccessAction.CREATE, "tenancies.tenancy", "move_in", ["Registrering", "Inflyttning"]),
        (AccessAction.VIEW, "reports.drilldown", "", ["Visning", "Resultatlista (instrumentpanelen)"]),
        (AccessAction.VIEW, "bolots.worklist", "orders shown: 3 of 3", ["Min dag (arbetslistan)", "Visade uppdrag: 3 of 3"]),
        (AccessAction.UPDATE, "referrals.order", "accepted", ["Uppdrag", "Uppdraget accepterat"]),
        (AccessAction.VIEW, "referrals.client", "read by referrals:client_list", ["Klient", "Visad på sidan: Klienter"]),
        (AccessAction.UPDATE, "referrals.client", "street_address, phone", ["Ändrat: gatuadress, telefon"]),
        (AccessAction.VIEW, "referrals.client.protected_address", "order #12",
         ["Skyddad adress visad på besökssidan", "Besökssidan för uppdrag #12"]),
        (AccessAction.EXPORT, "reports.kpi_table", "XLSX 2026", ["Export", "Måltabell (export)", "Excel-fil: 2026"]),
    ],
)
def test_each_row_says_in_swedish_what_happened(client, manager, case_officer, client_record, action, object_type,
                                                note, words):
    log_access(AuditContext(case_officer, "/", None), action, client=client_record, object_type=object_type,
               note=note)
    client.force_login(manager)
    html = html_of(client.get(LOG))
    for word in words:
        assert word in html, word
    # The code stays available (as a tooltip), not as the text read.
    assert f">{object_type}<" not in html


@pytest.fixture
def flagged(unit, other_unit, case_officer, pilot, manager):
    """Rows written by users of `unit`: about the case officer's own client
    (related), a protected client (related: the pilot's order), a client read
    by the manager with no relation, and a client of another unit."""
    own = ClientFactory(unit=unit, first_name="Egen", last_name="Relationsdotter", responsible_officer=case_officer)
    protected = ClientFactory(unit=unit, first_name="Skyddad", last_name="Flaggsson",
                              protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    accepted_order(pilot, None, client=protected, ordered_by=case_officer)
    stranger = ClientFactory(unit=unit, first_name="Främling", last_name="Oberoendesson")
    foreign = ClientFactory(unit=other_unit, first_name="Utsocknes", last_name="Grannesson")
    rows = {
        "own": log_access(AuditContext(case_officer, "/", None), AccessAction.UPDATE, own),
        "protected": log_access(AuditContext(pilot, "/", None), AccessAction.UPDATE, protected),
        "stranger": log_access(AuditContext(manager, "/", None), AccessAction.UPDATE, stranger),
        "foreign": log_access(AuditContext(case_officer, "/", None), AccessAction.UPDATE, foreign),
    }
    return rows


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["skyddad"], ["protected"]),
        (["ingen-relation"], ["foreign", "stranger"]),
        (["annan-enhet"], ["foreign"]),
        (["ingen-relation", "annan-enhet"], ["foreign"]),
        ([], ["foreign", "stranger", "protected", "own"]),
    ],
)
def test_filter_by_protected_clients_and_relation_flags(client, manager, flagged, flags, expected):
    client.force_login(manager)
    response = client.post(LOG, {"flags": flags})
    assert response["Location"] == LOG, "the filter travels in the session, not the URL"
    assert rows_in(client.get(LOG)) == [flagged[key] for key in expected]


def test_the_flags_combine_with_the_existing_filters(client, manager, flagged, case_officer):
    client.force_login(manager)
    client.post(LOG, {"flags": ["ingen-relation"], "user": case_officer.pk})
    assert rows_in(client.get(LOG)) == [flagged["foreign"]]


def test_an_unknown_flag_is_refused_beside_the_field_and_changes_nothing(client, manager, flagged):
    client.force_login(manager)
    client.post(LOG, {"flags": ["skyddad"]})
    response = client.post(LOG, {"flags": ["hemlig-kod"]})
    assert response.status_code == 200
    assert response.context["form"].errors["flags"]
    # The saved filter is unchanged: only rows about the protected client
    # (the reviewer's own reads of the log are rows too).
    rows = rows_in(client.get(LOG))
    assert flagged["protected"] in rows
    assert {row.client_id for row in rows} == {flagged["protected"].client_id}


def test_each_row_shows_its_flags(client, manager, flagged):
    client.force_login(manager)
    response = client.get(LOG)
    badges = {entry.pk: entry.badges for entry in rows_in(response)}
    assert badges[flagged["own"].pk] == []
    assert badges[flagged["protected"].pk] == ["Skyddad"]
    assert badges[flagged["stranger"].pk] == ["Ingen relation"]
    assert badges[flagged["foreign"].pk] == ["Ingen relation", "Annan enhet"]


def test_rows_link_to_the_clients_the_reviewer_may_open_and_no_others(client, manager, flagged):
    client.force_login(manager)
    response = client.get(LOG)
    html = html_of(response)
    links = {entry.pk: entry.client_url for entry in rows_in(response)}
    for key in ("own", "protected", "stranger"):
        client_id = flagged[key].client_id
        url = reverse("referrals:client_detail", args=[client_id])
        assert links[flagged[key].pk] == url
        assert f'<a href="{url}">{flagged[key].client_label}</a>' in html
        # The link leads to a page the reviewer may open.
        assert client.get(url).status_code == 200
    # A client of another unit: named by the row's snapshot, no link (the
    # manager could not open the page, and a link would give its id away).
    foreign_id = flagged["foreign"].client_id
    assert links[flagged["foreign"].pk] is None
    assert reverse("referrals:client_detail", args=[foreign_id]) not in html


def test_a_protected_clients_row_links_the_person_but_still_hides_the_record(client, manager, unit, case_officer):
    """Issue 10's masking stands: the record id and path of a protected
    client's row stay hidden from a reviewer without the permission; the
    link is to the client's page, which the manager may open (and which
    shows no address to them), never to the record."""
    protected = ClientFactory(unit=unit, first_name="Dold", last_name="Länksson",
                              protection_level=ProtectionLevel.CONFIDENTIALITY_MARK)
    log_access(AuditContext(case_officer, "/lagenheter/4711/klagomal/nytt/", None), AccessAction.CREATE,
               client=protected, object_type="tenancies.complaint")
    client.force_login(manager)
    html = html_of(client.get(LOG))
    assert reverse("referrals:client_detail", args=[protected.pk]) in html
    assert "4711" not in html


def test_outsider_manager_sees_none_of_the_units_rows_or_links(client, flagged, other_unit):
    outsider = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(outsider)
    response = client.get(LOG)
    assert rows_in(response) == []
    client.post(LOG, {"flags": ["skyddad"]})
    assert rows_in(client.get(LOG)) == []


@pytest.mark.parametrize("who", ["case_officer", "pilot", "housing_admin", "system_admin"])
def test_wrong_role_gets_403_also_with_a_flag(client, users, who):
    client.force_login(users[who])
    assert client.post(LOG, {"flags": ["skyddad"]}).status_code == 403


def test_anonymous_is_sent_to_login_when_filtering(client, db):
    response = client.post(LOG, {"flags": ["skyddad"]})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_query_count_with_flags_and_links_does_not_grow_with_rows(client, manager, unit, case_officer,
                                                                  django_assert_num_queries):
    def write(n):
        for i in range(n):
            person = ClientFactory(unit=unit, protection_level=ProtectionLevel.CONFIDENTIALITY_MARK if i % 2 else ProtectionLevel.NONE)
            log_access(AuditContext(case_officer, "/", None), AccessAction.UPDATE, person)

    write(4)
    client.force_login(manager)
    # The case officer's rows (not the reviewer's own reads of the log).
    client.post(LOG, {"flags": ["skyddad"], "user": case_officer.pk})
    client.get(LOG)
    # Session, user, the reviewer's unit's users (form), count, page,
    # masking, links, the shown rows' flags (audit.flags.mark_flags), the
    # read log's insert and its chain.
    with django_assert_num_queries(10):
        response = client.get(LOG)
    assert len(rows_in(response)) == 2
    write(40)
    with django_assert_num_queries(10):
        response = client.get(LOG)
    assert len(rows_in(response)) == 22


def test_a_reviewer_with_the_permission_sees_the_record_of_a_protected_row(client, manager, unit, case_officer):
    manager.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.CONFIDENTIALITY_MARK)
    log_access(AuditContext(case_officer, "/", None), AccessAction.CREATE, client=protected,
               object_type="tenancies.complaint")
    client.force_login(manager)
    response = client.get(LOG)
    assert rows_in(response)[0].labels["object_type"] == "Klagomål eller skada"
