"""The objects the permission matrix needs for the election URLs (issue 7).

``member`` (a signatory of a member organisation) gave a proxy in a published
election; a COPIL meeting has minutes with a file; a candidate uploaded a video.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from activities.constants import ActivityKind
from governance.models import ElectionStatus, ProxyStatus
from tests.activities.factories import ActivityFactory
from tests.governance.copil.factories import CopilMeetingFactory
from tests.governance.elections.factories import CandidacyFactory, ElectionFactory, ProxyFactory
from tests.members.factories import RepresentativeFactory, member_organisation


def elections_world(*, member) -> dict[str, dict]:
    now = timezone.now()
    plenary = ActivityFactory(kind=ActivityKind.ORDINARY_PLENARY, starts_at=now)
    election = ElectionFactory(
        title="Élection du COPIL",
        plenary=plenary,
        election_date=timezone.localdate(now),
        candidacy_deadline=now - datetime.timedelta(days=60),
        seats_to_fill=2,
        status=ElectionStatus.PUBLISHED,
        published_at=now,
    )
    holder = member_organisation()
    candidate = RepresentativeFactory(organisation=holder)
    candidacy = CandidacyFactory(
        election=election,
        candidate=candidate.user,
        organisation=holder,
        statement="Programme.",
        votes=0,
    )
    candidacy.video.save("video.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32))
    proxy = ProxyFactory(
        election=election,
        giver=member.organisation,
        holder=holder,
        signed_by=member.user,
        signed_at=now,
        signer_name=str(member.user),
        status=ProxyStatus.VALIDATED,
    )
    meeting = CopilMeetingFactory(
        title="Réunion du COPIL", held_on=timezone.localdate(now), minutes_text="Décisions."
    )
    meeting.minutes_file.save("cr.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    by_election = {"pk": election.pk}
    return {
        "elections:detail": by_election,
        "elections:manage": {"pk": election.pk, "action": "annoncer"},
        "elections:candidacy": by_election,
        "elections:candidacy_withdraw": by_election,
        "elections:proxy_give": by_election,
        "elections:vote": by_election,
        "elections:paper_ballot": by_election,
        "elections:tie": by_election,
        "elections:results": by_election,
        "elections:receipts": by_election,
        "elections:candidacy_video": {"pk": candidacy.pk},
        "elections:proxy_pdf": {"pk": proxy.pk},
        "elections:proxy_decide": {"pk": proxy.pk},
        "elections:proxy_revoke": {"pk": proxy.pk},
        "elections:copil_minutes": {"pk": meeting.pk},
        "elections:copil_minutes_file": {"pk": meeting.pk},
    }
