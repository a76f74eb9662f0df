import smtplib

import pytest

from intake.models import InboundMessage, InboundStatus
from intake.tests.conftest import plain_mail, wait_until


@pytest.mark.django_db(transaction=True)
def test_smtp(smtp_receiver, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    host, port = smtp_receiver
    with smtplib.SMTP(host, port) as client:
        client.sendmail("aigul@example.kz", ["egov@nitec.kz"], plain_mail())
    message = wait_until(lambda: InboundMessage.objects.exclude(status=InboundStatus.STORED).first())
    assert message.status == InboundStatus.REGISTERED, message.error
