"""Demo data: the evaluation's own words (docs/housing-chain.md "The
evaluation's own words"). For every unit: the five texts of the last closed
year, final, in the tone of the 2018 evaluation (seed 001) and without any
personal data, so the yearly PDF of that year prints them; a draft
background for the running year; and one case officer delegated the running
year, told by a notification as the service does. Fictional throughout; a
second run adds nothing (one text per section, one active delegation per
user: the unique constraints, and rows are only made where none exist)."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from reports.models import NarrativeDelegate, NarrativeSection, NarrativeState, NarrativeText

from ..context import DemoContext
from .common import rng_for

CLOSED_YEAR_TEXTS = {
    NarrativeSection.BACKGROUND: (
        "Bolotsverksamheten i {municipality} startade som ett projekt efter en inventering av kommunens "
        "träningslägenheter. Inventeringen visade att det fanns litet utflöde ur lägenheterna, att de flesta "
        "hyresgäster saknade en individuell plan med eget boende som mål och att hyresskulderna hade vuxit under "
        "flera år.\n\n"
        "Under {year} har verksamheten arbetat med bolotsinsatser för alla som bor i träningslägenhet, med "
        "uppsökande uppdrag efter orosanmälningar och med vräkningsförebyggande uppdrag när hyresvärdar har "
        "underrättat socialtjänsten. Siffrorna i rapporten är hämtade ur verksamhetssystemet och har inte räknats "
        "fram för hand."
    ),
    NarrativeSection.ORDERING_VIEWS: (
        "Bolotsverksamheten är uppskattad av handläggarna på myndighetssidan. Insatsen sparar handläggarna tid, "
        "eftersom de inte själva behöver ringa om påminnelser, och bolotsarna bidrar med två ögon till i ärendena "
        "och ett stöd vid hembesök.\n\n"
        "Ett utvecklingsområde som myndigheten ser är bostadssökandet. Myndigheten behöver tydliggöra vad som "
        "förväntas av hyresgästerna och av bolotsarna när det gäller aktivt bostadssökande."
    ),
    NarrativeSection.PROVIDING_VIEWS: (
        "Bolotsarna upplever att samarbetet med handläggarna fungerar mycket bra. Uppdragen innehåller numera "
        "riskinformation om djur i hemmet, missbruk, våld i nära relationer och barn i hemmet, vilket gör besöken "
        "tryggare.\n\n"
        "En svårighet är att hyresgäster med ekonomiskt bistånd sällan får ta över förstahandskontraktet, även "
        "när de har betalat hyran i tid under lång tid. Verksamheten ser också att uppsökande och "
        "vräkningsförebyggande kunder ofta är tacksamma för att någon kommer i ett tidigt skede."
    ),
    NarrativeSection.IMPROVEMENTS: (
        "Avslutsorsak ska registreras för varje avslutat kontrakt, så att målet om självständigt boende kan "
        "följas upp utan manuell räkning.\n\n"
        "Boendekursen behöver hållas regelbundet, minst två gånger per år, så att alla nyinflyttade hinner gå den. "
        "Bostadssökandet behöver följas upp varje månad med en gemensam rutin för myndighet och utförare."
    ),
    NarrativeSection.PROPOSALS: (
        "Socialnämnden föreslås besluta att bolotsverksamheten blir en del av den ordinarie verksamheten.\n\n"
        "Socialnämnden föreslås vidare ge förvaltningen i uppdrag att tillsammans med fastighetsägarna ta fram "
        "riktlinjer för övertagande av förstahandskontrakt."
    ),
}
RUNNING_YEAR_DRAFT = (
    "Året har präglats av fler underrättelser om uppsägning än föregående år. Utkast: fylls på efter "
    "genomgången med handläggarna."
)


def seed(ctx: DemoContext) -> None:
    rng = rng_for(ctx, "narrative")
    closed, running = ctx.today.year - 1, ctx.today.year
    units = [unit for unit in ctx.units if ctx.users_by_unit.get(unit.pk, {}).get(Role.MANAGER)]
    written = set(NarrativeText.objects.filter(unit__in=units, year__in=(closed, running))
                  .values_list("unit_id", "year", "section"))
    delegated = set(NarrativeDelegate.objects.filter(unit__in=units, year=running).values_list("unit_id", flat=True))
    texts, delegates, notifications = [], [], []
    for unit in units:
        people = ctx.users_by_unit[unit.pk]
        manager = people[Role.MANAGER][0]
        for section, text in CLOSED_YEAR_TEXTS.items():
            if (unit.pk, closed, section) not in written:
                texts.append(NarrativeText(
                    unit=unit, year=closed, section=section, state=NarrativeState.FINAL, updated_by=manager,
                    text=text.format(municipality=unit.municipality, year=closed),
                ))
        if (unit.pk, running, NarrativeSection.BACKGROUND) not in written:
            texts.append(NarrativeText(unit=unit, year=running, section=NarrativeSection.BACKGROUND,
                                       state=NarrativeState.DRAFT, updated_by=manager, text=RUNNING_YEAR_DRAFT))
        officers = people.get(Role.CASE_OFFICER) or []
        if officers and unit.pk not in delegated:
            # The first unit's first officer is the demo login "handlaggare".
            officer = officers[0] if unit.pk == ctx.units[0].pk else rng.choice(officers)
            delegates.append(NarrativeDelegate(unit=unit, year=running, user=officer, granted_by=manager))
            notifications.append(Notification(
                user=officer, text=f"Du får skriva texterna i utvärderingen {running}",
                url=reverse("reports:narrative", kwargs={"year": running}),
            ))
    NarrativeText.objects.bulk_create(texts, batch_size=1000)
    NarrativeDelegate.objects.bulk_create(delegates, batch_size=1000)
    Notification.objects.bulk_create(notifications, batch_size=1000)
    ctx.log(f"  narrative: {len(texts)} texts, {len(delegates)} delegates")
