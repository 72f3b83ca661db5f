"""Writes of charter revision (art. 10: X2, X3, X4, W1): opened by petition (support,
withdrawal, the threshold recounted daily) or by the COPIL, then its ad hoc commission,
the draft, the vote at an extraordinary plenary and the closing.

Every change is checked here, whatever the caller (page, admin action, task), and
written with its audit entry in one transaction (ARCHITECTURE §2, §5, §8).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.constants import ActivityKind
from activities.models import Activity
from charters.selectors import charter_version_in_force
from charters.services import charter_version_publish, charter_version_revise
from core.audit import audit_log
from core.roles import is_copil
from core.site import absolute_url
from governance.audit_actions import RevisionsAudit
from governance.commissions.models import Commission, CommissionStatus
from governance.commissions.selectors import is_facilitator
from governance.commissions.services import commission_create, commission_end
from governance.exceptions import NotAllowed, RevisionError
from governance.selectors import Prerequisite, member_signatory_representations
from governance.services import email_notify_in_french, require_copil, resolve_now
from members.models import Organisation, Representative

from . import selectors
from .models import (
    CharterRevision,
    RevisionNature,
    RevisionOrigin,
    RevisionStatus,
    RevisionSupport,
    RevisionVote,
    VoteChoice,
)

# --- Shared by the two ways a revision opens (X2, X3) ------------------------------------


def _check_signatory_of_member(*, actor, organisation: Organisation, now) -> None:
    if (
        not member_signatory_representations(user=actor, at=now)
        .filter(organisation=organisation)
        .exists()
    ):
        raise NotAllowed(
            _("Seul un signataire habilité d'une entité membre peut engager celle-ci.")
        )


def _check_no_revision_in_progress() -> None:
    if selectors.revision_open() is not None:
        raise RevisionError(_("Une révision de la charte est déjà en cours."))


def _revision_create(
    *, origin: str, status: str, title: str, reason: str, nature: str, actor, now
) -> CharterRevision:
    """A new revision on the charter in force, by petition (X2) or by the COPIL (X3):
    one at a time, with a title, the reasons and a known nature."""
    _check_no_revision_in_progress()
    if not title.strip() or not reason.strip():
        raise RevisionError(_("L'intitulé et les motifs de la demande sont obligatoires."))
    if nature not in RevisionNature.values:
        raise RevisionError(_("Nature de la demande inconnue."))
    return CharterRevision.objects.create(
        origin=origin,
        nature=nature,
        title=title.strip(),
        reason=reason.strip(),
        status=status,
        base_version=charter_version_in_force(on=timezone.localdate(now)),
        opened_by=actor,
        opened_at=now,
    )


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
    now = resolve_now(now)
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
        action=RevisionsAudit.PETITION_OPENED,
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
    now = resolve_now(now)
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
        action=RevisionsAudit.SUPPORTED,
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
    now = resolve_now(now)
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
        action=RevisionsAudit.SUPPORT_WITHDRAWN,
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
    now = resolve_now(now)
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
        action=RevisionsAudit.COPIL_SEIZED,
        actor=None,
        target=revision,
        data={
            "supporters": count.supporters,
            "members": count.members,
            "percent_required": count.percent_required,
        },
        now=now,
    )
    email_notify_in_french(
        to=[settings.COPIL_EMAIL],
        subject=_("Demande de révision de la charte : le COPIL est saisi"),
        template="revision_seized",
        context={
            "revision": revision,
            "count": count,
            "url": absolute_url(revision.get_absolute_url()),
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


# --- The revision once opened (X3, X4, W1) ---------------------------------------------


def revision_open_by_copil(
    *,
    title: str,
    reason: str,
    actor,
    nature: str = RevisionNature.REVISION,
    now=None,
) -> CharterRevision:
    """Charter art. 10 (X3): the COPIL may take up a revision itself."""
    now = resolve_now(now)
    require_copil(actor)
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
        action=RevisionsAudit.OPENED_BY_COPIL,
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
    now = resolve_now(now)
    require_copil(actor)
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
        action=RevisionsAudit.COMMISSION_CREATED,
        actor=actor,
        target=revision,
        data={"commission": commission.pk},
        now=now,
    )
    return commission


def can_draft(*, user, revision: CharterRevision) -> bool:
    if is_copil(user):
        return True
    return revision.commission_id is not None and is_facilitator(
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
    now = resolve_now(now)
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
        action=RevisionsAudit.DRAFT_SAVED,
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
    now = resolve_now(now)
    require_copil(actor)
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
        action=RevisionsAudit.VOTE_OPENED,
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
    now = resolve_now(now)
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
        action=RevisionsAudit.VOTE_RECORDED,
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
    now = resolve_now(now)
    require_copil(actor)
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
        action=RevisionsAudit.ADOPTED if adopted else RevisionsAudit.REJECTED,
        actor=actor,
        target=revision,
        data={
            "for": revision.votes_for,
            "against": revision.votes_against,
            "abstain": revision.votes_abstain,
        },
        now=now,
    )
    email_notify_in_french(
        to=[settings.COPIL_EMAIL],
        subject=_("Révision de la charte : résultat du vote"),
        template="revision_result",
        context={"revision": revision, "url": absolute_url(revision.get_absolute_url())},
    )
    return revision


@transaction.atomic
def revision_close(*, revision: CharterRevision, actor, now=None) -> CharterRevision:
    """The COPIL closes a revision without a vote (withdrawn, overtaken)."""
    now = resolve_now(now)
    require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status not in selectors.OPEN_REVISION_STATUSES:
        raise RevisionError(_("Cette révision est déjà close."))
    revision.status = RevisionStatus.CLOSED
    revision.decided_at, revision.decided_by = now, actor
    revision.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_log(action=RevisionsAudit.CLOSED, actor=actor, target=revision, now=now)
    return revision


# --- The guided page of a new charter version (X1, X3, X4, W1) ---------------------------


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def charter_version_prerequisites(
    *, now=None, may_create_activity: bool = False
) -> list[Prerequisite]:
    """What a new charter version needs, in the order of art. 10, with today's state: the
    version in force and its end date (X1), a revision opened (X2, X3), its ad hoc
    commission (X3), the draft (W1), an extraordinary plenary for the vote (X4), then the
    members' signatures of the adopted version (X4)."""
    now = resolve_now(now)
    today = timezone.localdate(now)
    in_force = charter_version_in_force(on=today)
    revision = selectors.revision_open()
    rows = [
        Prerequisite(
            label=_("La version en vigueur (article 10)"),
            ok=in_force is not None,
            state=(
                _(
                    "Version en vigueur : %(label)s, depuis le %(start)s, jusqu'au %(end)s "
                    "(au plus tard le %(latest)s). Elle prend fin la veille de l'entrée en "
                    "vigueur de la nouvelle version."
                )
                % {
                    "label": in_force.label,
                    "start": _day(in_force.effective_date),
                    "end": _day(in_force.end_date),
                    "latest": _day(in_force.governance.latest_end_date),
                }
                if in_force
                else _("Aucune version de la charte n'est en vigueur aujourd'hui.")
            ),
        )
    ]
    opened = revision is not None
    rows.append(
        Prerequisite(
            label=_("Une révision ouverte, par demande des membres ou par le COPIL"),
            ok=opened,
            state=(
                _("Révision « %(title)s » : %(status)s.")
                % {"title": revision.title, "status": revision.get_status_display()}
                if opened
                else _("Aucune révision en cours : le COPIL peut en ouvrir une lui-même.")
            ),
            link_url=revision.get_absolute_url()
            if opened
            else reverse("commissions:revision_copil_open"),
            link_label=_("Voir la révision") if opened else _("Ouvrir une révision"),
        )
    )
    has_commission = opened and revision.commission_id is not None
    commission_row = Prerequisite(
        label=_("La commission ad hoc qui rédige la nouvelle version"),
        ok=has_commission,
        state=(
            _("Commission : %(name)s.") % {"name": revision.commission.name}
            if has_commission
            else _("Le COPIL constitue la commission ad hoc une fois saisi.")
        ),
        link_url=reverse("commissions:revision_commission", args=[revision.pk])
        if opened and revision.is_seized
        else "",
        link_label=_("Constituer la commission ad hoc") if opened and revision.is_seized else "",
    )
    rows.append(commission_row)
    draft = revision.draft_version if opened else None
    rows.append(
        Prerequisite(
            label=_("Le projet de nouvelle version : date d'entrée en vigueur et texte"),
            ok=draft is not None,
            state=(
                _(
                    "Projet %(label)s, en vigueur le %(start)s s'il est adopté, jusqu'au "
                    "%(end)s au plus tard."
                )
                % {
                    "label": draft.label,
                    "start": _day(draft.effective_date),
                    "end": _day(draft.end_date),
                }
                if draft
                else _("Aucun projet rédigé : le formulaire ci-dessous l'enregistre.")
                if opened and revision.is_drafting
                else _("Le projet se rédige une fois la commission ad hoc constituée.")
            ),
        )
    )
    plenary = (
        Activity.objects.filter(
            kind=ActivityKind.EXTRAORDINARY_PLENARY, starts_at__gt=now, cancelled_at__isnull=True
        )
        .order_by("starts_at")
        .first()
    )
    new_plenary = ""
    if plenary is None and may_create_activity:
        new_plenary = reverse("activities:create") + f"?type={ActivityKind.EXTRAORDINARY_PLENARY}"
    rows.append(
        Prerequisite(
            label=_("Une réunion plénière extraordinaire pour l'adoption (vote des membres)"),
            ok=plenary is not None,
            state=(
                _("Prochaine plénière extraordinaire : %(date)s, « %(title)s ».")
                % {"date": _day(timezone.localdate(plenary.starts_at)), "title": plenary.title}
                if plenary
                else _(
                    "Aucune plénière extraordinaire à venir : créez l'activité ; le vote "
                    "s'y ouvre le jour même, adopté à la majorité simple des suffrages exprimés."
                )
            ),
            link_url=new_plenary,
            link_label=_("Créer l'activité plénière extraordinaire") if new_plenary else "",
        )
    )
    rows.append(
        Prerequisite(
            label=_("La nouvelle signature des membres"),
            ok=True,
            state=_(
                "Une fois la version adoptée et en vigueur, les membres sont invités à la "
                "signer ; la campagne de signature montre qui l'a fait."
            ),
            link_url=reverse("charters:campaign"),
            link_label=_("Voir la campagne de signature"),
        )
    )
    return rows
