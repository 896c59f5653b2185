"""The evaluation's own words (docs/housing-chain.md "The evaluation's own
words"): the five narrative sections of the yearly evaluation (seed 001:
"Bakgrund", "Synpunkter från myndighet", "Synpunkter från utförare",
"Förbättringsområden", "Förslag till beslut"), written per unit and year.

Who writes: the unit's managers (permission reports.write_narrative, by
role) and the users a manager delegates a year to (an active
NarrativeDelegate row). A delegate cannot delegate further (delegating
needs the manager's permissions), nobody delegates to themselves (also a
check constraint), and a delegation ends when it is revoked or the
delegate moves to another unit.

States: a text is a draft until it is marked final. A final text is
changed, or reopened to draft, only by a manager: the delegate's work ends
when a manager has accepted it. Marking a text final needs a text and is
refused while the personal-data check (reports.narrative_check) finds
anything in it. Only final texts go into the PDF; the PDF is refused while
a final text has personal data in it (check_personal_data, called by
reports.services.runs and reports.tasks).

Rows are made lazily: texts_for() returns unsaved defaults for the
sections nobody has written yet (a page view writes nothing), and the first
save creates the row and saves through audit.tracked.save_tracked with the
optimistic lock, so the first text is in the change history like every
later one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.notifications import notify
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked, write_fields
from core.rules import RuleError

from .. import narrative_check
from ..models import NarrativeDelegate, NarrativeSection, NarrativeState, NarrativeText

if TYPE_CHECKING:
    from accounts.models import Unit, User
    from audit.context import AuditContext

WRITE_PERM = "reports.write_narrative"
DELEGATE_PERM = "reports.add_narrativedelegate"
TRACKED_FIELDS = ("text", "state")
FIRST_YEAR = 2000
MAX_LENGTH = 20_000

# The seed's headings, in the order of the report (seed 001: 1, 4, 5, 7.1, 9).
SECTIONS = tuple(NarrativeSection)
TITLES = {
    NarrativeSection.BACKGROUND: pgettext_lazy("evaluation", "Background"),
    NarrativeSection.ORDERING_VIEWS: pgettext_lazy("evaluation", "Views of the ordering side"),
    NarrativeSection.PROVIDING_VIEWS: pgettext_lazy("evaluation", "Views of the providing side"),
    NarrativeSection.IMPROVEMENTS: pgettext_lazy("evaluation", "Areas of improvement"),
    NarrativeSection.PROPOSALS: pgettext_lazy("evaluation", "Proposed decisions"),
}
GUIDES = {
    NarrativeSection.BACKGROUND: pgettext_lazy(
        "evaluation", "Why the operation exists and what happened during the year: the starting point, changes in "
        "staff, premises, financing or working methods."),
    NarrativeSection.ORDERING_VIEWS: pgettext_lazy(
        "evaluation", "How the case officers (the ordering side) see the operation: what works, what they miss."),
    NarrativeSection.PROVIDING_VIEWS: pgettext_lazy(
        "evaluation", "How the bolotsar and their managers (the providing side) see the year: the clients' "
        "response, cooperation with the authority and the landlords, difficulties."),
    NarrativeSection.IMPROVEMENTS: pgettext_lazy(
        "evaluation", "What should be done better, after the figures and views above."),
    NarrativeSection.PROPOSALS: pgettext_lazy(
        "evaluation", "What the social welfare board is asked to decide."),
}
STATE_LABELS = {
    NarrativeState.DRAFT: pgettext_lazy("evaluation text", "Draft"),
    NarrativeState.FINAL: pgettext_lazy("evaluation text", "Final"),
}


class NarrativeError(RuleError):
    """A refused write; the message is for the user, beside `field`."""


def section_by_slug(slug: str) -> NarrativeSection | None:
    """The section of a URL's slug ("ordering-views"), or None."""
    value = slug.replace("-", "_")
    return NarrativeSection(value) if value in NarrativeSection.values else None


def slug_of(section: str) -> str:
    return section.replace("_", "-")


def title_of(section: str) -> str:
    return str(TITLES[NarrativeSection(section)])


# --- Who may write ------------------------------------------------------


def is_manager(user: User, unit: Unit) -> bool:
    """A manager of `unit` (by role): writes, reopens final texts, delegates."""
    return bool(user.is_active and user.unit_id == unit.pk and user.has_perm(WRITE_PERM))


def active_delegation(user: User, unit: Unit, year: int) -> NarrativeDelegate | None:
    if not user.is_active or user.unit_id != unit.pk:
        return None
    return NarrativeDelegate.objects.filter(unit=unit, year=year, user=user, revoked_at__isnull=True).first()


def may_write(user: User, unit: Unit, year: int) -> bool:
    return is_manager(user, unit) or active_delegation(user, unit, year) is not None


