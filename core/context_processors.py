from typing import Any

from django.http import HttpRequest

from core.policy import policy


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "center_phone_numbers": policy("PHONE_NUMBERS"),
        "center_email_addresses": policy("EMAIL_ADDRESSES"),
    }
