"""Charter revision (art. 10: X3, X4, W1) once opened: by the COPIL, its commission,
the draft, the vote and the closing."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.constants import ActivityKind
from activities.models import Activity
from charters.selectors import charter_version_in_force
from charters.services import charter_version_publish, charter_version_revise
from core.audit import audit_log
from core.roles import is_copil
from members.models import Organisation, Representative

from ... import selectors_commissions as selectors
from ...exceptions import NotAllowed, RevisionError
from ...models.commissions import (
    CharterRevision,
    Commission,
    CommissionStatus,
    RevisionNature,
    RevisionOrigin,
    RevisionStatus,
    RevisionVote,
    VoteChoice,
)
from ._common import (
    _check_signatory_of_member,
    _now,
    _require_copil,
    _revision_create,
    _send_mail,
    _site_url,
)
from .memberships import commission_create, commission_end


def revision_open_by_copil(
    *,
    title: str,
    reason: str,
    actor,
    nature: str = RevisionNature.REVISION,
    now=None,
) -> CharterRevision:
    """Charter art. 10 (X3): the COPIL may take up a revision itself."""
    now = _now(now)
    _require_copil(actor)
    revision = _revision_create(
        origin=RevisionOrigin.COPIL,
        status=RevisionStatus.SEIZED,
        title=title,
        reason=reason,
        nature=nature,
        actor=actor,
        now=now,
    )
    audit_log(
        action="governance.revision.opened_by_copil",
        actor=actor,
        target=revision,
        data={"nature": nature},
        now=now,
    )
    return revision


@transaction.atomic
def revision_commission_create(
    *,
    revision: CharterRevision,
    end_date: datetime.date,
    actor,
    facilitator: Representative | None = None,
    name: str = "",
    now=None,
) -> Commission:
    """Charter art. 10 (X3): an ad hoc commission drafts the new version."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.SEIZED:
        raise RevisionError(_("La commission ad hoc se constitue une fois le COPIL saisi."))
    commission = commission_create(
        name=name
        or _("Commission de révision de la charte (%(title)s)") % {"title": revision.title},
        purpose=_("Rédiger la nouvelle version de la charte (article 10) : %(reason)s")
        % {"reason": revision.reason},
        start_date=timezone.localdate(now),
        end_date=end_date,
        facilitator=facilitator,
        actor=actor,
        now=now,
    )
    revision.commission = commission
    revision.status = RevisionStatus.DRAFTING
    revision.save(update_fields=["commission", "status", "updated_at"])
    audit_log(
        action="governance.revision.commission_created",
        actor=actor,
        target=revision,
        data={"commission": commission.pk},
        now=now,
    )
    return commission


def can_draft(*, user, revision: CharterRevision) -> bool:
    if is_copil(user):
        return True
    return revision.commission_id is not None and selectors.is_facilitator(
        user=user, commission=revision.commission
    )


