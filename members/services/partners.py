"""Partners and their partnership agreements (charter art. 4: P1 to P6), and the
daily end of fixed-term statuses."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charters.selectors import charter_parameters
from core.audit import audit_log
from core.dates import add_months
from core.site import absolute_url

from .. import selectors
from ..audit_actions import MembersAudit
from ..constants import Status, StatusReason
from ..exceptions import MembersError
from ..models import Organisation, PartnershipAgreement, StatusChange
from ._common import (
    _date,
    _representative_emails,
    _require_copil,
    _require_signatory,
    _send_on_commit,
)
from .proofs import upload_check
from .registry import organisation_status_change


def agreement_period_ends(
    *, signed_on: datetime.date, initial_term_months: int, renewal_months: int
):
    """The successive ends of the agreement's periods: the initial term, then each renewal."""
    yield add_months(signed_on, initial_term_months)
    if renewal_months <= 0:
        return
    k = 1
    while True:
        yield add_months(signed_on, initial_term_months + k * renewal_months)
        k += 1


def agreement_next_renewal(
    *,
    signed_on: datetime.date,
    initial_term_months: int,
    renewal_months: int,
    on: datetime.date,
) -> datetime.date | None:
    """P6: the next date the agreement is renewed (the end of the period running on ``on``);
    None when it is not renewed and its term has passed."""
    for end in agreement_period_ends(
        signed_on=signed_on, initial_term_months=initial_term_months, renewal_months=renewal_months
    ):
        if end > on:
            return end
    return None


def agreement_last_notice_date(*, period_end: datetime.date, notice_months: int) -> datetime.date:
    """P2, P6: the last day to give notice for the agreement to end at ``period_end``."""
    return add_months(period_end, -notice_months)


def agreement_notice_deadline(
    *,
    signed_on: datetime.date,
    initial_term_months: int,
    renewal_months: int,
    notice_months: int,
    on: datetime.date,
) -> tuple[datetime.date, datetime.date] | None:
    """P5, P6: (the end a notice given on ``on`` takes effect at, the last day to give it).

    The first period end whose last notice date is not past; None when the agreement has no
    such end left (not renewed, and too late to give notice: it simply ends at its term).
    """
    for end in agreement_period_ends(
        signed_on=signed_on, initial_term_months=initial_term_months, renewal_months=renewal_months
    ):
        if end <= on:
            continue
        last = agreement_last_notice_date(period_end=end, notice_months=notice_months)
        if last >= on:
            return end, last
        if renewal_months <= 0:
            return None
    return None  # pragma: no cover - the generator is infinite when renewed


def _terms(agreement: PartnershipAgreement) -> dict:
    return {
        "signed_on": agreement.signed_on,
        "initial_term_months": agreement.initial_term_months,
        "renewal_months": agreement.renewal_months,
    }


def agreement_renewal_after(
    agreement: PartnershipAgreement, *, on: datetime.date
) -> datetime.date | None:
    """``agreement_next_renewal`` of an agreement's own terms."""
    return agreement_next_renewal(**_terms(agreement), on=on)


