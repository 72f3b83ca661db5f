"""Representatives of an organisation (M9): appointment and end."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.public_cache import public_pages_changed
from core.roles import is_copil
from core.site import absolute_url

from .. import selectors
from ..audit_actions import MembersAudit
from ..exceptions import MembersError
from ..models import Organisation, Representative
from ._common import _require_signatory, _send_on_commit
from .accounts import user_get_or_create


@transaction.atomic
def representative_add(
    *,
    organisation: Organisation,
    actor,
    email: str,
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    is_authorised_signatory: bool = False,
    now: datetime.datetime | None = None,
) -> Representative:
    """Charter art. 3.1 and 4 (M9, P3): the organisation designates a representative."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_copil(actor):
        _require_signatory(actor, organisation, on=today)
    user, _created = user_get_or_create(
        email=email, first_name=first_name, last_name=last_name, actor=actor, now=now
    )
    if (
        selectors.active_representatives(on=today)
        .filter(organisation=organisation, user=user)
        .exists()
    ):
        raise MembersError(_("Cette personne représente déjà l'entité."), field="email")
    representative = Representative.objects.create(
        user=user,
        organisation=organisation,
        job_title=job_title[:150],
        start_date=today,
        is_authorised_signatory=is_authorised_signatory,
    )
    public_pages_changed()
    audit_log(
        action=MembersAudit.REPRESENTATIVE_ADDED,
        actor=actor,
        target=representative,
        data={"organisation": organisation.pk},
        now=now,
    )
    name = organisation.legal_name

    def welcome_email():
        return {
            "to": [user.email],
            "subject": _("Vous représentez %(name)s à la COS-GE") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Vous avez été désigné(e) pour représenter %(name)s au sein de la COS-GE.")
                % {"name": name},
                _(
                    "Connectez-vous (ou choisissez votre mot de passe avec « Mot de passe "
                    "oublié ») : %(url)s"
                )
                % {"url": absolute_url(reverse("account_login"))},
            ],
        }

    _send_on_commit(welcome_email)
    return representative


@transaction.atomic
def representative_end(
    *, representative: Representative, actor, now: datetime.datetime | None = None
) -> Representative:
    """M9: a representative's mandate ends today (by a signatory, the person, or the COPIL)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if actor.pk != representative.user_id and not is_copil(actor):
        _require_signatory(actor, representative.organisation, on=today)
    if not representative.is_active_on(today):
        raise MembersError(_("Ce mandat de représentant est déjà terminé."))
    representative.end_date = max(today, representative.start_date)
    representative.save(update_fields=["end_date", "updated_at"])
    public_pages_changed()
    audit_log(
        action=MembersAudit.REPRESENTATIVE_ENDED,
        actor=actor,
        target=representative,
        data={"organisation": representative.organisation_id},
        now=now,
    )
    return representative
