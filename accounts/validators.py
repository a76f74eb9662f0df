from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MixedCharactersValidator:
    """A password must mix letters and digits."""

    def validate(self, password: str, user: object = None) -> None:
        if not (any(ch.isalpha() for ch in password) and any(ch.isdigit() for ch in password)):
            raise ValidationError(_("The password must contain both letters and digits."), code="password_mixed")

    def get_help_text(self) -> str:
        return _("Your password must contain both letters and digits.")
