"""The abstract bases of the governance models keep each table's own constraints (V3, R2)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from governance.models import (
    HierarchyAgreement,
    Mandate,
    MandateEndReason,
    MinutesRequest,
    Proxy,
    Referent,
    ReferentEndReason,
)
from tests.governance.elections.factories import CopilSeatFactory
from tests.members.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 1)


def new_mandate(**kwargs):
    representative = RepresentativeFactory()
    return Mandate(
        seat=CopilSeatFactory(number=1),
        holder=representative.user,
        organisation=representative.organisation,
        start_date=START,
        **kwargs,
    )


def new_referent(**kwargs):
    return Referent(
        representative=RepresentativeFactory(),
        hierarchy_agreement=HierarchyAgreement.NOT_NEEDED,
        start_date=START,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("build", "reason"),
    [(new_mandate, MandateEndReason.RESIGNED), (new_referent, ReferentEndReason.RESIGNATION)],
)
def test_a_term_ends_after_it_starts_and_with_a_reason(build, reason):
    model = build().__class__
    name = model._meta.model_name
    assert {f"{name}_ends_after_start", f"{name}_end_has_reason"} <= {
        constraint.name for constraint in model._meta.constraints
    }
    with pytest.raises(IntegrityError, match="ends_after_start"), transaction.atomic():
        build(end_date=START - datetime.timedelta(days=1), end_reason=reason).save()
    with pytest.raises(IntegrityError, match="end_has_reason"), transaction.atomic():
        build(end_date=START).save()
    term = build()
    term.save()
    assert term.is_active
    term.end_date, term.end_reason = START, reason
    term.save()
    assert not term.is_active
    assert model.objects.count() == 1


@pytest.mark.parametrize("model", [Proxy, MinutesRequest])
def test_decided_requests_share_the_decision_fields(model):
    fields = {field.name: field for field in model._meta.get_fields()}
    assert str(fields["decided_by"].verbose_name) == "décidée par"
    assert fields["decided_by"].null and fields["decided_by"].remote_field.related_name == "+"
    assert str(fields["decided_at"].verbose_name) == "décidée le"
    assert fields["refusal_reason"].blank
