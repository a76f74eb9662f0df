"""The PJSIP edge on real SIP calls (baresip phones on loopback), against a stub of the platform's API.

The stub is a real HTTP server that checks signatures; the edge and the phones are real processes.
The end-to-end test with the real platform lives with the platform's telephony tests.
"""

import json
import socket
import time
from pathlib import Path

from .conftest import EDGE, SECRET, PhoneFactory
from .edge import FAST_FLOW, EdgeProcess, PortPlan
from .kamailio import Dispatcher
from .platform_stub import PlatformStub, post_signed
from .tones import CALLER_HZ, CONSULTANT_A_HZ, CONSULTANT_B_HZ, tone_spans, wav_seconds


def call_in(phone, edge: EdgeProcess, platform: PlatformStub, *, digit: str | None) -> str:  # type: ignore[no-untyped-def]
    """Dial the edge, wait for the answer, press `digit` in the menu; returns the call_id."""
    phone.dial(edge.sip_uri)
    phone.wait_for("CALL_ESTABLISHED")
    offered = platform.wait_for("call.offered")
    if digit is not None:
        time.sleep(0.5)  # let RTP flow before the RFC 2833 digit
        phone.send_digit(digit)
    return str(offered["call_id"])


def test_caller_is_connected_transferred_with_warning_and_rates(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given a caller and two consultants' phones that answer by themselves
    caller = phones("citizen", CALLER_HZ)
    first = phones("1001", CONSULTANT_A_HZ, auto_answer=True)
    second = phones("1002", CONSULTANT_B_HZ, auto_answer=True)

    # when the caller chooses Russian and the platform connects them to the first consultant
    call_id = call_in(caller, edge, platform, digit="2")
    assert platform.wait_for("call.language_chosen", call_id=call_id)["data"] == {"language": "ru"}
    assert platform.wait_for("call.queued", call_id=call_id)["data"] == {"language": "ru"}
    assert (
        platform.command(call_id, "connect", {"consultant": "1001", "sip_uri": first.uri, "ring_timeout_s": 10}) == 202
    )
    platform.wait_for("call.connected", call_id=call_id)
    time.sleep(3)  # they talk: each side plays its tone
    # and transfers them to the second consultant
    assert (
        platform.command(
            call_id,
            "transfer",
            {"consultant": "1001", "target": "1002", "sip_uri": second.uri, "ring_timeout_s": 10},
        )
        == 202
    )
    platform.wait_for("transfer.completed", call_id=call_id, timeout=30)
    time.sleep(3)
    # and the second consultant hangs up; the caller rates 4
    second.hangup()
    platform.wait_for("consultant.left", call_id=call_id, where=lambda e: e["data"]["consultant"] == "1002")
    time.sleep(1.5)
    caller.send_digit("4")
    ended = platform.wait_for("call.ended", call_id=call_id, timeout=30)

    # then the platform heard the whole story, in order, each event once
    assert platform.types(call_id) == [
        "call.offered",
        "call.language_chosen",
        "call.queued",
        "consultant.alerted",
        "call.connected",
        "consultant.left",
        "transfer.announced",
        "consultant.alerted",
        "transfer.completed",
        "consultant.left",
        "rating.given",
        "call.ended",
    ]
    assert platform.wait_for("rating.given", call_id=call_id)["data"] == {"score": 4}
    assert ended["data"] == {"by": "system"}
    event_ids = [event["event_id"] for event in platform.events if event["call_id"] == call_id]
    assert len(set(event_ids)) == len(event_ids)
    assert all(event_id.startswith(f"{EDGE}:{call_id}:") for event_id in event_ids)
    assert platform.refused == 0
    # and the recording holds the caller and both consultants, the first before the second
    recording = platform.wait_for_recording(call_id)
    caller_spans = tone_spans(recording.path, CALLER_HZ, share=0.2)
    first_spans = tone_spans(recording.path, CONSULTANT_A_HZ, share=0.2)
    second_spans = tone_spans(recording.path, CONSULTANT_B_HZ, share=0.2)
    assert caller_spans and first_spans and second_spans, edge.log()
    assert first_spans[0].end + 3 < second_spans[0].start  # the transfer warning (~4 s) lies between them
    assert wav_seconds(recording.path) > 6
    # and the caller heard the first consultant, then (after the warning) the second one
    heard = caller.heard()[0]
    assert tone_spans(heard, CONSULTANT_A_HZ)[0].end < tone_spans(heard, CONSULTANT_B_HZ)[0].start


def test_unknown_digit_and_silence_repeat_the_menu_then_kazakh(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given a caller who presses a digit that is no language, then nothing
    caller = phones("citizen", CALLER_HZ)

    # when the menu has been played three times
    call_id = call_in(caller, edge, platform, digit="9")
    queued = platform.wait_for("call.queued", call_id=call_id, timeout=40)

    # then the caller waits in the Kazakh queue, without having chosen a language
    assert queued["data"] == {"language": "kk"}
    assert "call.language_chosen" not in platform.types(call_id)
    # and hanging up while queued ends the call by the caller, never connected
    caller.hangup()
    assert platform.wait_for("call.ended", call_id=call_id)["data"] == {"by": "caller"}
    assert platform.types(call_id) == ["call.offered", "call.queued", "call.ended"]


def test_queued_caller_hears_position_and_hangs_up(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given a queued caller and a platform that says they are second, about 75 s from an answer
    caller = phones("citizen", CALLER_HZ)
    call_id = call_in(caller, edge, platform, digit="1")
    platform.wait_for("call.queued", call_id=call_id)

    # when they wait past the "please wait" prompt and one announcement interval
    time.sleep(12)
    caller.hangup()

    # then the edge asked the platform for the position (after the prompt, then every 5 s)
    assert platform.queue_lookups.count(call_id) >= 2
    # and the call ended by the caller, abandoned in the queue (no recording: nobody talked)
    assert platform.wait_for("call.ended", call_id=call_id)["data"] == {"by": "caller"}
    assert platform.types(call_id) == ["call.offered", "call.language_chosen", "call.queued", "call.ended"]
    time.sleep(0.5)
    assert platform.recordings == []


def test_consultant_who_does_not_answer_returns_the_caller_to_the_queue(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory, ports: PortPlan
) -> None:
    # given a queued caller, a consultant who lets the phone ring, one whose phone is off, and one who answers
    caller = phones("citizen", CALLER_HZ)
    ringing = phones("1001", CONSULTANT_A_HZ, auto_answer=False)
    answering = phones("1002", CONSULTANT_B_HZ, auto_answer=True)
    switched_off = f"sip:1003@127.0.0.1:{ports.phone(9)['sip_port']}"
    call_id = call_in(caller, edge, platform, digit="1")
    platform.wait_for("call.queued", call_id=call_id)

    # when the platform offers the call to the first consultant for 2 seconds
    platform.command(call_id, "connect", {"consultant": "1001", "sip_uri": ringing.uri, "ring_timeout_s": 2})
    no_answer = platform.wait_for("consultant.no_answer", call_id=call_id, timeout=10)
    # and then to the switched-off phone, then to the consultant who answers
    platform.command(call_id, "connect", {"consultant": "1003", "sip_uri": switched_off, "ring_timeout_s": 2})
    platform.wait_for("consultant.no_answer", call_id=call_id, where=lambda e: e["data"]["consultant"] == "1003")
    platform.command(call_id, "connect", {"consultant": "1002", "sip_uri": answering.uri, "ring_timeout_s": 5})
    connected = platform.wait_for("call.connected", call_id=call_id)

    # then the ringing phone rang and stopped, and the caller talked to the third consultant
    assert no_answer["data"] == {"consultant": "1001"}
    ringing.wait_for("CALL_CLOSED")
    assert connected["data"] == {"consultant": "1002"}
    # and a caller who hangs up first gives no rating, and the conversation is still recorded
    time.sleep(2)
    caller.hangup()
    assert platform.wait_for("call.ended", call_id=call_id)["data"] == {"by": "caller"}
    recording = platform.wait_for_recording(call_id)
    assert tone_spans(recording.path, CONSULTANT_B_HZ, share=0.2)
    assert "rating.given" not in platform.types(call_id)
    answering.wait_for("CALL_CLOSED")


def test_commands_must_be_signed_valid_and_for_a_held_call(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given a queued caller and a consultant's phone
    caller = phones("citizen", CALLER_HZ)
    consultant = phones("1001", CONSULTANT_A_HZ, auto_answer=True)
    call_id = call_in(caller, edge, platform, digit="2")
    platform.wait_for("call.queued", call_id=call_id)
    control_url = platform.wait_for("call.offered", call_id=call_id)["data"]["control_url"]
    connect = {"consultant": "1001", "sip_uri": consultant.uri, "ring_timeout_s": 5}

    # when commands come unsigned, signed with another secret, malformed, or for an unknown call
    unsigned = platform.command(call_id, "connect", connect, sign=False)
    forged = post_signed(control_url, b'{"command_id": "x", "type": "hangup", "data": {}}', edge=EDGE, secret="wrong")
    malformed = post_signed(control_url, b'{"type": "dance"}', edge=EDGE, secret=SECRET)
    unknown = post_signed(
        control_url.replace(call_id, "no-such-call"),
        json.dumps({"command_id": "c-x", "type": "hangup", "call_id": "no-such-call", "data": {}}).encode(),
        edge=EDGE,
        secret=SECRET,
    )

    # then each is refused and nothing happens to the call
    assert (unsigned, forged, malformed, unknown) == (401, 401, 400, 404)
    time.sleep(1)
    assert "consultant.alerted" not in platform.types(call_id)
    # and a signed command sent twice acts once
    assert platform.command(call_id, "connect", connect, command_id="c-twice") == 202
    assert platform.command(call_id, "connect", connect, command_id="c-twice") == 202
    platform.wait_for("call.connected", call_id=call_id)
    time.sleep(1)
    assert platform.types(call_id).count("consultant.alerted") == 1
    # and a hangup command ends the call by the system
    assert platform.command(call_id, "hangup", {"reason": "test"}) == 202
    assert platform.wait_for("call.ended", call_id=call_id)["data"] == {"by": "system"}
    caller.wait_for("CALL_CLOSED")
    consultant.wait_for("CALL_CLOSED")


def test_events_wait_out_a_platform_outage_and_an_edge_restart(
    tmp_path: Path, ports: PortPlan, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given a platform that is down
    platform.outage = True
    caller = phones("citizen", CALLER_HZ)
    workdir = tmp_path / "edge"

    # when a caller calls, chooses Russian and hangs up, and the edge is restarted meanwhile
    with EdgeProcess.start(
        workdir, platform_url=platform.url, edge=EDGE, secret=SECRET, ports=ports, env=FAST_FLOW
    ) as edge:
        caller.dial(edge.sip_uri)
        caller.wait_for("CALL_ESTABLISHED")
        time.sleep(0.5)
        caller.send_digit("2")
        time.sleep(1)
        caller.hangup()
        time.sleep(1)
    assert platform.events == []
    platform.outage = False
    with EdgeProcess.start(workdir, platform_url=platform.url, edge=EDGE, secret=SECRET, ports=ports, env=FAST_FLOW):
        ended = platform.wait_for("call.ended", timeout=20)

    # then every event arrived, once
    call_id = ended["call_id"]
    assert platform.types(call_id) == ["call.offered", "call.language_chosen", "call.queued", "call.ended"]
    assert platform.duplicates == 0


def test_full_worker_refuses_a_third_caller_and_survives_malformed_sip(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory, ports: PortPlan
) -> None:
    # given a worker holding two queued callers (its capacity)
    first, second, third = (phones(f"citizen{n}", CALLER_HZ) for n in range(3))
    for phone in (first, second):
        call_in(phone, edge, platform, digit="1")
    assert edge.health()["conversations"] == 2

    # when a third caller dials, and someone sends garbage and a broken INVITE to the SIP port
    third.dial(edge.sip_uri)
    closed = third.wait_for("CALL_CLOSED")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00\xffnot sip at all\r\n\r\n", ("127.0.0.1", ports.edge_sip))
        sock.sendto(
            b"INVITE sip:1414@127.0.0.1 SIP/2.0\r\nVia: broken\r\nCSeq: x INVITE\r\nContent-Length: 99999\r\n\r\nv=0",
            ("127.0.0.1", ports.edge_sip),
        )

    # then the third caller is refused with 503 (a dispatcher would try another worker)
    assert "503" in closed.get("param", ""), closed
    # and the worker still serves: when one caller leaves, a new one gets in
    first.hangup()
    platform.wait_for("call.ended")
    time.sleep(0.5)
    call_in(third, edge, platform, digit=None)
    platform.wait_for("call.offered", where=lambda e: e["data"]["caller"] == "citizen2")
    assert edge.health()["conversations"] == 2


def test_dispatcher_spreads_callers_over_workers_and_refuses_when_all_are_full(
    tmp_path: Path, ports: PortPlan, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given an edge of two workers (two conversations each) behind Kamailio's dispatcher
    callers = [phones(f"citizen{n}", CALLER_HZ) for n in range(5)]
    workers = [f"sip:127.0.0.1:{ports.edge_sip + index}" for index in range(2)]
    with (
        EdgeProcess.start(
            tmp_path / "edge",
            platform_url=platform.url,
            edge=EDGE,
            secret=SECRET,
            ports=ports,
            workers=2,
            env=FAST_FLOW,
        ) as edge,
        Dispatcher.start(tmp_path / "kamailio", port=ports.dispatcher, workers=workers) as proxy,
    ):
        # when five callers dial the one public address
        for caller in callers[:4]:
            caller.dial(proxy.sip_uri)
            caller.wait_for("CALL_ESTABLISHED")
        callers[4].dial(proxy.sip_uri)
        refused = callers[4].wait_for("CALL_CLOSED", timeout=20)

        # then four are answered, two by each worker, and the fifth is told that all are busy
        assert [edge.health(worker)["conversations"] for worker in (0, 1)] == [2, 2], proxy.log()
        assert "503" in refused.get("param", ""), refused
        assert len({event["call_id"] for event in platform.events if event["type"] == "call.offered"}) == 4
        # and the control URLs name the worker that holds each call
        control_urls = {
            event["data"]["control_url"].split("/calls/")[0]
            for event in platform.events
            if event["type"] == "call.offered"
        }
        assert control_urls == {f"http://127.0.0.1:{port}" for port in edge.control_ports}
        # and a hang-up goes straight to the worker (no record-route): the worker frees its slot
        callers[0].hangup()
        platform.wait_for("call.ended")
        time.sleep(0.5)
        assert sum(edge.health(worker)["conversations"] for worker in (0, 1)) == 3


def test_transfer_to_the_queue_waits_for_the_next_connect(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given a caller talking to a consultant
    caller = phones("citizen", CALLER_HZ)
    first = phones("1001", CONSULTANT_A_HZ, auto_answer=True)
    second = phones("1002", CONSULTANT_B_HZ, auto_answer=True)
    call_id = call_in(caller, edge, platform, digit="1")
    platform.wait_for("call.queued", call_id=call_id)
    platform.command(call_id, "connect", {"consultant": "1001", "sip_uri": first.uri, "ring_timeout_s": 5})
    platform.wait_for("call.connected", call_id=call_id)

    # when the consultant transfers the caller back to the queue (no target), and later a consultant is free
    platform.command(call_id, "transfer", {"consultant": "1001", "target": None, "sip_uri": None})
    platform.wait_for("transfer.announced", call_id=call_id, timeout=15)
    time.sleep(1)
    assert "transfer.completed" not in platform.types(call_id)
    platform.command(call_id, "connect", {"consultant": "1002", "sip_uri": second.uri, "ring_timeout_s": 5})

    # then the second consultant's answer completes the transfer, and the first one's phone was hung up
    assert platform.wait_for("transfer.completed", call_id=call_id)["data"] == {"consultant": "1002"}
    first.wait_for("CALL_CLOSED")
    caller.hangup()
    assert platform.wait_for("call.ended", call_id=call_id)["data"] == {"by": "caller"}
    assert platform.types(call_id)[3:] == [
        "consultant.alerted",
        "call.connected",
        "consultant.left",
        "transfer.announced",
        "consultant.alerted",
        "transfer.completed",
        "call.ended",
    ]


def test_a_wrong_rating_digit_and_silence_end_the_call_without_a_rating(
    edge: EdgeProcess, platform: PlatformStub, phones: PhoneFactory
) -> None:
    # given a caller whose consultant has just hung up
    caller = phones("citizen", CALLER_HZ)
    consultant = phones("1001", CONSULTANT_A_HZ, auto_answer=True)
    call_id = call_in(caller, edge, platform, digit="1")
    platform.wait_for("call.queued", call_id=call_id)
    platform.command(call_id, "connect", {"consultant": "1001", "sip_uri": consultant.uri, "ring_timeout_s": 5})
    platform.wait_for("call.connected", call_id=call_id)
    time.sleep(1)
    consultant.hangup()
    platform.wait_for("consultant.left", call_id=call_id)

    # when the caller presses a digit outside 1–5, then nothing
    time.sleep(1)
    caller.send_digit("8")
    ended = platform.wait_for("call.ended", call_id=call_id, timeout=40)

    # then the rating prompt was repeated once, the edge said goodbye and hung up, with no rating
    assert ended["data"] == {"by": "system"}
    assert "rating.given" not in platform.types(call_id)
    caller.wait_for("CALL_CLOSED")
