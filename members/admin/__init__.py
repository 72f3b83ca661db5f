"""The COPIL's administration of the members registry.

The admin stays thin: a status changes only through the service of its path (the status
screen calls ``services.organisation_status_decide``, which calls the application,
partner or invitation services, or refuses naming the path), a mistake in the history is
corrected by ``services.organisation_status_correct`` (justified, audited), new
organisations are created by ``services.organisation_create``, and the CSV import goes
through the resources of ``members.resources`` (which call the same services). The
status history is shown, never edited.

One module per subject: people, organisations (and the status history),
representatives, offers (categories), decisions (what the status lifecycle's actions
share), corrections (of the status history), applications, partners (agreements),
invitations, exclusions, proofs, and organisation_decisions, whose admin replaces the
plain organisation admin in the registration. Importing this package registers them all; each public name is
re-exported here.
"""

from ._common import (
    IMPORT_MAX_ROWS,
    RegistryImportExportAdmin,
)
from .applications import (
    ApplicationAdmin,
    ApplicationOpinionInline,
)
from .corrections import (
    HistoryCorrectionForm,
    HistoryCorrectionMixin,
)
from .decisions import (
    DecisionActionsMixin,
    PartnerGrantForm,
    ReasonForm,
    RequiredReasonForm,
    ServiceCreateAdminMixin,
    ServiceCreateForm,
    can_decide,
)
from .exclusions import (
    ExclusionOpenForm,
    ExclusionProcedureAdmin,
)
from .invitations import (
    InvitationAdmin,
    InvitationForm,
)
from .offers import (
    OfferCategoryAdmin,
)
from .organisation_decisions import (
    OrganisationLifecycleAdmin,
    WithoutRepresentativeFilter,
)
from .organisations import (
    STATUS_DECISION_MAX,
    CurrentStatusFilter,
    DepartmentFilter,
    EstablishmentInline,
    EstablishmentInlineFormSet,
    OrganisationAdmin,
    OrganisationAdminForm,
    RepresentativeInline,
    StatusChangeAdmin,
    StatusChangeInline,
    StatusDecisionForm,
)
from .partners import (
    AgreementAmendmentInline,
    PartnershipAgreementAdmin,
    PartnershipAgreementForm,
)
from .people import (
    UserAdmin,
    UserChangeForm,
    UserCreationForm,
)
from .proofs import (
    ProofDocumentInline,
    ProofRequestAdmin,
    ProofRequestForm,
)
from .representatives import (
    RepresentativeAdmin,
)

__all__ = [
    "IMPORT_MAX_ROWS",
    "STATUS_DECISION_MAX",
    "AgreementAmendmentInline",
    "ApplicationAdmin",
    "ApplicationOpinionInline",
    "CurrentStatusFilter",
    "DecisionActionsMixin",
    "DepartmentFilter",
    "EstablishmentInline",
    "EstablishmentInlineFormSet",
    "ExclusionOpenForm",
    "ExclusionProcedureAdmin",
    "HistoryCorrectionForm",
    "HistoryCorrectionMixin",
    "InvitationAdmin",
    "InvitationForm",
    "OfferCategoryAdmin",
    "OrganisationAdmin",
    "OrganisationAdminForm",
    "OrganisationLifecycleAdmin",
    "PartnerGrantForm",
    "PartnershipAgreementAdmin",
    "PartnershipAgreementForm",
    "ProofDocumentInline",
    "ProofRequestAdmin",
    "ProofRequestForm",
    "ReasonForm",
    "RegistryImportExportAdmin",
    "RepresentativeAdmin",
    "RepresentativeInline",
    "RequiredReasonForm",
    "ServiceCreateAdminMixin",
    "ServiceCreateForm",
    "StatusChangeAdmin",
    "StatusChangeInline",
    "StatusDecisionForm",
    "UserAdmin",
    "UserChangeForm",
    "UserCreationForm",
    "WithoutRepresentativeFilter",
    "can_decide",
]
