"""Property: the one exception to the protected-address rule (issue 12 §3).

The two bolotsar assigned to an accepted order for a protected client see
the client's address and phone on THAT order's visit pages (the visit form
and a visit's own page) and nowhere else; nobody else without
`referrals.view_protected_client` sees them anywhere. Walks every URL the
protected world can fill (config/tests/protected_world.py, the walk of
test_protected_whereabouts) as every user without the permission, reading
HTML, CSV, XLSX and PDF responses alike, and fails on any (URL, user) pair
outside the exception whose response contains a protected client's address
or phone. The exception pages must show them, with the protection banner,
so the markers are known to be findable.
"""

import io
import zipfile

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from bolots.models import Visit
from referrals import protection
from referrals.models import Client, Order, OrderState, ProtectionLevel

from .protected_world import build_world
from .test_protected_whereabouts import walked_urls

PILOTS = ("pilot_assigned", "pilot_passive")
USERS_WITHOUT_PERMISSION = [
    "pilot_assigned", "pilot_passive", "pilot_unassigned", "case_officer", "case_officer_other_unit",
    "housing_admin", "manager", "manager_other_unit", "sysadmin",
]
BANNER = "Skyddade personuppgifter: visa eller berätta inte adressen för någon annan."


def _phone(n):
    return f"070-918 27 4{n}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The protected world once per module (rolled back at its end), each
    protected client with a phone number found nowhere else."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            for n, resident in enumerate(built.residents.values()):
                Client.objects.filter(pk=resident.client.pk).update(phone=_phone(n))
                resident.client.phone = _phone(n)
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for connection in connections.all():
                connection.close_if_unusable_or_obsolete()


APARTMENT_REGISTER = "/lagenheter/"


def markers(resident, url="", role=""):
    """What says where the person lives or how to reach them. Since a
    move-in makes the apartment the client's registered address (issue 12
    §2), the street is also the apartment's: the apartment register shows
    apartments by address without their protected tenants, and whether it
    ever pairs the two is test_protected_whereabouts' property, so there
    only the phone counts. The same for the housing administrator on every
    page: their pages are about apartments (a tenancy page shows them its
    apartment side, the tenant masked)."""
    if url.startswith(APARTMENT_REGISTER) or role == "housing_admin":
        return [resident.client.phone]
    return [resident.client.street_address, resident.client.phone]


def exception_urls(resident):
    """The visit pages of the resident's order: the form and each visit."""
    order = resident.order
    return {reverse("bolots:visit_create", args=[order.pk])} | {
        reverse("bolots:visit_detail", args=[pk]) for pk in Visit.objects.filter(order=order).values_list("pk", flat=True)
    }


