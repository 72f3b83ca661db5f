"""Invitees: proposal, COPIL validation and acceptance of an invitation (charter art. 5:
I1 to I4)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charters.constants import CharterParameters
from charters.selectors import charter_version_in_force
from core.audit import audit_log
from core.roles import is_copil
from core.site import absolute_url

from .. import selectors
from ..audit_actions import MembersAudit
from ..constants import InvitationState, Status, StatusReason
from ..exceptions import MembersError
from ..hooks import InvitationValidated, invitation_validated
from ..matching import combined, identity
from ..models import Invitation, Organisation
from ._common import _date, _require_copil, _require_representative, _send_on_commit
from .registry import organisation_create, organisation_status_change, return_ban_check

INVITATION_TOKEN_SALT = "members.invitation.accept"  # noqa: S105 (a salt, not a secret)


def invitation_token(invitation: Invitation) -> str:
    from django.core import signing

    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_TOKEN_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points to; MembersError when the link is forged or unknown."""
    from django.core import signing

    try:
        data = signing.loads(token, salt=INVITATION_TOKEN_SALT)
        return Invitation.objects.select_related("organisation").get(pk=data["invitation"])
    except (signing.BadSignature, KeyError, TypeError, Invitation.DoesNotExist) as error:
        raise MembersError(_("Ce lien d'invitation n'est pas valable.")) from error


# The form field of each way an excluded organisation is recognised (I4).
_BAN_FIELDS = {
    "organisation": "guest_organisation_name",
    "name": "guest_organisation_name",
    "siren": "guest_organisation_name",
    "email": "guest_email",
}


def _invitation_ban_check(
    organisation: Organisation | None,
    *,
    guest_organisation_name: str = "",
    guest_email: str = "",
    on: datetime.date,
) -> None:
    # Charter art. 5 (I4): no invitation during the ban after an exclusion, whatever the
    # name typed, the SIREN of the organisation found, or the guest's address.
    typed = identity(legal_names=[guest_organisation_name], emails=[guest_email])
    candidate = (
        combined(typed, selectors.organisation_identity(organisation=organisation))
        if organisation is not None
        else typed
    )
    return_ban_check(candidate=candidate, on=on, purpose="invitation", fields=_BAN_FIELDS)
    if organisation is None:
        return
    status = selectors.organisation_status(organisation=organisation)
    if status in (Status.MEMBER, Status.PARTNER):
        raise MembersError(
            _("%(name)s est déjà membre ou partenaire : elle n'a pas besoin d'invitation.")
            % {"name": organisation.legal_name},
            field="guest_organisation_name",
        )


