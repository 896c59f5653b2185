"""One person, one record (docs/housing-chain.md "One person, one record").

Before a client or an outreach subject is registered, the pages ask for the
possible matches among the records the unit already has
(`possible_matches_for_client`, `possible_matches_for_subject`); the user
then either links the records (`link_same_person`) or confirms that the
person is someone else (`confirm_different`), so the same pair is not
proposed again. Records are linked, never merged: a link is a PersonLink row,
and linking an outreach subject (an order without a client) to a client
sets the order's client, which its visits follow (referrals.order_followers).
A link can be undone (`unlink`). Every write is logged in the access log and,
for the order's client, in the change history.

Names are compared normalised (`normalise`): case-folded, accents and
punctuation dropped, whitespace collapsed, so "Öberg-Ek" and "oberg ek" are
the same spelling. The comparison runs in Python over the unit's names read
as plain values (no client is built, so nothing is logged as read); only the
matched clients are fetched, through `visible_to(user)`, and those reads
are logged as the page shows them.

Protected personal data: the address of a protected client is never used to
propose a match to a user without the permission (a match "same address"
would tell where the person lives). Their name and date of birth still
match: those the file shows anyway.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked, write_fields

from .. import order_followers
from ..models import Client, Order, ProtectionLevel
from ..models.housing_first import HousingFirstCandidate
from ..models.links import PersonLink, PersonLinkKind
from ..protection import PROTECTED_PERMISSION
from . import orders as order_services

if TYPE_CHECKING:
    from datetime import date

    from accounts.models import Unit, User
    from audit.context import AuditContext

LINK_PERMISSION = "referrals.link_person"
# The access-log notes of the writes below (audit.labels, ReferralsConfig).
NOTE_SAME = "same person"
NOTE_NOT_SAME = "not the same person"
NOTE_UNLINKED = "link undone"
# At most this many proposals: the page is a question, not a search.
MAX_MATCHES = 10


class LinkRefused(Exception):
    """The link cannot be written or undone; the message is Swedish and fit
    for the user."""


class MatchReason:
    SAME_NUMBER = "same_number"
    SAME_NAME_AND_BIRTH_DATE = "same_name_birth_date"
    SAME_NAME = "same_name"
    SAME_ADDRESS = "same_address"

    LABELS = {
        SAME_NUMBER: gettext_lazy("Same personal identity number"),
        SAME_NAME_AND_BIRTH_DATE: gettext_lazy("Same name and date of birth"),
        SAME_NAME: gettext_lazy("Same name"),
        SAME_ADDRESS: gettext_lazy("Same address"),
    }


@dataclass
class PossibleMatch:
    """An existing record that may be the same person: a client, or an
    outreach order without a client."""

    reasons: list[str]
    client: Client | None = None
    order: Order | None = None

    @property
    def reason_labels(self) -> list[str]:
        return [str(MatchReason.LABELS[reason]) for reason in self.reasons]


@dataclass
class Matches:
    found: list[PossibleMatch] = field(default_factory=list)
    # The number is held by a client of another unit: said without any data
    # about who or where (the client form's own message and its transfer
    # request say the rest, forms.clients.ClientForm).
    registered_elsewhere: bool = False

    def __bool__(self) -> bool:
        return bool(self.found) or self.registered_elsewhere

    @property
    def clients(self) -> list[Client]:
        return [match.client for match in self.found if match.client is not None]


# --- Normalising -------------------------------------------------------------


def normalise(text: str) -> str:
    """Case-folded, without accents or punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def normalise_name(first_name: str, last_name: str) -> str:
    return normalise(f"{first_name} {last_name}")


def normalise_street(address: str) -> str:
    """The street part of an address ("Storgatan 7, 186 30 Vallentuna" →
    "storgatan 7"): what two writings of one address share."""
    return normalise((address or "").split(",")[0])


# --- Finding -----------------------------------------------------------------


# The fields a proposal shows (and the matching reads): proposals are built
# from one values query per kind of match, with Client.from_db, so every
# client proposed is reported to the read recorder (audit.reads) and only
# those: the names compared and not proposed are never built.
SHOWN_FIELDS = {
    "id", "unit_id", "first_name", "last_name", "personal_number", "birth_date", "protection_level", "street_address",
}


