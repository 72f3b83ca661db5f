"""Applications for membership (charter art. 3.1: M1 to M7)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.exceptions import CharterError
from charters.selectors import charter_version_in_force
from charters.services import signature_record
from core.audit import audit_log
from core.site import absolute_url

from .. import selectors
from ..audit_actions import APPLICATION_DECIDED, MembersAudit
from ..constants import ApplicationState, OrganisationKind, Status, StatusReason
from ..exceptions import ApplicationBlocked, MembersError
from ..matching import identity
from ..models import (
    Application,
    ApplicationOpinion,
    Establishment,
    Organisation,
    Representative,
    StatusChange,
)
from ._common import _date, _require_copil, _send_on_commit
from .registry import (
    organisation_check_grand_est,
    organisation_create,
    organisation_status_change,
    return_ban_check,
)

APPLICATION_ORGANISATION_FIELDS = ("legal_name", "kind", "siren", "website", "description")


@transaction.atomic
def application_save_draft(
    *,
    applicant,
    data: dict,
    aif_reference: str = "",
    motivation: str = "",
    application: Application | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """Save what the applicant typed, to resume later: a draft is not an application."""
    if application is None:
        application = Application(applicant=applicant)
    elif application.applicant_id != applicant.pk or application.state != ApplicationState.DRAFT:
        raise MembersError(_("Ce brouillon n'est plus modifiable."))
    application.data = data
    application.aif_reference = aif_reference.strip()
    application.motivation = motivation
    application.save()
    audit_log(
        action=MembersAudit.APPLICATION_DRAFT_SAVED, actor=applicant, target=application, now=now
    )
    return application


@transaction.atomic
def application_submit(
    *,
    applicant,
    data: dict,
    aif_reference: str,
    motivation: str,
    password: str,
    consent_given: bool,
    application: Application | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Charter art. 3.1 (M3, M4): the application and the charter signature in one step.

    Creates the organisation, its establishments, the applicant as its first
    representative (M3) and the status "applicant", then signs the charter in force in
    the same transaction: a refused signature (wrong password, no consent...) rolls
    everything back, so no application exists unsigned. ``data`` holds the organisation
    fields (APPLICATION_ORGANISATION_FIELDS), ``establishments`` (a list of dicts) and
    ``job_title``.
    """

    now = now or timezone.now()
    today = timezone.localdate(now)
    if application is not None and (
        application.applicant_id != applicant.pk or application.state != ApplicationState.DRAFT
    ):
        raise MembersError(_("Cette candidature a déjà été déposée."))
    if not aif_reference.strip():
        # Charter art. 3.1 (M1): the AIF directory reference is part of the application.
        raise MembersError(
            _("Indiquez la référence ou l'adresse de votre fiche dans l'annuaire AIF."),
            field="aif_reference",
        )
    legal_name = (data.get("legal_name") or "").strip()
    # Charter art. 5 and 3.1 (I4, M6): an organisation excluded as a member may not be
    # invited during its ban, so it may not apply either (membership asks for attendance
    # as an invitee first), under whatever name, SIREN, SIRET or applicant it comes.
    return_ban_check(
        candidate=identity(
            legal_names=[legal_name],
            numbers=[
                data.get("siren") or "",
                *((e or {}).get("siret") or "" for e in data.get("establishments", [])),
            ],
            emails=[applicant.email],
        ),
        on=today,
        purpose="application",
        fields={"name": "legal_name"},
    )
    if Organisation.objects.filter(legal_name__iexact=legal_name).exists():
        raise MembersError(
            _(
                "Une entité porte déjà ce nom dans le registre. Si vous la représentez, "
                "écrivez au COPIL pour déposer sa candidature."
            ),
            field="legal_name",
        )
    version = charter_version_in_force(on=today)
    if version is None:
        raise MembersError(_("Aucune version de la charte n'est en vigueur : réessayez plus tard."))

    organisation = organisation_create(
        legal_name=legal_name,
        kind=data.get("kind") or OrganisationKind.COMPANY,
        siren=data.get("siren", ""),
        website=data.get("website", ""),
        description=data.get("description", ""),
        aif_reference=aif_reference.strip(),
        actor=applicant,
        now=now,
    )
    for values in data.get("establishments", []):
        establishment = Establishment(organisation=organisation, **values)
        establishment.full_clean(exclude=["department"])
        establishment.save()
    # Charter art. 3.1 (M2).
    organisation_check_grand_est(organisation=organisation, on=today)
    # Charter art. 3.1 (M3): the person who applies is the first representative.
    Representative.objects.create(
        user=applicant,
        organisation=organisation,
        job_title=(data.get("job_title") or "")[:150],
        start_date=today,
        is_authorised_signatory=True,
    )
    organisation_status_change(
        organisation=organisation,
        status=Status.APPLICANT,
        reason=StatusReason.APPLICATION,
        actor=applicant,
        now=now,
    )
    try:
        # Charter art. 3.1 (M4): signed in the same step; a refusal undoes everything.
        signature = signature_record(
            version=version,
            organisation=organisation,
            signer=applicant,
            password=password,
            consent_given=consent_given,
            ip_address=ip_address,
            user_agent=user_agent,
            now=now,
            notify=False,  # the application's own confirmation says it
        )
    except CharterError as error:
        raise MembersError(error.message, field=error.field) from error

    application = application or Application(applicant=applicant)
    application.organisation = organisation
    application.state = ApplicationState.SUBMITTED
    application.data = data
    application.aif_reference = aif_reference.strip()
    application.motivation = motivation
    application.signature = signature
    application.submitted_at = now
    application.save()
    audit_log(
        action=MembersAudit.APPLICATION_SUBMITTED,
        actor=applicant,
        target=application,
        data={"organisation": organisation.pk, "signature": signature.verification_code},
        now=now,
    )
    name = organisation.legal_name

    def emails():
        return {
            "to": [applicant.email],
            "subject": _("Candidature de %(name)s reçue") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Nous avons bien reçu la candidature de %(name)s à la COS-GE, avec la "
                    "signature de la charte (code de vérification %(code)s)."
                )
                % {"name": name, "code": signature.verification_code},
                _(
                    "Le COPIL vérifie la référence AIF et vous invitera à découvrir nos "
                    "activités avant de se prononcer. Suivez l'état de votre candidature : "
                    "%(url)s"
                )
                % {"url": absolute_url(reverse("application:list"))},
            ],
        }

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Nouvelle candidature : %(name)s") % {"name": name},
            "paragraphs": [
                _("%(name)s a déposé sa candidature le %(date)s.")
                % {"name": name, "date": _date(now)},
                _("Examinez-la dans l'administration : %(url)s")
                % {
                    "url": absolute_url(
                        reverse("admin:members_application_change", args=[application.pk])
                    )
                },
            ],
        }

    _send_on_commit(emails)
    _send_on_commit(copil_email)
    return application


