"""How much casework a demo unit has in a year, and the texts its records
are written with (demo/casework.py and demo/order_life.py draw from these).

The yearly volumes per unit follow the municipality of the 2018 evaluation
(seed 001): about 57 bolots-support decisions granted, 46 outreach and 8
eviction-prevention orders, 15 eviction notices of which 8 got an order
(6 were the enforcement authority's applications; 3 households evicted),
and at most one decision a year not executed within three months. A
training apartment is always granted together with a bolots-support
decision covering it.
"""

from referrals.models import OrderKind, ReporterType

DEMO_NOTE = "Fiktiva uppgifter (demodata)."

# Per unit and full year.
YEARLY = {
    "bolots_decisions": 57,  # granted; includes those covering training apartments
    "training_decisions": 8,
    "trial_decisions": 2,
    "emergency_decisions": 6,
    "home_support_decisions": 10,
    "housing_first_decisions": 1,
    "rejected_decisions": 5,
    "concern_reports": 50,
    "outreach_orders": 46,  # one per concern report, the rest got none
    "landlord_notices": 7,
    "enforcement_applications": 6,
    "enforcement_eviction_dates": 2,
    "notices_with_order": 8,
    "evicted": 3,
    "single_errands": 12,
}
# Chance per unit and year that one decision is executed more than three
# months after it was made (the evaluation counted 1 in 2016, 0 in 2017).
LATE_DECISION_CHANCE = 0.5
FIRST_VISIT_LATE_SHARE = 0.1
# Notices peak in May–June and around the holidays (DOMAIN.md).
NOTICE_MONTH_WEIGHTS = [7, 6, 7, 8, 12, 12, 7, 6, 8, 8, 8, 11]

LANDLORDS = [
    "Vallentunahem AB", "Fiktiva Bostäder AB", "Kommunfastigheter (SBF)", "Hyresbolaget Påhitt AB",
    "Brf Låtsaslunden", "Privat hyresvärd",
]
REPORTERS = {
    ReporterType.POLICE: ["Polisen, lokalpolisområdet", "Polisen"],
    ReporterType.HEALTHCARE: ["Vårdcentralen", "Psykiatriska mottagningen", "Akutmottagningen"],
    ReporterType.LANDLORD: ["Hyresvärden", "Fastighetsskötaren"],
    ReporterType.RELATIVE: ["Anhörig", "Dotter", "Bror"],
    ReporterType.NEIGHBOUR: ["Granne (anonym)", "Granne"],
    ReporterType.OTHER_AUTHORITY: ["Kriminalvården", "Arbetsförmedlingen", "Försäkringskassan"],
    ReporterType.OTHER: ["Frivilligorganisation", "Kyrkans diakon"],
}
REPORTER_WEIGHTS = [18, 22, 20, 14, 14, 7, 5]
CONCERNS = [
    "Har inte synts till på flera veckor; posten har samlats i brevlådan.",
    "Bor i ett tält i skogen bakom idrottsplatsen sedan några veckor.",
    "Sover i trapphuset och verkar påverkad.",
    "Har slutat hämta ut sina mediciner och verkar förvirrad.",
    "Störningar och bråk i lägenheten nattetid; grannarna är oroliga.",
    "Lägenheten är mycket nedgången och det luktar illa i trapphuset.",
    "Skrivs ut från sjukhuset utan bostad att gå till.",
    "Frigiven från anstalt nästa vecka utan bostad.",
]
DESCRIPTIONS = [
    "Man i 50-årsåldern", "Kvinna i 40-årsåldern", "Ung man, cirka 20 år", "Äldre kvinna", "Man i 30-årsåldern",
]
PLACES = [
    "Tältet bakom idrottsplatsen", "Trappuppgången vid centrum", "Parkbänkarna vid stationen",
    "Husvagnen vid gamla bruket", "Källarförrådet på Björkvägen",
]
CONTACT_NOTES = {
    True: ["Lovade att kontakta hyresvärden.", "Vill ha hjälp med en avbetalningsplan.", "Bokade möte."],
    False: ["Inget svar.", "Ingen öppnade; lämnade lapp.", "Fel nummer."],
}
REPORTS = {
    OrderKind.BOLOTS_SUPPORT: "Insatsen avslutad. Kontinuerliga besök enligt plan; se journal.",
    OrderKind.EVICTION_PREVENTION: "Hembesök gjort med två bolotsar. Kontakt tagen med hyresvärden.",
    OrderKind.OUTREACH: "Uppsök gjort med två bolotsar. Återkoppling till handläggaren.",
    OrderKind.SINGLE_ERRAND: "Ärendet utfört.",
}
CANCEL_REASONS = ["Klienten tackade nej till insatsen.", "Beställningen gjordes av misstag.", "Behovet tillgodoses på annat sätt."]
