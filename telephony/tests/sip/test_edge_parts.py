"""The edge's parts that need no SIP call: settings, CLI, prompts, the recording file check, and the harness's
own tools (tone detector, netstrings), which the call tests rely on."""

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from telephony.edges.pjsip.config import EdgeConfigError, EdgeSettings
from telephony.edges.pjsip.platform import wav_closed
from telephony.edges.pjsip.prompts import Prompts

from .baresip import BaresipError, netstring, parse_netstrings
from .edge import BASE_DIR
from .tones import first_tone_at, make_tone, tone_spans


def edge_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TELEPHONY_")}
    return subprocess.run(
        [sys.executable, "-m", "telephony.edges.pjsip", *args],
        cwd=BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_cli_prints_the_address_to_dial_and_the_dispatcher_list() -> None:
    # given an edge of three workers behind a public address
    env = {"TELEPHONY_EDGE_SECRET": "s", "TELEPHONY_EDGE_WORKERS": "3", "TELEPHONY_EDGE_SIP_PORT": "5070"}

    # when the CLI is asked for the address and the dispatcher list
    alone = edge_cli("address", TELEPHONY_EDGE_SECRET="s")
    public = edge_cli("address", **env, TELEPHONY_EDGE_PUBLIC_SIP_URI="sip:1414@203.0.113.5:5060")
    listing = edge_cli("dispatcher-list", **env)

    # then a lone worker is dialled directly, a dispatcher's address wins, and each worker is a destination
    assert alone.stdout.strip() == "sip:1414@127.0.0.1:5070"
    assert public.stdout.strip() == "sip:1414@203.0.113.5:5060"
    destinations = [line for line in listing.stdout.splitlines() if not line.startswith("#")]
    assert destinations == [f"1 sip:127.0.0.1:{port} 0 0 duid=w{port - 5070}" for port in (5070, 5071, 5072)]


def test_edge_refuses_to_start_without_a_secret_or_with_bad_numbers() -> None:
    # when the edge starts without its secret, or with a port that is no number
    no_secret = edge_cli("worker")
    bad_port = edge_cli("worker", TELEPHONY_EDGE_SECRET="s", TELEPHONY_EDGE_SIP_PORT="five")

    # then it stops at once and says why
    assert no_secret.returncode == 2 and "TELEPHONY_EDGE_SECRET" in no_secret.stderr
    assert bad_port.returncode == 2 and "TELEPHONY_EDGE_SIP_PORT='five'" in bad_port.stderr


def test_settings_give_each_worker_its_own_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    # given base ports
    monkeypatch.setenv("TELEPHONY_EDGE_SECRET", "s")
    monkeypatch.setenv("TELEPHONY_EDGE_SIP_PORT", "6000")
    monkeypatch.setenv("TELEPHONY_EDGE_CONTROL_PORT", "7000")
    monkeypatch.setenv("TELEPHONY_EDGE_RTP_PORT", "40000")
    monkeypatch.setenv("TELEPHONY_EDGE_RTP_PORTS_PER_WORKER", "50")

    # when worker 2's settings are derived
    worker = EdgeSettings.from_env().for_worker(2)

    # then its ports do not overlap worker 0's or 1's
    assert (worker.worker_sip_port, worker.worker_control_port, worker.worker_rtp_port) == (6002, 7002, 40100)
    assert worker.control_base_url == "http://127.0.0.1:7002"
    monkeypatch.setenv("TELEPHONY_EDGE_RTP_PORTS_PER_WORKER", "4")
    with pytest.raises(EdgeConfigError, match="TELEPHONY_EDGE_RTP_PORTS_PER_WORKER"):
        EdgeSettings.from_env()
    monkeypatch.setenv("TELEPHONY_EDGE_RTP_PORTS_PER_WORKER", "40")
    monkeypatch.setenv("POLICY_RATING_SCALE_MAX", "10")
    with pytest.raises(EdgeConfigError, match="one DTMF digit"):
        EdgeSettings.from_env()


def test_numbers_are_said_from_recorded_words_and_the_announcement_leaves_out_the_unknown() -> None:
    prompts = Prompts()

    # then 0–20 and the tens are single words, 21–99 tens + units, larger numbers are capped
    assert [Path(f).name for f in prompts.number("kk", 17)] == ["n17.wav"]
    assert [Path(f).name for f in prompts.number("ru", 47)] == ["n40.wav", "n7.wav"]
    assert [Path(f).name for f in prompts.number("ru", 250)] == ["n90.wav", "n9.wav"]
    # and the expected wait is rounded up to whole minutes, and left out while there is no history
    full = prompts.announcement("ru", 3, 61)
    assert [Path(f).name for f in full] == ["position.wav", "n3.wav", "wait_minutes.wav", "n2.wav"]
    assert all("/ru/" in f for f in full)
    assert [Path(f).name for f in prompts.announcement("kk", 1, None)] == ["position.wav", "n1.wav"]


def test_committed_prompts_are_8khz_mono_16bit() -> None:
    for path in Prompts().required():
        with wave.open(str(path), "rb") as prompt:
            assert (prompt.getframerate(), prompt.getnchannels(), prompt.getsampwidth()) == (8000, 1, 2), path
            assert 0.3 < prompt.getnframes() / 8000 < 12, path


def test_an_unfinished_recording_waits_then_gets_its_header_repaired(tmp_path: Path) -> None:
    # given a WAV whose header still says 0 bytes (a recorder not yet closed)
    wav = make_tone(tmp_path / "r.wav", 440, seconds=1)
    data = bytearray(wav.read_bytes())
    data[4:8] = data[40:44] = (0).to_bytes(4, "little")
    wav.write_bytes(bytes(data))

    # then it is not ready while fresh, and after the grace period its sizes are written
    assert not wav_closed(wav, grace_seconds=60)
    assert wav_closed(wav, grace_seconds=0)
    with wave.open(str(wav), "rb") as repaired:
        assert repaired.getnframes() == 8000


def test_tone_detector_finds_each_tone_and_when_it_starts(tmp_path: Path) -> None:
    # given half a second of silence, 1 s of 1000 Hz, then 1 s of 1800 Hz
    silence, first, second = tmp_path / "s.wav", tmp_path / "a.wav", tmp_path / "b.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(silence), "trim", "0", "0.5"], check=True)
    make_tone(first, 1000, seconds=1)
    make_tone(second, 1800, seconds=1)
    mixed = tmp_path / "m.wav"
    subprocess.run(["sox", str(silence), str(first), str(second), str(mixed)], check=True)

    # then each tone is found at its time, and a tone that is not there is not found
    assert first_tone_at(mixed, 1000) == pytest.approx(0.5, abs=0.11)
    assert first_tone_at(mixed, 1800) == pytest.approx(1.5, abs=0.11)
    assert tone_spans(mixed, 440) == []


def test_netstrings_arrive_in_pieces() -> None:
    # given two netstrings split across reads
    wire = netstring(b'{"a":1}') + netstring(b'{"b":2}')
    buffer = bytearray(wire[:5])

    # then nothing is returned until one is complete, and both come out whole
    assert parse_netstrings(buffer) == []
    buffer += wire[5:]
    assert parse_netstrings(buffer) == [b'{"a":1}', b'{"b":2}']
    with pytest.raises(BaresipError):
        parse_netstrings(bytearray(b"x:{},"))
