"""Setting up a phone line: registering edges, demo lines."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import Role
from accounts.services import create_staff_user
from conftest import PASSWORD
from telephony import services
from telephony.demo import load_demo_telephony
from telephony.models import ConsultantLine, TelephonyEdge


@pytest.mark.django_db
def test_the_demo_line_registers_the_local_edge_and_the_demo_consultants_once(monkeypatch):
    # given the demo consultants and the edge's secret in the environment, as make run has them
    for username in ("consultant", "consultant2"):
        create_staff_user(username=username, password=PASSWORD, role=Role.CONSULTANT)
    monkeypatch.setenv("TELEPHONY_EDGE_SECRET", "demo-secret-" + "x" * 40)
    # when the demo is loaded twice
    load_demo_telephony()
    load_demo_telephony()
    # then one edge and one line each; the Russian-only consultant takes no Kazakh calls
    assert TelephonyEdge.objects.get().name == "pjsip-local"
    assert sorted(ConsultantLine.objects.values_list("extension", flat=True)) == ["1001", "1002"]
    assert ConsultantLine.objects.speaking("kk").count() == 1


@pytest.mark.django_db
def test_registering_an_edge_prints_a_fresh_secret(capsys):
    call_command("register_telephony_edge", "asterisk-1", "--control-prefix", "http://10.0.5.7:")
    secret = capsys.readouterr().out.split("TELEPHONY_EDGE_SECRET=")[1].strip()
    assert TelephonyEdge.objects.get(name="asterisk-1").secret == secret
    assert len(secret) >= 32


@pytest.mark.django_db
@pytest.mark.parametrize(
    "secret, prefix", [("short", "http://127.0.0.1:"), ("s" * 40, "file:///etc/"), ("s" * 40, "gopher://x")]
)
def test_an_edge_needs_a_long_secret_and_an_http_control_prefix(secret, prefix):
    with pytest.raises(ValidationError):
        services.register_edge(name="bad", secret=secret, control_url_prefix=prefix)


@pytest.mark.django_db
@pytest.mark.parametrize("extension, sip_uri", [("10a1", "sip:1@h"), ("1001", "http://h"), ("1" * 21, "sip:1@h")])
def test_a_consultant_line_needs_a_numeric_extension_and_a_sip_address(consultant, extension, sip_uri):
    with pytest.raises(ValidationError):
        services.open_consultant_line(user=consultant, extension=extension, sip_uri=sip_uri)


@pytest.mark.django_db
def test_only_consultants_get_a_line_and_an_extension_belongs_to_one(consultant, supervisor):
    services.open_consultant_line(user=consultant, extension="1001", sip_uri="sip:1001@127.0.0.1:5071")
    with pytest.raises(ValidationError) as refused:
        services.open_consultant_line(user=supervisor, extension="1009", sip_uri="sip:1009@127.0.0.1:5079")
    assert refused.value.code == "line_role"
    other = create_staff_user(username="oleg", password=PASSWORD, role=Role.CONSULTANT)
    with pytest.raises(ValidationError) as taken:
        services.open_consultant_line(user=other, extension="1001", sip_uri="sip:1001@127.0.0.1:5071")
    assert taken.value.code == "extension_taken"


@pytest.mark.django_db
def test_the_clocks_without_beat_end_expired_wrap_ups(consultant, settings):
    # given a consultant whose wrap-up is over
    settings.TELEPHONY_WRAP_UP_SECONDS = 10
    line = services.open_consultant_line(user=consultant, extension="1001", sip_uri="sip:1001@127.0.0.1:5081")
    ConsultantLine.objects.filter(pk=line.pk).update(
        state="wrap_up", state_since=timezone.now() - timedelta(seconds=11)
    )
    # when the clock ticks once
    call_command("run_clocks", "--once")
    # then they are ready again
    line.refresh_from_db()
    assert line.state == "ready"


@pytest.mark.django_db
def test_make_run_prints_the_number_to_call_and_the_consultants_phones(monkeypatch, capsys):
    # given the demo data with the edge's secret in the environment, as make run has it
    for username in ("consultant", "consultant2"):
        create_staff_user(username=username, password=PASSWORD, role=Role.CONSULTANT)
    monkeypatch.setenv("TELEPHONY_EDGE_SECRET", "demo-secret-" + "x" * 40)
    monkeypatch.setenv("TELEPHONY_EDGE_SIP_PORT", "5070")
    load_demo_telephony()
    # when the logins are printed
    call_command("print_demo_logins", "--url", "http://127.0.0.1:8000")
    printed = capsys.readouterr().out
    # then the SIP address to call and each consultant's softphone address are there
    assert "sip:1414@127.0.0.1:5070" in printed
    assert "ext. 1001  sip:1001@127.0.0.1:5081  (kk+ru)" in printed
    assert "ext. 1002  sip:1002@127.0.0.1:5083  (ru)" in printed