def unit_for(user: User, year: int) -> Unit | None:
    """The unit whose texts of `year` the user writes: their own, as a
    manager or as a delegate of the year; None otherwise."""
    unit = user.unit
    if unit is None or not user.is_authenticated:
        return None
    return unit if may_write(user, unit, year) else None


# --- The texts ------------------------------------------------------------


def texts_for(unit: Unit, year: int) -> list[NarrativeText]:
    """The five texts in the report's order: the saved ones, and unsaved
    drafts for the sections nobody has written (nothing is written here)."""
    saved = {
        text.section: text
        for text in NarrativeText.objects.filter(unit=unit, year=year).select_related("updated_by")
    }
    return [saved.get(section) or NarrativeText(unit=unit, year=year, section=section) for section in SECTIONS]


def text_for(unit: Unit, year: int, section: str) -> NarrativeText:
    return (
        NarrativeText.objects.filter(unit=unit, year=year, section=section).select_related("updated_by").first()
        or NarrativeText(unit=unit, year=year, section=section)
    )


def final_texts(unit: Unit, year: int) -> dict[str, str]:
    """{section: text} of the final, non-empty texts: what the PDF prints."""
    return dict(
        NarrativeText.objects.filter(unit=unit, year=year, state=NarrativeState.FINAL)
        .exclude(text="").values_list("section", "text")
    )


def check_personal_data(
    unit: Unit, texts: Mapping[str, str] | Iterable[NarrativeText], index: narrative_check.NameIndex | None = None,
) -> list[tuple[str, str]]:
    """(section, Swedish message) for every paragraph of `texts` that looks
    like it holds a personal identity number or a client's name. `texts`:
    {section: text} or NarrativeText records. The messages name the
    paragraph and the kind, never what was found."""
    if not isinstance(texts, Mapping):
        texts = {text.section: text.text for text in texts}
    texts = {section: text for section, text in texts.items() if text}
    if not texts:
        return []
    if index is None:
        index = narrative_check.name_index(unit)
    return [
        (finding.section, narrative_check.message(finding))
        for finding in narrative_check.find_personal_data(texts, index)
    ]


def refusal_message(findings: list[tuple[str, str]]) -> str:
    """The PDF's refusal, naming each section once with what was found."""
    by_section: dict[str, list[str]] = {}
    for section, text in findings:
        by_section.setdefault(section, []).append(text)
    parts = [f"{title_of(section)}: {' '.join(texts)}" for section, texts in by_section.items()]
    return _(
        "The evaluation is a public document and is not made while a final text has personal data in it. "
        "%(findings)s Remove it from the text and request the evaluation again."
    ) % {"findings": " ".join(parts)}


def _check_save(ctx: AuditContext, stored: NarrativeText, new_text: str, state: str) -> None:
    user, unit = ctx.user, stored.unit
    manager = is_manager(user, unit)
    if not manager and active_delegation(user, unit, stored.year) is None:
        raise NarrativeError(_("You may not write the evaluation's texts for %(year)s.") % {"year": stored.year})
    if stored.state == NarrativeState.FINAL and not manager:
        raise NarrativeError(_("The text is final. Only a manager can change it or reopen it as a draft."),
                             field="state")
    if state == NarrativeState.FINAL:
        if not new_text.strip():
            raise NarrativeError(_("Write the text before you mark it final."), field="text")
        findings = check_personal_data(unit, {stored.section: new_text})
        if findings:
            raise NarrativeError(
                _("The text cannot be final while it has personal data in it: %(findings)s") % {
                    "findings": " ".join(message for _section, message in findings)},
                field="text",
            )


def save_text(ctx: AuditContext, text: NarrativeText, new_text: str, state: str, version: int) -> NarrativeText:
    """Save one section's text and state with the optimistic lock (`version`
    is the one the form was opened with). The first save creates the row.
    Raises NarrativeError (a refused rule, nothing saved) or
    audit.versioning.ConcurrentEditError (someone saved meanwhile)."""
    if state not in NarrativeState.values:
        raise NarrativeError(_("Choose draft or final."), field="state")
    new_text = new_text.replace("\r\n", "\n").strip()
    if len(new_text) > MAX_LENGTH:
        raise NarrativeError(_("The text is too long (at most %(max)s characters).") % {"max": MAX_LENGTH},
                             field="text")
    with transaction.atomic():
        record, _created = NarrativeText.objects.get_or_create(
            unit_id=text.unit_id, year=text.year, section=text.section, defaults={"updated_by": ctx.user},
        )
        record.text, record.state, record.updated_by = new_text, state, ctx.user
        saved = save_tracked(
            ctx, record, TRACKED_FIELDS, expected_version=version,
            stored=NarrativeText.objects.select_related("unit"),
            check=lambda stored: _check_save(ctx, stored, new_text, state),
            update_fields=["text", "state", "updated_by", "updated_at"],
            note=f"narrative {record.year} {record.section}",
        )
    return saved.record


# --- Delegates --------------------------------------------------------------


