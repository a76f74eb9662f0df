"""The consultant's leg says which citizen's call it belongs to (X-Bailanys-Call-Id), for phones and PBX logs."""

import socket

from .conftest import PhoneFactory
from .edge import EdgeProcess
from .platform_stub import PlatformStub
from .test_edge_calls import call_in
from .tones import CALLER_HZ


def test_the_consultant_leg_carries_the_citizen_call_id(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory
):
    # given a consultant's phone that only listens (a bare UDP socket: it reads the INVITE and never answers)
    consultant = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    consultant.bind(("127.0.0.1", 0))
    consultant.settimeout(15)
    port = consultant.getsockname()[1]
    caller = phones("87011234567", CALLER_HZ)
    call_id = call_in(caller, edge, platform, digit="1")
    platform.wait_for("call.queued", call_id=call_id)
    # when the platform connects the caller to that phone
    data = {"consultant": "1001", "sip_uri": f"sip:1001@127.0.0.1:{port}", "ring_timeout_s": 3}
    assert platform.command(call_id, "connect", data) == 202
    # then the INVITE names the citizen's call
    invite = consultant.recv(65536).decode(errors="replace")
    assert invite.startswith("INVITE sip:1001@127.0.0.1")
    assert f"X-Bailanys-Call-Id: {call_id}" in invite
    consultant.close()
    caller.hangup()
