"""Charter revision (art. 10): X2 petition and 50 % threshold, X3 COPIL and ad hoc
commission, X4 vote at an extraordinary plenary and publication, W1 version history."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from activities.constants import ActivityKind
from charters.models import CharterVersion
from charters.selectors import charter_version_history, charter_version_in_force, signatures_owed
from governance.exceptions import NotAllowed, RevisionError
from governance.models import (
    CharterRevision,
    CommissionStatus,
    RevisionNature,
    RevisionOrigin,
    RevisionStatus,
    RevisionSupport,
    RevisionVote,
    VoteChoice,
)
from governance.revisions import services
from members.constants import Status
from tests.activities.factories import ActivityFactory
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import copil_user, member_rep, resign, signatory_rep
from tests.members.factories import member_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    return copil_user()


@pytest.fixture
def version(db):
    return CharterVersionFactory(label="V1 R001")


def signatories(n):
    return [signatory_rep() for _ in range(n)]


def petition(rep, **kwargs):
    kwargs.setdefault("title", "Ouvrir la COS-GE aux laboratoires")
    kwargs.setdefault("reason", "Les laboratoires publics souhaitent devenir membres.")
    return services.revision_petition_open(organisation=rep.organisation, actor=rep.user, **kwargs)


def support_all(revision, reps):
    for rep in reps:
        services.revision_support(revision=revision, organisation=rep.organisation, actor=rep.user)


@pytest.mark.rule("X2")
def test_x2_a_signatory_of_a_member_opens_a_petition_which_counts_its_support(version):
    first, *_others = signatories(4)
    revision = petition(first)
    assert revision.origin == RevisionOrigin.PETITION
    assert revision.status == RevisionStatus.PETITION
    assert revision.base_version == version
    assert list(revision.supports.values_list("organisation", flat=True)) == [first.organisation_id]


@pytest.mark.rule("X2")
def test_x2_a_representative_who_is_not_signatory_cannot_petition(version):
    signatories(1)
    rep = member_rep()
    with pytest.raises(NotAllowed):
        petition(rep)
    invitee = signatory_rep(member_organisation(status=Status.INVITEE))
    with pytest.raises(NotAllowed):
        petition(invitee)
    assert not CharterRevision.objects.exists()


@pytest.mark.rule("X2")
def test_x2_49_percent_does_not_seize_the_copil(version, django_capture_on_commit_callbacks):
    # 49 supporters out of 100 members: 49 %.
    reps = signatories(100)
    with django_capture_on_commit_callbacks(execute=True):
        revision = petition(reps[0])
        support_all(revision, reps[1:49])
    revision.refresh_from_db()
    count = services.selectors.revision_petition_count(revision=revision)
    assert (count.supporters, count.members, count.reached) == (49, 100, False)
    assert revision.status == RevisionStatus.PETITION
    assert revision.copil_notified_at is None
    assert mail.outbox == []


@pytest.mark.rule("X2")
def test_x2_exactly_50_percent_seizes_the_copil_once(version, django_capture_on_commit_callbacks):
    reps = signatories(4)
    with django_capture_on_commit_callbacks(execute=True):
        revision = petition(reps[0])
        assert mail.outbox == []  # 1 of 4: 25 %
        services.revision_support(
            revision=revision, organisation=reps[1].organisation, actor=reps[1].user
        )  # 2 of 4: exactly 50 %
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SEIZED
    assert revision.copil_notified_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["copil@cos-ge.fr"]
    assert "2 entités membres sur 4" in mail.outbox[0].body
    # Further checks (the scheduled job, another support attempt) notify nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.revision_petitions_check() == 0
        with pytest.raises(RevisionError, match="ne recueille plus"):
            services.revision_support(
                revision=revision, organisation=reps[2].organisation, actor=reps[2].user
            )
    assert len(mail.outbox) == 1


@pytest.mark.rule("X2")
def test_x2_membership_changing_while_the_petition_is_open(
    version, django_capture_on_commit_callbacks
):
    # 2 supporters of 5 members (40 %); one non-supporter resigns: 2 of 4 = 50 %.
    reps = signatories(5)
    revision = petition(reps[0])
    support_all(revision, reps[1:2])
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PETITION
    resign(reps[4].organisation)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.revision_petitions_check() == 1
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SEIZED
    assert len(mail.outbox) == 1


@pytest.mark.rule("X2")
def test_x2_a_supporter_that_leaves_no_longer_counts(version):
    # 2 supporters of 5 (40 %); a supporter resigns: 1 of 4 (25 %), a new member: 1 of 5.
    reps = signatories(5)
    revision = petition(reps[0])
    support_all(revision, reps[1:2])
    resign(reps[1].organisation)
    count = services.selectors.revision_petition_count(revision=revision)
    assert (count.supporters, count.members) == (1, 4)
    signatory_rep()
    count = services.selectors.revision_petition_count(revision=revision)
    assert (count.supporters, count.members, count.reached) == (1, 5, False)
    assert services.revision_petitions_check() == 0


@pytest.mark.rule("X2")
def test_x2_the_threshold_is_a_charter_parameter(db):
    params = {**CharterVersionFactory.build().parameters, "revision_petition_percent": 75}
    CharterVersionFactory(label="V1 R001", parameters=params)
    reps = signatories(4)
    revision = petition(reps[0])
    support_all(revision, reps[1:3])  # 3 of 4 = 75 %
    revision.refresh_from_db()
    count = services.selectors.revision_petition_count(revision=revision)
    assert count.percent_required == 75
    assert revision.status == RevisionStatus.SEIZED


@pytest.mark.rule("X2")
def test_x2_one_support_per_organisation_and_withdrawal(version):
    reps = signatories(6)
    revision = petition(reps[0])
    with pytest.raises(RevisionError, match="soutient déjà"):
        services.revision_support(
            revision=revision, organisation=reps[0].organisation, actor=reps[0].user
        )
    colleague = signatory_rep(reps[0].organisation)
    with pytest.raises(RevisionError, match="soutient déjà"):
        services.revision_support(
            revision=revision, organisation=reps[0].organisation, actor=colleague.user
        )
    services.revision_support_withdraw(
        revision=revision, organisation=reps[0].organisation, actor=reps[0].user
    )
    assert RevisionSupport.objects.filter(withdrawn_at__isnull=True).count() == 0
    services.revision_support(
        revision=revision, organisation=reps[0].organisation, actor=colleague.user
    )
    assert RevisionSupport.objects.filter(withdrawn_at__isnull=True).count() == 1


@pytest.mark.rule("X2", "X3")
def test_x2_one_revision_at_a_time(version, copil):
    reps = signatories(4)
    petition(reps[0])
    with pytest.raises(RevisionError, match="déjà en cours"):
        petition(reps[1])
    with pytest.raises(RevisionError, match="déjà en cours"):
        services.revision_open_by_copil(title="T", reason="R", actor=copil)
    assert CharterRevision.objects.count() == 1


def seized_by_copil(copil, **kwargs):
    return services.revision_open_by_copil(
        title="Actualiser la charte", reason="Mise à jour des paramètres.", actor=copil, **kwargs
    )


@pytest.mark.rule("X3")
def test_x3_the_copil_opens_a_revision_itself(version, copil):
    revision = seized_by_copil(copil)
    assert revision.origin == RevisionOrigin.COPIL
    assert revision.status == RevisionStatus.SEIZED
    rep = signatory_rep()
    with pytest.raises(NotAllowed):
        services.revision_open_by_copil(title="T", reason="R", actor=rep.user)


@pytest.mark.rule("X3")
def test_x3_the_copil_revision_needs_a_title_reasons_and_a_known_nature(version, copil):
    with pytest.raises(RevisionError, match="obligatoires"):
        services.revision_open_by_copil(title=" ", reason="R", actor=copil)
    with pytest.raises(RevisionError, match="Nature de la demande inconnue"):
        services.revision_open_by_copil(title="T", reason="R", actor=copil, nature="suppression")
    assert CharterRevision.objects.count() == 0


def drafted(copil, *, facilitator=None):
    revision = seized_by_copil(copil)
    commission = services.revision_commission_create(
        revision=revision, end_date=datetime.date(2030, 6, 30), facilitator=facilitator, actor=copil
    )
    return revision, commission


@pytest.mark.rule("X3", "W1")
def test_x3_an_ad_hoc_commission_drafts_the_new_version(version, copil):
    facilitator = member_rep()
    revision, commission = drafted(copil, facilitator=facilitator)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.DRAFTING
    assert commission.standing_role == ""
    assert commission.end_date == datetime.date(2030, 6, 30)
    assert commission.facilitator == facilitator

    effective = timezone.localdate() + datetime.timedelta(days=60)
    draft = services.revision_draft_save(
        revision=revision,
        label="V2 R001",
        effective_date=effective,
        change_note="Ouverture aux laboratoires publics (article 2).",
        body=version.body + "\nArticle 12 – Laboratoires\n",
        actor=facilitator.user,
    )
    assert draft.published_at is None  # a draft is never in force
    assert charter_version_in_force() == version
    # The draft can be revised until the vote opens.
    services.revision_draft_save(
        revision=revision, label="V2 R001", effective_date=effective,
        change_note="Ouverture aux laboratoires (art. 2).", actor=copil,
    )  # fmt: skip
    draft.refresh_from_db()
    assert draft.change_note == "Ouverture aux laboratoires (art. 2)."
    assert CharterVersion.objects.count() == 2

    other = member_rep()
    with pytest.raises(NotAllowed):
        services.revision_draft_save(
            revision=revision, label="V2 R002", effective_date=effective,
            change_note="x", actor=other.user,
        )  # fmt: skip
    with pytest.raises(RevisionError, match="nature de la modification"):
        services.revision_draft_save(
            revision=revision, label="V2 R001", effective_date=effective, change_note=" ",
            actor=copil,
        )  # fmt: skip


@pytest.mark.rule("X3")
def test_x3_the_commission_comes_after_the_seizure(version, copil):
    reps = signatories(4)
    revision = petition(reps[0])
    with pytest.raises(RevisionError, match="une fois le COPIL saisi"):
        services.revision_commission_create(
            revision=revision, end_date=datetime.date(2030, 1, 1), actor=copil
        )
    assert revision.commission_id is None


def ready_to_vote(copil, version, *, members=5):
    reps = signatories(members)
    revision, _commission = drafted(copil)
    services.revision_draft_save(
        revision=revision,
        label="V2 R001",
        effective_date=timezone.localdate() + datetime.timedelta(days=30),
        change_note="Nouvelle version.",
        actor=copil,
    )
    plenary = ActivityFactory(
        kind=ActivityKind.EXTRAORDINARY_PLENARY,
        starts_at=timezone.now(),  # X4: the vote opens on the plenary's day
    )
    services.revision_vote_open(revision=revision, plenary=plenary, actor=copil)
    revision.refresh_from_db()
    return revision, reps


@pytest.mark.rule("X4")
def test_x4_the_vote_takes_place_at_an_extraordinary_plenary(version, copil):
    revision, _c = drafted(copil)
    ordinary = ActivityFactory(kind=ActivityKind.ORDINARY_PLENARY)
    extraordinary = ActivityFactory(
        kind=ActivityKind.EXTRAORDINARY_PLENARY, starts_at=timezone.now()
    )
    with pytest.raises(RevisionError, match="nouvelle version"):
        services.revision_vote_open(revision=revision, plenary=extraordinary, actor=copil)
    services.revision_draft_save(
        revision=revision, label="V2 R001",
        effective_date=timezone.localdate() + datetime.timedelta(days=30),
        change_note="Nouvelle version.", actor=copil,
    )  # fmt: skip
    with pytest.raises(RevisionError, match="plénière extraordinaire"):
        services.revision_vote_open(revision=revision, plenary=ordinary, actor=copil)
    services.revision_vote_open(revision=revision, plenary=extraordinary, actor=copil)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.VOTING


@pytest.mark.rule("X4")
def test_x4_one_vote_per_member_organisation(version, copil):
    revision, reps = ready_to_vote(copil, version)
    services.revision_vote_record(
        revision=revision, organisation=reps[0].organisation, choice=VoteChoice.FOR, actor=copil
    )
    colleague = signatory_rep(reps[0].organisation)
    with pytest.raises(RevisionError, match="déjà enregistré"):
        services.revision_vote_record(
            revision=revision, organisation=reps[0].organisation, choice=VoteChoice.AGAINST,
            actor=colleague.user,
        )  # fmt: skip
    # A signatory casts the vote of their own organisation, not another's.
    with pytest.raises(NotAllowed):
        services.revision_vote_record(
            revision=revision, organisation=reps[2].organisation, choice=VoteChoice.FOR,
            actor=reps[1].user,
        )  # fmt: skip
    services.revision_vote_record(
        revision=revision, organisation=reps[1].organisation, choice=VoteChoice.AGAINST,
        actor=reps[1].user,
    )  # fmt: skip
    # A partner has no vote.
    partner = member_organisation(status=Status.PARTNER)
    with pytest.raises(RevisionError, match="pas membre"):
        services.revision_vote_record(
            revision=revision, organisation=partner, choice=VoteChoice.FOR, actor=copil
        )
    assert sorted(RevisionVote.objects.values_list("choice", flat=True)) == ["against", "for"]


def cast(revision, reps, choices, copil):
    for rep, choice in zip(reps, choices, strict=False):
        services.revision_vote_record(
            revision=revision, organisation=rep.organisation, choice=choice, actor=copil
        )


@pytest.mark.rule("X4")
def test_x4_a_tie_is_not_adopted(version, copil):
    revision, reps = ready_to_vote(copil, version)
    cast(revision, reps, ["for", "for", "against", "against", "abstain"], copil)
    revision = services.revision_vote_close(revision=revision, actor=copil)
    assert revision.status == RevisionStatus.REJECTED
    assert (revision.votes_for, revision.votes_against, revision.votes_abstain) == (2, 2, 1)
    assert revision.draft_version.published_at is None
    assert charter_version_in_force() == version


@pytest.mark.rule("X4")
def test_x4_simple_majority_of_votes_cast_abstentions_do_not_count(
    version, copil, django_capture_on_commit_callbacks
):
    # 1 for, 0 against, 3 abstentions: adopted (abstentions are not votes cast).
    revision, reps = ready_to_vote(copil, version)
    cast(revision, reps, ["for", "abstain", "abstain", "abstain"], copil)
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.revision_vote_close(revision=revision, actor=copil)
    assert revision.status == RevisionStatus.ADOPTED
    assert (revision.votes_for, revision.votes_against, revision.votes_abstain) == (1, 0, 3)
    assert revision.commission.status == CommissionStatus.ENDED
    assert any("résultat du vote" in m.subject for m in mail.outbox)


@pytest.mark.rule("X4", "W1")
def test_x4_the_adopted_version_is_published_and_members_are_asked_to_sign_it(version, copil):
    revision, reps = ready_to_vote(copil, version, members=3)
    cast(revision, reps, ["for", "for", "against"], copil)
    revision = services.revision_vote_close(revision=revision, actor=copil)
    draft = revision.draft_version
    draft.refresh_from_db()
    version.refresh_from_db()
    assert draft.published_at is not None
    assert version.end_date == draft.effective_date - datetime.timedelta(days=1)
    # W1: the history shows the new version, its date and the nature of the change.
    history = charter_version_history()
    assert [(v.label, v.change_note) for v in history][0] == ("V2 R001", "Nouvelle version.")
    # X4: once in force, every member owes a signature of the new version.
    in_force_day = draft.effective_date
    assert charter_version_in_force(on=in_force_day) == draft
    at = timezone.make_aware(datetime.datetime.combine(in_force_day, datetime.time(12)))
    owed = {row.organisation.pk for row in signatures_owed(at=at)}
    assert {rep.organisation_id for rep in reps} <= owed


@pytest.mark.rule("X4")
def test_x4_only_the_copil_closes_the_vote(version, copil):
    revision, reps = ready_to_vote(copil, version)
    with pytest.raises(NotAllowed):
        services.revision_vote_close(revision=revision, actor=reps[0].user)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.VOTING


@pytest.mark.rule("X4")
def test_x4_an_adopted_abrogation_ends_the_version(version, copil):
    reps = signatories(3)
    revision = seized_by_copil(copil, nature=RevisionNature.ABROGATION)
    services.revision_commission_create(
        revision=revision, end_date=datetime.date(2030, 1, 1), actor=copil
    )
    plenary = ActivityFactory(kind=ActivityKind.EXTRAORDINARY_PLENARY, starts_at=timezone.now())
    services.revision_vote_open(revision=revision, plenary=plenary, actor=copil)
    revision.refresh_from_db()
    cast(revision, reps, ["for", "for", "against"], copil)
    services.revision_vote_close(revision=revision, actor=copil)
    version.refresh_from_db()
    assert version.end_date == timezone.localdate()
