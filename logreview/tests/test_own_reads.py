"""A unit with one manager can sign its months off (docs/log-review.md
"Duty reads" and "Own reads"):

- the reads the review pages (and the culling list) make are logged, tagged
  as duty reads, and no risk rule flags them; they join the random sample
  only when someone other than the reader could review them;
- a manager's other own reads go to another manager of the unit or to the
  unit's second reviewer; with neither, the month is signed off with them
  listed as "kan inte granskas av annan" and the system administrators are
  told;
- nobody ever judges a read of their own.
"""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit import reads
from audit.labels import note_label
from audit.models import AccessAction, AccessLogEntry
from logreview import services
from logreview.models import ReviewItem, ReviewSettings, RiskRule, Verdict
from logreview.rules import Month, flag
from logreview.sampling import draw_month
from logreview.yearly import yearly_rows
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory

from .factories import log_row, review_item, review_month
from .helpers import at

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


@pytest.fixture
def protected(unit):
    return ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION, last_name="Skyddad")


def duty_row(user, client, moment, *, note=None, path=None):
    """A read as the month page writes it (tag and page)."""
    return AccessLogEntry.objects.create(
        at=moment, user=user, action=AccessAction.VIEW, client_id=client.pk, object_type="referrals.client",
        object_id=str(client.pk), client_label="Fiktiv Person",
        note="duty:log-review; read by logreview:month_detail" if note is None else note,
        path=reverse("logreview:month_detail", args=[7]) if path is None else path,
    )


# -- the tag ------------------------------------------------------------------


def test_the_review_pages_tag_their_reads_and_still_log_them(client, unit, manager, case_officer, protected):
    month = review_month(unit)
    item = review_item(month, log_row(case_officer, client=protected), rules=["protected"])
    client.force_login(manager)

    for url in (reverse("logreview:month_detail", args=[month.pk]), reverse("logreview:item_detail", args=[item.pk])):
        before = AccessLogEntry.objects.count()
        assert client.get(url).status_code == 200
        rows = list(AccessLogEntry.objects.filter(user=manager, client_id=protected.pk).order_by("-id"))
        assert AccessLogEntry.objects.count() > before  # logged, not skipped
        assert rows[0].note.startswith("duty:log-review; ")
        assert rows[0].path == url
        assert reads.is_duty_read(rows[0].note, rows[0].path)
    # The log page says it in Swedish terms.
    assert note_label("duty:log-review; read by logreview:month_detail").startswith("Läst i ett tjänsteuppdrag; ")


def test_the_culling_list_is_a_duty_page():
    path = reverse("culling:run_detail", args=[3])
    assert reads.duty_of("culling:run_detail") == "culling"
    assert reads.is_duty_read("duty:culling; read by culling:run_detail", path)
    # Not with the other duty's tag, and an ordinary page is no duty page.
    assert not reads.is_duty_read("duty:log-review", path)
    assert reads.duty_of("referrals:client_list") == ""


@settings(max_examples=40, deadline=None)
@given(
    code=st.sampled_from(["log-review", "culling", "x", ""]),
    before=st.text(alphabet="abc:; ", max_size=6),
    page=st.sampled_from(["month", "culling", "client", "none", "junk"]),
)
def test_property_a_tag_counts_only_at_the_start_and_on_its_own_page(code, before, page):
    path = {
        "month": reverse("logreview:month_detail", args=[1]), "culling": reverse("culling:run_detail", args=[1]),
        "client": "/klienter/1/", "none": "", "junk": "/finns/inte/",
    }[page]
    page_duty = {"month": "log-review", "culling": "culling"}.get(page, "")
    tagged = f"duty:{code}; read by x"
    assert reads.is_duty_read(tagged, path) == (bool(code) and code == page_duty)
    # A tag anywhere but at the start (a typed search term) never counts.
    assert not reads.is_duty_read(f"search clients: {before}{tagged}", path)


# -- the rules and the draw ---------------------------------------------------


