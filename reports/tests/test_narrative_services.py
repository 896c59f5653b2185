"""The evaluation's own words: who writes, the states, the optimistic lock
and the history, delegation (reports.services.narrative)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.models import AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from core.personnummer import make_number
from referrals.tests.factories import ClientFactory
from reports.models import NarrativeDelegate, NarrativeSection, NarrativeState, NarrativeText
from reports.services import narrative as services

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]
YEAR = 2025
BG = NarrativeSection.BACKGROUND


def unsaved(unit, section=BG):
    return NarrativeText(unit=unit, year=YEAR, section=section)


def test_texts_for_gives_five_sections_in_report_order_and_writes_nothing(unit, manager):
    NarrativeText.objects.create(unit=unit, year=YEAR, section=NarrativeSection.PROPOSALS, text="Förslag",
                                 updated_by=manager)
    texts = services.texts_for(unit, YEAR)
    assert [text.section for text in texts] == [
        "background", "ordering_views", "providing_views", "improvements", "proposals"]
    assert [text.pk is not None for text in texts] == [False, False, False, False, True]
    assert NarrativeText.objects.count() == 1


def test_first_save_creates_the_row_and_keeps_history(ctx, unit, manager):
    text = services.save_text(ctx, unsaved(unit), "Året började.\r\n\r\nSedan hände mer.", "draft", 1)
    assert (text.text, text.state, text.version, text.updated_by) == (
        "Året började.\n\nSedan hände mer.", "draft", 2, manager)
    changes = FieldChange.objects.filter(object_type="reports.narrativetext", object_id=str(text.pk))
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [("text", "", "Året började.\n\nSedan hände mer.")]
    assert AccessLogEntry.objects.filter(object_type="reports.narrativetext", note__startswith="narrative ").exists()

    text = services.save_text(ctx, text, "Året började lugnt.", "final", 2)
    assert text.version == 3
    assert FieldChange.objects.filter(object_id=str(text.pk), object_type="reports.narrativetext").count() == 3


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(ctx, unit):
    text = services.save_text(ctx, unsaved(unit), "Första", "draft", 1)
    services.save_text(ctx, text, "Andra", "draft", 2)
    with pytest.raises(ConcurrentEditError):
        services.save_text(ctx, text, "Tredje", "draft", 2)
    assert NarrativeText.objects.get().text == "Andra"
    # Two people opening an unwritten section: the second first save is a conflict.
    with pytest.raises(ConcurrentEditError):
        services.save_text(ctx, unsaved(unit), "Också första", "draft", 1)


def test_final_needs_a_text_without_personal_data(ctx, unit):
    ClientFactory(unit=unit, first_name="Greta", last_name="Holm")
    with pytest.raises(services.NarrativeError) as refused:
        services.save_text(ctx, unsaved(unit), "  ", "final", 1)
    assert refused.value.field == "text"
    with pytest.raises(services.NarrativeError, match="Stycke 1 innehåller namnet"):
        services.save_text(ctx, unsaved(unit), "Greta Holm flyttade.", "final", 1)
    number = make_number(date(1985, 3, 4), 512)
    with pytest.raises(services.NarrativeError, match="personnummer"):
        services.save_text(ctx, unsaved(unit), f"Text\n\nNummer {number}.", "final", 1)
    assert not NarrativeText.objects.exists()
    # A draft may hold it for now (it is not printed); the page warns.
    services.save_text(ctx, unsaved(unit), "Greta Holm flyttade.", "draft", 1)


def test_only_a_manager_changes_or_reopens_a_final_text(ctx, unit, manager, case_officer):
    text = services.save_text(ctx, unsaved(unit), "Slutlig text.", "final", 1)
    services.delegate(ctx, unit, YEAR, case_officer)
    with pytest.raises(services.NarrativeError, match="Bara en chef"):
        services.save_text(ctx(case_officer), text, "Ändrad.", "draft", text.version)
    with pytest.raises(services.NarrativeError):
        services.save_text(ctx(case_officer), text, "Ändrad.", "final", text.version)
    reopened = services.save_text(ctx, text, "Slutlig text.", "draft", text.version)
    assert reopened.state == NarrativeState.DRAFT
    # Once a draft, the delegate writes again.
    services.save_text(ctx(case_officer), reopened, "Delegatens text.", "final", reopened.version)


def test_may_write_managers_and_active_delegates_of_the_year_only(ctx, unit, other_unit, manager, case_officer,
                                                                   pilot):
    other_manager = UserFactory(unit=other_unit, roles=[Role.MANAGER])
    assert services.may_write(manager, unit, YEAR)
    assert not services.may_write(other_manager, unit, YEAR)
    assert not services.may_write(case_officer, unit, YEAR)
    delegation = services.delegate(ctx, unit, YEAR, case_officer)
    assert services.may_write(case_officer, unit, YEAR)
    assert not services.may_write(case_officer, unit, YEAR - 1)
    with pytest.raises(services.NarrativeError):
        services.save_text(ctx(pilot), unsaved(unit), "Text", "draft", 1)
    services.revoke(ctx, delegation)
    assert not services.may_write(case_officer, unit, YEAR)
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert FieldChange.objects.filter(object_type="reports.narrativedelegate", field="revoked_at").exists()


def test_delegation_rules(ctx, unit, other_unit, manager, case_officer, pilot):
    with pytest.raises(services.NarrativeError, match="dig själv"):
        services.delegate(ctx, unit, YEAR, manager)
    with pytest.raises(services.NarrativeError, match="aktiv användare"):
        services.delegate(ctx, unit, YEAR, UserFactory(unit=other_unit, roles=[Role.CASE_OFFICER]))
    with pytest.raises(services.NarrativeError, match="som chef"):
        services.delegate(ctx, unit, YEAR, UserFactory(unit=unit, roles=[Role.MANAGER]))
    services.delegate(ctx, unit, YEAR, case_officer)
    with pytest.raises(services.NarrativeError, match="redan"):
        services.delegate(ctx, unit, YEAR, case_officer)
    # A delegate cannot delegate further.
    with pytest.raises(services.NarrativeError, match="Bara en chef"):
        services.delegate(ctx(case_officer), unit, YEAR, pilot)
    # The delegate is told, with a link to the year's texts and no person named.
    notification = Notification.objects.get(user=case_officer)
    assert notification.url == f"/rapporter/utvardering/{YEAR}/texter/" or notification.url.endswith(
        f"/utvardering/{YEAR}/texter/")
    assert "2025" in notification.text
    candidates = list(services.delegate_candidates(unit, YEAR, manager))
    assert pilot in candidates and case_officer not in candidates and manager not in candidates


def test_nobody_delegates_to_themselves_in_the_database_either(unit, manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        NarrativeDelegate.objects.create(unit=unit, year=YEAR, user=manager, granted_by=manager)


def test_pdf_texts_final_only_in_seed_structure(ctx, unit):
    for section, state in ((BG, "final"), (NarrativeSection.ORDERING_VIEWS, "draft"),
                           (NarrativeSection.PROVIDING_VIEWS, "final"), (NarrativeSection.PROPOSALS, "final")):
        services.save_text(ctx, unsaved(unit, section), f"{section} ett.\n\n{section} två.", state, 1)
    texts = services.pdf_texts(YEAR, unit)
    assert texts["background"] == ["background ett.", "background två."]
    # The ordering side's views are a draft: not printed (its chapter, 4,
    # says no text is final); the providing side's are (chapter 5).
    assert texts["ordering_views"] == {"anchor": "ordering-views", "title": "Synpunkter från myndighet",
                                       "paragraphs": []}
    assert texts["providing_views"]["paragraphs"] == ["providing_views ett.", "providing_views två."]
    assert texts["improvements"]["paragraphs"] == []
    assert texts["proposals"]["paragraphs"] == ["proposals ett.", "proposals två."]
    assert not texts["national"]
    assert services.draft_titles(unit, YEAR) == ["Synpunkter från myndighet"]
    national = services.pdf_texts(YEAR, None)
    assert national["national"] and national["background"] == [] and national["proposals"]["paragraphs"] == []
