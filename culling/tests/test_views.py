"""The culling pages: who may open them, the list a manager approves, the
rules page."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry, FieldChange
from culling.models import CulledPerson, CullingRules, CullingRun, RunStatus
from culling.services.runs import make_run
from referrals.models import Client, ProtectionLevel

from .files import date_back, person

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]

OLD = date(2019, 6, 3)


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(username="chef2", unit=other_unit, roles=[Role.MANAGER])


@pytest.fixture
def run(ctx, unit, case_officer):
    due = person(unit, case_officer, first_name="Gallras", last_name="Fiktivsson")
    date_back(due.pk, OLD)
    kept = person(unit, case_officer, birth=date(1971, 5, 5), first_name="Forskning", last_name="Fiktivsdotter",
                  protection_level=ProtectionLevel.PROTECTED_REGISTRATION, street_address="Hemligvägen 3")
    date_back(kept.pk, OLD)
    return make_run(ctx, unit)


def _pages(run):
    return [reverse("culling:run_list"), reverse("culling:rules"), reverse("culling:run_detail", args=[run.pk])]


def test_anonymous_goes_to_login(client, run):
    for url in [*_pages(run), reverse("culling:run_create"), reverse("culling:run_approve", args=[run.pk]),
                reverse("culling:run_reject", args=[run.pk])]:
        response = client.get(url) if not any(verb in url for verb in ("ny", "godkann", "avvisa")) else client.post(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin"])
def test_other_roles_are_refused(client, request, run, role):
    client.force_login(request.getfixturevalue(role))
    for url in _pages(run):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("culling:run_create")).status_code == 403
    assert client.post(reverse("culling:run_approve", args=[run.pk])).status_code == 403
    assert client.post(reverse("culling:run_reject", args=[run.pk]), {"reason": "Fel regler"}).status_code == 403
    assert CullingRun.objects.count() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.LISTED


def test_a_manager_of_another_unit_does_not_see_the_run(client, run, other_manager):
    client.force_login(other_manager)
    assert client.get(reverse("culling:run_detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("culling:run_approve", args=[run.pk])).status_code == 404
    assert client.post(reverse("culling:run_reject", args=[run.pk]), {"reason": "Fel regler"}).status_code == 404
    response = client.get(reverse("culling:run_list"))
    assert response.status_code == 200 and f"#{run.pk}" not in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.LISTED


def test_the_run_page_lists_due_and_kept_and_logs_the_reads(client, manager, run, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("culling:run_detail", args=[run.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fiktivsson" in page and "Fiktivsdotter" in page
    assert "Född på en forskningsdag" in page  # the reason, in Swedish
    assert "Hemligvägen" not in page  # no address on the list, protected or not
    assert "2024-06-03" in page and "2025-12-31" in page
    # Every person shown has a read row, and the run itself a view row.
    shown = set(Client.objects.filter(last_name__startswith="Fiktivs").values_list("pk", flat=True))
    logged = set(AccessLogEntry.objects.filter(user=manager, action="view", client_id__in=shown)
                 .values_list("client_id", flat=True))
    assert logged == shown
    assert AccessLogEntry.objects.filter(user=manager, object_type="culling.cullingrun",
                                         object_id=str(run.pk)).exists()


def test_the_run_list_has_a_pinned_query_count(client, manager, run, django_assert_max_num_queries):
    client.force_login(manager)
    for _i in range(3):
        CullingRun.objects.create(unit=run.unit, trigger="on_demand", as_of=timezone.localdate())
    with django_assert_max_num_queries(20):
        response = client.get(reverse("culling:run_list"))
    assert response.status_code == 200


def test_a_manager_makes_a_dry_run(client, manager, run):
    client.force_login(manager)
    response = client.post(reverse("culling:run_create"))
    made = CullingRun.objects.order_by("-pk").first()
    assert made.pk != run.pk and made.made_by == manager and made.status == RunStatus.LISTED
    assert response["Location"] == reverse("culling:run_detail", args=[made.pk])
    assert made.candidates.count() == 2


def test_approving_culls_the_due_person(client, manager, run, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("culling:run_approve", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.approved_by == manager
    assert not Client.objects.filter(last_name="Fiktivsson").exists()
    assert Client.objects.filter(last_name="Fiktivsdotter").exists()
    assert CulledPerson.objects.get().approved_by == manager
    listed = client.get(reverse("culling:run_list")).context["runs"][0]
    assert (listed.due, listed.kept, listed.culled_count) == (1, 1, 1)
    page = client.get(reverse("culling:run_detail", args=[run.pk])).content.decode()
    assert CulledPerson.objects.get().reference in page and "Fiktivsson" not in page
    # A second approval is refused with a message, nothing more happens.
    response = client.post(reverse("culling:run_approve", args=[run.pk]), follow=True)
    assert "väntar inte längre på godkännande" in response.content.decode()


def test_the_rules_page_saves_with_history(client, manager):
    client.force_login(manager)
    url = reverse("culling:rules")
    assert client.get(url).status_code == 200
    rules = CullingRules.objects.get(pk=1)
    response = client.post(url, {"version": rules.version, "years": "6", "research_days": "5, 15,25, 5",
                                 "exempt_kinds": ["referrals.individualplan"]})
    assert response.status_code == 302
    rules.refresh_from_db()
    assert (rules.years, rules.research_days, rules.exempt_kinds) == (6, [5, 15, 25], ["referrals.individualplan"])
    assert FieldChange.objects.filter(object_type="culling.cullingrules", field="years").exists()


@pytest.mark.parametrize(("years", "days", "message"), [
    ("0", "5", "Ange ett antal år från 1 till 50."),
    ("5", "5, 32", "Ange dagar i månaden från 1 till 31, åtskilda med kommatecken."),
    ("5", "femte", "Ange dagar i månaden från 1 till 31, åtskilda med kommatecken."),
])
def test_bad_rules_are_refused_beside_the_field(client, manager, years, days, message):
    client.force_login(manager)
    rules = CullingRules.objects.get_or_create(pk=1)[0]
    response = client.post(reverse("culling:rules"), {"version": rules.version, "years": years, "research_days": days})
    assert response.status_code == 200 and message in response.content.decode()
    rules.refresh_from_db()
    assert (rules.years, rules.research_days, rules.version) == (5, [5, 15, 25], 1)


def test_a_stale_rules_form_is_a_conflict(client, manager):
    client.force_login(manager)
    rules = CullingRules.objects.get_or_create(pk=1)[0]
    CullingRules.objects.filter(pk=1).update(years=7, version=2)
    response = client.post(reverse("culling:rules"), {"version": 1, "years": "6", "research_days": "5"})
    assert response.status_code == 200
    rules.refresh_from_db()
    assert rules.years == 7


def test_a_manager_rejects_a_wrong_list_with_the_reason_and_nothing_is_culled(client, manager, run):
    from culling import reminders
    from culling.models import CullingEvent, RunEventKind

    client.force_login(manager)
    page = client.get(reverse("culling:run_detail", args=[run.pk])).content.decode()
    assert "Avvisa listan" in page

    response = client.post(reverse("culling:run_reject", args=[run.pk]), {"reason": "Gjord med fel antal år"},
                           follow=True)

    run.refresh_from_db()
    assert run.status == RunStatus.REJECTED and run.approved_by is None
    event = CullingEvent.objects.get(run=run, kind=RunEventKind.REJECTED)
    assert event.by == manager and event.note == "Gjord med fel antal år"
    page = response.content.decode()
    assert f"Gallringslista nr {run.pk} avvisades; ingenting på den gallras." in page
    assert "Status</dt><dd class=\"col-sm-8\">Avvisad" in page
    assert "Listan avvisad" in page and "Gjord med fel antal år" in page
    assert "Avvisa listan" not in page and "Godkänn" not in page
    assert Client.objects.filter(last_name="Fiktivsson").exists()
    assert not CulledPerson.objects.exists()
    assert AccessLogEntry.objects.filter(note="culling list rejected", user=manager).exists()
    # No reminder for a rejected list, and it cannot be approved any more.
    assert not reminders.waiting_runs().filter(pk=run.pk).exists()
    client.post(reverse("culling:run_approve", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.REJECTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_without_a_reason_is_refused_beside_the_field(client, manager, run, reason):
    client.force_login(manager)

    response = client.post(reverse("culling:run_reject", args=[run.pk]), {"reason": reason})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="reason-error">Skriv varför listan avvisas.</div>' in page
    assert 'aria-invalid="true"' in page
    run.refresh_from_db()
    assert run.status == RunStatus.LISTED


def test_only_a_list_waiting_for_approval_can_be_rejected(client, manager, run):
    CullingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    client.force_login(manager)

    response = client.post(reverse("culling:run_reject", args=[run.pk]), {"reason": "Fel"}, follow=True)

    assert "Gallringslistan väntar inte längre på godkännande." in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
