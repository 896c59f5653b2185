"""How the demo's housing looks: apartments per unit, how long stays last
and why they end, and the texts of complaints (demo/housing.py draws from
these)."""

from tenancies.models import ApartmentKind, ComplaintKind, EndReason

DEMO_NOTE = "Fiktiv lägenhet (demodata)."

# Apartments per unit and kind. The training apartments roughly match the
# casework's eight training decisions a year staying 1–3 years; when none is
# free on a move-in day the unit rents one more (as units do).
APARTMENTS_BY_SCALE = {
    "small": {ApartmentKind.TRAINING: 16, ApartmentKind.TRIAL: 3, ApartmentKind.EMERGENCY: 4,
              ApartmentKind.HOUSING_FIRST: 2},
    "municipality": {ApartmentKind.TRAINING: 20, ApartmentKind.TRIAL: 4, ApartmentKind.EMERGENCY: 6,
                     ApartmentKind.HOUSING_FIRST: 3},
    # 290 units × 100 = 29 000 apartments, the design's national scale.
    "national": {ApartmentKind.TRAINING: 72, ApartmentKind.TRIAL: 8, ApartmentKind.EMERGENCY: 12,
                 ApartmentKind.HOUSING_FIRST: 8},
}
# How far back an apartment's history goes. The national scale (29 000
# apartments) is for load and KPI benchmarks, which look at this year and the
# last: three years at most keeps seed_demo fast (ten would add about 25 s
# of inserts on PostgreSQL, measured).
HISTORY_YEARS = (1, 10)
HISTORY_YEARS_BY_SCALE_HOUSING = {"national": (1, 3)}
PREFIX = {ApartmentKind.TRAINING: "TR", ApartmentKind.TRIAL: "FL", ApartmentKind.EMERGENCY: "JL",
          ApartmentKind.HOUSING_FIRST: "BF"}
DECISION_KIND = {kind.decision_kind: kind for kind in ApartmentKind}
AREAS = ["Centrum", "Norr", "Söder", "Öster", "Väster", "Bruksområdet", "Stationsområdet"]
TENANT_OWNER_LANDLORDS = ["Brf Låtsaslunden", "Brf Påhittet", "Brf Exemplet", "Brf Fiktiva huset"]
KEY_PLACES = ["Nyckelskåpet på boendeenheten", "Nyckelskåpet hos fastighetsskötaren"]

# End reasons per kind of apartment, in proportions like the evaluations':
# most move on to own housing, within the programme or to another
# placement; a few take over the first-hand contract after about three
# years; some terminations and evictions; deaths are rare.
REASONS = {
    ApartmentKind.TRAINING: {
        EndReason.OWN_HOUSING: 34, EndReason.MOVED_WITHIN_PROGRAMME: 12, EndReason.OTHER_PLACEMENT: 12,
        EndReason.FIRST_HAND_TAKEOVER: 9, EndReason.TERMINATED_ARREARS: 7, EndReason.TERMINATED_DISTURBANCE: 5,
        EndReason.EVICTED: 4, EndReason.DIED: 2, EndReason.MOVED_AWAY_UNKNOWN: 5,
    },
    ApartmentKind.TRIAL: {
        EndReason.OWN_HOUSING: 25, EndReason.MOVED_WITHIN_PROGRAMME: 8, EndReason.OTHER_PLACEMENT: 20,
        EndReason.TERMINATED_ARREARS: 10, EndReason.TERMINATED_DISTURBANCE: 10, EndReason.EVICTED: 5,
        EndReason.DIED: 2, EndReason.MOVED_AWAY_UNKNOWN: 10,
    },
    ApartmentKind.EMERGENCY: {
        EndReason.OWN_HOUSING: 30, EndReason.OTHER_PLACEMENT: 40, EndReason.TERMINATED_DISTURBANCE: 5,
        EndReason.EVICTED: 3, EndReason.DIED: 1, EndReason.MOVED_AWAY_UNKNOWN: 12,
    },
    ApartmentKind.HOUSING_FIRST: {
        EndReason.OWN_HOUSING: 15, EndReason.FIRST_HAND_TAKEOVER: 15, EndReason.MOVED_WITHIN_PROGRAMME: 5,
        EndReason.OTHER_PLACEMENT: 20, EndReason.TERMINATED_ARREARS: 10, EndReason.TERMINATED_DISTURBANCE: 8,
        EndReason.EVICTED: 7, EndReason.DIED: 5, EndReason.MOVED_AWAY_UNKNOWN: 15,
    },
}
# Days a stay lasts, by kind (a training stay is meant to last 1–3 years).
STAY_DAYS = {
    ApartmentKind.TRAINING: (240, 3 * 365 + 120),
    ApartmentKind.TRIAL: (150, 2 * 365),
    ApartmentKind.EMERGENCY: (10, 150),
    ApartmentKind.HOUSING_FIRST: (365, 6 * 365),
}
TAKEOVER_DAYS = (3 * 365, 3 * 365 + 200)
TERMINATED = (EndReason.TERMINATED_ARREARS, EndReason.TERMINATED_DISTURBANCE, EndReason.EVICTED)

COMPLAINTS = {
    ComplaintKind.DISTURBANCE: [
        "Hög musik och spring i trapphuset nattetid.", "Bråk i lägenheten; grannarna ringde fastighetsjouren.",
        "Besökare som röker i trapphuset.", "Hunden skäller långa stunder när hyresgästen är borta.",
    ],
    ComplaintKind.DAMAGE: [
        "Vattenskada under diskbänken.", "Trasig ytterdörr efter inbrytning.", "Brännmärken på köksbänken.",
        "Hål i väggen i hallen.", "Trasigt fönster i sovrummet.",
    ],
    ComplaintKind.OTHER: [
        "Sopor ställda i trapphuset.", "Cykel förvarad i trapphuset trots påminnelse.",
        "Otillåten andrahandsuthyrning misstänks.",
    ],
}
ACTIONS = [
    "Samtal med hyresgästen tillsammans med bolotsen.", "Skriftlig tillsägelse skickad.",
    "Fastighetsskötaren har åtgärdat skadan; kostnaden debiteras hyresgästen.",
    "Uppföljning vid nästa hembesök.", "",
]
MOVE_OUT_DAMAGE = "Skador upptäckta vid utflyttningsbesiktningen."
