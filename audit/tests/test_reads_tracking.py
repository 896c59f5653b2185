"""audit.reads is told which model's reads to log (audit sits below the app
that owns the clients): the registration and what it refuses."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Unit
from audit import reads


def test_referrals_registers_its_client_model_and_the_rows_are_named_after_it():
    from referrals.models import Client

    registration = reads.tracked()

    assert registration.model is Client
    assert registration.object_type == "referrals.client"
    assert registration.fields == ("first_name", "last_name", "personal_number")


def test_registering_the_same_model_again_changes_nothing():
    before = reads.tracked()

    reads.track(before.model, label_fields=before.label_fields, number_field=before.number_field)

    assert reads.tracked() == before


def test_a_second_model_is_refused():
    before = reads.tracked()

    with pytest.raises(ImproperlyConfigured, match="already tracks referrals.client"):
        reads.track(Unit, label_fields=("name",), number_field="municipality")

    assert reads.tracked() == before


def test_without_a_registration_the_recorder_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(reads, "_tracked", None)

    with pytest.raises(ImproperlyConfigured, match=r"audit\.reads\.track"):
        reads.tracked()