def _locked_application(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.state != ApplicationState.SUBMITTED:
        raise MembersError(
            _("Cette candidature n'est pas en cours d'examen (état : %(state)s).")
            % {"state": ApplicationState(locked.state).label}
        )
    return locked


@transaction.atomic
def application_aif_verify(
    *, application: Application, actor, now: datetime.datetime | None = None
) -> Application:
    """Charter art. 3.1 (M1): a COPIL member records that the AIF reference was checked."""
    _require_copil(actor)
    now = now or timezone.now()
    application = _locked_application(application)
    application.aif_verified_by = actor
    application.aif_verified_at = now
    application.save(update_fields=["aif_verified_by", "aif_verified_at", "updated_at"])
    audit_log(
        action=MembersAudit.APPLICATION_AIF_VERIFIED,
        actor=actor,
        target=application,
        data={"reference": application.aif_reference},
        now=now,
    )
    return application


@transaction.atomic
def application_approve(
    *, application: Application, actor, reason: str = "", now: datetime.datetime | None = None
) -> StatusChange:
    """Charter art. 3.1 (M5, M6, G2): the COPIL approves an application that meets every
    condition; the organisation becomes a member and designates its representatives (M9)."""
    _require_copil(actor)
    now = now or timezone.now()
    application = _locked_application(application)
    failing = [
        check
        for check in selectors.application_checklist(application=application, at=now)
        if check.blocking and not check.ok
    ]
    if failing:
        raise ApplicationBlocked(
            _("Validation impossible : %(checks)s.")
            % {"checks": " ; ".join(f"{check.label} ({check.detail})" for check in failing)}
        )
    change = organisation_status_change(
        organisation=application.organisation,
        status=Status.MEMBER,
        reason=StatusReason.APPROVED,
        actor=actor,
        explanation=reason,
        now=now,
    )
    _application_decide(application, ApplicationState.APPROVED, actor=actor, reason=reason, now=now)
    organisation = application.organisation
    name, slug, email = organisation.legal_name, organisation.slug, application.applicant.email

    def approved_email():
        return {
            "to": [email],
            "subject": _("Candidature de %(name)s validée") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Le COPIL a validé le %(date)s la candidature de %(name)s : bienvenue à la COS-GE !"
                )
                % {"date": _date(now), "name": name},
                *([_("Motif : %(reason)s") % {"reason": reason}] if reason else []),
                _(
                    "Désignez maintenant la ou les personnes qui représenteront votre entité "
                    "(article 3.1 de la charte) depuis votre espace membre : %(url)s"
                )
                % {"url": absolute_url(reverse("member_space:organisation", args=[slug]))},
            ],
        }

    _send_on_commit(approved_email)
    return change


