"""The edge's side of the telephony API: signed HTTP requests, the event spool, the recording uploader.

Events are appended to a local JSONL spool before anything is sent, and a sender thread delivers them
in batches with retry and backoff, so a platform outage loses nothing. Recordings are uploaded from a
folder of finished files (each with a `.json` sidecar) and deleted only after a 2xx answer.
"""

import hashlib
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from telephony.signing import signed_headers

from .config import EdgeSettings

log = logging.getLogger("telephony.edge.platform")

EVENTS_PATH = "/api/v1/telephony/events/"
RECORDINGS_PATH = "/api/v1/telephony/recordings/"
BATCH_SIZE = 100
MAX_BACKOFF_SECONDS = 30.0
WAV_CLOSE_GRACE_SECONDS = 30.0


def now_iso() -> str:
    """The current time in ISO 8601 with the local offset, to the millisecond."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


class PlatformError(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"platform answered {status}: {body[:200]!r}")
        self.status = status
        self.body = body


class PlatformClient:
    """Signed requests to the platform (docs/telephony-api.md, 'Signed requests')."""

    def __init__(self, settings: EdgeSettings) -> None:
        self.settings = settings
        parts = urlsplit(settings.platform_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._prefix = parts.path.rstrip("/")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, bytes]:
        """Send one signed request; returns (status, body). Raises OSError when the platform is unreachable."""
        full_path = self._prefix + path
        all_headers = dict(headers or {})
        all_headers.update(
            signed_headers(
                edge=self.settings.edge_name, secret=self.settings.edge_secret, method=method, path=full_path, body=body
            )
        )
        request = urllib.request.Request(  # noqa: S310 - the URL comes from the operator's settings
            self._origin + full_path, data=body if method != "GET" else None, headers=all_headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post_events(self, events: list[dict[str, Any]]) -> tuple[int, bytes]:
        body = json.dumps({"events": events}, ensure_ascii=False).encode()
        return self.request("POST", EVENTS_PATH, body=body, headers={"Content-Type": "application/json"})

    def queue_position(self, call_id: str) -> dict[str, Any] | None:
        """`{"state", "position", "expected_wait_s"}` for a queued call, or None when not available."""
        try:
            status, body = self.request("GET", f"/api/v1/telephony/calls/{quote(call_id, safe='')}/queue/", timeout=3)
        except OSError as error:
            log.warning("queue position not available: %s", error)
            return None
        if status != 200:
            log.info("queue position: platform answered %s", status)
            return None
        try:
            answer = json.loads(body)
        except ValueError:
            return None
        return answer if isinstance(answer, dict) else None

    def upload_recording(self, wav: Path, meta: dict[str, str]) -> tuple[int, bytes]:
        data = wav.read_bytes()
        query = urlencode(
            {
                "call_id": meta["call_id"],
                "event_id": meta["event_id"],
                "started_at": meta["started_at"],
                "ended_at": meta["ended_at"],
                "format": "wav",
            }
        )
        headers = {"Content-Type": "audio/wav", "X-Content-SHA256": hashlib.sha256(data).hexdigest()}
        return self.request("POST", f"{RECORDINGS_PATH}?{query}", body=data, headers=headers, timeout=120)


class _SenderThread:
    """A background sender that can be stopped after a last attempt to deliver what is still pending."""

    _wake: threading.Event
    _stop: threading.Event
    _thread: threading.Thread

    def pending(self) -> Any:
        raise NotImplementedError

    def stop(self, *, flush_seconds: float = 5.0) -> None:
        """Try to deliver what is pending for up to `flush_seconds`, then stop the sender thread."""
        deadline = time.monotonic() + flush_seconds
        while time.monotonic() < deadline and self.pending():
            self._wake.set()
            time.sleep(0.05)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=2)


class EventSpool(_SenderThread):
    """Append-only JSONL spool with a delivered-offset file, drained by a sender thread.

    `emit` never blocks on the network. The sender reads up to 100 events past the offset, posts them,
    and moves the offset on a 2xx; on an unreachable platform or a 5xx it retries with backoff.
    A 400 means one event is malformed: the batch is retried one event at a time and the refused
    event is moved to `<spool>.rejected.jsonl` (kept for an operator), the rest delivered.
    """

    def __init__(self, path: Path, client: PlatformClient) -> None:
        self.path = path
        self.offset_path = path.with_suffix(".offset")
        self.rejected_path = path.with_suffix(".rejected.jsonl")
        self.client = client
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="event-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def emit(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as spool:
            spool.write(line)
        self._wake.set()

    def pending(self) -> int:
        with self._lock:
            return len(self._read_pending(limit=10_000)[0])

    def _offset(self) -> int:
        try:
            return int(self.offset_path.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _read_pending(self, *, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` whole events past the offset, and the offset after them."""
        offset = self._offset()
        events: list[dict[str, Any]] = []
        with self.path.open("rb") as spool:
            spool.seek(offset)
            while len(events) < limit:
                line = spool.readline()
                if not line.endswith(b"\n"):
                    break  # end of file, or a line still being written
                offset += len(line)
                if line.strip():
                    events.append(json.loads(line))
        return events, offset

    def _advance(self, offset: int) -> None:
        with self._lock:
            if offset >= self.path.stat().st_size:
                self.path.write_bytes(b"")  # all delivered: start the spool afresh
                offset = 0
            tmp = self.offset_path.with_suffix(".tmp")
            tmp.write_text(str(offset))
            tmp.replace(self.offset_path)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            with self._lock:
                events, next_offset = self._read_pending(limit=BATCH_SIZE)
            if not events:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                continue
            if self._deliver(events):
                self._advance(next_offset)
                backoff = 0.5
            else:
                self._wake.wait(timeout=backoff)
                self._wake.clear()
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def _deliver(self, events: list[dict[str, Any]]) -> bool:
        try:
            status, body = self.client.post_events(events)
        except OSError as error:
            log.warning("platform unreachable, %d event(s) kept in the spool: %s", len(events), error)
            return False
        if 200 <= status < 300:
            return True
        if status == 400:
            return self._deliver_one_by_one(events)
        log.warning("platform refused %d event(s) with %s: %r; retrying later", len(events), status, body[:300])
        return False

    def _deliver_one_by_one(self, events: list[dict[str, Any]]) -> bool:
        for event in events:
            try:
                status, body = self.client.post_events([event])
            except OSError:
                return False
            if status == 400:
                log.error("platform refused event %s as malformed: %r", event.get("event_id"), body[:300])
                with self.rejected_path.open("a", encoding="utf-8") as rejected:
                    rejected.write(json.dumps(event, ensure_ascii=False) + "\n")
            elif not 200 <= status < 300:
                return False
        return True


