"""Demo clients: fictional people with valid-checksum identity numbers,
marked as fictional in their notes. Bulk inserts, so that the national scale
(60 000 clients) is built in seconds. Their casework follows in
demo/casework.py."""

from datetime import date, timedelta
from random import Random

from accounts.roles import Role
from core import personnummer
from referrals.models import Client, LegalGender, ProtectionLevel, TargetGroup
from referrals.models.decisions import (
    Decision,
    DecisionKind,
    DecisionOutcome,
    LegalReference,
    LegalTopic,
    Offer,
    OfferAnswer,
)
from referrals.services.legal import reference_for

from .bulk import RecordMaker, copy_rows, foreign_keys_checked_once, reserve_keys, write_records
from .context import DemoContext
from .names import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES, STREETS

# LAST_NAMES is read from this module's globals when drawn: the page-walking
# tests' world (config/tests/world.py) swaps it for names unique per client.

FICTIONAL_NOTE = "Fiktiv person (demodata). Personnumret är påhittat."


def _unique_number(rng: Random, used: set[str], today: date, *, min_age: int = 18, max_age: int = 85,
                   coordination: bool = False) -> str:
    while True:
        age_days = rng.randint(min_age * 365 + 5, max_age * 365)
        birth = today - timedelta(days=age_days)
        digits = personnummer.make_number(birth, rng.randint(0, 999), coordination=coordination)
        if digits not in used:
            used.add(digits)
            return digits


def seed(ctx: DemoContext) -> None:
    if Client.objects.exists():
        ctx.log("Klienter finns redan; inga nya skapas.")
        return
    rng = ctx.rng
    groups = list(TargetGroup.objects.all())
    by_code = {group.code: group for group in groups}
    used = set()
    per_unit = max(1, ctx.sizes["clients"] // len(ctx.units))
    # Plain records (demo.bulk), not model instances: Model.__init__ and its
    # post_init receivers for 60 000 clients cost seconds (national).
    make = RecordMaker(Client)
    clients = []
    for unit in ctx.units:
        officers = ctx.users_by_unit[unit.pk].get(Role.CASE_OFFICER, [None])
        for _ in range(per_unit):
            young = rng.random() < 0.2
            digits = _unique_number(
                rng, used, ctx.today,
                min_age=18, max_age=25 if young else 85,
                coordination=rng.random() < 0.02,
            )
            parsed = personnummer.parse(digits, ctx.today)
            male = parsed.is_male
            protection = ProtectionLevel.NONE
            roll = rng.random()
            if roll < 0.01:
                protection = ProtectionLevel.PROTECTED_REGISTRATION
            elif roll < 0.025:
                protection = ProtectionLevel.CONFIDENTIALITY_MARK
            elif roll < 0.028:
                protection = ProtectionLevel.ASSUMED_IDENTITY
            family = rng.random() < 0.15
            clients.append(
                make(
                    unit_id=unit.pk,
                    first_name=rng.choice(FIRST_NAMES_MALE if male else FIRST_NAMES_FEMALE),
                    last_name=rng.choice(LAST_NAMES),
                    personal_number=digits,
                    birth_date=parsed.birth_date,
                    legal_gender=LegalGender.MALE if male else LegalGender.FEMALE,
                    is_coordination_number=parsed.is_coordination_number,
                    children_in_home=rng.randint(1, 4) if family else 0,
                    phone=f"070-{rng.randint(1000000, 9999999)}" if rng.random() < 0.8 else "",
                    street_address=f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    postal_code=f"186 {rng.randint(30, 99)}",
                    city=unit.municipality,
                    responsible_officer_id=_pk(rng.choice(officers)),
                    protection_level=protection,
                    notes=FICTIONAL_NOTE,
                )
            )
            clients[-1]._demo_groups = _groups_for(rng, by_code, young, family)
    Through = Client.target_groups.through
    # Keys checked once at the end (PostgreSQL): row by row PostgreSQL
    # queues a check per key of every row until the next SET CONSTRAINTS.
    with foreign_keys_checked_once(Client, Through):
        write_records(Client, clients)
        links = [(client.pk, group.pk) for client in clients for group in client._demo_groups]
        keys = reserve_keys(Through, len(links))
        copy_rows(Through, ("id", "client_id", "targetgroup_id"),
                  ((key, *link) for key, link in zip(keys, links, strict=True)))
    ctx.log(f"Skapade {len(clients)} fiktiva klienter.")


def _pk(user) -> int | None:
    return user.pk if user is not None else None


def _groups_for(rng: Random, by_code: dict[str, TargetGroup], young: bool, family: bool) -> list[TargetGroup]:
    chosen = {rng.choice(["missbruk", "psykisk-ohalsa", "samsjuklighet", "missbruk", "samsjuklighet"])}
    if young:
        chosen.add("unga-vuxna")
    if family:
        chosen.add("barnfamilj")
    if rng.random() < 0.05:
        chosen.add("valdsutsatt")
    return [by_code[code] for code in chosen if code in by_code]


def seed_without_number(ctx: DemoContext) -> None:
    """One fictional person without a Swedish number whose bolots decision
    has waited more than three months: what IVO's individual report with a
    T code (services.ivo_identity) looks like. Runs after casework.seed,
    which makes no decisions when any exist."""
    if not ctx.units or Client.objects.filter(personal_number="").exists():
        return
    unit = ctx.units[0]
    officers = ctx.users_by_unit.get(unit.pk, {}).get(Role.CASE_OFFICER) or []
    if not officers:
        return
    officer = officers[0]
    # Client.save() gives the IVO code (the smallest free woman's code).
    client = Client.objects.create(
        unit=unit, first_name="Amal", last_name="Testsdotter", personal_number="", birth_date=date(1991, 5, 20),
        legal_gender=LegalGender.FEMALE, street_address="Påhittade gränd 4", postal_code="186 40",
        city=unit.municipality, responsible_officer=officer,
        notes="Fiktiv person (demodata). Saknar svenskt personnummer och samordningsnummer.",
    )
    client.target_groups.set(TargetGroup.objects.filter(code="psykisk-ohalsa"))
    decided = ctx.today - timedelta(days=120)
    legal_basis = reference_for(LegalTopic.ASSISTANCE, decided) or LegalReference.objects.order_by("pk").first()
    decision = Decision.objects.create(
        client=client, kind=DecisionKind.BOLOTS_SUPPORT, legal_basis=legal_basis,
        applied_on=decided - timedelta(days=14), decided_on=decided, outcome=DecisionOutcome.GRANTED,
        valid_from=decided, valid_to=decided + timedelta(days=364), decided_by=officer, reasoning="Fiktivt beslut (demodata).",
        delay_reason="Ingen bolots med utrymme i ärendemängden.",
        consequences="Personen har svårt att sköta hyran utan stöd; risk för ny skuld.",
        interim_support="Kontakt med handläggare varannan vecka.",
    )
    Offer.objects.create(decision=decision, offered_on=decided + timedelta(days=40),
                         description="Bolotsstöd med start om två veckor", answer=OfferAnswer.DECLINED,
                         note="Ville vänta tills tolk kunde vara med.")
    ctx.log(f"Skapade en fiktiv person utan svenskt nummer ({client.ivo_code}) med ett beslut som väntar.")
