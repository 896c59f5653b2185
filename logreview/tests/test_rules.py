"""Each risk rule with a hand-built read that hits it and one that does not."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessAction
from logreview.models import ReviewSettings, RiskRule
from logreview.rules import Month, flag
from referrals.models import OrderState, ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory
from referrals.tests.factories_orders import OrderFactory
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .helpers import at, read

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def month_of(unit, month=MARCH, **settings):
    return Month(unit.pk, month, ReviewSettings(unit=unit, **settings))


def hits(unit, rule, month=MARCH, **settings):
    """{entry id} the one rule flags in the unit's month."""
    return {entry_id for entry_id, codes in flag(month_of(unit, month, **settings), [rule]).items() if rule in codes}


@pytest.fixture
def client_a(unit, case_officer):
    return ClientFactory(unit=unit, responsible_officer=case_officer, last_name="Lind")


def test_protected_client(unit, case_officer):
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION)
    ordinary = ClientFactory(unit=unit)
    hit = read(case_officer, protected, at(2026, 3, 3))
    miss = read(case_officer, ordinary, at(2026, 3, 3))
    assert hits(unit, RiskRule.PROTECTED) == {hit.pk}
    assert miss.pk not in hits(unit, RiskRule.PROTECTED)


def test_shared_surname_compared_without_case_accents_or_double_names(unit):
    reader = UserFactory(unit=unit, last_name="Berg-Ödman", roles=[Role.CASE_OFFICER])
    namesake = ClientFactory(unit=unit, last_name="ödman")
    stranger = ClientFactory(unit=unit, last_name="Bergström")
    hit = read(reader, namesake, at(2026, 3, 3))
    read(reader, stranger, at(2026, 3, 3))
    assert hits(unit, RiskRule.SAME_NAME_OR_ADDRESS) == {hit.pk}


def test_shared_home_address(unit):
    reader = UserFactory(
        unit=unit, roles=[Role.CASE_OFFICER], home_street_address="Storgatan 1 B", home_postal_code="186 30",
    )
    neighbour = ClientFactory(unit=unit, street_address="storgatan 1b", postal_code="18630")
    same_street_other_town = ClientFactory(unit=unit, street_address="Storgatan 1 B", postal_code="111 22")
    elsewhere = ClientFactory(unit=unit, street_address="Kyrkvägen 4", postal_code="186 30")
    hit = read(reader, neighbour, at(2026, 3, 3))
    read(reader, same_street_other_town, at(2026, 3, 3))
    read(reader, elsewhere, at(2026, 3, 3))
    assert hits(unit, RiskRule.SAME_NAME_OR_ADDRESS) == {hit.pk}


def test_a_user_without_a_home_address_matches_no_address(unit, case_officer):
    # An empty home address never equals a client without one.
    homeless = ClientFactory(unit=unit, street_address="", postal_code="")
    read(case_officer, homeless, at(2026, 3, 3))
    assert hits(unit, RiskRule.SAME_NAME_OR_ADDRESS) == set()


def test_staff_member_of_the_municipality(unit, case_officer):
    colleague = ClientFactory(unit=unit, is_municipal_staff=True)
    other = ClientFactory(unit=unit)
    hit = read(case_officer, colleague, at(2026, 3, 3))
    read(case_officer, other, at(2026, 3, 3))
    assert hits(unit, RiskRule.STAFF) == {hit.pk}


def test_no_errand(unit, case_officer, pilot, second_pilot, housing_admin, client_a):
    other_officer = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    decider = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    OrderFactory(
        unit=unit, client=client_a, ordered_by=case_officer, state=OrderState.ACCEPTED,
        active_pilot=pilot, passive_pilot=second_pilot, sent_at=at(2026, 2, 1),
    )
    ended_pilot = UserFactory(unit=unit, roles=[Role.PILOT])
    OrderFactory(
        unit=unit, client=client_a, ordered_by=case_officer, state=OrderState.COMPLETED,
        active_pilot=ended_pilot, passive_pilot=second_pilot, sent_at=at(2026, 1, 1),
        completed_at=at(2026, 3, 2),
    )
    DecisionFactory(client=client_a, decided_by=decider, decided_on=date(2026, 2, 10))
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_a, start_date=date(2026, 2, 15),
                   created_by=case_officer)

    officer_read = read(case_officer, client_a, at(2026, 3, 3))  # the responsible officer
    pilot_read = read(pilot, client_a, at(2026, 3, 3))  # assigned to an open order
    decider_read = read(decider, client_a, at(2026, 3, 3))  # decided an open decision
    admin_read = read(housing_admin, client_a, at(2026, 3, 3))  # the unit's tenancy
    stranger_read = read(other_officer, client_a, at(2026, 3, 3))
    ended_pilot_read = read(ended_pilot, client_a, at(2026, 3, 4))  # the order ended on 2 March
    flagged = hits(unit, RiskRule.NO_ERRAND)
    assert flagged == {stranger_read.pk, ended_pilot_read.pk}
    assert not {officer_read.pk, pilot_read.pk, decider_read.pk, admin_read.pk} & flagged