class RecordingUploader(_SenderThread):
    """Uploads finished recordings (`<name>.wav` + `<name>.json`) from one folder, oldest first."""

    def __init__(self, folder: Path, client: PlatformClient) -> None:
        self.folder = folder
        self.client = client
        self._wake = threading.Event()
        self._stop = threading.Event()
        folder.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="recording-uploader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def finished(self, wav: Path, meta: dict[str, str]) -> None:
        """Called once the recorder has closed `wav`: write its sidecar, which makes it eligible for upload."""
        sidecar = wav.with_suffix(".json")
        tmp = sidecar.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False))
        tmp.replace(sidecar)
        self._wake.set()

    def pending(self) -> list[Path]:
        return sorted(self.folder.glob("*.json"), key=lambda path: path.stat().st_mtime)

    def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            pending = self.pending()
            if not pending:
                self._wake.wait(timeout=5.0)
                self._wake.clear()
                continue
            if self._upload(pending[0]):
                backoff = 1.0
            else:
                self._wake.wait(timeout=backoff)
                self._wake.clear()
                backoff = min(backoff * 2, 300.0)

    def _upload(self, sidecar: Path) -> bool:
        wav = sidecar.with_suffix(".wav")
        try:
            if not wav_closed(wav, grace_seconds=WAV_CLOSE_GRACE_SECONDS):
                time.sleep(0.1)
                return True  # the recorder has not closed the file yet: look again shortly
            meta = json.loads(sidecar.read_text())
            status, body = self.client.upload_recording(wav, meta)
        except FileNotFoundError:
            log.error("recording %s has no WAV file; sidecar kept as %s.orphan", wav.name, sidecar.name)
            sidecar.rename(sidecar.with_suffix(".orphan"))
            return True
        except OSError as error:
            log.warning("recording upload failed, will retry: %s", error)
            return False
        if 200 <= status < 300:
            wav.unlink(missing_ok=True)
            sidecar.unlink(missing_ok=True)
            log.info("recording %s uploaded", wav.name)
            return True
        log.warning("recording %s refused with %s: %r; will retry", wav.name, status, body[:300])
        os.utime(sidecar)  # to the back of the queue, so one refused file does not hold up the others
        return False


def wav_closed(wav: Path, *, grace_seconds: float) -> bool:
    """Whether the recorder has finished `wav` (its RIFF header carries the final size).

    pjsua2 destroys a recorder on the conference clock's next tick, after the Python object is gone;
    the WAV header gets its sizes only then. A file still open after `grace_seconds` (a crashed
    worker, say) gets its header sizes written here so that it can be uploaded.
    """
    size = wav.stat().st_size
    with wav.open("rb") as source:
        header = source.read(44)
    if len(header) < 44 or header[:4] != b"RIFF":
        return time.time() - wav.stat().st_mtime > grace_seconds
    if int.from_bytes(header[4:8], "little") + 8 == size:
        return True
    if time.time() - wav.stat().st_mtime <= grace_seconds:
        return False
    with wav.open("r+b") as target:
        target.seek(4)
        target.write((size - 8).to_bytes(4, "little"))
        target.seek(40)
        target.write((size - 44).to_bytes(4, "little"))
    return True
