"""The demo phone line for `make run`: the local PJSIP edge and the demo consultants' lines."""

import os

from django.contrib.auth import get_user_model

from . import services
from .models import ConsultantLine

# username, extension, where the consultant's softphone listens on this machine, speaks Kazakh, speaks Russian
DEMO_LINES: list[tuple[str, str, str, bool, bool]] = [
    ("consultant", "1001", "sip:1001@127.0.0.1:5081", True, True),
    ("consultant2", "1002", "sip:1002@127.0.0.1:5083", False, True),
]
DEMO_CONTROL_PREFIX = "http://127.0.0.1:"


def load_demo_telephony() -> None:
    """Idempotent. The edge is registered only when its secret is in the environment (make run sets it)."""
    secret = os.getenv("TELEPHONY_EDGE_SECRET", "")
    if secret:
        services.register_edge(
            name=os.getenv("TELEPHONY_EDGE_NAME", "pjsip-local"), secret=secret, control_url_prefix=DEMO_CONTROL_PREFIX
        )
    users = get_user_model().objects
    for username, extension, sip_uri, kazakh, russian in DEMO_LINES:
        user = users.filter(username=username).first()
        if user is None or ConsultantLine.objects.filter(user=user).exists():
            continue
        services.open_consultant_line(
            user=user, extension=extension, sip_uri=sip_uri, speaks_kazakh=kazakh, speaks_russian=russian
        )
