"""Charter revision opened by petition (art. 10: X2): opening, support, withdrawal and
the threshold, recounted daily."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from members.models import Organisation

from ... import selectors_commissions as selectors
from ...exceptions import RevisionError
from ...models.commissions import (
    CharterRevision,
    RevisionNature,
    RevisionOrigin,
    RevisionStatus,
    RevisionSupport,
)
from ._common import _check_signatory_of_member, _now, _revision_create, _send_mail, _site_url

# --- Charter revision (art. 10: X2, X3, X4, W1) ------------------------------------------------------


@transaction.atomic
def revision_petition_open(
    *,
    title: str,
    reason: str,
    organisation: Organisation,
    actor,
    nature: str = RevisionNature.REVISION,
    now=None,
) -> CharterRevision:
    """Charter art. 10 (X2): a member starts a revision (or abrogation) petition; its own
    support is the first one."""
    now = _now(now)
    _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    revision = _revision_create(
        origin=RevisionOrigin.PETITION,
        status=RevisionStatus.PETITION,
        title=title,
        reason=reason,
        nature=nature,
        actor=actor,
        now=now,
    )
    audit_log(
        action="governance.revision.petition_opened",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk, "nature": nature},
        now=now,
    )
    revision_support(revision=revision, organisation=organisation, actor=actor, now=now)
    return revision


@transaction.atomic
def revision_support(
    *, revision: CharterRevision, organisation: Organisation, actor, now=None
) -> RevisionSupport:
    """Charter art. 10 (X2): a member organisation supports the petition, once."""
    now = _now(now)
    _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PETITION:
        raise RevisionError(_("Cette demande ne recueille plus de soutiens."))
    if RevisionSupport.objects.filter(
        revision=revision, organisation=organisation, withdrawn_at__isnull=True
    ).exists():
        raise RevisionError(_("Votre entité soutient déjà cette demande."))
    support = RevisionSupport.objects.create(
        revision=revision, organisation=organisation, supported_by=actor, supported_at=now
    )
    audit_log(
        action="governance.revision.supported",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk},
        now=now,
    )
    revision_threshold_check(revision=revision, now=now)
    return support


@transaction.atomic
def revision_support_withdraw(
    *, revision: CharterRevision, organisation: Organisation, actor, now=None
) -> RevisionSupport:
    now = _now(now)
    _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PETITION:
        raise RevisionError(_("Le COPIL est déjà saisi : le soutien ne peut plus être retiré."))
    support = RevisionSupport.objects.filter(
        revision=revision, organisation=organisation, withdrawn_at__isnull=True
    ).first()
    if support is None:
        raise RevisionError(_("Votre entité ne soutient pas cette demande."))
    support.withdrawn_at = now
    support.save(update_fields=["withdrawn_at"])
    audit_log(
        action="governance.revision.support_withdrawn",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk},
        now=now,
    )
    return support


@transaction.atomic
def revision_threshold_check(*, revision: CharterRevision, now=None) -> bool:
    """Charter art. 10 (X2): once the supporting members reach the threshold (50 % of the
    current members), the COPIL is seized: notified once, never twice. Called on each
    support and by the scheduled job, so a change of membership is taken into account."""
    now = _now(now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PETITION or revision.copil_notified_at is not None:
        return False
    count = selectors.revision_petition_count(revision=revision, at=now)
    if not count.reached:
        return False
    revision.status = RevisionStatus.SEIZED
    revision.threshold_reached_at = now
    revision.copil_notified_at = now
    revision.save(
        update_fields=["status", "threshold_reached_at", "copil_notified_at", "updated_at"]
    )
    audit_log(
        action="governance.revision.copil_seized",
        actor=None,
        target=revision,
        data={
            "supporters": count.supporters,
            "members": count.members,
            "percent_required": count.percent_required,
        },
        now=now,
    )
    _send_mail(
        to=[settings.COPIL_EMAIL],
        subject=_("Demande de révision de la charte : le COPIL est saisi"),
        template="revision_seized",
        context={
            "revision": revision,
            "count": count,
            "url": _site_url(revision.get_absolute_url()),
        },
    )
    return True


def revision_petitions_check(*, now=None) -> int:
    """The scheduled job: recount every open petition (X2). Returns how many were seized."""
    seized = 0
    for pk in CharterRevision.objects.filter(status=RevisionStatus.PETITION).values_list(
        "pk", flat=True
    ):
        if revision_threshold_check(revision=CharterRevision(pk=pk), now=now):
            seized += 1
    return seized