@transaction.atomic
def invitation_propose(
    *,
    proposed_by,
    guest_name: str,
    guest_email: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    proposing_organisation: Organisation | None = None,
    guest_organisation_name: str = "",
    occasion: str = "",
    activities: Iterable = (),
    now: datetime.datetime | None = None,
) -> Invitation:
    """Charter art. 5 (I1): a member (or the COPIL for the community) proposes an invitee."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if proposing_organisation is None:
        if not is_copil(proposed_by):
            raise MembersError(_("Choisissez le membre au nom duquel vous invitez."))
    else:
        _require_representative(proposed_by, proposing_organisation, on=today)
        if selectors.organisation_status(organisation=proposing_organisation, at=now) != (
            Status.MEMBER
        ):
            raise MembersError(_("Seuls les membres peuvent proposer un invité."))
    if ends_on < starts_on:
        raise MembersError(_("La période se termine avant de commencer."), field="ends_on")
    if ends_on < today:
        raise MembersError(_("La période est déjà passée."), field="ends_on")
    guest_organisation_name = guest_organisation_name.strip()
    organisation = (
        Organisation.objects.filter(legal_name__iexact=guest_organisation_name).first()
        if guest_organisation_name
        else None
    )
    _invitation_ban_check(
        organisation,
        guest_organisation_name=guest_organisation_name,
        guest_email=guest_email,
        on=today,
    )
    invitation = Invitation(
        proposed_by=proposed_by,
        proposing_organisation=proposing_organisation,
        organisation=organisation,
        guest_organisation_name=guest_organisation_name,
        guest_name=guest_name.strip(),
        guest_email=guest_email.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        occasion=occasion,
    )
    invitation.full_clean()
    invitation.save()
    invitation.activities.set(list(activities))
    audit_log(
        action=MembersAudit.INVITATION_PROPOSED,
        actor=proposed_by,
        target=invitation,
        data={"organisation": organisation.pk if organisation else None},
        now=now,
    )

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Invitation à valider : %(who)s") % {"who": str(invitation)},
            "paragraphs": [
                _("Une invitation attend la validation du COPIL : %(url)s")
                % {
                    "url": absolute_url(
                        reverse("admin:members_invitation_change", args=[invitation.pk])
                    )
                }
            ],
        }

    _send_on_commit(copil_email)
    return invitation


@transaction.atomic
def invitation_validate(
    *, invitation: Invitation, actor, now: datetime.datetime | None = None
) -> Invitation:
    """Charter art. 5 (I1, I3, I4, G2): the COPIL validates; the guest gets the link to
    accept art. 3.3 (I2). An organisation gets the invitee status for the period, unless
    it is an applicant (its attendance then counts for M6) — a rejected applicant may be
    invited (I3). The guest is convened to the activities the invitation names, still to
    come in its period (I1): activities does it from the hook (members/hooks.py)."""
    _require_copil(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != InvitationState.PROPOSED:
        raise MembersError(_("Cette invitation a déjà été traitée."))
    if invitation.ends_on < today:
        raise MembersError(_("La période de cette invitation est passée."))
    organisation = invitation.organisation
    if organisation is None and invitation.guest_organisation_name:
        organisation = Organisation.objects.filter(
            legal_name__iexact=invitation.guest_organisation_name
        ).first()
    # Checked again: the organisation may have been excluded since the proposal (I4).
    _invitation_ban_check(
        organisation,
        guest_organisation_name=invitation.guest_organisation_name,
        guest_email=invitation.guest_email,
        on=today,
    )
    if organisation is None and invitation.guest_organisation_name:
        organisation = organisation_create(
            legal_name=invitation.guest_organisation_name, actor=actor, now=now
        )
    invitation.organisation = organisation
    if organisation is not None:
        status = selectors.organisation_status(organisation=organisation, at=now)
        if status == Status.NONE:
            organisation_status_change(
                organisation=organisation,
                status=Status.INVITEE,
                reason=StatusReason.INVITED,
                actor=actor,
                ends_on=invitation.ends_on if invitation.ends_on > today else None,
                explanation=invitation.occasion,
                now=now,
            )
    invitation.state = InvitationState.VALIDATED
    invitation.decided_by = actor
    invitation.decided_at = now
    invitation.save()
    audit_log(action=MembersAudit.INVITATION_VALIDATED, actor=actor, target=invitation, now=now)
    # Charter art. 5 (I1): the invitation names the activities the guest is invited to;
    # activities convenes the organisation (or the person) to those still to come, in
    # this transaction (members/hooks.py).
    invitation_validated(event=InvitationValidated(invitation=invitation, actor=actor, now=now))
    link = absolute_url(reverse("invitation_accept", args=[invitation_token(invitation)]))
    email, guest = invitation.guest_email, invitation.guest_name
    period = (_date(invitation.starts_on), _date(invitation.ends_on))

    def guest_email():
        return {
            "to": [email],
            "subject": _("Votre invitation aux activités de la COS-GE"),
            "paragraphs": [
                _("Bonjour %(name)s,") % {"name": guest},
                _("Vous êtes invité(e) aux activités de la COS-GE du %(start)s au %(end)s.")
                % {"start": period[0], "end": period[1]},
                _(
                    "Avant d'y participer, prenez connaissance de l'article 3.3 de la charte "
                    "(éthique et confidentialité) et acceptez-le en ligne, sans créer de "
                    "compte : %(url)s"
                )
                % {"url": link},
            ],
        }

    _send_on_commit(guest_email)
    return invitation


@transaction.atomic
def invitation_refuse(
    *, invitation: Invitation, actor, reason: str = "", now: datetime.datetime | None = None
) -> Invitation:
    _require_copil(actor)
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != InvitationState.PROPOSED:
        raise MembersError(_("Cette invitation a déjà été traitée."))
    invitation.state = InvitationState.REFUSED
    invitation.decided_by = actor
    invitation.decided_at = now
    invitation.decision_reason = reason
    invitation.save()
    audit_log(
        action=MembersAudit.INVITATION_REFUSED,
        actor=actor,
        target=invitation,
        data={"reason": reason},
        now=now,
    )
    return invitation


def invitation_acceptance_text(invitation: Invitation, *, on: datetime.date) -> str:
    version = charter_version_in_force(on=on)
    label = version.label if version else "—"
    # Charter art. 3.3 (E2): the months of this version (V1 R001's before any version).
    months = (version.governance if version else CharterParameters()).commitment_months_after_loss
    who = invitation.guest_name
    if invitation.organisation_id:
        who = _("%(name)s, pour %(organisation)s") % {
            "name": who,
            "organisation": invitation.organisation.legal_name,
        }
    return ngettext(
        "Je soussigné(e) %(who)s déclare avoir lu l'article 3.3 (éthique et confidentialité) "
        "de la charte de la COS-GE, version %(label)s, et m'engage à le respecter, y compris "
        "pendant %(months)s mois après la fin de mon invitation.",
        "Je soussigné(e) %(who)s déclare avoir lu l'article 3.3 (éthique et confidentialité) "
        "de la charte de la COS-GE, version %(label)s, et m'engage à le respecter, y compris "
        "pendant %(months)s mois après la fin de mon invitation.",
        months,
    ) % {"who": who, "label": label, "months": months}


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    consent_given: bool,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> Invitation:
    """Charter art. 5 and 3.3 (I2, E1): the invitee accepts art. 3.3 before taking part."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != InvitationState.VALIDATED:
        raise MembersError(_("Cette invitation n'a pas été validée par le COPIL."))
    if invitation.accepted_at is not None:
        raise MembersError(_("Vous avez déjà accepté l'article 3.3 pour cette invitation."))
    if invitation.ends_on < today:
        raise MembersError(
            _("Cette invitation a pris fin le %(date)s.") % {"date": _date(invitation.ends_on)}
        )
    if not consent_given:
        raise MembersError(
            _("Cochez la phrase d'engagement pour accepter l'article 3.3."), field="consent"
        )
    invitation.accepted_at = now
    invitation.acceptance_text = invitation_acceptance_text(invitation, on=today)
    invitation.accepted_ip = _clean_ip(ip_address)
    invitation.save(update_fields=["accepted_at", "acceptance_text", "accepted_ip", "updated_at"])
    audit_log(action=MembersAudit.INVITATION_ACCEPTED, target=invitation, now=now)
    return invitation


def _clean_ip(ip_address: str | None) -> str | None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    if not ip_address:
        return None
    try:
        validate_ipv46_address(ip_address.strip())
    except ValidationError:
        return None
    return ip_address.strip()
