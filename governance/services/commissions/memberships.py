"""Commissions (art. 8: K1, K2, K3): creation, facilitator, end, volunteers and
memberships, meetings."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from activities.constants import ActivityKind, ConvenedScope
from activities.services import activity_convocations_sync, activity_create
from core.audit import audit_log
from members.models import Representative

from ... import selectors_commissions as selectors
from ...exceptions import CommissionError, NotAllowed
from ...models.commissions import (
    Commission,
    CommissionMeeting,
    CommissionMembership,
    CommissionStatus,
    MembershipStatus,
)
from ._common import _fresh, _now, _require_copil

# --- Commissions (art. 8: K1, K2, K3) -------------------------------------------------------------


def _unique_commission_slug(name: str) -> str:
    base = slugify(name)[:150] or "commission"
    slug, n = base, 2
    while Commission.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_member_representative(*, representative: Representative, now) -> None:
    if not representative.is_active_on(timezone.localdate(now)):
        raise CommissionError(_("Ce représentant n'est plus actif."))
    if not selectors.organisation_is_member(organisation=representative.organisation, at=now):
        raise CommissionError(
            _("Seuls les représentants d'une entité membre peuvent y prendre part.")
        )


@transaction.atomic
def commission_create(
    *,
    name: str,
    purpose: str,
    start_date: datetime.date,
    end_date: datetime.date | None,
    actor,
    facilitator: Representative | None = None,
    max_members: int = 10,
    keeps_roadmap: bool = False,
    now: datetime.datetime | None = None,
) -> Commission:
    """Charter art. 8 (K1): an ad hoc commission, with a precise purpose and a duration."""
    now = _now(now)
    _require_copil(actor)
    commission = Commission(
        name=name.strip(),
        slug=_unique_commission_slug(name),
        purpose=purpose.strip(),
        start_date=start_date,
        end_date=end_date,
        max_members=max_members,
        keeps_roadmap=keeps_roadmap,
    )
    try:
        commission.full_clean()
    except ValidationError as error:
        raise CommissionError(" ".join(error.messages)) from error
    commission.save()
    audit_log(
        action="governance.commission.created",
        actor=actor,
        target=commission,
        data={"name": commission.name, "end_date": str(end_date)},
        now=now,
    )
    if facilitator is not None:
        commission_facilitator_set(
            commission=commission, representative=facilitator, actor=actor, now=now
        )
    return commission


@transaction.atomic
def commission_facilitator_set(
    *, commission: Commission, representative: Representative, actor, now=None
) -> Commission:
    """Charter art. 8 (K2): the COPIL names the facilitator, who is a member of the commission."""
    now = _now(now)
    _require_copil(actor)
    _check_member_representative(representative=representative, now=now)
    original, commission = commission, Commission.objects.select_for_update().get(pk=commission.pk)
    commission.facilitator = representative
    commission.save(update_fields=["facilitator", "updated_at"])
    original.facilitator = representative
    membership = CommissionMembership.objects.filter(
        commission=commission,
        representative=representative,
        status__in=[MembershipStatus.VOLUNTEERED, MembershipStatus.ACCEPTED],
    ).first()
    if membership is None:
        CommissionMembership.objects.create(
            commission=commission,
            representative=representative,
            status=MembershipStatus.ACCEPTED,
            volunteered_at=now,
            decided_at=now,
            decided_by=actor,
        )
    elif membership.status != MembershipStatus.ACCEPTED:
        membership.status = MembershipStatus.ACCEPTED
        membership.decided_at, membership.decided_by = now, actor
        membership.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_log(
        action="governance.commission.facilitator_set",
        actor=actor,
        target=commission,
        data={"representative": representative.pk},
        now=now,
    )
    commission_meetings_sync(commission=commission, now=now)
    return commission


@transaction.atomic
def commission_end(*, commission: Commission, actor, now=None) -> Commission:
    now = _now(now)
    _require_copil(actor)
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.status == CommissionStatus.ENDED:
        raise CommissionError(_("Cette commission est déjà terminée."))
    if commission.is_standing:
        raise CommissionError(_("Une commission permanente de la charte ne se termine pas."))
    commission.status = CommissionStatus.ENDED
    commission.ended_at = now
    commission.save(update_fields=["status", "ended_at", "updated_at"])
    audit_log(action="governance.commission.ended", actor=actor, target=commission, now=now)
    return commission


@transaction.atomic
def commission_volunteer(
    *,
    commission: Commission,
    representative: Representative,
    actor,
    motivation: str = "",
    now=None,
) -> CommissionMembership:
    """Charter art. 8 (K1): a representative of a member volunteers; the facilitator or the
    COPIL accepts."""
    now = _now(now)
    if getattr(actor, "pk", None) != representative.user_id:
        raise NotAllowed(_("Seule la personne concernée peut se porter volontaire."))
    _check_member_representative(representative=representative, now=now)
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.status != CommissionStatus.ACTIVE or (
        commission.end_date and commission.end_date < timezone.localdate(now)
    ):
        raise CommissionError(_("Cette commission est terminée."))
    if commission.memberships.filter(
        representative__user_id=representative.user_id,
        status__in=[MembershipStatus.VOLUNTEERED, MembershipStatus.ACCEPTED],
    ).exists():
        raise CommissionError(_("Vous êtes déjà volontaire ou membre de cette commission."))
    membership = CommissionMembership.objects.create(
        commission=commission,
        representative=representative,
        motivation=motivation.strip(),
        volunteered_at=now,
    )
    audit_log(
        action="governance.commission.volunteered",
        actor=actor,
        target=commission,
        data={"representative": representative.pk},
        now=now,
    )
    return membership


@transaction.atomic
def membership_decide(
    *, membership: CommissionMembership, accept: bool, actor, now=None
) -> CommissionMembership:
    now = _now(now)
    commission = Commission.objects.select_for_update().get(pk=membership.commission_id)
    if not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed(_("Seuls l'animateur de la commission et le COPIL en décident."))
    membership = CommissionMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.VOLUNTEERED:
        raise CommissionError(_("Cette candidature a déjà été traitée."))
    if accept:
        accepted = commission.memberships.filter(status=MembershipStatus.ACCEPTED).count()
        # Charter art. 8 (K1): "un nombre restreint de membres".
        if accepted >= commission.max_members:
            raise CommissionError(
                _("La commission compte déjà %(n)s membres, son maximum.")
                % {"n": commission.max_members}
            )
        _check_member_representative(representative=membership.representative, now=now)
    membership.status = MembershipStatus.ACCEPTED if accept else MembershipStatus.DECLINED
    membership.decided_at, membership.decided_by = now, actor
    membership.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_log(
        action=f"governance.commission.volunteer_{'accepted' if accept else 'declined'}",
        actor=actor,
        target=commission,
        data={"membership": membership.pk, "representative": membership.representative_id},
        now=now,
    )
    if accept:
        commission_meetings_sync(commission=commission, now=now)
    return membership


@transaction.atomic
def membership_leave(*, membership: CommissionMembership, actor, now=None) -> CommissionMembership:
    now = _now(now)
    membership = CommissionMembership.objects.select_for_update().get(pk=membership.pk)
    commission = membership.commission
    own = getattr(actor, "pk", None) == membership.representative.user_id
    if not own and not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed()
    if membership.status not in (MembershipStatus.VOLUNTEERED, MembershipStatus.ACCEPTED):
        raise CommissionError(_("Cette personne ne fait plus partie de la commission."))
    if commission.facilitator_id == membership.representative_id:
        raise CommissionError(
            _("L'animateur reste membre : le COPIL désigne d'abord un autre animateur.")
        )
    membership.status = MembershipStatus.LEFT
    membership.left_at = now
    membership.save(update_fields=["status", "left_at", "updated_at"])
    audit_log(
        action="governance.commission.member_left",
        actor=actor,
        target=commission,
        data={"membership": membership.pk},
        now=now,
    )
    commission_meetings_sync(commission=commission, now=now)
    return membership


def commission_meetings_sync(*, commission: Commission, now=None) -> int:
    """Keep the convocations of the commission's future meetings in line with its members.

    Held meetings keep the members convened at the time (their ratio must not change).
    """
    now = _now(now)
    organisation_ids = selectors.commission_member_organisation_ids(commission=commission)
    count = 0
    for meeting in commission.meetings.filter(activity__starts_at__gt=now).select_related(
        "activity"
    ):
        meeting.activity.invited_organisations.set(organisation_ids)
        activity_convocations_sync(activity=meeting.activity, now=now)
        count += 1
    return count


@transaction.atomic
def commission_meeting_create(
    *,
    commission: Commission,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    actor,
    place: str = "",
    postcode: str = "",
    city: str = "",
    online_url: str = "",
    description: str = "",
    now=None,
) -> CommissionMeeting:
    """Charter art. 7, 8 (A1, K2): a commission meeting is an activity convening the
    organisations of the commission's members; attendance counts as for any activity."""
    now = _now(now)
    commission = _fresh(commission)
    if not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed(_("Seuls l'animateur de la commission et le COPIL la réunissent."))
    if commission.status != CommissionStatus.ACTIVE:
        raise CommissionError(_("Cette commission est terminée."))
    try:
        activity = activity_create(
            actor=actor,
            now=now,
            kind=ActivityKind.COMMISSION_MEETING,
            title=title,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            postcode=postcode,
            city=city,
            online_url=online_url,
            convened_scope=ConvenedScope.NAMED,
            organisers=[actor],
            invited_organisations=selectors.commission_member_organisation_ids(
                commission=commission
            ),
        )
    except ValidationError as error:
        raise CommissionError(" ".join(error.messages)) from error
    meeting = CommissionMeeting.objects.create(commission=commission, activity=activity)
    audit_log(
        action="governance.commission.meeting_created",
        actor=actor,
        target=commission,
        data={"activity": activity.pk},
        now=now,
    )
    return meeting
