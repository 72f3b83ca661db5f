import datetime
from pathlib import Path

import factory

from charters.models import CharterVersion
from tests.members.factories import RepresentativeFactory, member_organisation

CHARTER_TEXT = (
    Path(__file__).resolve().parents[2] / "charters" / "data" / "cos-ge-charter-v1r001.txt"
).read_text(encoding="utf-8")

PASSWORD = "motdepasse-de-test"


class CharterVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CharterVersion

    label = factory.Sequence(lambda n: f"V1 R{n + 1:03d}")
    title = "Charte de la COS-GE"
    body = CHARTER_TEXT
    effective_date = datetime.date(2021, 12, 2)
    end_date = datetime.date(2030, 12, 31)
    change_note = "Version initiale ratifiée le 30 novembre 2021."


def signatory(organisation=None, **kwargs):
    """An active authorised signatory (a Representative) of ``organisation``."""
    organisation = organisation or member_organisation()
    kwargs.setdefault("is_authorised_signatory", True)
    return RepresentativeFactory(organisation=organisation, **kwargs)