def agreement_notice_after(
    agreement: PartnershipAgreement, *, on: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """``agreement_notice_deadline`` of an agreement's own terms."""
    return agreement_notice_deadline(
        **_terms(agreement), notice_months=agreement.notice_months, on=on
    )


def agreement_dates(agreement: PartnershipAgreement, *, on: datetime.date | None = None) -> dict:
    """What the admin shows of an agreement's deadlines (P6)."""
    on = on or timezone.localdate()
    deadline = agreement_notice_after(agreement, on=on)
    return {
        "next_renewal": agreement_renewal_after(agreement, on=on),
        "notice_effective": deadline[0] if deadline else None,
        "last_notice": deadline[1] if deadline else None,
    }


def partnership_agreement_in_force(
    *, organisation: Organisation, on: datetime.date
) -> PartnershipAgreement | None:
    return (
        PartnershipAgreement.objects.filter(
            organisation=organisation, signed_on__lte=on, notice_given_on__isnull=True
        )
        .order_by("-signed_on")
        .first()
    )


@transaction.atomic
def partner_grant(
    *,
    organisation: Organisation,
    actor,
    ends_on: datetime.date | None = None,
    explanation: str = "",
    notice_reference: str = "",
    now: datetime.datetime | None = None,
) -> StatusChange:
    """Charter art. 4 (P1): the COPIL grants partner status, for a fixed or open duration."""
    _require_copil(actor)
    change = organisation_status_change(
        organisation=organisation,
        status=Status.PARTNER,
        reason=StatusReason.GRANTED,
        actor=actor,
        ends_on=ends_on,
        explanation=explanation,
        notice_reference=notice_reference,
        now=now,
    )
    today = timezone.localdate(change.effective_at)
    recipients = _representative_emails(organisation, on=today)
    name = organisation.legal_name

    def granted_email():
        until = (
            _("jusqu'au %(date)s") % {"date": _date(ends_on)}
            if ends_on
            else _("sans limite de durée")
        )
        return {
            "to": recipients,
            "subject": _("%(name)s, partenaire de la COS-GE") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL a accordé le statut de partenaire à %(name)s, %(until)s.")
                % {"name": name, "until": until},
                _(
                    "Sans convention de partenariat, un signataire habilité s'engage en ligne à "
                    "respecter l'article 3.3 de la charte : %(url)s"
                )
                % {"url": absolute_url(reverse("charters:sign"))},
            ],
        }

    _send_on_commit(granted_email)
    return change


@transaction.atomic
def partnership_agreement_record(
    *,
    organisation: Organisation,
    actor,
    parties: str,
    signed_on: datetime.date,
    initial_term_months: int | None = None,
    renewal_months: int | None = None,
    notice_months: int | None = None,
    document=None,
    now: datetime.datetime | None = None,
) -> PartnershipAgreement:
    """Charter art. 4 (P2): record a partnership agreement; the CINOV-IT terms by default."""
    _require_copil(actor)
    parameters = charter_parameters(on=signed_on)
    agreement = PartnershipAgreement(
        organisation=organisation,
        parties=parties,
        signed_on=signed_on,
        initial_term_months=(
            parameters.partnership_initial_years * 12
            if initial_term_months is None
            else initial_term_months
        ),
        renewal_months=12 if renewal_months is None else renewal_months,
        notice_months=(
            parameters.partnership_notice_months if notice_months is None else notice_months
        ),
    )
    if document:
        extension, _content_type = upload_check(file=document, formats=("pdf",))
        agreement.document.save(f"convention.{extension}", document, save=False)
    agreement.full_clean(exclude=["document"])
    agreement.save()
    audit_log(
        action=MembersAudit.AGREEMENT_RECORDED,
        actor=actor,
        target=agreement,
        data={"organisation": organisation.pk, "signed_on": signed_on.isoformat()},
        now=now,
    )
    return agreement


def _partnership_end(
    *, organisation, actor, by: str, reason: str, now: datetime.datetime
) -> StatusChange | PartnershipAgreement:
    """P5: immediate, unless an agreement in force says otherwise (its notice, its term)."""
    today = timezone.localdate(now)
    if selectors.organisation_status(organisation=organisation, at=now) != Status.PARTNER:
        raise MembersError(_("Cette entité n'est pas partenaire."))
    agreement = partnership_agreement_in_force(organisation=organisation, on=today)
    if agreement is not None:
        dates = agreement_dates(agreement, on=today)
        end = dates["notice_effective"] or dates["next_renewal"]
        if end is not None:
            # The agreement's own terms prevail (P5): the partnership ends at that date,
            # the daily job records it (status_expirations).
            agreement.notice_given_on = today
            agreement.notice_given_by = by
            agreement.ends_on = end
            agreement.save(
                update_fields=["notice_given_on", "notice_given_by", "ends_on", "updated_at"]
            )
            audit_log(
                action=MembersAudit.AGREEMENT_NOTICE_GIVEN,
                actor=actor,
                target=agreement,
                data={"by": by, "ends_on": end.isoformat(), "reason": reason},
                now=now,
            )
            return agreement
    return organisation_status_change(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.PARTNERSHIP_ENDED,
        actor=actor,
        explanation=reason,
        now=now,
    )


