"""The petition recount task through a real Celery worker and Redis broker (REDIS_URL)."""

import pytest
from django.core import mail

from governance.models import RevisionStatus
from governance.revisions import services
from governance.revisions.tasks import revision_petitions_check_task
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import resign, signatory_rep


@pytest.mark.integration
@pytest.mark.rule("X2")
def test_x2_recount_through_the_worker_notifies_the_copil_once(celery_live_worker):
    CharterVersionFactory(label="V1 R001")
    reps = [signatory_rep() for _ in range(5)]
    revision = services.revision_petition_open(
        title="Révision", reason="Motifs.", organisation=reps[0].organisation, actor=reps[0].user
    )
    services.revision_support(
        revision=revision, organisation=reps[1].organisation, actor=reps[1].user
    )
    assert revision_petitions_check_task.delay().get(timeout=30) == 0  # 2 of 5
    resign(reps[4].organisation)  # 2 of 4: 50 %
    assert revision_petitions_check_task.delay().get(timeout=30) == 1
    assert revision_petitions_check_task.delay().get(timeout=30) == 0  # idempotent
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SEIZED
    assert [m.to for m in mail.outbox] == [["copil@cos-ge.fr"]]
