"""Link requests from the municipality's login (issue 16 §3): an identity
linked to no account becomes a request for the system administrators, who
link it to the person's existing account on a page (a manager approves when
the account sees case data) or reject it. The requests are made by real
logins at the local provider of accounts/tests/test_oidc.py."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    AccessRequest,
    AccessRequestKind,
    AccessRequestState,
    IdentityLinkRequest,
    IdentityLinkState,
    User,
)
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from accounts.users import services as user_services
from audit.models import AccountEvent, AccountEventKind

from .test_oidc import STRONG_ACR, configure, log_in, provider  # noqa: F401  (provider: a fixture)

LIST = reverse("users:identity_links")


@pytest.fixture
def oidc(settings, provider):  # noqa: F811
    configure(settings, provider)
    # Name and e-mail come with these scopes (the administrator's page shows them).
    settings.OIDC_RP_SCOPES = "openid profile email"
    return provider


def request_of(oidc, client, subject, **claims):
    """A real provider login of `subject`, whom no account has: the request it leaves."""
    oidc.set_claims(subject, acr=STRONG_ACR, **claims)
    response = log_in(client, oidc, subject)
    assert response.status_code == 403
    return response


@pytest.fixture
def newcomer(oidc, client, db):
    """Anna logged in at the municipality before anyone linked her account."""
    request_of(oidc, client.__class__(), "anna-7", name="Anna Nyström", email="anna.nystrom@example.org")
    return IdentityLinkRequest.objects.get(subject="anna-7")


@pytest.fixture
def second_admin(unit):
    return UserFactory(username="sysadmin2", unit=unit, roles=[Role.SYSTEM_ADMIN], is_staff=True)


def link(client, link_request, account):
    return client.post(reverse("users:identity_link", kwargs={"pk": link_request.pk}), {"account": account.pk})


def logged_in_as(client):
    return client.session.get(SESSION_KEY)


# --- The request, from a real login --------------------------------------------


def test_an_unknown_identity_leaves_one_request_and_the_page_says_it_was_sent(client, oidc, db):
    response = request_of(oidc, client, "anna-7", name="Anna Nyström", email="anna.nystrom@example.org")

    page = response.content.decode()
    assert "Din begäran om att koppla den till ditt konto har skickats till systemadministratörerna" in page
    request = IdentityLinkRequest.objects.get()
    assert (request.issuer, request.subject) == (oidc.issuer, "anna-7")
    assert (request.display_name, request.email) == ("Anna Nyström", "anna.nystrom@example.org")
    assert request.state == IdentityLinkState.PENDING and request.logins == 1
    assert request.first_seen_at == request.last_seen_at
    # Nothing of the token is kept: the columns are the identity, the two
    # claims and the times.
    assert {f.name for f in IdentityLinkRequest._meta.concrete_fields} == {
        "id", "issuer", "subject", "display_name", "email", "first_seen_at", "last_seen_at", "logins", "state",
        "account", "decided_by", "decided_at",
    }
    assert logged_in_as(client) is None

    # Another login of the same person refreshes the same request.
    request_of(oidc, client, "anna-7", name="Anna Nyström-Berg")
    request = IdentityLinkRequest.objects.get()
    assert request.logins == 2 and request.display_name == "Anna Nyström-Berg"
    assert request.last_seen_at > request.first_seen_at


def test_one_open_request_per_identity_in_the_database(newcomer):
    with pytest.raises(IntegrityError, match="one_open|UNIQUE"), transaction.atomic():
        IdentityLinkRequest.objects.create(
            issuer=newcomer.issuer, subject=newcomer.subject, first_seen_at=timezone.now(),
            last_seen_at=timezone.now(),
        )
    # A decided one does not count.
    IdentityLinkRequest.objects.filter(pk=newcomer.pk).update(state=IdentityLinkState.REJECTED)
    IdentityLinkRequest.objects.create(
        issuer=newcomer.issuer, subject=newcomer.subject, first_seen_at=timezone.now(), last_seen_at=timezone.now(),
    )


def test_a_flood_of_logins_stops_at_the_limit(client, oidc, settings, db):
    settings.OIDC_LINK_REQUESTS_MAX = 2
    for subject in ("first", "second"):
        request_of(oidc, client, subject)

    response = request_of(oidc, client, "third")

    assert IdentityLinkRequest.objects.count() == 2
    assert not IdentityLinkRequest.objects.filter(subject="third").exists()
    page = response.content.decode()
    assert "Be systemadministratören att koppla ditt konto och lämna identiteten nedan" in page
    assert "third" in page
    assert "har skickats till systemadministratörerna" not in page
    # A known request is still refreshed at the limit.
    request_of(oidc, client, "first")
    assert IdentityLinkRequest.objects.get(subject="first").logins == 2


def test_without_name_and_email_claims_the_request_holds_the_identity_only(client, oidc, settings, db):
    settings.OIDC_RP_SCOPES = "openid"
    request_of(oidc, client, "bare-1", name="Not Asked For", email="x@example.org")

    request = IdentityLinkRequest.objects.get()
    assert (request.display_name, request.email) == ("", "")


# --- Who sees the page ----------------------------------------------------------


def pages(link_request, account):
    return [
        ("get", LIST),
        ("get", reverse("users:identity_link", kwargs={"pk": link_request.pk})),
        ("post", reverse("users:identity_link", kwargs={"pk": link_request.pk})),
        ("post", reverse("users:identity_link_reject", kwargs={"pk": link_request.pk})),
        ("post", reverse("users:identity_unlink", kwargs={"pk": account.pk})),
    ]


def test_anonymous_users_go_to_the_login_page(client, newcomer, case_officer):
    for method, url in pages(newcomer, case_officer):
        response = getattr(client, method)(url, {"account": case_officer.pk} if method == "post" else None)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url
    assert IdentityLinkRequest.objects.get().state == IdentityLinkState.PENDING


@pytest.mark.parametrize("who", ["case_officer", "manager", "pilot", "housing_admin", "outside_officer"])
def test_other_roles_and_outsiders_are_refused(client, users, who, newcomer):
    client.force_login(users[who])
    account = users["second_pilot"]
    for method, url in pages(newcomer, account):
        response = getattr(client, method)(url, {"account": account.pk} if method == "post" else None)
        assert response.status_code == 403, url
    assert IdentityLinkRequest.objects.get().state == IdentityLinkState.PENDING
    assert not AccessRequest.objects.exists()


def test_a_system_administrator_of_any_unit_sees_the_requests(client, other_unit, newcomer):
    """The user administration is the municipality's, not a unit's."""
    elsewhere = UserFactory(username="sysadmin_annan", unit=other_unit, roles=[Role.SYSTEM_ADMIN])
    client.force_login(elsewhere)

    page = client.get(LIST).content.decode()

    assert "Anna Nyström" in page and "anna.nystrom@example.org" in page and "anna-7" in page
    detail = client.get(reverse("users:identity_link", kwargs={"pk": newcomer.pk}))
    assert detail.status_code == 200


def test_the_list_costs_a_fixed_number_of_queries(client, system_admin, case_officer, django_assert_num_queries):
    now = timezone.now()

    def add(count, start):
        for number in range(start, start + count):
            IdentityLinkRequest.objects.create(
                issuer="https://login.example", subject=f"p-{number}", display_name=f"Person {number}",
                first_seen_at=now, last_seen_at=now,
                # Some already wait for a manager, with their account shown.
                state=IdentityLinkState.AWAITING_APPROVAL if number % 2 else IdentityLinkState.PENDING,
                account=case_officer if number % 2 else None,
            )

    add(3, 0)
    client.force_login(system_admin)
    client.get(LIST)  # warm caches (content types, session)
    with django_assert_num_queries(4) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    add(30, 3)
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get(LIST)
    assert "Person 32" in response.content.decode()


# --- Linking -----------------------------------------------------------------


def test_a_link_to_an_account_without_case_data_takes_effect_and_the_person_logs_in(
    client, oidc, system_admin, second_admin, newcomer
):
    client.force_login(system_admin)

    response = link(client, newcomer, second_admin)

    assert response.status_code == 302 and response["Location"] == LIST
    second_admin.refresh_from_db()
    assert (second_admin.oidc_issuer, second_admin.oidc_subject) == (oidc.issuer, "anna-7")
    newcomer.refresh_from_db()
    assert newcomer.state == IdentityLinkState.LINKED and newcomer.decided_by == system_admin
    event = AccountEvent.objects.get(subject=second_admin, kind=AccountEventKind.PERMISSIONS_CHANGED)
    assert event.actor == system_admin and event.note == "identity provider linked"
    assert "anna-7" not in f"{event.before}{event.after}{event.note}"
    # No role was given.
    assert set(second_admin.groups.values_list("name", flat=True)) == {Role.SYSTEM_ADMIN}
    assert "Anna Nyström" not in client.get(LIST).content.decode()

    browser = client.__class__()
    assert log_in(browser, oidc, "anna-7")["Location"] == reverse("home")
    assert logged_in_as(browser) == str(second_admin.pk)


def test_a_link_to_an_account_with_case_data_waits_for_a_manager_of_its_unit(
    client, oidc, system_admin, case_officer, manager, other_unit, newcomer
):
    client.force_login(system_admin)

    response = link(client, newcomer, case_officer)

    assert response.status_code == 302
    case_officer.refresh_from_db()
    assert case_officer.oidc_subject == ""
    newcomer.refresh_from_db()
    assert newcomer.state == IdentityLinkState.AWAITING_APPROVAL and newcomer.account == case_officer
    access_request = AccessRequest.objects.get(kind=AccessRequestKind.IDENTITY)
    assert (access_request.subject, access_request.unit, access_request.requested_by) == (
        case_officer, case_officer.unit, system_admin
    )
    assert AccountEvent.objects.filter(subject=case_officer, kind=AccountEventKind.GRANT_REQUESTED).exists()
    # Until then the person cannot log in.
    assert log_in(client.__class__(), oidc, "anna-7").status_code == 403
    # Saving the account's roles does not withdraw it (it is not on that form).
    user_services.change_access(
        user_services.AuditContext(user=system_admin, path="/t/"), case_officer,
        unit=case_officer.unit, roles={Role.CASE_OFFICER}, protected=False,
    )
    assert AccessRequest.objects.get(pk=access_request.pk).state == AccessRequestState.PENDING

    # A manager of another unit does not find it; the unit's manager approves.
    elsewhere = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    client.force_login(elsewhere)
    decide = reverse("users:access_request_decide", kwargs={"pk": access_request.pk})
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    client.force_login(manager)
    page = client.get(reverse("users:access_requests")).content.decode()
    assert "Inloggning via kommunens inloggning" in page and "Anna Nyström" in page
    assert client.post(decide, {"decision": "approve"}).status_code == 302

    case_officer.refresh_from_db()
    assert (case_officer.oidc_issuer, case_officer.oidc_subject) == (oidc.issuer, "anna-7")
    newcomer.refresh_from_db()
    assert newcomer.state == IdentityLinkState.LINKED and newcomer.decided_by == manager
    linked = AccountEvent.objects.get(subject=case_officer, kind=AccountEventKind.PERMISSIONS_CHANGED)
    assert linked.actor == manager and linked.note == "identity provider linked"
    assert set(case_officer.groups.values_list("name", flat=True)) == {Role.CASE_OFFICER}

    browser = client.__class__()
    assert log_in(browser, oidc, "anna-7")["Location"] == reverse("home")
    assert logged_in_as(browser) == str(case_officer.pk)


def test_an_administrator_cannot_link_an_identity_to_their_own_account(client, system_admin, newcomer):
    client.force_login(system_admin)

    response = link(client, newcomer, system_admin)

    assert response.status_code == 200
    assert response.context["form"].errors["account"] == [
        "Du kan inte koppla en identitet till ditt eget konto. Be en annan administratör."
    ]
    assert 'id="error_1_id_account"' in response.content.decode() or "invalid-feedback" in response.content.decode()
    system_admin.refresh_from_db()
    assert system_admin.oidc_subject == ""
    assert IdentityLinkRequest.objects.get().state == IdentityLinkState.PENDING
    assert not AccountEvent.objects.filter(subject=system_admin, kind=AccountEventKind.PERMISSIONS_CHANGED).exists()


def test_an_account_linked_to_another_identity_is_refused_beside_the_field(
    client, oidc, system_admin, second_admin, newcomer
):
    call_command("link_oidc_subject", second_admin.username, "someone-else", issuer=oidc.issuer)
    client.force_login(system_admin)

    response = link(client, newcomer, second_admin)

    assert response.status_code == 200
    assert response.context["form"].errors["account"] == [
        "Kontot är redan kopplat till en annan identitet i kommunens inloggning. "
        "Ta först bort den kopplingen på kontots sida."
    ]
    second_admin.refresh_from_db()
    assert second_admin.oidc_subject == "someone-else"
    assert IdentityLinkRequest.objects.get().state == IdentityLinkState.PENDING


def test_linking_on_the_server_answers_the_open_request(oidc, second_admin, newcomer):
    call_command("link_oidc_subject", second_admin.username, "anna-7", issuer=oidc.issuer)

    newcomer.refresh_from_db()
    assert newcomer.state == IdentityLinkState.LINKED and newcomer.account == second_admin


# --- Rejecting and unlinking ----------------------------------------------------


def test_a_rejected_request_closes_and_the_next_login_asks_again(client, oidc, system_admin, newcomer):
    client.force_login(system_admin)

    response = client.post(reverse("users:identity_link_reject", kwargs={"pk": newcomer.pk}))

    assert response.status_code == 302 and response["Location"] == LIST
    newcomer.refresh_from_db()
    assert newcomer.state == IdentityLinkState.REJECTED and newcomer.decided_by == system_admin
    assert "Anna Nyström" not in client.get(LIST).content.decode()
    assert client.get(reverse("users:identity_link", kwargs={"pk": newcomer.pk})).status_code == 404
    assert not User.objects.filter(oidc_subject="anna-7").exists()

    request_of(oidc, client.__class__(), "anna-7")
    assert IdentityLinkRequest.objects.filter(subject="anna-7", state=IdentityLinkState.PENDING).count() == 1


def test_rejecting_a_link_waiting_for_a_manager_withdraws_it_there_too(client, system_admin, case_officer, newcomer):
    client.force_login(system_admin)
    link(client, newcomer, case_officer)

    client.post(reverse("users:identity_link_reject", kwargs={"pk": newcomer.pk}))

    access_request = AccessRequest.objects.get(kind=AccessRequestKind.IDENTITY)
    assert access_request.state == AccessRequestState.REJECTED
    assert AccountEvent.objects.filter(subject=case_officer, kind=AccountEventKind.GRANT_REJECTED).exists()
    assert IdentityLinkRequest.objects.get().state == IdentityLinkState.REJECTED


def test_a_manager_rejecting_the_link_closes_the_request(client, system_admin, case_officer, manager, newcomer):
    client.force_login(system_admin)
    link(client, newcomer, case_officer)
    access_request = AccessRequest.objects.get(kind=AccessRequestKind.IDENTITY)
    client.force_login(manager)

    client.post(reverse("users:access_request_decide", kwargs={"pk": access_request.pk}), {"decision": "reject"})

    newcomer.refresh_from_db()
    assert newcomer.state == IdentityLinkState.REJECTED and newcomer.decided_by == manager
    case_officer.refresh_from_db()
    assert case_officer.oidc_subject == ""


def test_unlinking_on_the_account_page_ends_provider_logins(client, oidc, system_admin, second_admin, newcomer):
    client.force_login(system_admin)
    link(client, newcomer, second_admin)
    edit = reverse("users:edit", kwargs={"pk": second_admin.pk})
    assert "Ta bort kopplingen" in client.get(edit).content.decode()

    response = client.post(reverse("users:identity_unlink", kwargs={"pk": second_admin.pk}))

    assert response.status_code == 302 and response["Location"] == edit
    second_admin.refresh_from_db()
    assert (second_admin.oidc_issuer, second_admin.oidc_subject) == ("", "")
    event = AccountEvent.objects.filter(subject=second_admin, kind=AccountEventKind.PERMISSIONS_CHANGED).first()
    assert event.note == "identity provider unlinked" and event.actor == system_admin
    assert log_in(client.__class__(), oidc, "anna-7").status_code == 403


def test_an_administrator_cannot_unlink_their_own_account(client, oidc, system_admin, second_admin):
    call_command("link_oidc_subject", system_admin.username, "admin-1", issuer=oidc.issuer)
    client.force_login(system_admin)
    assert "Ta bort kopplingen" not in client.get(reverse("users:edit", kwargs={"pk": system_admin.pk})).content.decode()

    client.post(reverse("users:identity_unlink", kwargs={"pk": system_admin.pk}))

    system_admin.refresh_from_db()
    assert system_admin.oidc_subject == "admin-1"


# --- Kept only while needed (beat `purge-link-requests`) ------------------------


def _request(subject, state, *, last_seen_days_ago, decided_days_ago=None, account=None):
    now = timezone.now()
    return IdentityLinkRequest.objects.create(
        issuer="https://idp.example", subject=subject, display_name=f"Person {subject}", state=state,
        first_seen_at=now - timezone.timedelta(days=last_seen_days_ago + 1),
        last_seen_at=now - timezone.timedelta(days=last_seen_days_ago),
        decided_at=None if decided_days_ago is None else now - timezone.timedelta(days=decided_days_ago),
        account=account,
    )


@pytest.mark.django_db
def test_the_nightly_purge_deletes_what_was_decided_or_abandoned_long_ago(settings, case_officer):
    from accounts.tasks import purge_link_requests

    settings.OIDC_LINK_REQUESTS_KEEP_DAYS = 30
    old_linked = _request("s1", IdentityLinkState.LINKED, last_seen_days_ago=40, decided_days_ago=31,
                          account=case_officer)
    old_rejected = _request("s2", IdentityLinkState.REJECTED, last_seen_days_ago=40, decided_days_ago=31)
    abandoned = _request("s3", IdentityLinkState.PENDING, last_seen_days_ago=31)
    # Kept: decided or seen within the 30 days, and anything a manager still has to decide.
    recent_rejected = _request("s4", IdentityLinkState.REJECTED, last_seen_days_ago=40, decided_days_ago=29)
    recent_pending = _request("s5", IdentityLinkState.PENDING, last_seen_days_ago=29)
    waiting = _request("s6", IdentityLinkState.AWAITING_APPROVAL, last_seen_days_ago=400, account=case_officer)

    assert purge_link_requests.apply(throw=True).result == 3

    kept = set(IdentityLinkRequest.objects.values_list("pk", flat=True))
    assert kept == {recent_rejected.pk, recent_pending.pk, waiting.pk}
    assert not kept & {old_linked.pk, old_rejected.pk, abandoned.pk}
    # Run again: nothing more goes.
    assert purge_link_requests.apply(throw=True).result == 0


def test_a_purged_request_leaves_its_decided_access_request_readable(client, system_admin, case_officer, manager,
                                                                      newcomer, settings):
    from accounts.oidc.services import purge_link_requests

    client.force_login(system_admin)
    link(client, newcomer, case_officer)
    access_request = AccessRequest.objects.get(kind=AccessRequestKind.IDENTITY)
    client.force_login(manager)
    client.post(reverse("users:access_request_decide", kwargs={"pk": access_request.pk}), {"decision": "approve"})
    newcomer.refresh_from_db()
    assert newcomer.state == IdentityLinkState.LINKED

    settings.OIDC_LINK_REQUESTS_KEEP_DAYS = 0
    assert purge_link_requests(now=timezone.now() + timezone.timedelta(seconds=1)) == 1

    assert not IdentityLinkRequest.objects.exists()
    access_request.refresh_from_db()
    assert access_request.value_label == access_request.value
    case_officer.refresh_from_db()
    assert case_officer.oidc_subject == "anna-7"  # the link itself stays