def test_an_order_not_yet_sent_is_no_errand(unit, case_officer, pilot, second_pilot):
    client = ClientFactory(unit=unit)
    OrderFactory(unit=unit, client=client, ordered_by=case_officer, state=OrderState.ACCEPTED,
                 active_pilot=pilot, passive_pilot=second_pilot, sent_at=at(2026, 3, 10))
    early = read(pilot, client, at(2026, 3, 5))
    later = read(pilot, client, at(2026, 3, 11))
    assert hits(unit, RiskRule.NO_ERRAND) == {early.pk}
    assert later.pk not in hits(unit, RiskRule.NO_ERRAND)


def test_off_hours_weekend_and_holidays(unit, case_officer, client_a):
    tuesday = read(case_officer, client_a, at(2026, 4, 7, 10))
    evening = read(case_officer, client_a, at(2026, 4, 7, 19))
    early = read(case_officer, client_a, at(2026, 4, 7, 6, 59))
    saturday = read(case_officer, client_a, at(2026, 4, 11, 10))
    good_friday = read(case_officer, client_a, at(2026, 4, 3, 10))  # långfredagen 2026
    easter_monday = read(case_officer, client_a, at(2026, 4, 6, 10))
    flagged = hits(unit, RiskRule.OFF_HOURS, month=date(2026, 4, 1))
    assert flagged == {evening.pk, early.pk, saturday.pk, good_friday.pk, easter_monday.pk}
    assert tuesday.pk not in flagged


def test_off_hours_uses_the_units_hours(unit, case_officer, client_a):
    evening = read(case_officer, client_a, at(2026, 3, 3, 19))
    assert hits(unit, RiskRule.OFF_HOURS, workday_starts=time(7), workday_ends=time(20)) == set()
    assert hits(unit, RiskRule.OFF_HOURS, workday_starts=time(7), workday_ends=time(18)) == {evening.pk}


def test_off_hours_is_judged_in_swedish_time(unit, case_officer, client_a):
    # 16:30 UTC on a March Tuesday is 17:30 in Stockholm: inside the day;
    # 17:30 UTC is 18:30 there: outside.
    from datetime import UTC, datetime

    inside = read(case_officer, client_a, datetime(2026, 3, 3, 16, 30, tzinfo=UTC))
    outside = read(case_officer, client_a, datetime(2026, 3, 3, 17, 30, tzinfo=UTC))
    flagged = hits(unit, RiskRule.OFF_HOURS)
    assert outside.pk in flagged and inside.pk not in flagged


def test_many_clients_without_history_uses_the_minimum(unit, case_officer):
    busy = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
    clients = [ClientFactory(unit=unit) for _ in range(16)]
    first_reads = [read(busy, client, at(2026, 3, 3)) for client in clients]
    read(busy, clients[0], at(2026, 3, 4))  # a second read of a client: not flagged again
    for client in clients[:15]:  # 15 = 3 x the minimum of 5: not more than usual
        read(case_officer, client, at(2026, 3, 3))
    assert hits(unit, RiskRule.MANY_CLIENTS) == {entry.pk for entry in first_reads}


def test_many_clients_compared_with_the_users_own_average(unit, case_officer):
    clients = [ClientFactory(unit=unit) for _ in range(16)]
    for month in (12, 1, 2):  # ten different clients a month before March
        year = 2025 if month == 12 else 2026
        for client in clients[:10]:
            read(case_officer, client, at(year, month, 5))
    for client in clients:
        read(case_officer, client, at(2026, 3, 3))
    assert hits(unit, RiskRule.MANY_CLIENTS) == set()  # 16 is not more than 3 x 10
    assert len(hits(unit, RiskRule.MANY_CLIENTS, many_clients_factor=Decimal("1.5"))) == 16  # 16 > 15


