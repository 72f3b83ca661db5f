"""Public profiles: the fields, logo and establishments that representatives edit (M2),
and each person's consent to appear on them."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.public_cache import public_pages_changed
from core.uploads import image_format

from .. import selectors
from ..audit_actions import MembersAudit
from ..constants import Status
from ..exceptions import MembersError
from ..models import Establishment, Organisation, Representative
from .registry import organisation_check_grand_est

# The logo formats a representative may upload, with the extension and content type
# the file is stored and served with.
LOGO_FORMATS: dict[str, tuple[str, str]] = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
LOGO_CONTENT_TYPES = dict(LOGO_FORMATS.values())

# The fields of the public profile that its representatives edit.
PROFILE_FIELDS = ("description", "website", "kind", "siren")

# Charter art. 3.1 (M2): members, and applicants who want to become members, keep an
# active establishment in the Grand Est; partners and invitees may be elsewhere.
GRAND_EST_STATUSES = (Status.MEMBER, Status.APPLICANT)


def logo_check(*, file) -> str:
    """The extension to store an uploaded logo with; MembersError unless it is acceptable.

    Only PNG, JPEG and WebP images up to ``settings.LOGO_MAX_BYTES`` pass, checked by
    Pillow on the content (the name and the declared content type are not trusted).
    """
    if file.size > settings.LOGO_MAX_BYTES:
        raise MembersError(
            _("Le logo ne doit pas dépasser %(size)s.")
            % {"size": filesizeformat(settings.LOGO_MAX_BYTES)}
        )
    found = image_format(file)
    if found is None:
        raise MembersError(_("Ce fichier n'est pas une image valide."))
    if found not in LOGO_FORMATS:
        raise MembersError(_("Le logo doit être une image au format PNG, JPEG ou WebP."))
    return LOGO_FORMATS[found][0]


@transaction.atomic
def organisation_profile_update(
    *,
    organisation: Organisation,
    data: dict,
    offer_categories: Iterable | None = None,
    establishments: Iterable[Establishment] = (),
    logo=None,
    actor,
    now: datetime.datetime | None = None,
) -> Organisation:
    """A representative updates the public profile and the establishments of an organisation.

    ``data`` holds profile fields (``PROFILE_FIELDS``); ``offer_categories`` replaces the
    categories (``None`` keeps them); ``establishments`` are the new or changed
    establishments of this organisation; ``logo`` is an uploaded file to store, ``False``
    to remove the logo, ``None`` to keep it. Raises NotInGrandEst, and saves nothing,
    when a member or applicant would be left without an active establishment in the
    Grand Est (M2).
    """
    now = now or timezone.now()
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    # Lock the row so a status decision and this edit are taken one after the other.
    before = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in data.items():
        setattr(organisation, name, value)
    logo_extension = logo_check(file=logo) if logo else None
    organisation.full_clean(exclude=["logo"])

    created, updated = [], []
    for establishment in establishments:
        if establishment.organisation_id != organisation.pk:
            raise ValueError("An establishment of another organisation.")
        is_new = establishment.pk is None
        establishment.full_clean(exclude=["organisation", "department"])
        establishment.save()
        (created if is_new else updated).append(establishment.pk)

    if offer_categories is not None:
        organisation.offer_categories.set(offer_categories)

    status = selectors.organisation_status(organisation=organisation, at=now)
    if status in GRAND_EST_STATUSES:
        # Charter art. 3.1 (M2): raising here rolls back every change above.
        organisation_check_grand_est(organisation=organisation, on=timezone.localdate(now))

    storage = organisation.logo.storage
    old_logo = before.logo.name
    new_logo = ""
    if logo_extension:
        organisation.logo.save(f"{organisation.slug}.{logo_extension}", logo, save=False)
        new_logo = organisation.logo.name
    elif logo is False:
        organisation.logo = ""
    else:
        organisation.logo = before.logo.name
    try:
        organisation.save()
        public_pages_changed()
        audit_log(
            action=MembersAudit.ORGANISATION_PROFILE_UPDATED,
            actor=actor,
            target=organisation,
            data={
                "fields": sorted(
                    name for name in data if getattr(before, name) != getattr(organisation, name)
                ),
                "offer_categories": offer_categories is not None,
                "logo": "replaced" if new_logo else ("removed" if logo is False else "kept"),
                "establishments_created": created,
                "establishments_updated": updated,
            },
            now=now,
        )
    except Exception:
        # The database rolls back; the file written above would otherwise stay orphaned.
        if new_logo:
            storage.delete(new_logo)
        raise
    if old_logo and (new_logo or logo is False):
        transaction.on_commit(lambda: storage.delete(old_logo))
    return organisation


@transaction.atomic
def representative_consent_set(
    *,
    representative: Representative,
    public_consent: bool,
    actor,
    now: datetime.datetime | None = None,
) -> Representative:
    """The person gives or withdraws consent to appear on the public profile of the entity.

    Personal data is public only with the consent of the person themself.
    """
    if getattr(actor, "pk", None) != representative.user_id:
        raise MembersError(
            _("Seule la personne concernée peut donner ou retirer son consentement.")
        )
    if representative.public_consent == public_consent:
        return representative
    representative.public_consent = public_consent
    representative.save(update_fields=["public_consent", "updated_at"])
    public_pages_changed()  # personal data public only while the consent lasts
    audit_log(
        action=(
            MembersAudit.REPRESENTATIVE_CONSENT_GIVEN
            if public_consent
            else MembersAudit.REPRESENTATIVE_CONSENT_WITHDRAWN
        ),
        actor=actor,
        target=representative,
        data={"organisation": representative.organisation_id},
        now=now,
    )
    return representative
