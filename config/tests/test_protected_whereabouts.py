"""Property: a protected client and their apartment never appear connected.

Walks every URL pattern of the project that the protected world's objects
can fill (referrals.protection is the rule; config/tests/protected_world.py
the world), GETs each as every user and asserts, for every user without
`referrals.view_protected_client`, that no response shows

- a protected client's name or identity number together with any
  identifier of their apartment (address, object number, landlord, key tag,
  a link to the apartment), nor
- an apartment identifier together with the protected tenant's move-in
  date (or the last day of the vacancy before it), or, for the world's
  former tenant, their move-out date or the first empty day after it (the
  vacancy, matching and offer pages show the vacancy that follows).

The manager holding the permission walks the same pages and must see the
connection somewhere, so that the markers are known to be findable.
"""

import re
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bolots.models import CourseRound, Enrolment, Signal, Visit
from culling.models import CullingRun
from logreview.models import ReviewItem, ReviewMonth
from referrals.models import ConcernReport, Decision, EvictionNotice, IndividualPlan, Order
from reports.kpis.records import RECORD_LISTS
from tenancies.models import Apartment, ApartmentOffer, Complaint, HomeInsurance, IncomeSource, KeySet, Tenancy, Vacancy

from .protected_world import build_world

# Route prefix (the literal text before an <int:...> part) → the model whose
# ids fill it. Longer prefixes first: "lagenheter/nycklar/" before "lagenheter/".
PREFIX_MODELS = [
    ("lagenheter/nycklar/", KeySet),
    ("lagenheter/klagomal/", Complaint),
    ("lagenheter/vakanser/", Vacancy),
    ("lagenheter/", Apartment),
    ("boendekurs/deltagare/", Enrolment),
    ("boendekurs/", CourseRound),
    ("boende/", Tenancy),
    ("klienter/", None),  # the client: filled by kwarg name below
    ("beslut/", Decision),
    ("planer/", IndividualPlan),
    ("uppdrag/", Order),
    ("underrattelser/", EvictionNotice),
    ("orosanmalningar/", ConcernReport),
    ("besok/", Visit),
    ("signaler/", Signal),
    ("logggranskning/lasning/", ReviewItem),
    ("logggranskning/", ReviewMonth),
    ("gallring/", CullingRun),
    ("erbjudanden/", ApartmentOffer),
]
KWARG_MODELS = {
    "client_id": "client",
    "order_id": Order,
    "enrolment_id": Enrolment,
    "insurance_pk": HomeInsurance,
    "income_pk": IncomeSource,
    # The offer form (lagenheter/<pk>/erbjud/<decision_pk>/): the world's
    # plain waiting decision, so that the form opens beside the apartment.
    "decision_pk": "waiting_decision",
}
SKIPPED_NAMES = {"accounts:logout", "admin:logout"}  # would end the walking session
YEAR = date.today().year


def _patterns(patterns=None, prefix="", namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern),
                                 namespace + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, prefix + str(entry.pattern), list(entry.pattern.converters)


def _ids(model, world):
    if model == "client":
        clients = [r.client for r in world.residents.values()] + [world.other_client]
        return [client.pk for client in clients]
    if model == "waiting_decision":
        return [world.waiting_decision.pk]
    # The world's first records of each model: its residents' (created first).
    return list(model.objects.order_by("pk").values_list("pk", flat=True)[:5])


def _model_for(route, kwarg):
    if kwarg in KWARG_MODELS:
        return KWARG_MODELS[kwarg]
    literal = route.split("<", 1)[0]
    for prefix, model in PREFIX_MODELS:
        if literal.endswith(prefix) or literal == prefix:
            return model or "client"
    return None


