"""`make run` tells where to send test mail: the built-in SMTP receiver and the mailboxes it accepts."""

import pytest
from django.core.management import call_command

from core.management.commands.load_demo_data import DEMO_PASSWORD


@pytest.mark.django_db
def test_make_run_prints_where_to_send_test_mail(settings, capsys) -> None:
    # given: the receiver's address as `make run` starts it, and the regulation's three mailboxes
    settings.INTAKE_SMTP_HOST, settings.INTAKE_SMTP_PORT = "127.0.0.1", 2626
    # when
    call_command("print_demo_logins", "--url", "http://127.0.0.1:8000")
    printed = capsys.readouterr().out
    # then
    assert "send mail by SMTP to 127.0.0.1:2626" in printed
    for address in ("egov@nitec.kz", "support@pki.gov.kz", "sd@nitec.kz"):
        assert f"    {address}" in printed
    assert "swaks --server 127.0.0.1:2626 --from you@example.kz --to egov@nitec.kz" in printed
    assert DEMO_PASSWORD in printed


@pytest.mark.django_db
def test_the_mailboxes_printed_are_the_policys(settings, capsys) -> None:
    # given: an operator's own mailboxes
    boxes = [{"address": "Obrashenie@Akimat.kz", "topic": "akimat", "queue": "akimat"}]
    settings.POLICY = {**settings.POLICY, "INTAKE_MAILBOXES": boxes}
    # when
    call_command("print_demo_logins")
    printed = capsys.readouterr().out
    # then
    assert "obrashenie@akimat.kz" in printed
    assert "topic akimat, queue akimat" in printed
    assert "egov@nitec.kz" not in printed
