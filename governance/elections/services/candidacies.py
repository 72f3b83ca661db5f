"""Eligibility of candidates (V4, V5) and candidacies: declaration, video, withdrawal
(V11)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.selectors import charter_parameters
from core.audit import audit_log
from governance.audit_actions import ElectionsAudit
from governance.elections import selectors
from governance.elections.models import Candidacy, Election, ElectionStatus
from governance.exceptions import ElectionsError
from members.constants import Status
from members.models import Organisation, StatusChange
from members.selectors import active_representatives

from ._common import _fmt, _lock, _require_status

# V11: candidate videos (upload), checked by content.
VIDEO_MAX_BYTES = 200 * 1024 * 1024
VIDEO_EXTENSIONS = {".mp4", ".m4v", ".mov", ".webm"}


# --- Eligibility (V4, V5) -----------------------------------------------------------------


def member_since(*, organisation: Organisation, on: datetime.date) -> datetime.date | None:
    """The day the organisation's current uninterrupted membership began, if member on ``on``."""
    moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time.max))
    changes = list(
        StatusChange.objects.filter(organisation=organisation, effective_at__lte=moment)
        .order_by("-effective_at", "-id")
        .values_list("status", "effective_at")
    )
    if not changes or changes[0][0] != Status.MEMBER:
        return None
    since = changes[0][1]
    for status, effective_at in changes[1:]:
        if status != Status.MEMBER:
            break
        since = effective_at
    return timezone.localdate(since)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    organisation: Organisation | None
    reason: str


def candidate_eligibility(*, user, election_date: datetime.date) -> Eligibility:
    """Charter art. 6.2 (V4, V5): a person representing a member organisation for at least
    one year on the election date; outgoing COPIL members are treated like anyone else."""
    params = charter_parameters(on=election_date)
    threshold = election_date - relativedelta(years=params.candidate_seniority_years)
    representations = list(
        active_representatives(on=election_date)
        .filter(user=user)
        .select_related("organisation")
        .order_by("start_date")
    )
    if not representations:
        return Eligibility(
            False,
            None,
            _("Vous ne représentez aucune entité à la date de l'élection (%(date)s).")
            % {"date": _fmt(election_date)},
        )
    reasons = []
    for representation in representations:
        organisation = representation.organisation
        since = member_since(organisation=organisation, on=election_date)
        if since is None:
            reasons.append(
                _("%(org)s n'est pas membre de la COS-GE.") % {"org": organisation.legal_name}
            )
            continue
        start = max(since, representation.start_date)
        if start <= threshold:
            return Eligibility(True, organisation, "")
        reasons.append(
            _(
                "Vous représentez %(org)s, membre, depuis le %(start)s : il faut l'être depuis "
                "au moins %(years)s an(s) à la date de l'élection, soit depuis le %(threshold)s "
                "au plus tard."
            )
            % {
                "org": organisation.legal_name,
                "start": _fmt(start),
                "years": params.candidate_seniority_years,
                "threshold": _fmt(threshold),
            }
        )
    return Eligibility(False, None, " ".join(reasons))


# --- Candidacies (V4, V5, V11) ------------------------------------------------------------


def video_check(*, file) -> None:
    """V11: an uploaded video is an MP4/QuickTime or WebM file, checked by its content."""
    name = (getattr(file, "name", "") or "").lower()
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if file.size > VIDEO_MAX_BYTES:
        raise ElectionsError(
            _("La vidéo dépasse %(mb)s Mo.") % {"mb": VIDEO_MAX_BYTES // (1024 * 1024)}
        )
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    is_iso = len(head) >= 12 and head[4:8] == b"ftyp"
    is_webm = head[:4] == b"\x1a\x45\xdf\xa3"
    if extension not in VIDEO_EXTENSIONS or not (
        (is_iso and extension != ".webm") or (is_webm and extension == ".webm")
    ):
        raise ElectionsError(_("La vidéo doit être un fichier MP4, MOV ou WebM."))


@transaction.atomic
def candidacy_declare(
    *,
    election: Election,
    user,
    statement: str,
    video=None,
    video_url: str = "",
    now: datetime.datetime | None = None,
) -> Candidacy:
    now = now or timezone.now()
    election = _lock(election)
    _require_status(election, ElectionStatus.ANNOUNCED)
    # Charter art. 6.2 (V11): candidacies close at the previous ordinary plenary.
    if now >= election.candidacy_deadline:
        raise ElectionsError(
            _("Les candidatures sont closes depuis le %(date)s (article 6.2).")
            % {"date": _fmt(timezone.localdate(election.candidacy_deadline))}
        )
    if not (statement or "").strip():
        raise ElectionsError(_("Rédigez votre profession de foi."))
    eligibility = candidate_eligibility(user=user, election_date=election.election_date)
    if not eligibility.eligible:
        raise ElectionsError(eligibility.reason)
    # One candidacy row per person and election (unique constraint): a candidate who
    # withdrew may stand again before the deadline, on that same row.
    candidacy = Candidacy.objects.filter(election=election, candidate=user).first()
    if candidacy is not None and candidacy.withdrawn_at is None:
        raise ElectionsError(_("Vous êtes déjà candidat à cette élection."))
    if video is not None:
        video_check(file=video)
    again = candidacy is not None
    if candidacy is None:
        candidacy = Candidacy(election=election, candidate=user)
    candidacy.organisation = eligibility.organisation
    candidacy.statement = statement.strip()
    candidacy.video_url = video_url or ""
    candidacy.withdrawn_at = None
    if video is not None:
        candidacy.video.save(video.name, video, save=False)
    elif again:
        candidacy.video = ""  # a new declaration replaces the withdrawn one entirely
    candidacy.save()
    audit_log(
        action=ElectionsAudit.CANDIDACY_DECLARED,
        actor=user,
        target=candidacy,
        data={"election": election.pk, "again": again},
        now=now,
    )
    return candidacy


@transaction.atomic
def candidacy_withdraw(
    *, candidacy: Candidacy, actor, now: datetime.datetime | None = None
) -> Candidacy:
    """A candidate withdraws until candidacies close (V11); the commission records a
    withdrawal it received otherwise (in writing, at the plenary) until voting opens.

    The candidacy is kept, marked withdrawn: it leaves the list of candidates and the
    ballot, and the audit trail says who withdrew it and when.
    """
    now = now or timezone.now()
    election = _lock(candidacy.election)
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    is_candidate = actor.pk == candidacy.candidate_id
    commission = selectors.is_election_commission(actor)
    if not (is_candidate or commission):
        raise ElectionsError(_("Seul le candidat peut retirer sa candidature."))
    if candidacy.withdrawn_at is not None:
        raise ElectionsError(_("Cette candidature est déjà retirée."))
    _require_status(election, ElectionStatus.ANNOUNCED)
    # Until the candidacy deadline the list may still change; after it, the list shown
    # to the plenary is settled, and only the commission records a late withdrawal.
    if now >= election.candidacy_deadline and not commission:
        raise ElectionsError(
            _(
                "Les candidatures sont closes depuis le %(date)s : adressez votre retrait à "
                "la commission électorale."
            )
            % {"date": _fmt(timezone.localdate(election.candidacy_deadline))}
        )
    candidacy.withdrawn_at = now
    candidacy.save(update_fields=["withdrawn_at", "updated_at"])
    audit_log(
        action=ElectionsAudit.CANDIDACY_WITHDRAWN,
        actor=actor,
        target=candidacy,
        data={"election": election.pk, "by_candidate": is_candidate},
        now=now,
    )
    return candidacy