def text_of(response):
    """The response's text, also from the compressed downloads (XLSX cells
    and PDF text), so that exports and PDFs are searched too."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages)
    if "spreadsheetml" in kind:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                             if name.endswith(".xml"))
    return raw.decode("utf-8", "replace")


def walk(client, world, role):
    """(pages answered 200, leaks outside the exception, exception pages seen)."""
    user = world.users[role]
    client.force_login(user)
    pages, leaks, seen = 0, [], {}
    allowed = {resident.client.pk: exception_urls(resident) for resident in world.protected}
    for url in walked_urls(world):
        response = client.get(url)
        if response.status_code != 200:
            continue
        pages += 1
        body = text_of(response)
        for resident in world.protected:
            found = [marker for marker in markers(resident, url, role) if marker in body]
            if not found:
                continue
            if role in PILOTS and url in allowed[resident.client.pk]:
                seen[url] = BANNER in body
                continue
            leaks.append((url, resident.client.get_protection_level_display(), found))
    return pages, leaks, seen


@pytest.mark.django_db
@pytest.mark.parametrize("role", USERS_WITHOUT_PERMISSION)
def test_a_protected_address_is_shown_only_on_the_orders_visit_pages_to_its_two_bolotsar(client, world, role):
    pages, leaks, seen = walk(client, world, role)
    assert pages > 10, "the walk must reach the user's pages"
    assert leaks == [], "\n".join(map(str, leaks))
    if role in PILOTS:
        # Every exception page of every protected client shows the address,
        # each with the banner.
        expected = set().union(*(exception_urls(resident) for resident in world.protected))
        assert set(seen) == expected
        assert all(seen.values()), seen
    else:
        assert seen == {}


@pytest.mark.django_db
def test_the_plain_clients_address_is_on_the_visit_form_without_a_banner(client, world):
    client.force_login(world.users["pilot_assigned"])
    body = client.get(reverse("bolots:visit_create", args=[world.plain.order.pk])).content.decode()
    assert world.plain.client.street_address in body
    assert BANNER not in body


def _exception_rows(user, resident):
    return AccessLogEntry.objects.filter(
        user=user, client_id=resident.client.pk, object_type=protection.PROTECTED_ADDRESS_OBJECT_TYPE
    )


@pytest.mark.django_db
def test_each_view_of_the_address_is_logged_as_such(client, world):
    resident = world.residents[ProtectionLevel.PROTECTED_REGISTRATION]
    pilot = world.users["pilot_passive"]
    client.force_login(pilot)
    client.get(reverse("bolots:visit_create", args=[resident.order.pk]))
    client.get(reverse("bolots:visit_detail", args=[resident.visit.pk]))
    rows = list(_exception_rows(pilot, resident).order_by("id"))
    assert [(row.action, row.note, row.client_label) for row in rows] == [
        ("view", f"order #{resident.order.pk}", resident.client.full_name)
    ] * 2
    assert rows[0].path == reverse("bolots:visit_create", args=[resident.order.pk])
    assert rows[1].path == reverse("bolots:visit_detail", args=[resident.visit.pk])


@pytest.mark.django_db
def test_no_exception_row_where_the_exception_is_not_what_shows_it(client, world):
    """A manager with the permission sees the address by the permission, a
    plain client's address is not protected: neither is an exception view."""
    resident = world.residents[ProtectionLevel.CONFIDENTIALITY_MARK]
    manager = world.users["manager_with_permission"]
    client.force_login(manager)
    body = client.get(reverse("bolots:visit_detail", args=[resident.visit.pk])).content.decode()
    assert resident.client.street_address in body and BANNER in body
    assert not _exception_rows(manager, resident).exists()
    pilot = world.users["pilot_assigned"]
    client.force_login(pilot)
    client.get(reverse("bolots:visit_create", args=[world.plain.order.pk]))
    assert not AccessLogEntry.objects.filter(
        user=pilot, object_type=protection.PROTECTED_ADDRESS_OBJECT_TYPE, client_id=world.plain.client.pk
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("ending", ["completed", "cancelled"])
def test_the_right_ends_with_the_order(client, world, ending):
    resident = world.residents[ProtectionLevel.ASSUMED_IDENTITY]
    pilot = world.users["pilot_assigned"]
    client.force_login(pilot)
    url = reverse("bolots:visit_detail", args=[resident.visit.pk])
    assert resident.client.street_address in client.get(url).content.decode()
    Order.objects.filter(pk=resident.order.pk).update(state=ending, **{f"{ending}_at": timezone.now()})
    for page in (url, reverse("bolots:visit_create", args=[resident.order.pk])):
        response = client.get(page, follow=True)
        body = response.content.decode()
        assert resident.client.street_address not in body and resident.client.phone not in body, page
    before = _exception_rows(pilot, resident).count()
    client.get(url)
    assert _exception_rows(pilot, resident).count() == before


@pytest.mark.django_db
def test_the_right_ends_when_the_bolots_is_no_longer_assigned(client, world):
    resident = world.residents[ProtectionLevel.CONFIDENTIALITY_MARK]
    former, successor = world.users["pilot_passive"], world.users["pilot_unassigned"]
    Order.objects.filter(pk=resident.order.pk).update(passive_pilot=successor)
    url = reverse("bolots:visit_create", args=[resident.order.pk])
    client.force_login(former)
    assert resident.client.street_address not in client.get(url).content.decode()
    client.force_login(successor)
    body = client.get(url).content.decode()
    assert resident.client.street_address in body and BANNER in body


@pytest.mark.django_db
def test_the_rule_grants_only_on_the_orders_own_visit_pages(world):
    pilot = world.users["pilot_assigned"]
    first, second = world.protected[:2]
    order = Order.objects.select_related("client").get(pk=first.order.pk)
    assert protection.may_see_address_for_visit(pilot, order)
    assert protection.may_see_whereabouts(pilot, first.client, context=protection.VisitPageContext(order))
    # Not without the context (every other page), not for another client.
    assert not protection.may_see_whereabouts(pilot, first.client)
    assert not protection.may_see_whereabouts(pilot, second.client, context=protection.VisitPageContext(order))
    # Not for the third bolots, the case officer or the manager.
    for role in ("pilot_unassigned", "case_officer", "manager"):
        assert not protection.may_see_address_for_visit(world.users[role], order), role
    # Not while the order waits in the queue.
    order.state = OrderState.SENT
    assert not protection.may_see_address_for_visit(pilot, order)
