"""Fixtures for tests with real SIP calls: tones, ports per xdist worker, baresip phones, the edge.

Every process a fixture starts is stopped when the test ends, whatever happens in it.
"""

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from .baresip import Baresip
from .edge import FAST_FLOW, EdgeProcess, PortPlan
from .platform_stub import PlatformStub
from .tones import CALLER_HZ, CONSULTANT_A_HZ, CONSULTANT_B_HZ, make_tone

EDGE = "pjsip-test"
SECRET = "edge-test-secret-1414"


def _require(binary: str) -> None:
    if shutil.which(binary) is None:
        pytest.fail(f"{binary} is not installed: run `make system-test-deps`")


@pytest.fixture(scope="session")
def tones(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Long sine tones (baresip ends a call at the end of its source file)."""
    folder = tmp_path_factory.mktemp("tones")
    return {hz: make_tone(folder / f"{hz}.wav", hz) for hz in (CALLER_HZ, CONSULTANT_A_HZ, CONSULTANT_B_HZ)}


@pytest.fixture
def ports() -> PortPlan:
    return PortPlan.for_this_worker()


PhoneFactory = Callable[..., Baresip]


@pytest.fixture
def phones(tmp_path: Path, ports: PortPlan, tones: dict[int, Path]) -> Iterator[PhoneFactory]:
    """phones(user, tone_hz, auto_answer=False) -> a running baresip phone, stopped after the test."""
    _require("baresip")
    stack = ExitStack()
    started: list[Baresip] = []

    def start(user: str, tone_hz: int, *, auto_answer: bool = False) -> Baresip:
        index = len(started)
        phone = stack.enter_context(
            Baresip.start(
                tmp_path / f"phone-{index}-{user}",
                user=user,
                tone=tones[tone_hz],
                auto_answer=auto_answer,
                **ports.phone(index),
            )
        )
        started.append(phone)
        return phone

    with stack:
        yield start


@pytest.fixture
def platform(tmp_path: Path, ports: PortPlan) -> Iterator[PlatformStub]:
    """A stand-in for the platform's API: a real HTTP server that checks signatures and records events."""
    with PlatformStub.start(
        edge=EDGE, secret=SECRET, port=ports.platform, recordings_dir=tmp_path / "received"
    ) as stub:
        yield stub


@pytest.fixture
def edge(tmp_path: Path, ports: PortPlan, platform: PlatformStub) -> Iterator[EdgeProcess]:
    """The PJSIP edge (one worker, fast menu timings) reporting to the stub."""
    with EdgeProcess.start(
        tmp_path / "edge", platform_url=platform.url, edge=EDGE, secret=SECRET, ports=ports, env=FAST_FLOW
    ) as process:
        yield process
