"""Proxies (V6): given by a member organisation, decided by the commission, revoked."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.selectors import charter_parameters
from core.audit import audit_log
from governance.audit_actions import ElectionsAudit
from governance.elections import selectors
from governance.elections.models import Election, ElectionStatus, Proxy, ProxyStatus
from governance.exceptions import ElectionsError, ElectionsWrongPassword
from governance.selectors import member_signatory_representations
from members.models import Organisation

from ._common import _is_member, _lock, _require_commission, _require_status

# --- Proxies (V6) -------------------------------------------------------------------------


@transaction.atomic
def proxy_give(
    *,
    election: Election,
    giver: Organisation,
    holder: Organisation,
    signer,
    password: str,
    now: datetime.datetime | None = None,
) -> Proxy:
    """V6: a written proxy, signed online by the giver's authorised signatory."""
    now = (now or timezone.now()).replace(microsecond=0)
    if not password or not signer.check_password(password):
        raise ElectionsWrongPassword(
            _("Mot de passe incorrect : la procuration n'a pas été signée.")
        )
    election = _lock(election)
    _require_status(election, ElectionStatus.ANNOUNCED, ElectionStatus.VOTING)
    if not member_signatory_representations(user=signer).filter(organisation=giver).exists():
        raise ElectionsError(
            _("Seul un signataire habilité d'une entité membre peut donner sa procuration.")
        )
    if giver.pk == holder.pk:
        raise ElectionsError(_("Une entité ne peut pas se donner procuration à elle-même."))
    if not _is_member(holder, now):
        raise ElectionsError(_("La procuration est donnée à une autre entité membre."))
    if selectors.has_voted(election=election, organisation=giver):
        raise ElectionsError(_("Votre entité a déjà voté."))
    live = Proxy.objects.select_for_update().filter(
        election=election, status__in=selectors.LIVE_PROXY_STATUSES
    )
    if live.filter(giver=giver).exists():
        raise ElectionsError(_("Votre entité a déjà donné une procuration pour cette élection."))
    if live.filter(giver=holder).exists():
        raise ElectionsError(
            _("%(org)s a elle-même donné procuration : elle ne peut pas en recevoir.")
            % {"org": holder.legal_name}
        )
    if live.filter(holder=giver).exists():
        raise ElectionsError(
            _("Votre entité porte déjà une procuration : elle ne peut pas en donner.")
        )
    cap = charter_parameters(on=election.election_date).election_max_proxies
    if cap and live.filter(holder=holder).count() >= cap:
        raise ElectionsError(
            _("%(org)s porte déjà %(cap)s procuration(s), le maximum.")
            % {"org": holder.legal_name, "cap": cap}
        )
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(
                election=election,
                giver=giver,
                holder=holder,
                signed_by=signer,
                signed_at=now,
                signer_name=signer.get_full_name() or signer.email,
            )
    except IntegrityError:
        raise ElectionsError(
            _("Votre entité a déjà donné une procuration pour cette élection.")
        ) from None
    audit_log(
        action=ElectionsAudit.PROXY_SIGNED,
        actor=signer,
        target=proxy,
        data={"election": election.pk, "giver": giver.pk, "holder": holder.pk},
        now=now,
    )
    return proxy


@transaction.atomic
def proxy_decide(
    *,
    proxy: Proxy,
    actor,
    approve: bool,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Proxy:
    """V6, V12: the election commission validates a proxy before it is used."""
    now = now or timezone.now()
    _require_commission(actor)
    election = _lock(proxy.election)
    _require_status(election, ElectionStatus.ANNOUNCED, ElectionStatus.VOTING)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.status != ProxyStatus.SIGNED:
        raise ElectionsError(_("Cette procuration a déjà été traitée."))
    if not approve and not reason.strip():
        raise ElectionsError(_("Indiquez le motif du refus."))
    proxy.status = ProxyStatus.VALIDATED if approve else ProxyStatus.REFUSED
    proxy.decided_by = actor
    proxy.decided_at = now
    proxy.refusal_reason = "" if approve else reason.strip()
    proxy.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason", "updated_at"])
    audit_log(
        action=ElectionsAudit.PROXY_VALIDATED if approve else ElectionsAudit.PROXY_REFUSED,
        actor=actor,
        target=proxy,
        data={"reason": proxy.refusal_reason},
        now=now,
    )
    return proxy


@transaction.atomic
def proxy_revoke(*, proxy: Proxy, actor, now: datetime.datetime | None = None) -> Proxy:
    """V6: the giver may revoke its proxy until voting opens."""
    now = now or timezone.now()
    election = _lock(proxy.election)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if (
        not member_signatory_representations(user=actor)
        .filter(organisation_id=proxy.giver_id)
        .exists()
    ):
        raise ElectionsError(
            _("Seul un signataire habilité de l'entité mandante peut la révoquer.")
        )
    if election.status != ElectionStatus.ANNOUNCED:
        raise ElectionsError(_("Le vote est ouvert : la procuration ne peut plus être révoquée."))
    if proxy.status not in selectors.LIVE_PROXY_STATUSES:
        raise ElectionsError(_("Cette procuration n'est plus active."))
    proxy.status = ProxyStatus.REVOKED
    proxy.revoked_at = now
    proxy.save(update_fields=["status", "revoked_at", "updated_at"])
    audit_log(action=ElectionsAudit.PROXY_REVOKED, actor=actor, target=proxy, now=now)
    return proxy