def _shown_fields() -> list[str]:
    # In the model's field order, as Client.from_db expects them.
    return [field.attname for field in Client._meta.concrete_fields if field.attname in SHOWN_FIELDS]


def _active_links():
    return PersonLink.objects.filter(unlinked_at__isnull=True)


def _not_linked_to_client(queryset, client_id: int | None):
    """Without the clients already linked to (or confirmed different from)
    `client_id`: a pair with a link in force is not proposed again. Sub-
    queries, so the proposals stay one query."""
    if client_id is None:
        return queryset
    return queryset.exclude(pk__in=_active_links().filter(client_id=client_id).exclude(
        other_client=None).values("other_client_id")).exclude(
        pk__in=_active_links().filter(other_client_id=client_id).values("client_id"))


def _rows(queryset, user: User | None):
    if user is not None:
        queryset = queryset.visible_to(user)
    return queryset.order_by("last_name", "first_name", "pk").values(*_shown_fields())


def _client_of(row: dict) -> Client:
    fields = _shown_fields()
    return Client.from_db(Client.objects.db, fields, [row[name] for name in fields])


def possible_matches_for_client(
    unit: Unit, first_name: str, last_name: str, birth_date: date | None, personal_number: str = "",
    *, user: User | None = None, exclude_client: Client | None = None,
) -> Matches:
    """Existing clients of `unit` who may be the person about to be
    registered (or `exclude_client`, the file being looked at): the same
    identity number, or the same name (normalised) and date of birth.
    The same number held by another unit's client sets
    `registered_elsewhere` and names nobody. With `user`, only clients the
    user may see are proposed."""
    result = Matches()
    exclude_pk = exclude_client.pk if exclude_client is not None else None
    found: dict[int, PossibleMatch] = {}
    # A stored file's number is unique (the constraint): only a new one can
    # be held by someone else.
    if personal_number and exclude_client is None:
        holders = Client.objects.filter(personal_number=personal_number)
        if holders.exclude(unit=unit).exists():
            result.registered_elsewhere = True
        for row in _rows(holders.filter(unit=unit), user):
            found[row["id"]] = PossibleMatch(reasons=[MatchReason.SAME_NUMBER], client=_client_of(row))
    wanted = normalise_name(first_name, last_name)
    if wanted and birth_date is not None:
        same_day = _not_linked_to_client(
            Client.objects.filter(unit=unit, birth_date=birth_date).exclude(pk=exclude_pk), exclude_pk)
        for row in _rows(same_day, user):
            if normalise_name(row["first_name"], row["last_name"]) != wanted:
                continue
            if row["id"] in found:
                found[row["id"]].reasons.append(MatchReason.SAME_NAME_AND_BIRTH_DATE)
            else:
                found[row["id"]] = PossibleMatch(reasons=[MatchReason.SAME_NAME_AND_BIRTH_DATE], client=_client_of(row))
    result.found = list(found.values())[:MAX_MATCHES]
    return result


