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


def test_masking_leaves_ids_hashes_and_numbers_alone() -> None:
    text = (
        "task 1ac80f3c-6eb4-4abb-aa7e-043fa57473d8 took 7.685412345697e-05s, appeal 2026-W-0000123, sha 870101300128ab"
    )
    assert mask_text(text) == text


def test_masking_finds_phones_in_every_usual_form() -> None:
    for phone in ("+77011234567", "8 701 123 45 67", "8(701)123-45-67", "+998 90 123 45 67"):
        assert "45" not in mask_text(f"call {phone} now").replace("call", ""), phone
