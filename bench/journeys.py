"""The five journeys of issue 12 walked on today's pages, counted the same
way as bench/journeys_before.py counts them on the pages before the issue
(the counting is bench/journey_walk.py's).

    make run   # or: migrate + seed_demo + runserver on a fresh database
    .venv/bin/python bench/journeys.py --base http://127.0.0.1:8000 \
        --checkout . --database-url sqlite:///db.sqlite3

Each run needs freshly seeded demo data (the journeys accept, move and
reassign). Figures of the last run are in docs/performance.md.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from journey_walk import DESKTOP, PHONE, Walk, expect_saved, fictional_personnummer, menu, run  # noqa: E402


def case_officer_new_client(w: Walk, rng):
    """Register a client, grant a training apartment and bolots support,
    send the order to the bolots unit: the package is one form (the
    responsible case officer and the decision maker default to the user)."""
    today = "2026-12-01"
    menu(w, "Klienter")
    w.link("Registrera klient")
    w.fill("Förnamn", "Testa")
    w.fill("Efternamn", "Journeysson")
    w.fill("Personnummer", fictional_personnummer(rng))
    w.fill("Gatuadress", "Provgatan 1")
    w.fill("Postnummer", "186 30")
    w.fill("Ort", "Vallentuna")
    w.button("Spara")
    expect_saved(w)
    w.link("Beslut", within="main")
    w.link("Träningslägenhet med bolotsinsats")
    w.choose_css("select[name=legal_basis]", 1, "Lagrum", index=True)
    w.fill_css("input[name=applied_on]", today, "Ansökt")
    w.tick("input[name=send_order]", "Skicka uppdraget till bolotsenheten")
    w.fill_css("textarea[name=assignment]", "Stöd i boendet, två besök i veckan.", "Uppdraget")
    w.button("Bevilja båda besluten")
    expect_saved(w)


def pilot_takes_new_order(w: Walk, rng):
    """On the phone: Min dag starts with the unit's new orders; accept the
    new one with a colleague and register the first home visit."""
    queue = w.page.locator("main a[href$='#step-accept-heading']").filter(has_text="Bolotsinsats")
    w.click(queue.first, "Acceptera på kortet i Min dag")
    w.choose_css("select[name=accept-active_pilot]", "Bo Lots", "Aktiv bolots")
    w.choose_css("select[name=accept-passive_pilot]", 2, "Passiv bolots", index=True)
    w.button("Acceptera")
    expect_saved(w)
    if w.page.locator("main").get_by_role("button", name="Påbörja").count():
        w.button("Påbörja")
    w.link("Registrera besök")
    w.fill_css("textarea[name=notes]", "Första besöket, gick igenom lägenheten.", "Anteckning")
    w.button("Spara besöket")
    expect_saved(w)


def move_in_and_out(w: Walk, rng):
    """The housing administrator moves the new client (journey 1) into a
    vacant training apartment, then moves the tenant of Lindvägen 28,
    lgh 1009 out, starting from the apartment."""
    menu(w, "Lägenheter")
    w.link("Lediga")
    w.click(w.page.locator("main table a[href^='/lagenheter/']").first, "En ledig lägenhet")
    w.link("Registrera inflyttning")
    w.choose_css("select[name=client]", 1, "Hyresgäst", index=True)
    w.fill_css("input[name=rent_kr]", "5200", "Hyra")
    w.button("Registrera inflyttning")
    expect_saved(w)
    menu(w, "Lägenheter")
    w.link("Lindvägen 28, lgh 1009")
    w.click(w.page.locator("main a[href^='/boende/']").first, "Hyresförhållandet")
    w.choose_css("select[name=move_out-end_reason]", 1, "Orsak", index=True)
    w.button("Registrera utflyttning")
    expect_saved(w)


def case_officer_morning(w: Walk, rng):
    """The morning round from "Att göra": answer the order returned with a
    question, acknowledge the newest signal, look at decisions near the IVO
    deadline."""
    returned = w.page.locator("main h2", has_text="returnerade").locator("xpath=following::a[contains(@href,'/uppdrag/')]")
    w.click(returned.first, "Det returnerade uppdraget")
    w.fill_css("textarea[name=answer-answer]", "Klienten vill ha besök på förmiddagar.", "Svar")
    w.button("Skicka svaret")
    expect_saved(w)
    w.click(w.page.locator("a.navbar-brand"), "Logotypen (Att göra)")
    w.link("Öppna listan : Nya signaler")
    w.button("Kvittera")
    w.click(w.page.locator("a.navbar-brand"), "Logotypen (Att göra)")
    w.link("Öppna listan : Beslut nära IVO-rapportering")


def manager_reassigns(w: Walk, rng):
    """A bolots leaves: their open orders go to two colleagues, half each:
    everything to one by default, then every other order to the second."""
    menu(w, "Omfördelning")
    w.choose_css("select[name=from_user]", 1, "Från", index=True)
    w.button("Visa uppdragen")
    w.fill_css("input[name=reason]", "Slutar vid årsskiftet", "Anledning")
    w.choose_css("select[name=all_to]", 1, "Flytta alla till", index=True)
    orders = w.page.locator("main select[name^=order_]")
    for i in range(0, orders.count(), 2):
        w.fields += 1
        w.steps.append("val: Mottagare för ett uppdrag")
        orders.nth(i).select_option(index=2)
    w.button("Förhandsgranska")
    # A receiver who is already the order's other bolots is refused beside
    # that order: choose someone else there, as a user would.
    for attempt in range(3):
        refused = w.page.locator("main select.is-invalid")
        if not refused.count():
            break
        for i in range(refused.count()):
            w.fields += 1
            w.steps.append("val: Annan mottagare där valet nekades")
            refused.nth(i).select_option(index=3 + attempt)
        w.button("Förhandsgranska")
    expect_saved(w)
    w.button("Bekräfta")
    expect_saved(w)


JOURNEYS = {
    "1 Handläggare: ny klient, paketet och uppdraget": ("handlaggare", DESKTOP, case_officer_new_client),
    "2 Bolots (375 px): nytt uppdrag, acceptera, första besöket": ("bolots", PHONE, pilot_takes_new_order),
    "3 Bostadsadministratör: in- och utflyttning": ("boendeadmin", DESKTOP, move_in_and_out),
    "4 Chef: fördela om en bolots ärenden på två kolleger": ("chef", DESKTOP, manager_reassigns),
    "5 Handläggare: morgonens att göra": ("handlaggare", DESKTOP, case_officer_morning),
}


if __name__ == "__main__":
    run(JOURNEYS)