def possible_matches_for_subject(
    unit: Unit, subject_name: str, subject_address: str, *, user: User, exclude_order: Order | None = None,
    include_clients: bool = True, include_orders: bool = True, for_client: Client | None = None,
) -> Matches:
    """Clients of `unit` and its orders without a client whose name or
    address match a subject's (normalised). A subject's name is free text
    ("Kalle, man i 50-årsåldern"): a client matches when every word of
    their name is in it; another order when its name is the same. The
    address of a protected client is used only for a user with the
    permission to see it. `exclude_order`: the order being looked at (its
    clients confirmed different are not proposed); `for_client`: the file
    being looked at (orders confirmed different from it are not proposed)."""
    result = Matches()
    name_words = set(normalise(subject_name).split())
    street = normalise_street(subject_address)
    if not name_words and not street:
        return result
    exclude_pk = exclude_order.pk if exclude_order is not None else None
    may_use_protected = user.has_perm(PROTECTED_PERMISSION)
    if include_clients:
        clients = Client.objects.filter(unit=unit)
        if exclude_pk is not None:
            clients = clients.exclude(pk__in=_active_links().filter(order_id=exclude_pk).values("client_id"))
        for row in _rows(clients, user):
            reasons = []
            words = normalise_name(row["first_name"], row["last_name"]).split()
            if name_words and words and set(words) <= name_words:
                reasons.append(MatchReason.SAME_NAME)
            address = row["street_address"]
            if street and address and normalise_street(address) == street and (
                row["protection_level"] == ProtectionLevel.NONE or may_use_protected
            ):
                reasons.append(MatchReason.SAME_ADDRESS)
            if reasons:
                result.found.append(PossibleMatch(reasons=reasons, client=_client_of(row)))
                if len(result.found) >= MAX_MATCHES:
                    break
    if not include_orders:
        return result
    orders = (
        Order.objects.visible_to(user)
        .filter(unit=unit, client__isnull=True)
        .exclude(pk=exclude_pk)
        .order_by("-sent_at", "-pk")
    )
    if for_client is not None:
        orders = orders.exclude(pk__in=_active_links().filter(client=for_client).exclude(
            order=None).values("order_id"))
    order_matches = []
    for order in orders.only("pk", "kind", "subject_name", "subject_address", "sent_at", "state", "unit_id"):
        found = []
        if name_words and normalise(order.subject_name) == normalise(subject_name):
            found.append(MatchReason.SAME_NAME)
        if street and order.subject_address and normalise_street(order.subject_address) == street:
            found.append(MatchReason.SAME_ADDRESS)
        if found:
            order_matches.append(PossibleMatch(reasons=found, order=order))
            if len(order_matches) >= MAX_MATCHES:
                break
    result.found += order_matches
    return result


# --- Linking -----------------------------------------------------------------


def _check_user(ctx: AuditContext, client: Client) -> None:
    if not ctx.user.has_perm(LINK_PERMISSION) or not ctx.user.unit_id or client.unit_id != ctx.user.unit_id:
        raise PermissionDenied(_("You may not link records of this client."))


def _other_side(client: Client, other_client: Client | None, order: Order | None) -> None:
    if (other_client is None) == (order is None):
        raise LinkRefused(_("Choose one other record: a client file or an outreach order."))
    if other_client is not None:
        if other_client.pk == client.pk:
            raise LinkRefused(_("A client file cannot be linked to itself."))
        if other_client.unit_id != client.unit_id:
            raise LinkRefused(_("Only records of your own unit can be linked."))
    if order is not None and order.unit_id != client.unit_id:
        raise LinkRefused(_("Only records of your own unit can be linked."))


def _pair_links(client: Client, other_client: Client | None, order: Order | None):
    links = PersonLink.objects.select_for_update().filter(unlinked_at__isnull=True)
    if order is not None:
        return links.filter(order=order)
    return links.filter(
        Q(client=client, other_client=other_client) | Q(client=other_client, other_client=client)
    )


def _log_link(ctx: AuditContext, link: PersonLink, action: str, note: str) -> None:
    # One row per person record the link touches, so that a search of the
    # log for either finds it.
    log_access(ctx, action, link, note=note)
    if link.other_client_id is not None:
        log_access(ctx, action, link, client=link.other_client, note=note)


def _create(ctx: AuditContext, client: Client, other_client: Client | None, order: Order | None, kind: str,
            reason: str) -> PersonLink:
    link = PersonLink(client=client, other_client=other_client, order=order, kind=kind,
                      reason=(reason or "").strip()[:300], linked_by=ctx.user)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        # Someone else wrote a link of the pair at the same moment
        # (the constraints referrals_personlink_one_per_*).
        raise LinkRefused(_("These records were linked by someone else at the same time.")) from None
    _log_link(ctx, link, AccessAction.CREATE, NOTE_SAME if kind == PersonLinkKind.SAME_PERSON else NOTE_NOT_SAME)
    return link


