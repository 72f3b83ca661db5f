"""What the writes of commissions, referents and charter revision share: the moment,
the COPIL's role, the e-mails, the site's address, a commission as stored, and the
checks and creation shared by the two ways a revision opens (X2, X3)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charters.selectors import charter_version_in_force
from core.emails import email_enqueue
from core.roles import is_copil
from members.models import Organisation

from ... import selectors_commissions as selectors
from ...exceptions import NotAllowed, RevisionError
from ...models.commissions import CharterRevision, Commission, RevisionNature


def _now(now):
    return now or timezone.now()


def _require_copil(actor) -> None:
    if not is_copil(actor):
        raise NotAllowed(_("Cette décision appartient au COPIL."))


def _send_mail(*, to: list[str], subject: str, template: str, context: dict, reply_to=None):
    """A French e-mail, plain text and HTML, queued through Celery once the transaction
    has committed (the outbox keeps it if Redis is down)."""
    with translation.override("fr"):
        text = render_to_string(f"governance/commissions/email/{template}.txt", context)
        html = render_to_string(f"governance/commissions/email/{template}.html", context)
    email_enqueue(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        html=html,
        to=to,
        reply_to=reply_to or (),
    )


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _fresh(commission: Commission) -> Commission:
    """The commission as stored: its facilitator decides who may act (K2)."""
    return Commission.objects.select_related("facilitator").get(pk=commission.pk)


def _check_signatory_of_member(*, actor, organisation: Organisation, now) -> None:
    if (
        not selectors.member_signatory_representations(user=actor, at=now)
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
