"""User administration, the two-person rule and the account log (issue 10 §2)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AccessRequest, AccessRequestKind, AccessRequestState, User
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from accounts.users import services
from audit.models import AccountEvent, AccountEventKind

pytestmark = pytest.mark.acting_as("system_admin")


def roles(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def has_protected(user):
    return User.objects.get(pk=user.pk).has_perm(services.protected_permission())


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])


@pytest.fixture
def second_admin(unit):
    return UserFactory(username="sysadmin2", unit=unit, roles=[Role.SYSTEM_ADMIN], is_staff=True)


# --- The service refuses what nobody may do -----------------------------------


def test_a_system_administrator_cannot_change_their_own_roles_unit_or_permissions(ctx, system_admin, other_unit):
    before = AccountEvent.objects.count()
    for change in (
        {"unit": system_admin.unit, "roles": {Role.SYSTEM_ADMIN, Role.MANAGER}, "protected": False},
        {"unit": other_unit, "roles": {Role.SYSTEM_ADMIN}, "protected": False},
        {"unit": system_admin.unit, "roles": {Role.SYSTEM_ADMIN}, "protected": True},
    ):
        with pytest.raises(services.AccountChangeRefused):
            services.change_access(ctx(system_admin), system_admin, **change)
    with pytest.raises(services.AccountChangeRefused):
        services.set_active(ctx(system_admin), system_admin, False)

    assert roles(system_admin) == {Role.SYSTEM_ADMIN}
    assert User.objects.get(pk=system_admin.pk).unit_id == system_admin.unit_id
    assert not has_protected(system_admin)
    assert not AccessRequest.objects.exists()
    assert AccountEvent.objects.count() == before


def test_nobody_is_made_superuser(ctx, system_admin, case_officer):
    with pytest.raises(services.AccountChangeRefused):
        services.change_access(
            ctx(system_admin), case_officer, unit=case_officer.unit, roles={Role.CASE_OFFICER}, protected=False,
            superuser=True,
        )
    with pytest.raises(services.AccountChangeRefused):
        services.create_user(
            ctx(system_admin), username="ny", first_name="N", last_name="Y", email="ny@example.org",
            unit=None, roles=set(), protected=False, superuser=True,
        )
    assert not User.objects.filter(is_superuser=True).exists()


def test_a_superuser_account_is_not_administered_by_a_system_administrator(ctx, system_admin):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(services.AccountChangeRefused):
        services.set_active(ctx(system_admin), root, False)
    assert User.objects.get(pk=root.pk).is_active


@pytest.mark.parametrize("who", ["case_officer", "manager", "pilot", "housing_admin"])
def test_only_user_administrators_may_use_the_service(ctx, users, who, second_pilot):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_active(ctx(users[who]), users["second_pilot"] if who != "pilot" else users["case_officer"], False)


# --- Two-person rule ------------------------------------------------------------


def test_a_case_data_role_waits_for_a_manager_of_the_unit(ctx, system_admin, manager, unit):
    newcomer = UserFactory(username="ny", unit=unit)

    result = services.change_access(
        ctx(system_admin), newcomer, unit=unit, roles={Role.CASE_OFFICER}, protected=True
    )

    assert {(r.kind, r.value) for r in result.requested} == {
        (AccessRequestKind.ROLE, Role.CASE_OFFICER),
        (AccessRequestKind.PERMISSION, services.protected_permission()),
    }
    assert roles(newcomer) == set()
    assert not has_protected(newcomer)
    kinds = list(AccountEvent.objects.filter(subject=newcomer, actor=system_admin).values_list("kind", flat=True))
    assert kinds.count(AccountEventKind.GRANT_REQUESTED) == 2

    for access_request in result.requested:
        services.decide(ctx(manager), access_request, approve=True, note="Ny i tjänst")

    assert roles(newcomer) == {Role.CASE_OFFICER}
    assert has_protected(newcomer)
    approved = AccountEvent.objects.filter(subject=newcomer, actor=manager)
    assert set(approved.values_list("kind", flat=True)) == {
        AccountEventKind.GRANT_APPROVED, AccountEventKind.ROLES_CHANGED, AccountEventKind.PERMISSIONS_CHANGED,
    }
    change = approved.get(kind=AccountEventKind.ROLES_CHANGED)
    assert (change.before, change.after) == ("–", Role.CASE_OFFICER)


def test_the_requester_the_account_holder_and_other_units_cannot_approve(
    ctx, system_admin, unit, other_manager
):
    from django.core.exceptions import PermissionDenied

    requester = UserFactory(username="adminchef", unit=unit, roles=[Role.SYSTEM_ADMIN, Role.MANAGER])
    holder = UserFactory(username="blivande", unit=unit, roles=[Role.MANAGER])
    result = services.change_access(
        ctx(requester), holder, unit=unit, roles={Role.MANAGER}, protected=True
    )
    (access_request,) = result.requested

    for decider in (requester, holder, other_manager, system_admin):
        with pytest.raises(PermissionDenied):
            services.decide(ctx(decider), access_request, approve=True)
    assert not has_protected(holder)
    assert AccessRequest.objects.get(pk=access_request.pk).state == AccessRequestState.PENDING


def test_the_database_refuses_a_decision_by_the_requester(system_admin, unit):
    holder = UserFactory(username="blivande", unit=unit)
    access_request = AccessRequest.objects.create(
        subject=holder, unit=unit, kind=AccessRequestKind.ROLE, value=Role.PILOT, requested_by=system_admin
    )
    access_request.decided_by = system_admin
    with pytest.raises(IntegrityError), transaction.atomic():
        access_request.save()


def test_a_rejected_request_gives_nothing_and_is_logged(ctx, system_admin, manager, unit):
    newcomer = UserFactory(username="ny", unit=unit)
    (access_request,) = services.change_access(
        ctx(system_admin), newcomer, unit=unit, roles={Role.PILOT}, protected=False
    ).requested

    services.decide(ctx(manager), access_request, approve=False, note="Ej anställd")

    assert roles(newcomer) == set()
    event = AccountEvent.objects.get(subject=newcomer, kind=AccountEventKind.GRANT_REJECTED)
    assert event.actor == manager and Role.PILOT in event.before and "Ej anställd" in event.note


def test_taking_access_away_is_immediate(ctx, system_admin, case_officer):
    case_officer.user_permissions.add(
        Permission.objects.get(codename="view_protected_client", content_type__app_label="referrals")
    )
    result = services.change_access(ctx(system_admin), case_officer, unit=case_officer.unit, roles=set(),
                                    protected=False)

    assert not result.requested
    assert roles(case_officer) == set() and not has_protected(case_officer)
    event = AccountEvent.objects.get(subject=case_officer, kind=AccountEventKind.ROLES_CHANGED, actor=system_admin)
    assert (event.before, event.after) == (Role.CASE_OFFICER, "–")


def test_moving_a_case_officer_to_another_unit_waits_for_that_units_manager(
    ctx, system_admin, case_officer, other_unit, other_manager, manager
):
    (access_request,) = services.change_access(
        ctx(system_admin), case_officer, unit=other_unit, roles={Role.CASE_OFFICER}, protected=False
    ).requested
    assert access_request.kind == AccessRequestKind.UNIT
    assert User.objects.get(pk=case_officer.pk).unit_id == case_officer.unit_id

    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decide(ctx(manager), access_request, approve=True)
    services.decide(ctx(other_manager), access_request, approve=True)

    assert User.objects.get(pk=case_officer.pk).unit_id == other_unit.pk
    event = AccountEvent.objects.get(subject=case_officer, kind=AccountEventKind.UNIT_CHANGED)
    assert event.before == str(case_officer.unit) and event.after == str(other_unit)


def test_deactivating_is_immediate_and_logged(ctx, system_admin, pilot):
    services.set_active(ctx(system_admin), pilot, False)

    assert not User.objects.get(pk=pilot.pk).is_active
    event = AccountEvent.objects.get(subject=pilot, kind=AccountEventKind.DEACTIVATED)
    assert event.actor == system_admin


# --- Safety net: changes outside the services --------------------------------


def test_changes_made_in_a_shell_are_logged(case_officer, other_unit):
    group = Group.objects.get(name=Role.MANAGER)
    permission = Permission.objects.get(codename="view_protected_client", content_type__app_label="referrals")
    AccountEvent.objects.filter(subject=case_officer).count()

    case_officer.groups.add(group)
    case_officer.user_permissions.add(permission)
    case_officer.unit = other_unit
    case_officer.is_superuser = True
    case_officer.is_active = False
    case_officer.save()

    events = AccountEvent.objects.filter(subject=case_officer, actor__isnull=True)
    assert events.filter(kind=AccountEventKind.ROLES_CHANGED, after__contains=Role.MANAGER).exists()
    assert events.filter(kind=AccountEventKind.PERMISSIONS_CHANGED,
                         after__contains="view_protected_client").exists()
    assert events.filter(kind=AccountEventKind.UNIT_CHANGED, after=str(other_unit)).exists()
    assert events.filter(kind=AccountEventKind.PERMISSIONS_CHANGED, after__contains="superanvändare").exists()
    assert events.filter(kind=AccountEventKind.DEACTIVATED).exists()


def test_roles_added_from_the_group_side_are_logged(case_officer):
    Group.objects.get(name=Role.MANAGER).user_set.add(case_officer)

    assert AccountEvent.objects.filter(
        subject=case_officer, kind=AccountEventKind.ROLES_CHANGED, after=Role.MANAGER
    ).exists()


def test_a_login_costs_no_account_log_query(client, case_officer):
    before = AccountEvent.objects.filter(subject=case_officer).count()
    case_officer.save(update_fields=["last_login"])
    assert AccountEvent.objects.filter(subject=case_officer).count() == before


# --- Pages ----------------------------------------------------------------------


USER_PAGES = [
    ("users:list", False, "get"),
    ("users:create", False, "get"),
    ("users:edit", True, "get"),
    ("users:set_active", True, "post"),
]


@pytest.mark.parametrize("name, needs_pk, method", USER_PAGES)
def test_anonymous_users_go_to_the_login_page(client, case_officer, name, needs_pk, method):
    url = reverse(name, kwargs={"pk": case_officer.pk} if needs_pk else None)
    response = getattr(client, method)(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name, needs_pk, method", USER_PAGES)
@pytest.mark.parametrize("who", ["case_officer", "manager", "pilot", "housing_admin", "outside_officer"])
def test_other_roles_are_refused_the_user_pages(client, users, who, name, needs_pk, method):
    client.force_login(users[who])
    url = reverse(name, kwargs={"pk": users["second_pilot"].pk} if needs_pk else None)
    response = getattr(client, method)(url, {"active": "0"} if method == "post" else None)
    assert response.status_code == 403
    assert User.objects.get(pk=users["second_pilot"].pk).is_active


def test_the_user_list_costs_a_fixed_number_of_queries(client, system_admin, unit, django_assert_num_queries):
    for number in range(3):
        UserFactory(username=f"extra{number}", unit=unit, roles=[Role.PILOT, Role.MANAGER])
    client.force_login(system_admin)
    client.get(reverse("users:list"))  # warm caches (content types, session)

    with django_assert_num_queries(6) as captured:
        response = client.get(reverse("users:list"))
    assert response.status_code == 200
    for number in range(3):
        UserFactory(username=f"more{number}", unit=unit, roles=[Role.CASE_OFFICER])
    with django_assert_num_queries(len(captured.captured_queries)):
        client.get(reverse("users:list"))


def test_a_system_administrator_creates_an_account_through_the_swedish_page(client, system_admin, unit, manager):
    client.force_login(system_admin)

    response = client.post(reverse("users:create"), {
        "username": "nyanstalld", "first_name": "Ny", "last_name": "Anställd", "email": "ny@example.org",
        "unit": unit.pk, "roles": [Role.PILOT],
    })

    user = User.objects.get(username="nyanstalld")
    assert response.status_code == 302 and response["Location"] == reverse("users:edit", kwargs={"pk": user.pk})
    assert not user.has_usable_password()
    assert roles(user) == set()
    assert AccessRequest.objects.filter(subject=user, value=Role.PILOT, state=AccessRequestState.PENDING).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Väntar på godkännande" in page


def test_the_create_page_shows_swedish_errors_beside_the_fields(client, system_admin):
    client.force_login(system_admin)
    response = client.post(reverse("users:create"), {"username": system_admin.username, "email": "x"})
    assert response.status_code == 200
    assert "Användarnamnet är upptaget." in response.content.decode()
    assert not User.objects.filter(email="x").exists()


def test_own_account_page_has_no_form_and_a_post_is_refused(client, system_admin):
    client.force_login(system_admin)
    page = client.get(reverse("users:edit", kwargs={"pk": system_admin.pk})).content.decode()
    assert 'name="roles"' not in page

    response = client.post(reverse("users:edit", kwargs={"pk": system_admin.pk}), {
        "unit": system_admin.unit_id, "roles": [Role.SYSTEM_ADMIN, Role.MANAGER], "protected": "on",
    })
    assert response.status_code == 200
    assert roles(system_admin) == {Role.SYSTEM_ADMIN}
    assert not AccessRequest.objects.exists()


def test_an_administrator_removes_a_role_through_the_page(client, system_admin, pilot):
    client.force_login(system_admin)
    response = client.post(reverse("users:edit", kwargs={"pk": pilot.pk}), {"unit": pilot.unit_id, "roles": []})
    assert response.status_code == 302
    assert roles(pilot) == set()


def test_deactivate_and_reactivate_through_the_page(client, system_admin, pilot):
    client.force_login(system_admin)
    client.post(reverse("users:set_active", kwargs={"pk": pilot.pk}), {"active": "0"})
    assert not User.objects.get(pk=pilot.pk).is_active
    client.post(reverse("users:set_active", kwargs={"pk": pilot.pk}), {"active": "1"})
    assert User.objects.get(pk=pilot.pk).is_active


# --- The managers' page of access requests ---------------------------------------


@pytest.fixture
def pending_request(ctx, system_admin, unit):
    newcomer = UserFactory(username="blivande", first_name="Blivande", unit=unit)
    (access_request,) = services.change_access(
        ctx(system_admin), newcomer, unit=unit, roles={Role.CASE_OFFICER}, protected=False
    ).requested
    return access_request


def test_access_request_pages_send_anonymous_users_to_login(client, pending_request):
    for response in (
        client.get(reverse("users:access_requests")),
        client.post(reverse("users:access_request_decide", kwargs={"pk": pending_request.pk}), {"decision": "approve"}),
    ):
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["case_officer", "pilot", "housing_admin", "system_admin"])
def test_access_request_pages_refuse_other_roles(client, users, who, pending_request):
    client.force_login(users[who])
    assert client.get(reverse("users:access_requests")).status_code == 403
    response = client.post(reverse("users:access_request_decide", kwargs={"pk": pending_request.pk}),
                           {"decision": "approve"})
    assert response.status_code == 403
    assert roles(pending_request.subject) == set()


def test_a_manager_of_another_unit_neither_sees_nor_decides(client, other_manager, pending_request):
    client.force_login(other_manager)
    assert "Blivande" not in client.get(reverse("users:access_requests")).content.decode()
    response = client.post(reverse("users:access_request_decide", kwargs={"pk": pending_request.pk}),
                           {"decision": "approve"})
    assert response.status_code == 404
    assert roles(pending_request.subject) == set()


def test_the_unit_manager_sees_and_approves(client, manager, pending_request, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("users:access_requests")).content.decode()
    assert "Blivande" in page

    response = client.post(reverse("users:access_request_decide", kwargs={"pk": pending_request.pk}),
                           {"decision": "approve", "note": "OK"})
    assert response.status_code == 302
    assert roles(pending_request.subject) == {Role.CASE_OFFICER}


# --- Django's admin -------------------------------------------------------------------


@pytest.mark.parametrize("url_name, args", [
    ("admin:accounts_user_changelist", None),
    ("admin:accounts_user_add", None),
    ("admin:accounts_user_change", "self"),
    ("admin:auth_group_changelist", None),
    ("admin:auth_group_add", None),
])
def test_djangos_admin_is_closed_to_system_administrators_for_users_and_roles(client, system_admin, url_name, args):
    client.force_login(system_admin)
    url = reverse(url_name, args=[system_admin.pk] if args else None)

    assert client.get(url).status_code == 403
    response = client.post(url, {"is_superuser": "on", "username": system_admin.username})
    assert response.status_code == 403
    assert not User.objects.get(pk=system_admin.pk).is_superuser


def test_a_superuser_still_uses_djangos_admin_and_is_logged(client, case_officer):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(reverse("admin:accounts_user_change", args=[case_officer.pk])).status_code == 200
    Group.objects.get(name=Role.MANAGER).user_set.add(case_officer)
    assert AccountEvent.objects.filter(subject=case_officer, kind=AccountEventKind.ROLES_CHANGED).exists()


# --- The account log review -------------------------------------------------------------


def test_account_events_page_access(client, users, system_admin, pilot, other_unit):
    url = reverse("audit:account_events")
    assert reverse("accounts:login") in client.get(url)["Location"]
    for who in ("case_officer", "pilot", "housing_admin", "system_admin"):
        client.force_login(users[who])
        assert client.get(url).status_code == 403


def test_managers_see_their_units_account_events_and_not_others(
    ctx, client, manager, system_admin, pilot, outside_officer, django_assert_max_num_queries
):
    services.set_active(ctx(system_admin), pilot, False)
    services.set_active(ctx(system_admin), outside_officer, False)
    client.force_login(manager)

    with django_assert_max_num_queries(10):
        page = client.get(reverse("audit:account_events")).content.decode()

    assert "Kontot inaktiverat" in page
    assert str(pilot) in page
    assert str(outside_officer) not in page


def test_saving_another_change_keeps_what_waits_for_approval(ctx, client, system_admin, unit, manager):
    newcomer = UserFactory(username="ny", unit=unit, roles=[Role.SYSTEM_ADMIN])
    services.change_access(ctx(system_admin), newcomer, unit=unit, roles={Role.SYSTEM_ADMIN, Role.PILOT},
                           protected=True)
    client.force_login(system_admin)
    page = client.get(reverse("users:edit", kwargs={"pk": newcomer.pk}))
    form = page.context["form"]
    data = {"unit": form.initial["unit"], "roles": [r for r in form.initial["roles"] if r != Role.SYSTEM_ADMIN]}
    if form.initial["protected"]:
        data["protected"] = "on"

    client.post(reverse("users:edit", kwargs={"pk": newcomer.pk}), data)

    assert roles(newcomer) == set()
    assert AccessRequest.objects.filter(subject=newcomer, state=AccessRequestState.PENDING).count() == 2