@transaction.atomic
def revision_draft_save(
    *,
    revision: CharterRevision,
    label: str,
    effective_date: datetime.date,
    change_note: str,
    actor,
    body: str | None = None,
    now=None,
):
    """Charter art. 10 (X3, W1): the ad hoc commission writes the new version and the
    nature of the change; it stays a draft (never in force) until adopted."""
    now = _now(now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if not can_draft(user=actor, revision=revision):
        raise NotAllowed(_("Seuls l'animateur de la commission ad hoc et le COPIL rédigent."))
    if revision.status != RevisionStatus.DRAFTING:
        raise RevisionError(_("La nouvelle version se rédige avant l'ouverture du vote."))
    if not change_note.strip():
        raise RevisionError(_("Décrivez la nature de la modification (historique des versions)."))
    if effective_date <= timezone.localdate(now):
        raise RevisionError(_("La date d'entrée en vigueur doit être postérieure à aujourd'hui."))
    draft = revision.draft_version
    if draft is None:
        base = revision.base_version or charter_version_in_force(on=timezone.localdate(now))
        if base is None:
            raise RevisionError(_("Aucune version de la charte n'est en vigueur."))
        try:
            draft = charter_version_revise(
                version=base,
                label=label,
                effective_date=effective_date,
                change_note=change_note.strip(),
                body=body,
                actor=actor,
                now=now,
            )
        except Exception as error:  # charters' InvalidVersion carries a French message
            raise RevisionError(getattr(error, "message", str(error))) from error
        revision.draft_version = draft
        revision.save(update_fields=["draft_version", "updated_at"])
    else:
        draft.label = label.strip()
        draft.effective_date = effective_date
        draft.change_note = change_note.strip()
        if body is not None:
            draft.body = body
        try:
            draft.full_clean()
        except ValidationError as error:
            raise RevisionError(" ".join(error.messages)) from error
        draft.save()
    audit_log(
        action="governance.revision.draft_saved",
        actor=actor,
        target=revision,
        data={"draft": draft.pk, "label": draft.label, "text_sha256": draft.text_sha256},
        now=now,
    )
    return draft


@transaction.atomic
def revision_vote_open(
    *, revision: CharterRevision, plenary: Activity, actor, now=None
) -> CharterRevision:
    """Charter art. 10 (X4): the new version is submitted to all members at an
    extraordinary plenary, on whose day the vote opens."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.DRAFTING:
        raise RevisionError(_("Le vote s'ouvre une fois la nouvelle version rédigée."))
    if revision.nature == RevisionNature.REVISION and revision.draft_version_id is None:
        raise RevisionError(_("La commission ad hoc n'a pas encore rédigé de nouvelle version."))
    if plenary.kind != ActivityKind.EXTRAORDINARY_PLENARY:
        raise RevisionError(_("Le vote a lieu en réunion plénière extraordinaire."))
    # X4: the members vote at the plenary, so the vote opens on its day (Paris time) only,
    # as an election's vote opens on its plenary's day (V6).
    plenary_day = timezone.localdate(plenary.starts_at)
    if timezone.localdate(now) != plenary_day:
        raise RevisionError(
            _("Le vote s'ouvre le jour de la réunion plénière (%(date)s).")
            % {"date": formats.date_format(plenary_day, "j F Y")}
        )
    revision.plenary = plenary
    revision.status = RevisionStatus.VOTING
    revision.save(update_fields=["plenary", "status", "updated_at"])
    audit_log(
        action="governance.revision.vote_opened",
        actor=actor,
        target=revision,
        data={"plenary": plenary.pk},
        now=now,
    )
    return revision


def revision_plenary_change_check(*, activity: Activity, starts_at, kind: str) -> None:
    """X4: a revision vote opened at an extraordinary plenary was held on its day; that
    plenary keeps its day and its kind (``activity`` as stored, the new values)."""
    held = CharterRevision.objects.filter(plenary_id=activity.pk).first()
    if held is None:
        return
    same_day = timezone.localdate(starts_at) == timezone.localdate(activity.starts_at)
    if same_day and kind == activity.kind:
        return
    error = RevisionError(
        _(
            "Le vote sur la révision de la charte « %(title)s » a été ouvert à cette réunion "
            "plénière extraordinaire : son jour et son type ne changent plus (article 10)."
        )
        % {"title": held.title}
    )
    error.field = "starts_at" if not same_day else "kind"
    raise error


@transaction.atomic
def revision_vote_record(
    *, revision: CharterRevision, organisation: Organisation, choice: str, actor, now=None
) -> RevisionVote:
    """Charter art. 10 (X4): one vote per member organisation, recorded by the COPIL from
    the plenary's roll call (or cast by the organisation's signatory); never changed."""
    now = _now(now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.VOTING:
        raise RevisionError(_("Le vote n'est pas ouvert."))
    if not is_copil(actor):
        _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    if choice not in VoteChoice.values:
        raise RevisionError(_("Choix de vote inconnu."))
    if not selectors.revision_voters(revision=revision).filter(pk=organisation.pk).exists():
        raise RevisionError(
            _("%(name)s n'était pas membre à la date de la plénière : elle ne vote pas.")
            % {"name": organisation.legal_name}
        )
    try:
        with transaction.atomic():
            vote = RevisionVote.objects.create(
                revision=revision,
                organisation=organisation,
                choice=choice,
                recorded_by=actor,
                recorded_at=now,
            )
    except IntegrityError:
        raise RevisionError(
            _("Le vote de %(name)s est déjà enregistré.") % {"name": organisation.legal_name}
        ) from None
    audit_log(
        action="governance.revision.vote_recorded",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk},
        now=now,
    )
    return vote


@transaction.atomic
def revision_vote_close(*, revision: CharterRevision, actor, now=None) -> CharterRevision:
    """Charter art. 10 (X4): adopted by simple majority of the votes cast (abstentions are
    not votes cast; a tie is not a majority). An adopted version is published: it comes
    into force on its effective date, which starts the re-signature campaign."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.VOTING:
        raise RevisionError(_("Le vote n'est pas ouvert."))
    choices = list(revision.votes.values_list("choice", flat=True))
    revision.votes_for = choices.count(VoteChoice.FOR)
    revision.votes_against = choices.count(VoteChoice.AGAINST)
    revision.votes_abstain = choices.count(VoteChoice.ABSTAIN)
    adopted = revision.votes_for > revision.votes_against
    revision.status = RevisionStatus.ADOPTED if adopted else RevisionStatus.REJECTED
    revision.decided_at, revision.decided_by = now, actor
    revision.save(
        update_fields=[
            "votes_for",
            "votes_against",
            "votes_abstain",
            "status",
            "decided_at",
            "decided_by",
            "updated_at",
        ]
    )
    if adopted and revision.nature == RevisionNature.REVISION:
        charter_version_publish(version=revision.draft_version, actor=actor, now=now)
    elif adopted and revision.base_version_id:
        # Abrogation: the version ends the day of the vote (it may only end earlier, X1).
        base = revision.base_version
        base.end_date = max(base.effective_date, timezone.localdate(now))
        base.save(update_fields=["end_date", "updated_at"])
    if revision.commission_id:
        commission = revision.commission
        if commission.status == CommissionStatus.ACTIVE:
            revision.commission = commission_end(commission=commission, actor=actor, now=now)
    audit_log(
        action=f"governance.revision.{'adopted' if adopted else 'rejected'}",
        actor=actor,
        target=revision,
        data={
            "for": revision.votes_for,
            "against": revision.votes_against,
            "abstain": revision.votes_abstain,
        },
        now=now,
    )
    _send_mail(
        to=[settings.COPIL_EMAIL],
        subject=_("Révision de la charte : résultat du vote"),
        template="revision_result",
        context={"revision": revision, "url": _site_url(revision.get_absolute_url())},
    )
    return revision


@transaction.atomic
def revision_close(*, revision: CharterRevision, actor, now=None) -> CharterRevision:
    """The COPIL closes a revision without a vote (withdrawn, overtaken)."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status not in selectors.OPEN_REVISION_STATUSES:
        raise RevisionError(_("Cette révision est déjà close."))
    revision.status = RevisionStatus.CLOSED
    revision.decided_at, revision.decided_by = now, actor
    revision.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_log(action="governance.revision.closed", actor=actor, target=revision, now=now)
    return revision
