import pytest
from django.core.exceptions import ValidationError

from members.validators import department_of, validate_siren, validate_siret


@pytest.mark.rule("M2")
@pytest.mark.parametrize(
    ("postcode", "department"),
    [("57000", "57"), ("08000", "08"), ("67000", "67"), ("20000", "2A"), ("20200", "2B"),
     ("97400", "974"), ("75001", "75"), ("abc", "")],
)  # fmt: skip
def test_department_is_computed_from_the_postcode(postcode, department):
    assert department_of(postcode) == department


@pytest.mark.rule("M2")
def test_a_valid_siret_passes_luhn():
    validate_siret("73282932000074")
    validate_siren("732829320")


@pytest.mark.rule("M2")
@pytest.mark.parametrize("siret", ["73282932000075", "7328293200007", "7328293200007A"])
def test_an_invalid_siret_is_refused(siret):
    with pytest.raises(ValidationError):
        validate_siret(siret)
