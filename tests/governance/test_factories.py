"""Every governance factory builds a valid row on its own, and twice without a clash."""

import pytest

from tests.governance.announcements import factories as announcements
from tests.governance.commissions import factories as commissions
from tests.governance.copil import factories as copil
from tests.governance.elections import factories as elections
from tests.governance.referents import factories as referents
from tests.governance.revisions import factories as revisions

pytestmark = pytest.mark.django_db

FACTORIES = [
    announcements.AnnouncementFactory,
    announcements.AnnouncementDeliveryFactory,
    commissions.CommissionFactory,
    commissions.CommissionMembershipFactory,
    commissions.CommissionMeetingFactory,
    commissions.ProgressReportFactory,
    commissions.ReportAttachmentFactory,
    commissions.RoadmapActionFactory,
    copil.CopilMeetingFactory,
    copil.CopilMeetingAttendanceFactory,
    copil.CopilDecisionFactory,
    copil.MinutesRequestFactory,
    elections.CopilSeatFactory,
    elections.MandateFactory,
    elections.ElectionFactory,
    elections.CandidacyFactory,
    elections.ProxyFactory,
    elections.VoteRecordFactory,
    elections.BallotFactory,
    elections.BallotChoiceFactory,
    elections.BallotBoxFactory,
    elections.SealedBallotFactory,
    referents.ReferentFactory,
    referents.ReferentBodyFactory,
    referents.ReferentContactFactory,
    referents.ReferentMessageFactory,
    revisions.CharterRevisionFactory,
    revisions.RevisionSupportFactory,
    revisions.RevisionVoteFactory,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_a_factory_works_alone(factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first, second = factory(), factory()
    assert first.pk is not None
    assert second.pk != first.pk
    exclude = [field.name for field in first._meta.fields if not field.editable]
    first.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