@transaction.atomic
def application_reject(
    *, application: Application, actor, reason: str = "", now: datetime.datetime | None = None
) -> StatusChange:
    """Charter art. 3.1 (M5): the COPIL rejects an application, sovereignly."""
    _require_copil(actor)
    now = now or timezone.now()
    application = _locked_application(application)
    change = organisation_status_change(
        organisation=application.organisation,
        status=Status.NONE,
        reason=StatusReason.REJECTED,
        actor=actor,
        explanation=reason,
        now=now,
    )
    _application_decide(application, ApplicationState.REJECTED, actor=actor, reason=reason, now=now)
    name, email = application.organisation.legal_name, application.applicant.email

    def rejected_email():
        return {
            "to": [email],
            "subject": _("Candidature de %(name)s non retenue") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL n'a pas retenu le %(date)s la candidature de %(name)s.")
                % {"date": _date(now), "name": name},
                *([_("Motif : %(reason)s") % {"reason": reason}] if reason else []),
                _(
                    "Votre entité peut néanmoins être invitée à certaines activités de la "
                    "COS-GE (article 5 de la charte)."
                ),
            ],
        }

    _send_on_commit(rejected_email)
    return change


def _application_decide(application, state, *, actor, reason, now) -> None:
    application.state = state
    application.decided_by = actor
    application.decided_at = now
    application.decision_reason = reason
    application.save(
        update_fields=["state", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit_log(
        action=APPLICATION_DECIDED[state],
        actor=actor,
        target=application,
        data={"organisation": application.organisation_id, "reason": reason},
        now=now,
    )


@transaction.atomic
def application_opinion_post(
    *, application: Application, author, text: str, now: datetime.datetime | None = None
) -> ApplicationOpinion:
    """Charter art. 3.1 (M7): a member's representative gives an opinion, for the COPIL only."""
    now = now or timezone.now()
    if application.state != ApplicationState.SUBMITTED:
        raise MembersError(_("Cette candidature n'est plus en cours d'examen."))
    if not text.strip():
        raise MembersError(_("Écrivez votre avis."), field="text")
    representation = (
        selectors.representation_list(user=author, at=now)
        .filter(organisation_status=Status.MEMBER)
        .exclude(organisation=application.organisation_id)
        .first()
    )
    if representation is None:
        raise MembersError(_("Seuls les représentants des membres peuvent donner un avis."))
    opinion, _created = ApplicationOpinion.objects.update_or_create(
        application=application,
        author=author,
        defaults={"text": text.strip(), "author_organisation": representation.organisation},
    )
    audit_log(
        action=MembersAudit.APPLICATION_OPINION_POSTED,
        actor=author,
        target=application,
        data={"opinion": opinion.pk},
        now=now,
    )
    return opinion
