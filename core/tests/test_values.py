import pytest
from django.core.exceptions import ValidationError

from core.iin import is_valid_iin, validate_iin
from core.masking import mask_text
from core.phone import normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "+7 701 123 45 67",
        "8 701 123-45-67",
        "87011234567",
        "77011234567",
        "7011234567",
        "(701) 123 45 67",
        "+7(701)123-45-67",
    ],
)
def test_kazakhstan_numbers_written_any_way_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+77011234567"


@pytest.mark.parametrize("raw", ["", "abc", "+7 701 123", "12345", "8 701 123 45 67 89", "<script>"])
def test_malformed_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_foreign_numbers_keep_their_country_code() -> None:
    assert normalise_phone("+998 90 123 45 67") == "+998901234567"


def test_iin_checksum() -> None:
    assert is_valid_iin("870101300128")
    assert not is_valid_iin("870101300123")
    assert validate_iin(" 870101 300128") == "870101300128"
    with pytest.raises(ValidationError):
        validate_iin("870101300123")
    with pytest.raises(ValidationError):
        validate_iin("８７０１０１３００１２８")  # full-width digits


def test_personal_data_is_masked_in_free_text() -> None:
    masked = mask_text("IIN 870101300128, phone +7 701 123 45 67, mail aigerim@example.kz")
    assert "870101300128" not in masked
    assert "1234567" not in masked
    assert "aigerim@" not in masked
