"""The shape shared by requests that wait for a second person
(accounts.two_person): both kinds keep the same columns and record a
decision the same way."""

import pytest

from accounts.models import AccessRequest, AccessRequestKind, AccessRequestState
from accounts.two_person import TwoPersonRequest
from referrals.models import TransferRequest

SHARED = {"requested_by", "requested_at", "decided_by", "decided_at", "decision_note"}


def test_access_and_transfer_requests_share_the_two_person_columns():
    for model in (AccessRequest, TransferRequest):
        assert issubclass(model, TwoPersonRequest)
        assert SHARED | {"state"} <= {field.name for field in model._meta.fields}, model


@pytest.mark.django_db
def test_recording_a_decision_saves_state_decider_time_and_a_note_cut_to_its_column(
    manager, system_admin, case_officer, unit
):
    request = AccessRequest.objects.create(
        subject=case_officer, unit=unit, kind=AccessRequestKind.ROLE, value="Chef", requested_by=system_admin
    )

    request.record_decision(AccessRequestState.REJECTED, manager, "x" * 400)

    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decision_note) == (AccessRequestState.REJECTED, manager, "x" * 300)
    assert request.decided_at is not None