@transaction.atomic
def partner_renounce(
    *, organisation: Organisation, actor, now: datetime.datetime | None = None
) -> StatusChange | PartnershipAgreement:
    """Charter art. 4 (P5): the partner renounces online, at once, without giving a reason."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_signatory(actor, organisation, on=today)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    result = _partnership_end(
        organisation=organisation, actor=actor, by="partner", reason=_("Renonciation"), now=now
    )
    _partnership_end_emails(organisation, result, by_partner=True, reason="", now=now)
    return result


@transaction.atomic
def partner_terminate(
    *, organisation: Organisation, actor, reason: str = "", now: datetime.datetime | None = None
) -> StatusChange | PartnershipAgreement:
    """Charter art. 4 (P5, G2): the COPIL terminates a partnership, notified in writing."""
    _require_copil(actor)
    now = now or timezone.now()
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    result = _partnership_end(
        organisation=organisation, actor=actor, by="copil", reason=reason, now=now
    )
    _partnership_end_emails(organisation, result, by_partner=False, reason=reason, now=now)
    return result


def _partnership_end_emails(organisation, result, *, by_partner, reason, now) -> None:
    recipients = _representative_emails(organisation, on=timezone.localdate(now))
    name = organisation.legal_name
    ends = result.ends_on if isinstance(result, PartnershipAgreement) else None
    commitment_months = charter_parameters(
        on=ends or timezone.localdate(now)
    ).commitment_months_after_loss

    def partner_email():
        when = (
            _("Conformément à la convention, le partenariat prend fin le %(date)s.")
            % {"date": _date(ends)}
            if ends
            else _("Le partenariat a pris fin le %(date)s.") % {"date": _date(now)}
        )
        first = (
            _("Nous prenons acte de la renonciation de %(name)s à son statut de partenaire.")
            if by_partner
            else _("Le COPIL a décidé de mettre fin au partenariat avec %(name)s.")
        ) % {"name": name}
        return {
            "to": recipients,
            "subject": _("Fin du partenariat de %(name)s avec la COS-GE") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                first,
                *([_("Motif : %(reason)s") % {"reason": reason}] if reason else []),
                when,
                # Charter art. 3.3 (E2): the months of the version in force at the loss.
                ngettext(
                    "L'engagement d'éthique et de confidentialité (article 3.3) court encore "
                    "%(months)s mois après la perte du statut.",
                    "L'engagement d'éthique et de confidentialité (article 3.3) court encore "
                    "%(months)s mois après la perte du statut.",
                    commitment_months,
                )
                % {"months": commitment_months},
            ],
        }

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Fin du partenariat : %(name)s") % {"name": name},
            "paragraphs": [
                (
                    _("%(name)s a renoncé en ligne à son statut de partenaire le %(date)s.")
                    if by_partner
                    else _("Le partenariat avec %(name)s a été dénoncé le %(date)s.")
                )
                % {"name": name, "date": _date(now)},
                *([_("Fin effective le %(date)s.") % {"date": _date(ends)}] if ends else []),
            ],
        }

    _send_on_commit(partner_email)
    _send_on_commit(copil_email)


def status_expirations(*, now: datetime.datetime | None = None) -> list[StatusChange]:
    """P1, P5, I1: fixed-term partnerships and invitations, and agreements given notice,
    end on their date. Idempotent: a second run finds nothing left to end."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ended = []
    for organisation in selectors.organisation_list_with_status(at=now).filter(
        current_status__in=[Status.PARTNER, Status.INVITEE]
    ):
        latest = organisation.status_changes.filter(effective_at__lte=now).latest()
        agreement_end = (
            PartnershipAgreement.objects.filter(organisation=organisation, ends_on__lte=today)
            .order_by("ends_on")
            .first()
        )
        due = latest.ends_on is not None and latest.ends_on < today
        if organisation.current_status == Status.PARTNER and agreement_end is not None:
            due = due or agreement_end.ends_on > timezone.localdate(latest.effective_at)
        if not due:
            continue
        reason = (
            StatusReason.PARTNERSHIP_ENDED
            if organisation.current_status == Status.PARTNER
            else StatusReason.INVITATION_EXPIRED
        )
        ended.append(
            organisation_status_change(
                organisation=organisation, status=Status.NONE, reason=reason, now=now
            )
        )
    return ended