def test_duty_reads_hit_no_rule_but_the_same_read_elsewhere_does(unit, manager, protected):
    duty = duty_row(manager, protected, at(2026, 3, 7, 22))  # a Saturday night, a protected client, no errand
    on_a_client_page = duty_row(manager, protected, at(2026, 3, 7, 22), path=f"/klienter/{protected.pk}/")
    typed = duty_row(manager, protected, at(2026, 3, 7, 22), note="search clients: duty:log-review")
    month = Month(unit.pk, MARCH, ReviewSettings(unit=unit))
    hits = flag(month)
    assert duty.pk not in hits
    assert {RiskRule.PROTECTED, RiskRule.NO_ERRAND, RiskRule.OFF_HOURS} <= set(hits[on_a_client_page.pk])
    assert typed.pk in hits
    assert [read.id for read in month.duty_reads] == [duty.pk]
    assert month.read_count == 3


def test_duty_reads_do_not_raise_the_usual_number_of_clients(unit, manager):
    clients = [ClientFactory(unit=unit) for _ in range(20)]
    for client in clients:
        duty_row(manager, client, at(2026, 2, 3))
    assert Month(unit.pk, MARCH, ReviewSettings(unit=unit)).usual_clients == {}


def test_a_single_managers_duty_reads_are_never_drawn(unit, manager, protected):
    for day in range(2, 7):
        duty_row(manager, protected, at(2026, 3, day))
    ReviewSettings.objects.create(unit=unit, sample_size=50)
    review = draw_month(unit, MARCH)
    assert review.reads == 5  # counted in the month ...
    assert not review.items.exists()  # ... but nobody else could review them


def test_duty_reads_join_the_sample_when_someone_else_can_review_them(unit, manager, protected):
    rows = [duty_row(manager, protected, at(2026, 3, day)) for day in range(2, 7)]
    UserFactory(unit=unit, roles=[Role.MANAGER])
    ReviewSettings.objects.create(unit=unit, sample_size=50)
    review = draw_month(unit, MARCH)
    items = list(review.items.all())
    assert {item.entry_id for item in items} == {row.pk for row in rows}
    assert all(item.sampled and item.rules == [] for item in items)


def test_a_second_reviewer_of_another_unit_counts_for_the_sample(unit, other_unit, manager, protected):
    row = duty_row(manager, protected, at(2026, 3, 2))
    deputy = UserFactory(unit=other_unit, roles=[Role.MANAGER])
    ReviewSettings.objects.create(unit=unit, sample_size=50, second_reviewer=deputy)
    assert list(draw_month(unit, MARCH).items.values_list("entry_id", flat=True)) == [row.pk]


# -- own reads: the second reviewer -------------------------------------------


@pytest.fixture
def deputy(unit, other_unit):
    user = UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])
    ReviewSettings.objects.create(unit=unit, second_reviewer=user)
    return user


def test_the_second_reviewer_sees_and_judges_only_the_managers_reads(
        ctx, unit, manager, case_officer, deputy, client_record):
    month = review_month(unit)
    own = review_item(month, log_row(manager, client=client_record), rules=["no_errand"])
    staff = review_item(month, log_row(case_officer, client=client_record), rules=["off_hours"])

    assert list(services.items_visible_to(deputy)) == [own]
    assert list(services.months_visible_to(deputy)) == [month]
    assert not services.months_of_unit(deputy).filter(pk=month.pk).exists()
    assert set(services.items_visible_to(manager)) == {own, staff}

    services.judge_item(ctx(deputy), own, verdict=Verdict.JUSTIFIED, note="Chefens eget ärende", expected_version=1)
    assert ReviewItem.objects.get(pk=own.pk).reviewed_by == deputy
    # The unit's manager signs off; the second reviewer may not.
    services.judge_item(ctx(manager), staff, verdict=Verdict.JUSTIFIED, note="Pågående ärende", expected_version=1)
    with pytest.raises(services.ReviewRefused) as refused:
        services.sign_off(ctx(deputy), month, note="Klart")
    assert refused.value.code == "not_the_unit"
    services.sign_off(ctx(manager), month, note="Klart")


