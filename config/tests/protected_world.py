"""A small world to test that protected identities cannot be inferred.

Two units; every role (a case officer of each unit, the two bolotsar of the
protected clients' orders, a bolots with nothing assigned, a housing
administrator, a manager with and one without `view_protected_client`, a
manager of the other unit, a system administrator); one client per
protection level plus a plain one, each with an active tenancy (moved in
through the service, so the decision note is the real one) in an apartment
of their own whose address, object number, landlord, key tag and move-in
date appear nowhere else, plus decisions, an accepted order with a visit,
a complaint (which notifies the case officer) and keys.

The housing chain (docs/housing-chain.md): a tenant with protected personal
data who has moved out (`former`), leaving their apartment vacant from the
day after; a plain client waiting on a decision of that apartment's kind,
and an offer of the vacated apartment to them. So the matching page, the
offer form, the offer page and the vacancy pages show that apartment with
its vacancy, and the property checks that none of them dates the protected
tenancy (the first empty day is the day after its move-out).

All people are fictional (valid check digits, "Fiktiv" in their notes).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import Permission

from accounts.roles import Role
from accounts.tests.factories import UnitFactory, UserFactory
from audit.context import AuditContext
from bolots.tests.factories import VisitFactory
from referrals.models import OrderKind, ProtectionLevel
from referrals.tests.factories import ClientFactory, fictional_number
from referrals.tests.factories_orders import BolotsDecisionFactory, accepted_order
from tenancies.models import Complaint as ComplaintModel
from tenancies.models import ComplaintKind, ComplaintSource
from tenancies.services.complaints import add_complaint
from tenancies.tests.factories import ApartmentFactory, KeySetFactory, moved_in

# One distinctive move-in date per client: nothing else in the world falls on
# these days (or on the day before, the end of the vacancy before them).
MOVE_INS = {
    ProtectionLevel.CONFIDENTIALITY_MARK: date(2024, 2, 13),
    ProtectionLevel.PROTECTED_REGISTRATION: date(2024, 5, 21),
    ProtectionLevel.ASSUMED_IDENTITY: date(2024, 9, 17),
    ProtectionLevel.NONE: date(2024, 11, 26),
}
# Names that occur in no other test data. For fingerade personuppgifter the
# record holds the assumed identity: that is what the unit knows and shows.
NAMES = {
    ProtectionLevel.CONFIDENTIALITY_MARK: ("Sekretessa", "Skyddberg"),
    ProtectionLevel.PROTECTED_REGISTRATION: ("Folke", "Gömström"),
    ProtectionLevel.ASSUMED_IDENTITY: ("Fingal", "Antagensson"),
    ProtectionLevel.NONE: ("Vanja", "Öppensdotter"),
}
CODES = {
    ProtectionLevel.CONFIDENTIALITY_MARK: "SEK",
    ProtectionLevel.PROTECTED_REGISTRATION: "SKF",
    ProtectionLevel.ASSUMED_IDENTITY: "FIN",
    ProtectionLevel.NONE: "ÖPP",
}


@dataclass
class Resident:
    """A client of the world with their home."""

    client: object
    apartment: object
    tenancy: object
    keyset: object
    decision: object
    order: object
    visit: object
    complaint: object

    @property
    def identity_markers(self):
        """What names the person on a page."""
        client = self.client
        return [client.full_name, client.personal_number_display, client.personal_number]

    @property
    def apartment_markers(self):
        """What says which apartment: address, object number, landlord, key
        tag and links to the apartment (the floor is a small number that
        occurs on every page and is checked by the template tests)."""
        apartment = self.apartment
        return [
            apartment.street_address,
            apartment.object_number,
            apartment.landlord.name,
            self.keyset.tag,
            f"/lagenheter/{apartment.pk}/",
        ]

    @property
    def date_markers(self):
        """The move-in and the last day of the vacancy before it."""
        start = self.tenancy.start_date
        return [start.isoformat(), (start - timedelta(days=1)).isoformat()]


# The former tenant's tenancy: dates nothing else in the world falls on.
FORMER_MOVE_IN = date(2023, 6, 13)
FORMER_MOVE_OUT = date(2025, 8, 19)


@dataclass
class FormerTenant:
    """A protected client who moved out of an apartment that now stands
    vacant (and is offered to someone else)."""

    client: object
    apartment: object
    tenancy: object

    @property
    def identity_markers(self):
        client = self.client
        return [client.full_name, client.personal_number_display, client.personal_number]

    @property
    def apartment_markers(self):
        apartment = self.apartment
        return [apartment.street_address, apartment.object_number, apartment.landlord.name,
                f"/lagenheter/{apartment.pk}/"]

    @property
    def date_markers(self):
        """The move-in and the day before it; the move-out and the vacancy's
        first empty day, the day after it."""
        start, end = self.tenancy.start_date, self.tenancy.end_date
        return [day.isoformat() for day in (start, start - timedelta(days=1), end, end + timedelta(days=1))]


@dataclass
class World:
    home: object
    other: object
    users: dict = field(default_factory=dict)
    residents: dict = field(default_factory=dict)
    other_client: object = None
    other_apartment: object = None
    former: list = field(default_factory=list)
    waiting_decision: object = None
    offer: object = None

    @property
    def protected(self):
        return [r for level, r in self.residents.items() if level != ProtectionLevel.NONE]

    @property
    def plain(self):
        return self.residents[ProtectionLevel.NONE]


PROTECTED_PERMISSION = ("referrals", "view_protected_client")


def build_world():
    home = UnitFactory(municipality="Skyddskommun", name="Socialtjänsten, vuxenenheten")
    other = UnitFactory(municipality="Grannkommun", name="Socialtjänsten, vuxenenheten")
    users = {
        "case_officer": UserFactory(username="w_handlaggare", unit=home, roles=[Role.CASE_OFFICER]),
        "case_officer_other_unit": UserFactory(username="w_handlaggare_annan", unit=other, roles=[Role.CASE_OFFICER]),
        "pilot_assigned": UserFactory(username="w_bolots_aktiv", unit=home, roles=[Role.PILOT]),
        "pilot_passive": UserFactory(username="w_bolots_passiv", unit=home, roles=[Role.PILOT]),
        "pilot_unassigned": UserFactory(username="w_bolots_ledig", unit=home, roles=[Role.PILOT]),
        "housing_admin": UserFactory(username="w_boendeadmin", unit=home, roles=[Role.HOUSING_ADMIN]),
        "manager": UserFactory(username="w_chef", unit=home, roles=[Role.MANAGER]),
        "manager_with_permission": UserFactory(username="w_chef_skydd", unit=home, roles=[Role.MANAGER]),
        "manager_other_unit": UserFactory(username="w_chef_annan", unit=other, roles=[Role.MANAGER]),
        "sysadmin": UserFactory(username="w_sysadmin", unit=home, roles=[Role.SYSTEM_ADMIN], is_staff=True),
    }
    users["manager_with_permission"].user_permissions.add(
        Permission.objects.get(content_type__app_label=PROTECTED_PERMISSION[0], codename=PROTECTED_PERMISSION[1])
    )
    officer = users["case_officer"]
    ctx = AuditContext(user=officer, path="/test/")
    world = World(home=home, other=other, users=users)
    for n, level in enumerate(MOVE_INS):
        code = CODES[level]
        first, last = NAMES[level]
        client = ClientFactory(
            unit=home, first_name=first, last_name=last, protection_level=level,
            personal_number=fictional_number(700 + n, birth_date=date(1979, 4, 3 + n)),
            responsible_officer=officer, street_address=f"Hemliga stigen {41 + n}",
            notes="Fiktiv testperson.",
        )
        apartment = ApartmentFactory(
            unit=home, object_number=f"{code}-77{n}1", street_address=f"Skyddsgränd {11 + n}{code}",
            postal_code="186 99", floor=13 + n, landlord=f"Hyresvärden {code} Fiktiv AB",
            lease_start=date(2020, 1, 1), rent=612_300 + n * 100,
        )
        keyset = KeySetFactory(apartment=apartment, tag=f"Bricka-{code}-55{n}")
        start = MOVE_INS[level]
        tenancy = moved_in(ctx, apartment, client, start)
        decision = BolotsDecisionFactory(client=client, decided_by=officer)
        order = accepted_order(
            users["pilot_assigned"], users["pilot_passive"], client=client, decision=decision, ordered_by=officer,
            kind=OrderKind.BOLOTS_SUPPORT,
        )
        visit = VisitFactory(order=order)
        complaint = add_complaint(
            AuditContext(user=users["housing_admin"], path="/test/"),
            ComplaintModel(
                apartment=apartment, occurred_on=date(2026, 6, 10 + n), kind=ComplaintKind.DISTURBANCE,
                source=ComplaintSource.NEIGHBOUR, description="Fiktivt klagomål: hög musik.",
            ),
            today=date(2026, 6, 30),
        )
        world.residents[level] = Resident(client, apartment, tenancy, keyset, decision, order, visit, complaint)
    _review_and_culling(world)
    _housing_chain(world, ctx)
    world.other_client = ClientFactory(unit=other, first_name="Annan", last_name="Grannkommunsson")
    world.other_apartment = ApartmentFactory(unit=other, object_number="GRN-1", street_address="Grannvägen 1")
    return world


def _housing_chain(world, ctx):
    """The former tenant with protected personal data, the vacated apartment
    (created right after the residents' apartments: the walk fills
    apartment routes with the first five), a plain client's waiting decision
    and the offer of the apartment to it."""
    from tenancies.models import EndReason
    from tenancies.services.moves import move_out
    from tenancies.services.offers import make_offer
    from tenancies.tests.factories import granted_decision

    client = ClientFactory(
        unit=world.home, first_name="Utta", last_name="Flyttadsdotter",
        protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
        personal_number=fictional_number(790, birth_date=date(1981, 8, 9)),
        responsible_officer=world.users["case_officer"], notes="Fiktiv testperson.",
    )
    apartment = ApartmentFactory(
        unit=world.home, object_number="UTF-7791", street_address="Lämnadgränd 8UTF", postal_code="186 98",
        floor=19, landlord="Hyresvärden UTF Fiktiv AB", lease_start=date(2020, 1, 1), rent=613_700,
    )
    tenancy = moved_in(ctx, apartment, client, FORMER_MOVE_IN)
    tenancy = move_out(ctx, tenancy, FORMER_MOVE_OUT, EndReason.OWN_HOUSING)
    world.former.append(FormerTenant(client, apartment, tenancy))
    waiting = ClientFactory(unit=world.home, first_name="Väntan", last_name="Erbjudensdotter",
                            responsible_officer=world.users["case_officer"], notes="Fiktiv testperson.")
    world.waiting_decision = granted_decision(waiting, kind=apartment.decision_kind, decided_on=date.today() - timedelta(days=40),
                                              decided_by=world.users["case_officer"])
    today = date.today()
    world.offer = make_offer(ctx, apartment, world.waiting_decision, today, today + timedelta(days=14),
                             today + timedelta(days=7))


def _review_and_culling(world):
    """The pages of issue 13 that name persons: a month of the log review
    whose drawn reads are of every resident, and a culling dry run that
    lists every resident (as of a day far ahead, so each is assessed; their
    running tenancies keep them, with the reason shown)."""
    from audit.models import AccessAction, AccessLogEntry
    from culling.services.runs import make_run
    from logreview.models import ReviewItem, ReviewMonth

    reader = world.users["pilot_unassigned"]
    month = ReviewMonth.objects.create(unit=world.home, month=date(2026, 5, 1), reads=len(world.residents))
    for resident in world.residents.values():
        client = resident.client
        entry = AccessLogEntry.objects.create(
            user=reader, action=AccessAction.VIEW, client_id=client.pk, client_label=client.audit_label,
            client_number=client.personal_number, object_type="referrals.client", object_id=str(client.pk),
        )
        ReviewItem.objects.create(review=month, entry=entry, reader=reader, rules=["protected"])
    make_run(AuditContext(user=world.users["manager"], path="/test/"), world.home, as_of=date(2045, 1, 1))