def _admin_model(name):
    from django.contrib import admin

    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def walked_urls(world):
    """Every URL that can be filled with the world's objects."""
    urls = []
    for name, route, kwargs in _patterns():
        if name in SKIPPED_NAMES or "(?P<" in route:
            continue
        if not kwargs:
            urls.append(reverse(name))
            continue
        if name.startswith("admin:"):
            model = _admin_model(name)
            if model is None or kwargs != ["object_id"]:
                continue
            urls += [reverse(name, kwargs={"object_id": pk}) for pk in _ids(model, world)[:3]]
            continue
        if kwargs == ["year"]:
            urls.append(reverse(name, kwargs={"year": YEAR}))
            continue
        if kwargs == ["year", "quarter"]:
            urls.append(reverse(name, kwargs={"year": YEAR, "quarter": (date.today().month - 1) // 3 + 1}))
            continue
        if kwargs == ["year", "key"]:
            # One figure per kind of record: the rows of a kind are built by
            # the same code whichever figure lists them.
            keys = {record_list.kind: key for key, record_list in RECORD_LISTS.items()}
            urls += [reverse(name, kwargs={"year": YEAR, "key": key}) for key in keys.values()]
            continue
        if "step" in kwargs:
            continue  # order steps are POST-only forms of the order page
        choices = {}
        for kwarg in kwargs:
            model = _model_for(route, kwarg)
            if model is None:
                break
            choices[kwarg] = _ids(model, world)
        else:
            first, *rest = kwargs
            for value in choices[first]:
                filled = {first: value}
                for other in rest:  # nested ids (queue pk of a client): the first of each
                    if choices[other]:
                        filled[other] = choices[other][0]
                if len(filled) == len(kwargs):
                    urls.append(reverse(name, kwargs=filled))
    return urls


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def findings(world, body, exempt=frozenset()):
    """The connections a page shows: (client, what) pairs. `exempt`: the
    clients whose address the page may show by the one exception (issue 12
    §3, tested in test_protected_address_exception.py)."""
    found = []
    for resident in world.protected + world.former:
        if resident.client.pk in exempt:
            continue
        named = [marker for marker in resident.identity_markers if marker in body]
        placed = [marker for marker in resident.apartment_markers if marker in body]
        dated = [marker for marker in resident.date_markers if re.search(rf"\b{marker}\b", body)]
        if named and placed:
            found.append((resident.client.get_protection_level_display(), f"name {named} with apartment {placed}"))
        if placed and dated:
            found.append((resident.client.get_protection_level_display(), f"apartment {placed} with dates {dated}"))
    return found


def _exception_pages(world, user):
    """url -> client ids: the visit pages of the orders `user` is one of the
    two bolotsar of, where the one exception lets them see where that
    client lives (referrals.protection.may_see_address_for_visit)."""
    from referrals import protection

    pages = {}
    for resident in world.protected:
        order = Order.objects.get(pk=resident.order.pk)
        if not protection.may_see_address_for_visit(user, order):
            continue
        urls = [reverse("bolots:visit_create", args=[order.pk])] + [
            reverse("bolots:visit_detail", args=[pk]) for pk in Visit.objects.filter(order=order).values_list("pk", flat=True)
        ]
        for url in urls:
            pages.setdefault(url, set()).add(resident.client.pk)
    return pages


def walk(client, world, user):
    client.force_login(user)
    pages = 0
    leaks = []
    statuses = {}
    exempt = _exception_pages(world, user)
    for url in walked_urls(world):
        response = client.get(url)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code != 200:
            continue
        pages += 1
        leaks += [(url, *finding) for finding in findings(world, _body(response), exempt.get(url, frozenset()))]
    return pages, leaks, statuses


USERS_WITHOUT_PERMISSION = [
    "case_officer", "case_officer_other_unit", "pilot_assigned", "pilot_passive", "pilot_unassigned",
    "housing_admin", "manager", "manager_other_unit", "sysadmin",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", USERS_WITHOUT_PERMISSION)
def test_no_page_connects_a_protected_client_with_their_apartment(client, role):
    world = build_world()
    pages, leaks, statuses = walk(client, world, world.users[role])
    print(f"\nprotected-whereabouts walk {role}: {pages} pages answered 200 of "
          f"{sum(statuses.values())} URLs walked ({statuses})")
    assert pages > 10, "the walk must reach the user's pages"
    assert leaks == [], "\n".join(map(str, leaks))


@pytest.mark.django_db
def test_the_walk_finds_the_connection_for_a_manager_with_the_permission(client):
    """The markers are findable: the same walk as a manager holding
    view_protected_client shows every protected client with their apartment
    (so the property above cannot pass because the markers never occur)."""
    world = build_world()
    pages, leaks, _statuses = walk(client, world, world.users["manager_with_permission"])
    assert pages > 10
    connected = {level for _url, level, _what in leaks}
    assert connected == {r.client.get_protection_level_display() for r in world.protected}


@pytest.mark.django_db
def test_the_plain_clients_apartment_is_still_shown_beside_them(client):
    """Only protected clients lose the connection: the case officer still
    sees a plain client's apartment on the client's tab."""
    world = build_world()
    client.force_login(world.users["case_officer"])
    body = client.get(reverse("tenancies:client_tenancies", args=[world.plain.client.pk])).content.decode()
    assert world.plain.apartment.street_address in body
    assert world.plain.apartment.object_number in body



@pytest.mark.django_db
def test_the_walk_reaches_the_pages_of_the_log_review_and_culling(client):
    """The pages of issue 13 that name persons are in the walk above: the
    review month, each drawn read and the culling list (they name the
    protected residents; the walk proves they never place them)."""
    world = build_world()
    urls = set(walked_urls(world))
    month = ReviewMonth.objects.get(unit=world.home)
    run = CullingRun.objects.get(unit=world.home)
    assert reverse("logreview:month_detail", args=[month.pk]) in urls
    assert {reverse("logreview:item_detail", args=[item.pk]) for item in month.items.all()} <= urls
    assert reverse("culling:run_detail", args=[run.pk]) in urls
    client.force_login(world.users["manager"])
    page = client.get(reverse("culling:run_detail", args=[run.pk])).content.decode()
    assert all(resident.client.last_name in page for resident in world.residents.values())


@pytest.mark.django_db
def test_the_walk_reaches_the_housing_chain_pages_of_the_vacated_apartment(client):
    """The matching page, the offer form, the offer page and the vacancy's
    ready-from page of the apartment the protected former tenant left are in
    the walk, and a manager holding the permission sees the first empty day
    there (so the property above, which finds no such date for anyone else,
    looks where the date would be)."""
    world = build_world()
    former = world.former[0]
    vacancy = Vacancy.objects.get(apartment=former.apartment, ended_on__isnull=True)
    first_empty_day = former.date_markers[3]
    assert vacancy.vacant_from.isoformat() == first_empty_day
    pages = {
        "match": reverse("tenancies:vacancy_match", args=[former.apartment.pk]),
        "offer": reverse("tenancies:offer_detail", args=[world.offer.pk]),
        "form": reverse("tenancies:offer_create", args=[former.apartment.pk, world.waiting_decision.pk]),
        "ready": reverse("tenancies:vacancy_ready", args=[vacancy.pk]),
    }
    assert set(pages.values()) <= set(walked_urls(world))
    client.force_login(world.users["manager_with_permission"])
    for name in ("match", "offer"):
        body = _body(client.get(pages[name]))
        assert former.apartment.street_address in body and first_empty_day in body, name
    for role, names in (("case_officer", ("match", "offer", "form")), ("housing_admin", ("offer", "ready"))):
        client.force_login(world.users[role])
        for name in names:
            response = client.get(pages[name])
            assert response.status_code == 200, (role, name)
            assert findings(world, _body(response)) == [], (role, name)