def test_the_second_reviewers_pages(client, unit, manager, case_officer, deputy, client_record):
    month = review_month(unit)
    own = review_item(month, log_row(manager, client=client_record), rules=["no_errand"])
    staff = review_item(month, log_row(case_officer, client=client_record, label="Annan Klient"), rules=["staff"])
    client.force_login(deputy)

    listing = client.get(reverse("logreview:month_list")).content.decode()
    assert reverse("logreview:month_detail", args=[month.pk]) in listing
    page = client.get(reverse("logreview:month_detail", args=[month.pk])).content.decode()
    assert reverse("logreview:item_detail", args=[own.pk]) in page
    assert reverse("logreview:item_detail", args=[staff.pk]) not in page
    assert "andra granskare" in page
    assert client.get(reverse("logreview:item_detail", args=[staff.pk])).status_code == 404
    assert client.get(reverse("logreview:month_sign_off", args=[month.pk])).status_code == 404
    response = client.post(reverse("logreview:item_detail", args=[own.pk]),
                           {"verdict": "justified", "note": "Befogat", "version": 1})
    assert response.status_code == 302
    assert ReviewItem.objects.get(pk=own.pk).verdict == Verdict.JUSTIFIED


def test_the_settings_page_names_a_second_reviewer_of_another_unit_only(client, unit, other_unit, manager):
    colleague = UserFactory(username="chef2", unit=unit, roles=[Role.MANAGER])
    elsewhere = UserFactory(username="chef3", unit=other_unit, roles=[Role.MANAGER])
    officer = UserFactory(username="hl3", unit=other_unit, roles=[Role.CASE_OFFICER])
    client.force_login(manager)
    data = {"rules": ["protected"], "sample_size": 20, "workday_starts": "07:00", "workday_ends": "18:00",
            "many_clients_factor": "3", "version": 0}
    for refused in (colleague, officer):
        response = client.post(reverse("logreview:settings"), {**data, "second_reviewer": refused.pk})
        assert response.status_code == 200
        assert "Välj en aktiv användare vid en annan enhet" in response.content.decode()
        assert not ReviewSettings.objects.filter(unit=unit).exists()
    response = client.post(reverse("logreview:settings"), {**data, "second_reviewer": elsewhere.pk})
    assert response.status_code == 302
    assert ReviewSettings.objects.get(unit=unit).second_reviewer == elsewhere


# -- own reads: nobody else ---------------------------------------------------


@pytest.mark.acting_as("manager")
def test_a_single_manager_signs_off_with_their_own_reads_listed(
        ctx, unit, manager, system_admin, case_officer, client_record, django_capture_on_commit_callbacks):
    month = review_month(unit)
    own = review_item(month, log_row(manager, client=client_record), rules=["no_errand"])
    staff = review_item(month, log_row(case_officer, client=client_record), rules=["off_hours"])

    # The staff's read still blocks: the manager can judge it.
    with pytest.raises(services.ReviewRefused) as refused:
        services.sign_off(ctx, month, note="Klart")
    assert refused.value.code == "unjudged"
    services.judge_item(ctx, staff, verdict=Verdict.JUSTIFIED, note="Pågående ärende", expected_version=1)
    with pytest.raises(services.OwnRead):
        services.judge_item(ctx, own, verdict=Verdict.JUSTIFIED, note="Mitt", expected_version=1)

    assert services.may_sign_off(manager, month)
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_off(ctx, month, note="Klart")

    own.refresh_from_db()
    assert own.no_other_reviewer and own.verdict == "" and own.reviewed_by is None  # not judged by anyone
    notice = Notification.objects.get(user=system_admin)
    assert "2026-10" in notice.text and unit.name in notice.text and "1 " in notice.text
    assert client_record.last_name not in notice.text and not Notification.objects.filter(user=manager).exists()
    # The month, the sign-off and the yearly summary list them.
    row = yearly_rows(services.months_of_unit(manager), 2026)[0]
    assert row.unreviewable == 1


def test_the_sign_off_page_lists_the_reads_nobody_else_can_review(client, unit, manager, client_record):
    month = review_month(unit)
    review_item(month, log_row(manager, client=client_record), rules=["no_errand"])
    client.force_login(manager)
    url = reverse("logreview:month_sign_off", args=[month.pk])
    page = client.get(url).content.decode()
    assert "Kan inte granskas av annan" in page and client_record.audit_label in page
    assert client.post(url, {"note": "Klart"}).status_code == 302
    page = client.get(reverse("logreview:month_detail", args=[month.pk])).content.decode()
    assert "Kan inte granskas av annan" in page


