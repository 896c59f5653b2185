"""How the demo's visits go: how often they are cancelled and why, how the
frequency changes after the first months, what the checklists answer
(demo/visits.py draws from these), and the column order of the rows it
writes.

The shares are cumulative tables read with `pick`.
"""

from datetime import timedelta
from random import Random
from typing import Any

from bolots.models import CancelReason, ChecklistAnswer, VisitInterval, VisitKind, VisitOutcome

# Share of planned visits that are cancelled (any outcome but done); young
# adults cancel more (seed 003).
CANCELLED_SHARE = 0.16
CANCELLED_SHARE_YOUNG = 0.30
# How a cancellation happened: cumulative shares.
CANCEL_OUTCOMES = (
    (0.47, VisitOutcome.CANCELLED_BY_CLIENT),
    (0.72, VisitOutcome.NO_SHOW),
    (0.80, VisitOutcome.CANCELLED_BY_STAFF),
    (1.00, VisitOutcome.NOBODY_HOME),
)
# The client's reasons, cumulative: feeling unwell first (seed 003); young
# adults more often give work or studies and "did not want to".
CLIENT_REASONS = (
    (0.36, CancelReason.FEELING_UNWELL),
    (0.56, CancelReason.PHYSICAL_ILLNESS),
    (0.66, CancelReason.WORK_OR_STUDIES),
    (0.81, CancelReason.FORGOT),
    (0.92, CancelReason.DID_NOT_WANT),
    (1.00, CancelReason.OTHER),
)
CLIENT_REASONS_YOUNG = (
    (0.33, CancelReason.FEELING_UNWELL),
    (0.43, CancelReason.PHYSICAL_ILLNESS),
    (0.61, CancelReason.WORK_OR_STUDIES),
    (0.77, CancelReason.FORGOT),
    (0.93, CancelReason.DID_NOT_WANT),
    (1.00, CancelReason.OTHER),
)
# A no-show sometimes explains afterwards.
NO_SHOW_REASON_SHARE = 0.5
NO_SHOW_REASONS = (
    (0.45, CancelReason.FORGOT),
    (0.80, CancelReason.FEELING_UNWELL),
    (1.00, CancelReason.DID_NOT_WANT),
)
CLIENT_OTHER_TEXTS = ("Besök hos släkting.", "Tandläkartid samma tid.", "Ville flytta besöket till nästa vecka.")
STAFF_OTHER_TEXTS = ("Bolotsen sjuk.", "Akut ärende i ett annat uppdrag.", "Personalbrist på enheten.")
# A cancelled visit is booked again within a few days this often.
REBOOKED_SHARE = 0.5
# After the first three months: weekly (no change), every other week or monthly.
LATER_INTERVALS = ((0.35, None), (0.65, VisitInterval.EVERY_OTHER_WEEK), (1.00, VisitInterval.MONTHLY))
FREQUENCY_REASONS = {
    VisitInterval.EVERY_OTHER_WEEK: "Boendet fungerar; besök varannan vecka enligt överenskommelse.",
    VisitInterval.MONTHLY: "Allt fungerar väl; månatliga besök enligt överenskommelse med klienten.",
}
# A second bolots joins an ordinary visit this often.
SECOND_PILOT_SHARE = 0.2
ESCORT_SHARE = 0.05
OUTREACH_REACHED = 0.65
DONE_NOTES = (
    "Samtal om veckans planering.", "Gick igenom posten tillsammans.", "Pratade om bostadssökandet.",
    "Klienten mår bättre; sover bättre.", "Handlade tillsammans.", "Hjälp att boka tid på vårdcentralen.",
)
NOBODY_HOME_NOTE = "Ingen öppnade; lapp lämnad."
# Checklist answers, cumulative (yes, no, not applicable).
RENT = ((0.93, ChecklistAnswer.YES), (0.965, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
INSURANCE = ((0.88, ChecklistAnswer.YES), (0.94, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
SEARCH = ((0.75, ChecklistAnswer.YES), (0.85, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
TREATMENT = ((0.55, ChecklistAnswer.YES), (0.63, ChecklistAnswer.NO), (1.0, ChecklistAnswer.NOT_APPLICABLE))
RENT_NO_COMMENTS = ("Kunde inte visa kvitto; säger att hyran är betald.", "Hyran för denna månad är inte betald.",
                    "Väntar på utbetalning; hyran sen.")
OTHER_NO_COMMENTS = ("Ska ordnas till nästa besök.", "Behöver hjälp; bokar tid.")
# Signals older than this have been acknowledged by the case officer.
SIGNAL_OPEN_DAYS = 10

VISIT_FIELDS = (
    "id", "order_id", "client_id", "client_age", "visited_at", "kind", "outcome", "cancel_reason",
    "cancel_reason_text", "active_pilot_id", "passive_pilot_id", "notes", "logged_by_id", "created_at",
)
CHECKLIST_FIELDS = (
    "visit_id", "rent_paid", "rent_comment", "insurance_valid", "insurance_comment", "housing_search_active",
    "housing_search_comment", "treatment_followed", "treatment_comment", "new_complaint", "complaint_description",
    "notes",
)
SIGNAL_FIELDS = (
    "kind", "client_id", "visit_id", "recipient_id", "text", "created_at", "acknowledged_at", "acknowledged_by_id",
)
FREQUENCY_FIELDS = ("order_id", "changed_on", "interval", "reason", "changed_by_id", "created_at")

DONE = VisitOutcome.DONE
QUARTERLY = VisitKind.QUARTERLY_FOLLOW_UP
LOGGED_AFTER = tuple(timedelta(minutes=minutes) for minutes in range(60, 240, 15))


def pick(rng: Random, table: tuple[tuple[float, Any], ...]) -> Any:
    """The value whose cumulative share first exceeds a random draw."""
    roll = rng.random()
    for share, value in table:
        if roll < share:
            return value
    return table[-1][1]