def test_former_client(unit, case_officer):
    former = ClientFactory(unit=unit)
    DecisionFactory(client=former, decided_on=date(2025, 1, 10), closed_on=date(2026, 1, 31))
    current = ClientFactory(unit=unit)
    DecisionFactory(client=current, decided_on=date(2025, 1, 10))
    applicant = ClientFactory(unit=unit)  # nothing registered yet: not "former"
    moved_out = ClientFactory(unit=unit)
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=moved_out, start_date=date(2025, 5, 1),
                   end_date=date(2026, 3, 10), end_reason="own_housing", created_by=case_officer)
    hit = read(case_officer, former, at(2026, 3, 3))
    read(case_officer, current, at(2026, 3, 3))
    read(case_officer, applicant, at(2026, 3, 3))
    still_tenant = read(case_officer, moved_out, at(2026, 3, 10))
    after_move = read(case_officer, moved_out, at(2026, 3, 11))
    flagged = hits(unit, RiskRule.FORMER_CLIENT)
    assert flagged == {hit.pk, after_move.pk}
    assert still_tenant.pk not in flagged


def test_an_annulled_decision_was_never_a_case(unit, case_officer, manager):
    client = ClientFactory(unit=unit)
    DecisionFactory(client=client, decided_on=date(2025, 1, 10), annulled_at=at(2025, 2, 1),
                    annulled_by=manager, annul_reason="Fel person")
    read(case_officer, client, at(2026, 3, 3))
    assert hits(unit, RiskRule.FORMER_CLIENT) == set()


def test_a_units_reads_are_its_staffs_reads_in_the_month(unit, other_unit, case_officer, outside_officer):
    client = ClientFactory(unit=unit, protection_level=ProtectionLevel.CONFIDENTIALITY_MARK)
    own = read(case_officer, client, at(2026, 3, 1, 0, 30))  # just after midnight, Swedish time
    read(outside_officer, client, at(2026, 3, 3))  # another unit's staff
    read(case_officer, client, at(2026, 2, 28, 23, 30))  # February
    read(case_officer, client, at(2026, 3, 3), action=AccessAction.UPDATE)  # not a read
    assert [r.id for r in month_of(unit).reads] == [own.pk]
    assert hits(unit, RiskRule.PROTECTED) == {own.pk}


def test_exports_count_as_reads(unit, case_officer):
    client = ClientFactory(unit=unit, is_municipal_staff=True)
    export = read(case_officer, client, at(2026, 3, 3), action=AccessAction.EXPORT)
    assert hits(unit, RiskRule.STAFF) == {export.pk}


def test_flag_lists_every_rule_hit_in_rule_order(unit):
    reader = UserFactory(unit=unit, last_name="Ek", roles=[Role.CASE_OFFICER])
    client = ClientFactory(unit=unit, last_name="Ek", is_municipal_staff=True,
                           protection_level=ProtectionLevel.CONFIDENTIALITY_MARK)
    entry = read(reader, client, at(2026, 3, 7, 12))  # a Saturday
    result = flag(month_of(unit))
    assert result[entry.pk] == ["protected", "same_name_or_address", "staff", "no_errand", "off_hours"]


def test_rules_switched_off_are_not_applied(unit):
    reader = UserFactory(unit=unit, last_name="Ek", roles=[Role.CASE_OFFICER])
    client = ClientFactory(unit=unit, last_name="Ek", is_municipal_staff=True)
    entry = read(reader, client, at(2026, 3, 7, 12))
    month = month_of(unit, rules=[RiskRule.STAFF, RiskRule.OFF_HOURS])
    assert flag(month) == {entry.pk: ["staff", "off_hours"]}
    assert flag(month_of(unit, rules=[])) == {}


def test_the_rules_query_count_does_not_grow_with_the_reads(unit, case_officer, django_assert_num_queries):
    def run():
        # The reads, then once each: clients, readers, orders, decisions,
        # tenancies, housing administrators, the readers' previous months.
        with django_assert_num_queries(8):
            flag(month_of(unit))

    clients = [ClientFactory(unit=unit) for _ in range(3)]
    for client in clients:
        read(case_officer, client, at(2026, 3, 3))
    run()
    for client in clients:
        for day in range(4, 20):
            read(case_officer, client, at(2026, 3, 3) + timedelta(days=day - 3, hours=day % 10))
    run()