@pytest.mark.acting_as("manager")
@pytest.mark.parametrize("who", ["colleague", "deputy"])
def test_with_another_reviewer_the_own_reads_still_block(ctx, unit, other_unit, manager, client_record, who):
    if who == "colleague":
        UserFactory(unit=unit, roles=[Role.MANAGER])
    else:
        ReviewSettings.objects.create(unit=unit, second_reviewer=UserFactory(unit=other_unit, roles=[Role.MANAGER]))
    month = review_month(unit)
    own = review_item(month, log_row(manager, client=client_record), rules=["no_errand"])
    assert not services.may_sign_off(manager, month)
    with pytest.raises(services.ReviewRefused) as refused:
        services.sign_off(ctx, month, note="Klart")
    assert "egna" in str(refused.value.messages[0])
    assert not ReviewItem.objects.get(pk=own.pk).no_other_reviewer


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    managers=st.integers(min_value=1, max_value=3),
    with_deputy=st.booleans(),
    readers=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=6),
    judges=st.lists(st.integers(min_value=0, max_value=3), max_size=12),
)
def test_property_nobody_reviews_their_own_reads_and_sign_off_waits_for_the_others(
        ctx, unit, other_unit, case_officer, client_record, managers, with_deputy, readers, judges):
    with transaction.atomic():
        team = [UserFactory(unit=unit, roles=[Role.MANAGER]) for _ in range(managers)]
        deputy = UserFactory(unit=other_unit, roles=[Role.MANAGER]) if with_deputy else None
        ReviewSettings.objects.update_or_create(unit=unit, defaults={"second_reviewer": deputy})
        month = review_month(unit)
        people = [*team, case_officer]
        items = [review_item(month, log_row(people[n % len(people)], client=client_record), rules=["no_errand"])
                 for n in readers]
        reviewers = [*team, *([deputy] if deputy else [])]
        for n, item in zip(judges, items, strict=False):
            user = reviewers[n % len(reviewers)]
            visible = services.items_visible_to(user).filter(pk=item.pk).exists()
            try:
                if visible:
                    services.judge_item(ctx(user), item, verdict=Verdict.INVESTIGATE, note="", expected_version=1)
            except services.OwnRead:
                pass
        for item in ReviewItem.objects.filter(review=month):
            assert item.reviewed_by_id != item.reader_id  # the rule itself
        signer = team[0]
        left = ReviewItem.objects.filter(review=month, verdict="")
        others_exist = len(team) > 1 or deputy is not None
        may = all(item.reader_id == signer.pk and not others_exist for item in left)
        try:
            services.sign_off(ctx(signer), month, note="Klart")
            signed = True
        except services.ReviewRefused:
            signed = False
        assert signed == may
        marked = ReviewItem.objects.filter(review=month, no_other_reviewer=True)
        assert all(item.reader_id == signer.pk and item.verdict == "" for item in marked)
        assert marked.count() == (left.count() if signed else 0) or not signed
        transaction.set_rollback(True)


def test_the_yearly_summary_has_the_column(client, unit, manager, client_record):
    month = review_month(unit, signed_off_at=timezone.now(), signed_off_by=manager)
    review_item(month, log_row(manager, client=client_record), rules=["no_errand"], no_other_reviewer=True)
    rows = yearly_rows(services.months_of_unit(manager), 2026)
    assert [row.unreviewable for row in rows] == [1]


def test_the_second_reviewer_is_reminded_and_has_the_month_to_do_while_reads_wait_for_them(
        ctx, unit, manager, case_officer, deputy, client_record):
    from logreview import reminders
    from logreview.todo import months_awaiting

    month = review_month(unit)
    staff = review_item(month, log_row(case_officer, client=client_record), rules=["staff"])
    # Only staff reads waiting: nothing for the second reviewer.
    reminders.remind(timezone.now())
    assert not Notification.objects.filter(user=deputy).exists()
    assert months_awaiting(deputy, timezone.now()) == []

    own = review_item(month, log_row(manager, client=client_record), rules=["no_errand"])
    ReviewItem.objects.filter(pk=staff.pk).update(verdict=Verdict.JUSTIFIED)
    month.__class__.objects.filter(pk=month.pk).update(last_reminded_at=None)
    reminders.remind(timezone.now())
    assert Notification.objects.filter(user=deputy).count() == 1
    [todo] = months_awaiting(deputy, timezone.now())
    assert unit.name in todo.title and "andra granskare" in todo.title and todo.detail.startswith("1 ")
    services.judge_item(ctx(deputy), own, verdict=Verdict.JUSTIFIED, note="Befogat", expected_version=1)
    assert months_awaiting(deputy, timezone.now()) == []