@transaction.atomic
def link_same_person(
    ctx: AuditContext, client: Client, *, other_client: Client | None = None, order: Order | None = None,
    reason: str = "", expected_version: int | None = None,
) -> PersonLink:
    """Record that `client` and `other_client` (a second file), or the
    subject of the outreach `order`, are the same person. For an order, the
    order becomes the client's (services.orders.link_order_to_client, whose
    rules apply: the unit's case officer, an order without a client) and its
    visits follow. A "someone else" confirmation of the order with another
    client is closed by this link (an order has one link in force)."""
    _check_user(ctx, client)
    _other_side(client, other_client, order)
    Client.objects.select_for_update().filter(pk=client.pk).exists()
    existing = list(_pair_links(client, other_client, order))
    if other_client is not None and existing:
        if existing[0].kind == PersonLinkKind.SAME_PERSON:
            raise LinkRefused(_("The records are already linked as the same person."))
        raise LinkRefused(_("The records are recorded as different people. Undo that first."))
    if order is not None:
        if order.client_id is not None:
            raise LinkRefused(_("The order already belongs to a client."))
        for link in existing:
            if link.kind == PersonLinkKind.NOT_SAME and link.client_id == client.pk:
                raise LinkRefused(_("The records are recorded as different people. Undo that first."))
            _close(ctx, link, _("Replaced by a link to another client."))
        try:
            order_services.link_order_to_client(ctx, order, client, expected_version=expected_version)
        except order_services.InvalidTransition as refusal:
            raise LinkRefused(str(refusal)) from None
        _candidates_follow(ctx, order, client)
    return _create(ctx, client, other_client, order, PersonLinkKind.SAME_PERSON, reason)


def _candidates_follow(ctx: AuditContext, order: Order, client: Client | None, *, previous: Client | None = None) -> None:
    """The Housing First candidacies proposed from the outreach `order`
    follow its link: the subject proposed is now `client` (None: the link
    is undone, `previous` was the client), so the candidate list names the
    client and the steering group and the decision see one person. Only
    candidacies without a decision change: a decision is the client's (the
    unlink refuses while one exists, unlink_blockers). Each write is kept in
    the candidate's field history and the access log."""
    candidates = HousingFirstCandidate.objects.select_for_update().filter(
        outreach_order=order, decision__isnull=True,
    )
    candidates = candidates.filter(client__isnull=True) if client is not None else candidates.filter(client=previous)
    for candidate in candidates.order_by("pk"):
        write_fields(ctx, candidate, client=client, note=NOTE_SAME if client is not None else NOTE_UNLINKED)


@transaction.atomic
def confirm_different(
    ctx: AuditContext, client: Client, *, other_client: Client | None = None, order: Order | None = None,
    reason: str = "",
) -> PersonLink:
    """Record that the proposed pair are different people, so that the
    pair is not proposed again. An order has one link in force (the
    constraint referrals_personlink_one_per_order): a second client
    confirmed different from the same order is refused."""
    _check_user(ctx, client)
    _other_side(client, other_client, order)
    if order is not None and order.client_id is not None:
        raise LinkRefused(_("The order already belongs to a client."))
    if list(_pair_links(client, other_client, order)):
        raise LinkRefused(_("These records already have a link in force. Undo it first."))
    return _create(ctx, client, other_client, order, PersonLinkKind.NOT_SAME, reason)


def _close(ctx: AuditContext, link: PersonLink, reason: str) -> None:
    link.unlinked_at = timezone.now()
    link.unlinked_by = ctx.user
    link.unlink_reason = reason[:300]
    link.save(update_fields=["unlinked_at", "unlinked_by", "unlink_reason"])
    _log_link(ctx, link, AccessAction.UPDATE, NOTE_UNLINKED)


def unlink_blockers(link: PersonLink) -> list[str]:
    """Why undoing `link` would lose something (empty: it may be undone).

    A link of two client files depends on nothing. A link of an outreach
    order to a client is undone by clearing the order's client again, so it
    may be undone only while nothing was built on the order being the
    client's since the link: the order still has that client, no Housing
    First decision was made for the client from a candidacy of the order
    (a candidacy without one follows the unlink back to the order's
    subject, _candidates_follow), and no app reports a dependant (order_followers: bolots refuses once a visit was logged on
    the order, or a signal raised from it, after the link)."""
    if link.order_id is None or link.kind != PersonLinkKind.SAME_PERSON:
        return []
    order = link.order
    if order.client_id != link.client_id:
        return [_("The order no longer belongs to this client.")]
    found = []
    if order.housing_first_candidacies.filter(client_id=link.client_id, decision__isnull=False).exists():
        found.append(_("A Housing First decision was made for this client from the order's candidacy."))
    found.extend(order_followers.blockers(order, link.client_id, link.linked_at))
    return found


