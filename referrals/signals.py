"""The referrals app's own Django signals: hooks for higher apps, which
referrals cannot import (docs/architecture.md, the layers).

`housing_first_decided(ctx, decision, candidate, place, places, steered_on)`
is sent by services.housing_first.make_decision inside its transaction,
after the granted Housing First decision is recorded: `candidate` is the
HousingFirstCandidate it came from, `place` its place in the steering
group's priority order in force (1 is first; None if the candidate has
none), `places` the number of places in that order and `steered_on` its
date. The tenancies app carries the order and the candidate's needs over
to the waiting list (tenancies.housing_first), so the decision does not
wait as "normal" with no needs. A receiver that raises makes the decision
fail as a whole."""

from django.dispatch import Signal

housing_first_decided = Signal()
