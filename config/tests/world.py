"""A small, complete, fictional world for tests that walk every page.

`build_world()` runs the demo seeders (demo.seeding, as `seed_demo`
does) at a tiny scale with two units, then adds what the demo does not make
(plans, interruptions, offers, insurance, income, a finished report run,
enforcement figures, a reassignment) and the users a hostile-insider review
needs: every role, a case officer and a manager of the other unit, a bolots
with nothing assigned, a manager without `referrals.view_protected_client`.

Every client gets a unique, recognisable last name ("Walkander" + two
letters), so that a test can tell from a response body which client it
shows; the identity numbers come from the demo (valid check digits,
fictional, marked so in the notes).
"""

import itertools
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from demo.context import DemoContext

WALK_SIZES = {"units": 2, "officers": 1, "pilots": 2, "clients": 24}
NAME_PREFIX = "Walkander"


class _FreshNames:
    """Stands in for the demo's list of last names: every draw gives a new
    name, so that every client's last name is unique in the world."""

    def __init__(self):
        letters = string.ascii_uppercase
        self._names = (f"{NAME_PREFIX}{a}{b}" for a, b in itertools.product(letters, letters))

    def __len__(self):
        return 26 * 26

    def __getitem__(self, index):
        return next(self._names)


@dataclass
class World:
    unit: object
    other_unit: object
    users: dict  # key -> User
    objects: dict = field(default_factory=dict)  # name -> model instance, for the routes
    clients: list = field(default_factory=list)


def _seed_demo(today):
    ctx = DemoContext(rng=Random(2016), scale="walk", today=today, sizes=WALK_SIZES, log=lambda message: None)
    import demo.clients
    from demo.seeding import seed_all

    names = demo.clients.LAST_NAMES
    demo.clients.LAST_NAMES = _FreshNames()
    try:
        seed_all(ctx)
    finally:
        demo.clients.LAST_NAMES = names
    return ctx


