"""Settings of the PJSIP edge, read from the environment (each one documented in `.env.example`).

The edge is a standalone process: no Django settings here, only `os.getenv`.
"""

import os
from dataclasses import dataclass, replace
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"

# The pjsua2-python wheel is compiled with PJSUA_MAX_CALLS = 4: a caller leg and a consultant leg
# per conversation leave room for two conversations per process (FACTS.md, Telephony).
CALLS_PER_PROCESS = 4
CONVERSATIONS_PER_WORKER = 2


class EdgeConfigError(ValueError):
    """A setting is missing or malformed: the edge refuses to start."""


def envint(name: str, default: str, *, minimum: int = 0) -> int:
    value = os.getenv(name, default)
    try:
        number = int(value)
    except ValueError:
        raise EdgeConfigError(f"{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise EdgeConfigError(f"{name}={value!r}: expected at least {minimum}")
    return number


def envpath(name: str, default: str) -> Path:
    path = Path(os.getenv(name, "") or default)
    return path if path.is_absolute() else BASE_DIR / path


@dataclass(frozen=True)
class EdgeSettings:
    platform_url: str
    edge_name: str
    edge_secret: str
    sip_host: str
    sip_port: int
    rtp_port: int
    rtp_ports_per_worker: int
    control_host: str
    control_port: int
    workers: int
    public_sip_uri: str
    dialled_number: str
    recordings_dir: Path
    spool_dir: Path
    queue_announce_seconds: int
    menu_timeout_seconds: int
    rating_timeout_seconds: int
    rating_scale_max: int
    max_skew_seconds: int
    poll_ms: int
    worker_index: int = 0

    @classmethod
    def from_env(cls) -> "EdgeSettings":
        settings = cls(
            platform_url=os.getenv("TELEPHONY_PLATFORM_URL", "http://127.0.0.1:8000").rstrip("/"),
            edge_name=os.getenv("TELEPHONY_EDGE_NAME", "pjsip-local"),
            edge_secret=os.getenv("TELEPHONY_EDGE_SECRET", ""),
            sip_host=os.getenv("TELEPHONY_EDGE_SIP_HOST", "127.0.0.1"),
            sip_port=envint("TELEPHONY_EDGE_SIP_PORT", "5070", minimum=1),
            rtp_port=envint("TELEPHONY_EDGE_RTP_PORT", "40000", minimum=1),
            rtp_ports_per_worker=envint("TELEPHONY_EDGE_RTP_PORTS_PER_WORKER", "40", minimum=8),
            control_host=os.getenv("TELEPHONY_EDGE_CONTROL_HOST", "127.0.0.1"),
            control_port=envint("TELEPHONY_EDGE_CONTROL_PORT", "8070", minimum=1),
            workers=envint("TELEPHONY_EDGE_WORKERS", "1", minimum=1),
            public_sip_uri=os.getenv("TELEPHONY_EDGE_PUBLIC_SIP_URI", ""),
            dialled_number=os.getenv("TELEPHONY_EDGE_NUMBER", "1414"),
            recordings_dir=envpath("TELEPHONY_RECORDINGS_DIR", "var/telephony/recordings"),
            spool_dir=envpath("TELEPHONY_EDGE_SPOOL_DIR", "var/telephony/spool"),
            queue_announce_seconds=envint("TELEPHONY_QUEUE_ANNOUNCE_SECONDS", "30", minimum=5),
            menu_timeout_seconds=envint("TELEPHONY_EDGE_MENU_TIMEOUT_SECONDS", "5", minimum=1),
            rating_timeout_seconds=envint("TELEPHONY_EDGE_RATING_TIMEOUT_SECONDS", "8", minimum=1),
            rating_scale_max=envint("POLICY_RATING_SCALE_MAX", "5", minimum=1),
            max_skew_seconds=envint("TELEPHONY_SIGNATURE_MAX_SKEW_SECONDS", "300", minimum=1),
            poll_ms=envint("TELEPHONY_EDGE_POLL_MS", "50", minimum=1),
        )
        if not settings.edge_secret:
            raise EdgeConfigError("TELEPHONY_EDGE_SECRET is empty: set the secret the platform holds for this edge")
        if settings.rating_scale_max > 9:
            raise EdgeConfigError("POLICY_RATING_SCALE_MAX: the edge collects one DTMF digit, at most 9")
        return settings

    def for_worker(self, index: int) -> "EdgeSettings":
        """Worker `index` listens on the base ports plus its index (RTP: its own range of ports)."""
        return replace(self, worker_index=index)

    @property
    def worker_sip_port(self) -> int:
        return self.sip_port + self.worker_index

    @property
    def worker_rtp_port(self) -> int:
        return self.rtp_port + self.rtp_ports_per_worker * self.worker_index

    @property
    def worker_control_port(self) -> int:
        return self.control_port + self.worker_index

    @property
    def control_base_url(self) -> str:
        return f"http://{self.control_host}:{self.worker_control_port}"

    def worker_sip_uri(self, index: int | None = None) -> str:
        port = self.sip_port + (self.worker_index if index is None else index)
        return f"sip:{self.dialled_number}@{self.sip_host}:{port}"

    def public_address(self) -> str:
        """The SIP address citizens dial: the dispatcher in front of the workers, or the only worker."""
        return self.public_sip_uri or self.worker_sip_uri(0)

    def dispatcher_list(self, set_id: int = 1) -> str:
        """Kamailio dispatcher.list lines for the workers (deploy/kamailio/)."""
        lines = [f"# set destination flags priority attributes — {self.edge_name}, {self.workers} worker(s)"]
        for index in range(self.workers):
            lines.append(f"{set_id} sip:{self.sip_host}:{self.sip_port + index} 0 0 duid=w{index}")
        return "\n".join(lines) + "\n"
