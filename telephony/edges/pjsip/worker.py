"""One edge worker process: the pjsua2 engine in the main thread, plus the control server, the event
sender and the recording uploader in their own threads."""

import logging
import signal
import threading
from types import FrameType

from .config import EdgeSettings
from .control import ControlServer
from .engine import Engine
from .platform import EventSpool, PlatformClient, RecordingUploader
from .prompts import Prompts

log = logging.getLogger("telephony.edge.worker")


def run_worker(settings: EdgeSettings) -> None:
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("worker %d stopping (signal %d)", settings.worker_index, signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    client = PlatformClient(settings)
    name = f"{settings.edge_name}-{settings.worker_index}"
    spool = EventSpool(settings.spool_dir / f"{name}.jsonl", client)
    uploader = RecordingUploader(settings.recordings_dir / name, client)
    engine = Engine(settings, spool=spool, uploader=uploader, client=client, prompts=Prompts())
    control = ControlServer(settings, engine.inbox, engine.holds, engine.health)
    spool.start()
    uploader.start()
    control.start()
    try:
        engine.run(stop)
    finally:
        control.stop()
        uploader.stop(flush_seconds=5)
        spool.stop(flush_seconds=5)
        log.info("worker %d stopped", settings.worker_index)
