"""The five journeys as the pages were before issue 12 (commit b2fa36d),
kept so the "before" figures in docs/performance.md can be measured again
the same way as bench/journeys.py measures the pages of today:

    git worktree add /tmp/before b2fa36d
    cd /tmp/before && make .venv/.dev && DATABASE_URL=sqlite:////tmp/before.sqlite3 DEBUG=1 \
        .venv/bin/python manage.py migrate && ... seed_demo && ... runserver 127.0.0.1:8101
    .venv/bin/python bench/journeys_before.py --base http://127.0.0.1:8101 \
        --checkout /tmp/before --database-url sqlite:////tmp/before.sqlite3

Each run needs freshly seeded demo data (the journeys accept, move and
reassign).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from journey_walk import DESKTOP, PHONE, Walk, expect_saved, fictional_personnummer, menu, run  # noqa: E402


def case_officer_new_client(w: Walk, rng):
    """Register a client, grant a training apartment and bolots support,
    send the order to the bolots unit."""
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
    if w.page.locator(".invalid-feedback, .errorlist").count():
        # The responsible case officer had no default: the save is refused first.
        w.choose("Ansvarig handläggare", "Hanna Handläggare")
        w.button("Spara")
        expect_saved(w)
    w.link("Beslut", within="main")
    w.link("Registrera beslut")
    w.choose("Insats", "Träningslägenhet")
    w.choose("Utfall", "Beviljat")
    w.choose_css("select[name=legal_basis]", 1, "Lagrum", index=True)
    w.choose("Beslutsfattare", "Hanna Handläggare")
    w.fill_css("input[name=applied_on]", today, "Ansökt")
    w.fill_css("input[name=decided_on]", today, "Beslutat")
    w.fill_css("input[name=valid_from]", today, "Gäller från")
    w.button("Spara")
    # Refused: the package (training apartment + bolots support) is offered
    # only now, as a box to tick.
    w.tick("input[name=with_bolots_support]", "Registrera även bolotsinsats")
    w.button("Spara")
    expect_saved(w)
    w.link("Uppdrag", within="main")
    w.link("Nytt uppdrag")
    w.choose("Typ", "Bolotsinsats")
    w.choose_css("select[name=decision]", 1, "Beslut", index=True)
    w.fill_css("textarea[name=assignment]", "Stöd i boendet, två besök i veckan.", "Uppdraget")
    w.button("Skicka uppdraget")


def pilot_takes_new_order(w: Walk, rng):
    """On the phone: find the newest order in the unit's queue, accept it
    with a colleague, and register the first home visit."""
    menu(w, "Uppdrag")
    queue = w.page.locator("main h2", has_text="Att ta emot").locator("xpath=following::a[contains(@href,'/uppdrag/')]")
    w.click(queue.filter(has_text="Bolotsinsats").first, "Det nya bolotsuppdraget")
    w.choose_css("select[name=accept-active_pilot]", "Bo Lots", "Aktiv bolots")
    w.choose_css("select[name=accept-passive_pilot]", 2, "Passiv bolots", index=True)
    w.button("Acceptera")
    w.button("Påbörja")
    order_path = w.page.url.split("127.0.0.1")[-1].split(":8101")[-1]
    order_id = order_path.strip("/").split("/")[-1]
    # The order page has no way to register a visit: back to Min dag.
    w.click(w.page.locator("a.navbar-brand"), "Logotypen (startsidan är Min dag)")
    w.click(w.page.locator(f"main a[href='/uppdrag/{order_id}/besok/nytt/']"), "Registrera besök på kortet")
    w.fill_css("textarea[name=notes]", "Första besöket, gick igenom lägenheten.", "Anteckning")
    w.button("Spara besöket")
    if w.page.locator(".invalid-feedback").count():
        raise SystemExit("visit refused: " + w.page.locator(".invalid-feedback").first.inner_text())


def move_in_and_out(w: Walk, rng):
    """Move the new client (journey 1) into a vacant training apartment;
    then, starting from the apartment Lindvägen 28, lgh 1009, move its
    tenant out. Before issue 12 the housing administrator could do
    neither: the case officer did it."""
    menu(w, "Klienter")
    w.fill_css("main input[name=q]", "Journeysson", "Sök klient")
    w.button("Sök")
    w.link("Journeysson")
    w.link("Boende", within="main")
    w.link("Registrera inflyttning")
    w.choose_css("select[name=apartment]", 1, "Lägenhet", index=True)
    w.choose_css("select[name=decision]", 1, "Beslut", index=True)
    w.fill_css("input[name=rent_kr]", "5200", "Hyra")
    w.button("Registrera inflyttning")
    expect_saved(w)
    # Move-out, from the apartment.
    menu(w, "Lägenheter")
    w.link("Lindvägen 28, lgh 1009")
    # The tenant is not a link here: find the person among the clients.
    menu(w, "Klienter")
    w.fill_css("main input[name=q]", "Mikael Lindström", "Sök klient")
    w.button("Sök")
    w.link("Mikael Lindström")
    w.link("Boende", within="main")
    w.link("Öppna hyresförhållandet")
    w.choose_css("select[name=move_out-end_reason]", 1, "Orsak", index=True)
    w.button("Registrera utflyttning")


def case_officer_morning(w: Walk, rng):
    """The morning round: answer the order returned with a question,
    acknowledge the newest signal, look at decisions near the IVO
    deadline."""
    menu(w, "Uppdrag")
    w.choose_css("main select[name=status]", "Returnerat med fråga", "Status")
    w.button("Filtrera")
    w.click(w.page.locator("main a[href^='/uppdrag/'][href$='/']").filter(has_text="#"), "Det returnerade uppdraget")
    w.fill_css("textarea[name=answer-answer]", "Klienten vill ha besök på förmiddagar.", "Svar")
    w.button("Skicka svaret")
    expect_saved(w)
    menu(w, "Signaler")
    w.button("Kvittera")
    menu(w, "Ej verkställda beslut")


def manager_reassigns(w: Walk, rng):
    """A bolots leaves: their open orders go to two colleagues, half each.
    Before issue 12 the page moved a whole caseload to one person and left
    orders that were not yet accepted behind: the split was not possible,
    so the figures are those of moving everything to one person."""
    menu(w, "Omfördelning")
    w.tick("input[name=scope][value=pilot]", "Bolotsar")
    w.choose_css("select[name=from_user]", 1, "Från", index=True)
    w.choose_css("select[name=to_user]", 2, "Till", index=True)
    w.fill_css("input[name=reason]", "Slutar vid årsskiftet", "Anledning")
    w.button("Visa vad som flyttas")
    w.button("Bekräfta")
    expect_saved(w)


JOURNEYS = {
    "1 Handläggare: ny klient, paketet och uppdraget": ("handlaggare", DESKTOP, case_officer_new_client),
    "2 Bolots (375 px): nytt uppdrag, acceptera, första besöket": ("bolots", PHONE, pilot_takes_new_order),
    "3 Bostadsadministratör: in- och utflyttning": ("handlaggare", DESKTOP, move_in_and_out),
    "4 Chef: fördela om en bolots ärenden på två kolleger": ("chef", DESKTOP, manager_reassigns),
    "5 Handläggare: morgonens att göra": ("handlaggare", DESKTOP, case_officer_morning),
}


if __name__ == "__main__":
    run(JOURNEYS)