def _user(username, unit, role, **extra):
    from django.contrib.auth.models import Group

    user = User.objects.create(username=username, first_name="Test", last_name=username.title(), unit=unit, **extra)
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def build_world(today=None):
    from bolots.models import CourseRound, Enrolment, Signal, Visit
    from referrals.models import (
        Client,
        Decision,
        EvictionNotice,
        IndividualPlan,
        Order,
        OrderState,
        ProtectionLevel,
    )
    from referrals.models.notices import ConcernReport
    from referrals.models.orders import Reassignment
    from referrals.tests.factories_decisions import InterruptionFactory, OfferFactory, PlanFactory
    from reports.models import EnforcementFigures, ReportRun
    from tenancies.models import Apartment, ApartmentStatus, Area, KeySet, Tenancy
    from tenancies.models.apartments import Complaint
    from tenancies.tests.factories import add_income, add_insurance

    today = today or timezone.localdate()
    ctx = _seed_demo(today)
    unit, other_unit = ctx.units
    by_role = ctx.users_by_unit
    pilot = User.objects.get(username="bolots")
    manager_unprotected = by_role[unit.pk][Role.MANAGER][-1]
    assert not manager_unprotected.has_perm("referrals.view_protected_client")
    users = {
        "case_officer": User.objects.get(username="handlaggare"),
        "pilot": pilot,
        "idle_pilot": _user("bolots_utan_uppdrag", unit, Role.PILOT),
        "housing_admin": User.objects.get(username="boendeadmin"),
        "manager": User.objects.get(username="chef"),
        "manager_unprotected": manager_unprotected,
        "system_admin": User.objects.get(username="sysadmin"),
        "other_officer": by_role[other_unit.pk][Role.CASE_OFFICER][0],
        "other_manager": by_role[other_unit.pk][Role.MANAGER][0],
    }
    assert users["manager"].has_perm("referrals.view_protected_client")

    # The pilot's client: an order under way, so that the bolots sees them.
    order = (
        Order.objects.filter(active_pilot=pilot, state__in=OrderState.active_states(), client__unit=unit)
        .select_related("client")
        .order_by("pk")
        .first()
    )
    client = order.client
    # All three protection levels among the unit's clients (the pilot's
    # client keeps none: the protected ones are looked at by the helpers of
    # referrals/protection.py).
    others = list(Client.objects.filter(unit=unit).exclude(pk=client.pk).order_by("pk")[:3])
    for other, level in zip(others, [ProtectionLevel.CONFIDENTIALITY_MARK, ProtectionLevel.PROTECTED_REGISTRATION,
                                    ProtectionLevel.ASSUMED_IDENTITY], strict=True):
        Client.objects.filter(pk=other.pk).update(protection_level=level)

    officer = users["case_officer"]
    decision = Decision.objects.filter(client=client).order_by("pk").first() or Decision.objects.filter(
        client__unit=unit).order_by("pk").first()
    interruption = InterruptionFactory(decision=decision)
    offer = OfferFactory(decision=decision)
    # The demo gives training-apartment clients a plan already (one per client).
    plan = IndividualPlan.objects.filter(client=client).first() or PlanFactory(client=client, created_by=officer)
    goal = plan.goals.create(text="Fiktivt mål")
    action = plan.actions.create(description="Fiktiv åtgärd", responsible="Handläggaren")
    plan.reviews.create(reviewed_on=today, reviewed_by=officer, notes="Fiktiv uppföljning")
    tenancy = Tenancy.objects.filter(apartment__unit=unit).select_related("apartment").order_by("-start_date", "pk").first()
    insurance = add_insurance(tenancy, valid_until=today + timedelta(days=200))
    income = add_income(tenancy)
    run = ReportRun.objects.create(
        unit=unit, year=today.year - 1, requested_by=users["manager"], status=ReportRun.Status.DONE,
        finished_at=timezone.now(),
    )
    run.file.save("walk-evaluation.pdf", ContentFile(b"%PDF-1.4 fictional"), save=True)
    EnforcementFigures.objects.create(
        municipality=unit.municipality, year=today.year - 1, eviction_applications=3, executed_evictions=1,
        entered_by=users["manager"],
    )
    Reassignment.objects.create(
        by=users["manager"], scope=Reassignment.Scope.choices[0][0], from_user=officer,
        to_user=by_role[unit.pk][Role.CASE_OFFICER][-1] if by_role[unit.pk][Role.CASE_OFFICER][-1] != officer
        else users["manager"], reason="Fiktiv omfördelning",
    )
    # A tenant of a training apartment who has not taken the course: named
    # on "clients missing the course" and offered by the enrolment form.
    from bolots.tests.factories import training_tenancy
    from core import personnummer
    from referrals.tests.factories import ClientFactory

    numbers = set(Client.objects.values_list("personal_number", flat=True))
    number = next(n for n in (personnummer.make_number(date(1991, 7, 17), i) for i in range(1, 999))
                  if n not in numbers)
    newcomer = ClientFactory(unit=unit, first_name="Nykomling", last_name=f"{NAME_PREFIX}ZZ",
                             personal_number=number, responsible_officer=officer,
                             notes="Fiktiv person (testdata).")
    training_tenancy(newcomer, today - timedelta(days=40))
    enrolment = Enrolment.objects.filter(round__unit=unit).select_related("round").order_by("pk").first()
    visit = Visit.objects.filter(order=order).order_by("-pk").first() or Visit.objects.filter(
        order__client__unit=unit).order_by("-pk").first()

    # Pending requests of the trust pages (issue 10): a second-factor reset,
    # an access grant and a file transfer, each waiting for its second person.
    from accounts.login.models import SecondFactorReset
    from accounts.models import AccessRequest, AccessRequestKind
    from referrals.models.transfers import TransferRequest

    second_factor_reset = SecondFactorReset.objects.create(
        subject=officer, requested_by=users["system_admin"], reason="Fiktiv: tappad telefon"
    )
    access_request = AccessRequest.objects.create(
        subject=users["manager_unprotected"], unit=unit, kind=AccessRequestKind.PERMISSION,
        value="referrals.view_protected_client", requested_by=users["system_admin"],
    )
    # Someone logged in at the municipality's provider with an identity
    # linked to no account (accounts.oidc, issue 16 §3).
    from accounts.models import IdentityLinkRequest

    identity_link = IdentityLinkRequest.objects.create(
        issuer="https://login.example-kommun.se", subject="fiktiv-person-1", display_name="Fiktiv Nyanställd",
        email="fiktiv.nyanstalld@example.org", first_seen_at=timezone.now(), last_seen_at=timezone.now(),
    )
    transfer_request = TransferRequest.objects.create(
        client=client, holding_unit=unit, requesting_unit=other_unit, requested_by=users["other_officer"],
        reason="Fiktiv: personen har flyttat",
    )

    # A culling dry run of the unit, waiting for approval (culling app).
    from audit.context import AuditContext
    from culling.services.runs import make_run

    culling_run = make_run(AuditContext.system(users["manager"], "walk"), unit)

    # A month of the log review (logreview): one read of the pilot's client
    # and one of a protected client, judged "investigate", so that the month,
    # item, investigation and yearly summary pages all have something to show.
    from audit.models import AccessAction, AccessLogEntry
    from logreview.models import ReviewItem, ReviewMonth, Verdict

    review_month = ReviewMonth.objects.create(unit=unit, month=date(today.year - 1, 12, 1), reads=40)
    for read, verdict in ((client, ""), (others[1], Verdict.INVESTIGATE)):
        read = Client.objects.get(pk=read.pk)
        entry = AccessLogEntry.objects.create(
            user=pilot, action=AccessAction.VIEW, client_id=read.pk, client_label=read.audit_label,
            client_number=read.personal_number, object_type="referrals.client", object_id=str(read.pk),
        )
        review_item = ReviewItem.objects.create(review=review_month, entry=entry, reader=pilot, rules=["protected"],
                                                verdict=verdict)

    from .world_chain import chain_objects
    from .world_rent import rent_objects

    objects = {
        **rent_objects(unit, tenancy, users, today),
        **chain_objects(unit, users, today),
        "culling_run": culling_run,
        "review_month": review_month,
        "review_item": review_item,
        "second_factor_reset": second_factor_reset,
        "access_request": access_request,
        "identity_link": identity_link,
        "transfer_request": transfer_request,
        "account": users["case_officer"],
        "client": client,
        "other_client": Client.objects.filter(unit=other_unit).order_by("pk").first(),
        "order": order,
        "decision": decision,
        "interruption": interruption,
        "offer": offer,
        "plan": plan,
        "goal": goal,
        "action": action,
        "notice": EvictionNotice.objects.filter(unit=unit).order_by("pk").first(),
        "concern": ConcernReport.objects.filter(unit=unit).order_by("pk").first(),
        "apartment": tenancy.apartment,
        # A vacant one, so that the move-in from the apartment page renders
        # its form (issue 12 §7); the let one redirects.
        "vacant_apartment": Apartment.objects.filter(unit=unit, status=ApartmentStatus.VACANT).order_by("pk").first()
        or tenancy.apartment,
        "area": Area.objects.filter(unit=unit).order_by("pk").first(),
        "keys": KeySet.objects.filter(apartment__unit=unit).order_by("pk").first(),
        "complaint": Complaint.objects.filter(apartment__unit=unit).order_by("pk").first(),
        "tenancy": tenancy,
        "insurance": insurance,
        "income": income,
        "visit": visit,
        "signal": Signal.objects.filter(client__unit=unit).order_by("pk").first(),
        "course": enrolment.round if enrolment else CourseRound.objects.filter(unit=unit).first(),
        "enrolment": enrolment,
        "run": run,
        "year": today.year - 1,
        "today": today,
    }
    missing = [name for name, value in objects.items() if value is None]
    assert not missing, f"the world lacks {missing}"
    world = World(unit=unit, other_unit=other_unit, users=users, objects=objects)
    world.clients = list(Client.objects.values("pk", "first_name", "last_name", "personal_number"))
    _assert_names_tell_clients_apart(world.clients)
    return world


def _assert_names_tell_clients_apart(clients):
    """The page walks find a client in a response by last name: a client
    named like a user (a Faker surname that the demo also gave a staff
    member) would be "found" in every page header that names that user,
    and the walk would report reads that never happened, on some days."""
    user_names = set(User.objects.values_list("first_name", flat=True)) | set(
        User.objects.values_list("last_name", flat=True))
    clashing = sorted({client["last_name"] for client in clients} & user_names)
    assert not clashing, f"clients named like users: {clashing}"


def grant_protected(user):
    user.user_permissions.add(
        Permission.objects.get(codename="view_protected_client", content_type__app_label="referrals")
    )


__all__ = ["World", "build_world", "NAME_PREFIX", "date"]
