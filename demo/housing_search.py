"""Demo housing search: each client who has held a training apartment has a
search record (demo/housing.py made the tenancies): queue registrations, an
application every one to three months, the last one accepted for those who
moved on to own housing. Plain rows written with demo.bulk.copy_rows."""

from datetime import timedelta

from bolots.models import ApplicationResult, HousingApplication, HousingSearchProfile, QueueRegistration
from tenancies.models import ApartmentKind, EndReason, Tenancy

from .bulk import copy_rows
from .context import DemoContext
from .visits_plan import pick

QUEUES = ("Kommunens bostadskö", "Bostadsförmedlingen i regionen", "Fiktiva Bostäder AB:s kö",
          "Vallentunahem AB:s kö", "Seniorboende (kö)", "Studentbostäder (kö)")
APPLICATION_PLACES = ("Fiktiva Bostäder AB", "Vallentunahem AB", "Hyresbolaget Påhitt AB", "Privat hyresvärd (annons)",
                      "Andrahandsannons")
STREET_NAMES = ("Storgatan", "Kyrkvägen", "Skolgatan", "Björkvägen", "Ekbacken", "Lindvägen", "Ängsvägen")
NATIONWIDE_SHARE = 0.15


def training_stays(ctx: DemoContext) -> dict[int, list[tuple]]:
    """{client id: [(unit id, start, end, end reason)]} of training-apartment
    tenancies, oldest first."""
    stays = {}
    for client_id, unit_id, start, end, reason in (
        Tenancy.objects.filter(apartment__unit__in=ctx.units, apartment__kind=ApartmentKind.TRAINING)
        .order_by("client_id", "start_date", "pk")
        .values_list("client_id", "apartment__unit_id", "start_date", "end_date", "end_reason")
    ):
        stays.setdefault(client_id, []).append((unit_id, start, end, reason))
    return stays



def build(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    profiles, queues, applications = [], [], []
    for client_id, stays in training_stays(ctx).items():
        first = stays[0][1]
        last_end, last_reason = stays[-1][2], stays[-1][3]
        moved_on = last_end is not None and last_reason in (EndReason.OWN_HOUSING, EndReason.FIRST_HAND_TAKEOVER)
        search_end = min(last_end or today, today)
        checked = search_end - timedelta(days=int(rng.random() * 30))
        profiles.append((client_id, rng.random() < NATIONWIDE_SHARE, "", max(checked, first)))
        chosen = rng.sample(QUEUES[:4], 1 + int(rng.random() * 3))
        for number, queue in enumerate(chosen):
            since = first - timedelta(days=int(rng.random() * 900)) if rng.random() < 0.6 else (
                first + timedelta(days=int(rng.random() * 60)))
            since = min(since, today)
            ended = last_end if moved_on and number == 0 and last_end >= since else None
            queues.append((client_id, queue, since, ended))
        day = first + timedelta(days=20 + int(rng.random() * 60))
        last_application = None
        while day <= search_end:
            recent = (today - day).days < 45
            result = ApplicationResult.PENDING if recent else pick(rng, (
                (0.86, ApplicationResult.NOT_CHOSEN), (0.94, ApplicationResult.DECLINED),
                (1.0, ApplicationResult.OFFERED)))
            where = (f"{rng.choice(APPLICATION_PLACES)}: {rng.choice(STREET_NAMES)} {1 + int(rng.random() * 60)}, "
                     f"{1 + int(rng.random() * 3)} rok")
            applications.append([client_id, day, where, result])
            last_application = applications[-1]
            day += timedelta(days=30 + int(rng.random() * 60))
        if moved_on and last_end is not None and last_reason == EndReason.OWN_HOUSING:
            # The application that gave them their own home.
            accepted_on = last_end - timedelta(days=30 + int(rng.random() * 30))
            if last_application is not None and last_application[1] >= accepted_on:
                last_application[3] = ApplicationResult.ACCEPTED
            elif accepted_on >= first:
                applications.append([client_id, accepted_on, f"{rng.choice(APPLICATION_PLACES)}: "
                                     f"{rng.choice(STREET_NAMES)} {1 + int(rng.random() * 60)}, 1 rok",
                                     ApplicationResult.ACCEPTED])
    # Every row starts at version 1 (audit.versioning), as a save would store it.
    copy_rows(HousingSearchProfile, ("client_id", "nationwide", "notes", "checked_on", "version"),
              ((*row, 1) for row in profiles))
    copy_rows(QueueRegistration, ("client_id", "queue", "registered_since", "ended_on", "version"),
              ((*row, 1) for row in queues))
    copy_rows(HousingApplication, ("client_id", "applied_on", "where", "result", "version"),
              ((*row, 1) for row in applications))
    ctx.log(f"Skapade bostadssökande för {len(profiles)} klienter: {len(queues)} köer och "
            f"{len(applications)} ansökningar.")
