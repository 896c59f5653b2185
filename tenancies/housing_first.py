"""A Housing First decision enters the waiting list with what the steering
group and the working group decided (docs/housing-chain.md, "Housing
First"): the receiver of referrals.signals.housing_first_decided, sent by
referrals.services.housing_first.make_decision inside its transaction.

- The priority in force: the steering group prioritised the person, so the
  decision waits as "high" (WaitingPriority.Level.HIGH), not as a normal
  one; the reason says where it came from (the steering group's decision,
  its date and the place in its order), and the waiting list and the
  matching show it. The waiting list has three levels, not places: among
  Housing First decisions of the same level the oldest decision leads, and
  the case officer makes the decisions in the steering group's order. A
  case officer may set another priority later; this one stays its history.
- The needs: the candidate's needs and the case officer's assessment go to
  the decision's HousingNeeds as "other needs" (free text: the candidacy
  records no rooms, floor or area; the case officer adds those on the
  waiting list).

Both go through the waiting list's services (services.waiting), so they are
logged and kept in the history like a case officer's own."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import WaitingPriority
from .services import waiting


def needs_text(candidate) -> str:
    parts = [_("From the Housing First candidacy (%(situation)s).") % {"situation": candidate.get_situation_display()},
             _("Needs: %(needs)s") % {"needs": candidate.needs.strip()}]
    if candidate.assessment.strip():
        parts.append(_("The case officer's assessment: %(text)s") % {"text": candidate.assessment.strip()})
    return "\n".join(parts)


def carry_over(sender, *, ctx, decision, candidate, place, places, steered_on, **kwargs) -> None:
    """Write the steering group's priority and the candidate's needs on the
    new Housing First `decision`."""
    if place is not None:
        waiting.set_priority(
            ctx, decision, WaitingPriority.Level.HIGH,
            _("Housing First: place %(place)s of %(places)s in the steering group's priority order of %(date)s.")
            % {"place": place, "places": places, "date": f"{steered_on:%Y-%m-%d}"},
        )
    waiting.set_needs(ctx, decision, {"notes": needs_text(candidate)}, 0)