@transaction.atomic
def unlink(ctx: AuditContext, link: PersonLink, reason: str) -> PersonLink:
    """Undo `link`. For an outreach order linked to a client, the order's
    client is cleared again (and its visits revert), unless something
    depends on it (unlink_blockers). The client's risk information that
    the link took over from the order stays: it was true of the person
    when it was written, and the history says where it came from."""
    link = PersonLink.objects.select_for_update(of=("self",)).select_related("client", "order").get(pk=link.pk)
    _check_user(ctx, link.client)
    reason = (reason or "").strip()
    if not reason:
        raise LinkRefused(_("Say why the link is undone."))
    if link.unlinked_at is not None:
        raise LinkRefused(_("The link has already been undone."))
    if link.order_id is not None and link.kind == PersonLinkKind.SAME_PERSON:
        Order.objects.select_for_update().filter(pk=link.order_id).exists()
        link.order.refresh_from_db()
        blockers = unlink_blockers(link)
        if blockers:
            raise LinkRefused(" ".join(blockers))
        _candidates_follow(ctx, link.order, None, previous=link.client)
        _clear_order_client(ctx, link.order)
    _close(ctx, link, reason)
    return link


def _clear_order_client(ctx: AuditContext, order: Order) -> None:
    previous = order.client_id
    before = snapshot(order, ["client"])
    order.client = None
    save_tracked(ctx, order, ["client"], expected_version=order.version, before=before, update_fields=["client"],
                 note=NOTE_UNLINKED)
    order_followers.follow(ctx, order, previous)


# --- The registration forms' second step -------------------------------------------


@transaction.atomic
def register_as_someone_else(
    ctx: AuditContext, client: Client, *, target_groups=(), different_from: list[Client] = (),
) -> Client:
    """Register `client` after the user confirmed that the proposed files
    (`different_from`) are other people: the confirmations are kept, so the
    pairs are not proposed again. One transaction: no client without its
    confirmations, nor the reverse."""
    from .clients import create_client

    client = create_client(ctx, client, target_groups=target_groups)
    if different_from and ctx.user.has_perm(LINK_PERMISSION):
        for other in different_from:
            confirm_different(ctx, client, other_client=other, reason=_("Confirmed at registration"))
    return client


@transaction.atomic
def send_order_for_client(ctx: AuditContext, order: Order, client: Client, *, reason: str = "") -> Order:
    """Send the new outreach `order` about a subject the user said is the
    existing `client`: the order is sent as written, then linked (so the
    name and address written stay on it, and the link can be undone)."""
    order = order_services.send_order(ctx, order, risks_stated=True)
    link_same_person(ctx, client, order=order, reason=reason or _("Identified when the order was sent"))
    return order


@transaction.atomic
def send_order_as_someone_else(ctx: AuditContext, order: Order, different_from: list[Client] = ()) -> Order:
    """Send the new outreach `order` after the user confirmed that the
    proposed clients are other people: the confirmations are kept (one
    "someone else" link per client), so the pairs are not proposed again.
    One transaction: no order without its confirmations."""
    order = order_services.send_order(ctx, order, risks_stated=True)
    if different_from and ctx.user.has_perm(LINK_PERMISSION):
        for other in different_from:
            confirm_different(ctx, other, order=order, reason=_("Confirmed when the order was sent"))
    return order


def matches_for_new_client(user: User, client: Client) -> Matches:
    """The proposals for the client form's unsaved `client` (its number
    cleaned to 12 digits, or the entered birth date)."""
    from core import personnummer

    if not user.unit_id:
        return Matches()
    birth_date = personnummer.parse(client.personal_number).birth_date if client.personal_number else client.birth_date
    return possible_matches_for_client(
        user.unit, client.first_name, client.last_name, birth_date, client.personal_number, user=user,
    )