def delegate_candidates(unit: Unit, year: int, manager: User):
    """Who a manager may delegate `year` to: active users of the unit who
    do not write by role and have no active delegation for the year."""
    from accounts.models import User

    app_label, codename = WRITE_PERM.split(".")
    writers = User.objects.filter(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label,
    ).values("pk")
    delegated = NarrativeDelegate.objects.filter(unit=unit, year=year, revoked_at__isnull=True).values("user_id")
    return (
        User.objects.filter(unit=unit, is_active=True, is_superuser=False)
        .exclude(pk=manager.pk).exclude(pk__in=writers).exclude(pk__in=delegated)
        .order_by("first_name", "last_name", "username")
    )


def delegates_of(unit: Unit, year: int):
    return (
        NarrativeDelegate.objects.filter(unit=unit, year=year)
        .select_related("user", "granted_by").order_by("revoked_at", "-granted_at")
    )


def delegate(ctx: AuditContext, unit: Unit, year: int, user: User) -> NarrativeDelegate:
    """Let `user` write the texts of `year`; they are told by a
    notification that links the texts' page."""
    granter = ctx.user
    if not (is_manager(granter, unit) and granter.has_perm(DELEGATE_PERM)):
        raise NarrativeError(_("Only a manager of the unit can delegate the evaluation's texts."))
    if user.pk == granter.pk:
        raise NarrativeError(_("You cannot delegate to yourself."), field="user")
    if user.unit_id != unit.pk or not user.is_active:
        raise NarrativeError(_("Choose an active user of the unit."), field="user")
    if user.has_perm(WRITE_PERM):
        raise NarrativeError(_("%(user)s already writes the texts as a manager.") % {"user": user}, field="user")
    try:
        with transaction.atomic():
            row = NarrativeDelegate.objects.create(unit=unit, year=year, user=user, granted_by=granter)
            log_access(ctx, AccessAction.CREATE, row, note=f"narrative delegate {year}")
            with translation.override(settings.LANGUAGE_CODE):
                notify(user, _("You may write the texts of the evaluation %(year)s") % {"year": year},
                       reverse("reports:narrative", kwargs={"year": year}))
    except IntegrityError:
        # reports_narrative_one_delegate: a grant at the same moment won.
        raise NarrativeError(_("%(user)s may already write the texts of %(year)s.") % {"user": user, "year": year},
                             field="user") from None
    return row


def revoke(ctx: AuditContext, delegation: NarrativeDelegate) -> NarrativeDelegate:
    """End a delegation; the row stays as the history of who could write."""
    if not (is_manager(ctx.user, delegation.unit) and ctx.user.has_perm(DELEGATE_PERM)):
        raise NarrativeError(_("Only a manager of the unit can revoke a delegation."))
    with transaction.atomic():
        locked = NarrativeDelegate.objects.select_for_update().get(pk=delegation.pk)
        if locked.revoked_at is not None:
            return locked
        write_fields(ctx, locked, note=f"narrative delegate {locked.year} revoked", revoked_at=timezone.now())
    return locked


# --- The PDF ------------------------------------------------------------------


def pdf_texts(year: int, unit: Unit | None) -> dict:
    """What reports.evaluation places in the PDF, in seed 001's nine
    chapters: the background in chapter 1, the ordering side's views as
    chapter 4 and the providing side's as chapter 5 (right after
    "Verksamheten"), the areas of improvement as 7.1 under "Resultat" and
    the proposed decisions as chapter 9. The chapters keep their numbers
    whether or not a text is final (the PDF then says none is): the
    committee compares the report with earlier years' chapter by chapter.
    Final texts only, as paragraphs; a national evaluation (no unit) has
    none, and `national` lets the PDF say where they are written."""
    texts = final_texts(unit, year) if unit is not None else {}

    def paragraphs(section):
        return [part.strip() for part in (texts.get(section) or "").split("\n\n") if part.strip()]

    def chapter(section, anchor):
        return {"anchor": anchor, "title": title_of(section), "paragraphs": paragraphs(section)}

    return {
        "national": unit is None,
        "background": paragraphs(NarrativeSection.BACKGROUND),
        "ordering_views": chapter(NarrativeSection.ORDERING_VIEWS, "ordering-views"),
        "providing_views": chapter(NarrativeSection.PROVIDING_VIEWS, "providing-views"),
        "improvements": chapter(NarrativeSection.IMPROVEMENTS, "improvements"),
        "proposals": chapter(NarrativeSection.PROPOSALS, "proposals"),
    }


def draft_titles(unit: Unit, year: int) -> list[str]:
    """The titles of the written texts of `year` still in draft: the PDF
    leaves them out, and the request page says so."""
    drafts = set(
        NarrativeText.objects.filter(unit=unit, year=year, state=NarrativeState.DRAFT)
        .exclude(text="").values_list("section", flat=True)
    )
    return [title_of(section) for section in SECTIONS if section in drafts]
