import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import Draft, User
from accounts.roles import Role
from audit.models import AccessLogEntry
from core import personnummer
from demo.clients import FICTIONAL_NOTE
from logreview.models import ReviewMonth, RiskRule
from referrals.models import Client


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_small_scale_makes_about_150_fictional_clients_and_one_demo_user_per_role():
    output = seed(scale="small", seed=3)

    clients = list(Client.objects.exclude(personal_number=""))
    assert 140 <= len(clients) <= 160
    assert all(client.notes == FICTIONAL_NOTE for client in clients)
    assert all(personnummer.is_valid(client.personal_number) for client in clients)
    assert len({client.personal_number for client in clients}) == len(clients)
    for role in Role.ALL:
        demo = User.objects.with_role(role).filter(password__startswith="md5$")
        assert demo.exists(), role
    for username in ("handlaggare", "bolots", "boendeadmin", "chef", "sysadmin"):
        assert f"{username}-demo" in output
        assert User.objects.get(username=username).check_password(f"{username}-demo")
    # The demo bolots finds an unsaved visit note on one started order (accounts.drafts).
    (draft,) = Draft.objects.filter(user__username="bolots")
    assert draft.key.endswith("/besok/nytt/#VisitForm") and draft.data["notes"]


@pytest.mark.django_db
def test_one_person_without_a_number_waits_more_than_three_months_for_a_decision():
    seed(scale="small", seed=3)

    (person,) = Client.objects.filter(personal_number="")
    assert person.ivo_code == f"{person.birth_date:%Y%m%d}-T001"  # the first woman's code of the day
    assert person.notes.startswith("Fiktiv person (demodata).")
    # Later seeders may give the person more casework; the waiting one is there.
    decision = person.decisions.get(offers__answer="declined")
    assert decision.executed_on is None
    assert (timezone.localdate() - decision.decided_on).days > 92
    assert decision.delay_reason and decision.offers.exists()


@pytest.mark.django_db
def test_last_month_is_drawn_for_the_log_review_with_reads_the_rules_flag():
    seed(scale="small", seed=3)

    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    (review,) = ReviewMonth.objects.filter(month=month)
    flagged = {rule for item in review.items.all() for rule in item.rules}
    # The demo's two planted reads: late in the evening, and a protected
    # client read by a bolots with no order for them.
    assert {RiskRule.OFF_HOURS, RiskRule.PROTECTED} <= flagged
    assert review.items.filter(sampled=True).exists() and review.signed_off_at is None
    assert review.reads == AccessLogEntry.objects.filter(at__date__gte=month, at__date__lt=month + timedelta(days=31),
                                                         at__month=month.month).count()


@pytest.mark.django_db
def test_running_again_keeps_the_data_and_adds_nothing():
    seed(scale="small", seed=3)
    before = list(Client.objects.order_by("pk").values_list("pk", "personal_number"))

    output = seed(scale="small", seed=3)

    assert list(Client.objects.order_by("pk").values_list("pk", "personal_number")) == before
    assert "Klienter finns redan" in output
    assert Draft.objects.count() == 1


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people():
    def numbers_for(seed_value):
        with transaction.atomic():
            seed(scale="small", seed=seed_value)
            numbers = list(Client.objects.order_by("personal_number").values_list("personal_number", "first_name"))
            transaction.set_rollback(True)
        return numbers

    assert numbers_for(11) == numbers_for(11)
    assert numbers_for(11) != numbers_for(12)


@pytest.mark.django_db
def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_users_get_a_printed_authenticator_key_that_logs_in(client):
    from django.urls import reverse
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.users import demo_second_factor

    output = seed(scale="small", seed=3)

    for username in ("handlaggare", "bolots", "boendeadmin", "chef", "sysadmin"):
        key, _code = demo_second_factor(username)
        assert key in output
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
    client.post(reverse("accounts:login"), {"username": "chef", "password": "chef-demo"})
    device = TOTPDevice.objects.get(user__username="chef")
    assert client.post(reverse("accounts:verify"), {"code": f"{totp(device.bin_key):06d}"})["Location"] == reverse("home")


@pytest.mark.django_db
def test_demo_code_refuses_with_debug_off_and_for_real_users(settings, case_officer):
    from accounts.tests.second_factor import give_totp

    seed(scale="small", seed=3)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo_code", "chef", stdout=io.StringIO())

    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_code", "chef", stdout=out)
    assert out.getvalue().strip().isdigit()
    give_totp(case_officer)  # a user with a key of their own
    case_officer.username = "riktig"
    case_officer.save()
    with pytest.raises(CommandError):
        call_command("demo_code", "riktig", stdout=io.StringIO())


@pytest.mark.django_db
def test_clients_have_their_latest_orders_risks_and_one_a_history_of_changes():
    from audit.models import FieldChange
    from referrals.models import Order
    from referrals.models.risks import RISK_FIELDS

    seed(scale="small", seed=3)

    with_orders = Client.objects.filter(orders__isnull=False).distinct()
    assert Client.objects.filter(risk_changed_at__isnull=False).count() == with_orders.count()
    assert with_orders.filter(risk_substance_use=True).exists()
    changed = FieldChange.objects.filter(object_type="referrals.client", field__in=RISK_FIELDS)
    assert changed.order_by().values("user").distinct().count() == 3, "the case officer and both bolotsar"
    person = Client.objects.get(pk=changed.first().client_id)
    assert person.risk_threats and person.risk_changed_by_id == changed.order_by("-at").first().user_id
    others = Client.objects.exclude(pk=person.pk).filter(risk_changed_at__isnull=False)[:20]
    for client in others:
        latest = Order.objects.filter(client=client).order_by("-sent_at", "-id").first()
        assert client.risk_values() == {name: getattr(latest, name) for name in RISK_FIELDS}
