"""The pjsua2 owner: one thread runs the library, every call, player and recorder of this worker.

Rules from FACTS.md (Telephony) that shape this module:
- threadCnt=0 and mainThreadOnly: SIP is processed inside `libHandleEvents`, pumped every `poll_ms`;
  other threads only put messages on `inbox` (commands, queue look-ups, callbacks from media threads).
- Python holds every Call, Player and Recorder (in `legs`, `players`, `Conversation`) and drops them
  right after DISCONNECTED / end of file; a Call whose makeCall failed is kept forever (it asserts
  when collected).
- At most 4 calls per process: a worker serves at most 2 conversations (caller + consultant leg);
  a full worker answers new INVITEs with 503 so a dispatcher tries another worker.
"""

import heapq
import itertools
import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pjsua2 as pj

from . import flow
from .config import CALLS_PER_PROCESS, CONVERSATIONS_PER_WORKER, EdgeSettings
from .control import Command
from .legs import DTMF, EOF, MEDIA, REFER, STATE, EdgeAccount, EdgeCall, EdgePlayer, Leg
from .platform import EventSpool, PlatformClient, RecordingUploader, now_iso
from .prompts import Prompts

CALL_ID_HEADER = "X-Bailanys-Call-Id"

log = logging.getLogger("telephony.edge.engine")

QUEUE_INFO = "queue_info"
SHUTDOWN_GRACE_SECONDS = 3.0


class Engine(flow.Flow):
    """Owns pjsua2; `run()` must be called in the thread that created it and returns on `stop`."""

    def __init__(
        self,
        settings: EdgeSettings,
        *,
        spool: EventSpool,
        uploader: RecordingUploader,
        client: PlatformClient,
        prompts: Prompts,
    ) -> None:
        super().__init__(settings=settings, spool=spool, uploader=uploader, prompts=prompts)
        self.client = client
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.post = self.inbox.put
        self.legs: dict[int, Leg] = {}
        self.players: dict[int, tuple[str, str, EdgePlayer]] = {}  # key -> (call_id, purpose, player)
        self._failed_calls: list[EdgeCall] = []
        self._keys = itertools.count(1)
        self._timers: list[tuple[float, int, str, str, int]] = []
        self._timer_seq = itertools.count()
        self._live_lock = threading.Lock()
        self._live: set[str] = set()
        self._lookups = ThreadPoolExecutor(max_workers=2, thread_name_prefix="queue-lookup")
        self.draining = False
        self.ep: Any = None
        self.account: EdgeAccount | None = None

    # --- library --------------------------------------------------------------------------------

    def start_library(self) -> None:
        ep = pj.Endpoint()
        ep.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.uaConfig.maxCalls = CALLS_PER_PROCESS
        config.uaConfig.userAgent = "Bailanys PJSIP edge"
        config.logConfig.level = 2
        config.logConfig.consoleLevel = 2
        config.medConfig.clockRate = 8000
        config.medConfig.sndClockRate = 8000
        config.medConfig.channelCount = 1
        config.medConfig.noVad = True
        config.medConfig.ecTailLen = 0
        ep.libInit(config)
        transport = pj.TransportConfig()
        transport.port = self.settings.worker_sip_port
        transport.boundAddress = self.settings.sip_host
        ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        ep.libStart()
        ep.audDevManager().setNullDev()
        for codec in ep.codecEnum2():
            keep = codec.codecId.startswith(("PCMU/", "PCMA/"))
            ep.codecSetPriority(codec.codecId, 200 if codec.codecId.startswith("PCMU/") else 150 if keep else 0)
        account_config = pj.AccountConfig()
        account_config.idUri = self.settings.worker_sip_uri()
        account_config.mediaConfig.transportConfig.port = self.settings.worker_rtp_port
        account_config.mediaConfig.transportConfig.portRange = self.settings.rtp_ports_per_worker
        account_config.mediaConfig.transportConfig.boundAddress = self.settings.sip_host
        account = EdgeAccount(self.on_incoming)
        account.create(account_config, True)
        self.ep, self.account = ep, account
        log.info("worker %d listening on %s", self.settings.worker_index, self.settings.worker_sip_uri())

    def run(self, stop: threading.Event) -> None:
        self.start_library()
        try:
            while not stop.is_set():
                self.pump()
            self.shutdown()
        finally:
            self.stop_library()

    def pump(self) -> None:
        """One turn of the loop: SIP and timers in pjsua2, then our inbox and our timers."""
        self.ep.libHandleEvents(self.settings.poll_ms)
        while True:
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                break
            try:
                self.dispatch(message)
            except Exception:
                log.exception("failed to handle %r", message[:2] if isinstance(message, tuple) else message)
        self.run_timers()

    def shutdown(self) -> None:
        """Refuse new calls, end the ones held (`call.ended` by system), wait briefly for the BYEs."""
        self.draining = True
        for conversation in list(self.conversations.values()):
            self.end_call(conversation, by="system")
        deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
        while self.legs and time.monotonic() < deadline:
            self.pump()

    def stop_library(self) -> None:
        self._lookups.shutdown(wait=False, cancel_futures=True)
        for conversation in list(self.conversations.values()):
            self.finish_recording(conversation)
        self.players.clear()
        self.conversations.clear()
        self.legs.clear()
        if self.account is not None:
            self.account.on_incoming = None
            self.account.shutdown()
        self.account = None
        if self.ep is not None:
            self.ep.libDestroy()
        self.ep = None

    # --- what other threads may call ------------------------------------------------------------

    def holds(self, call_id: str) -> bool:
        with self._live_lock:
            return call_id in self._live

    def health(self) -> dict[str, Any]:
        with self._live_lock:
            conversations = len(self._live)
        return {
            "edge": self.settings.edge_name,
            "worker": self.settings.worker_index,
            "sip_uri": self.settings.worker_sip_uri(),
            "conversations": conversations,
            "capacity": CONVERSATIONS_PER_WORKER,
            "draining": self.draining,
        }

    # --- owner-thread helpers used by the flow --------------------------------------------------

    def set_live(self, call_id: str, live: bool) -> None:
        with self._live_lock:
            (self._live.add if live else self._live.discard)(call_id)

    def new_key(self) -> int:
        return next(self._keys)

    def new_player(self, call_id: str, purpose: str, files: list[str], *, loop: bool = False) -> EdgePlayer:
        key = self.new_key()
        player = EdgePlayer(self.post, key)
        if len(files) == 1:
            player.createPlayer(files[0], 0 if loop else pj.PJMEDIA_FILE_NO_LOOP)
        else:
            player.createPlaylist(pj.StringVector(files), purpose, 0 if loop else pj.PJMEDIA_FILE_NO_LOOP)
        self.players[key] = (call_id, purpose, player)
        return player

    def drop_player(self, player: EdgePlayer | None) -> None:
        if player is None:
            return
        for key, (_, _, held) in list(self.players.items()):
            if held is player:
                del self.players[key]

    def new_recorder(self, path: str) -> Any:
        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(path)
        return recorder

    def make_call(self, uri: str, conversation: str, consultant: str) -> Leg | None:
        """Dial `uri`; None when pjsua2 refused at once (the Call object is then kept forever)."""
        assert self.account is not None
        key = self.new_key()
        call = EdgeCall(self.account, self.post, key)
        leg = Leg(key=key, role="consultant", call=call, conversation=conversation, consultant=consultant)
        self.legs[key] = leg
        dial = pj.CallOpParam(True)
        # The consultant's phone (and a PBX's logs) can tell which citizen's call this leg belongs to.
        header = pj.SipHeader()
        header.hName, header.hValue = CALL_ID_HEADER, conversation
        dial.txOption.headers.append(header)
        try:
            call.makeCall(uri, dial)
        except pj.Error as error:
            log.warning("could not dial the consultant %s: %s", consultant, error.info() if error else error)
            del self.legs[key]
            leg.alive = False
            leg.call = None
            self._failed_calls.append(call)
            return None
        return leg

    def audio_of(self, leg: Leg) -> Any:
        """The leg's AudioMedia when its audio is active, else None."""
        if leg.call is None or not leg.alive:
            return None
        try:
            info = leg.call.getInfo()
            for media in info.media:
                if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    return leg.call.getAudioMedia(media.index)
        except pj.Error:
            return None
        return None

    def look_up_queue(self, call_id: str) -> None:
        """Ask the platform for the caller's position off-thread; the answer comes back through the inbox."""
        future = self._lookups.submit(self.client.queue_position, call_id)
        future.add_done_callback(lambda done: self.post((QUEUE_INFO, call_id, done.result())))

    def set_timer(self, call_id: str, kind: str, seconds: float) -> None:
        conversation = self.conversations.get(call_id)
        if conversation is None:
            return
        token = conversation.timers[kind] = conversation.timers.get(kind, 0) + 1
        heapq.heappush(self._timers, (time.monotonic() + seconds, next(self._timer_seq), call_id, kind, token))

    def run_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, call_id, kind, token = heapq.heappop(self._timers)
            conversation = self.conversations.get(call_id)
            if conversation is not None and conversation.timers.get(kind) == token:
                try:
                    self.on_timer(conversation, kind)
                except Exception:
                    log.exception("timer %s failed", kind)

    # --- incoming calls and the inbox -----------------------------------------------------------

    def on_incoming(self, pj_call_id: int) -> None:
        assert self.account is not None
        key = self.new_key()
        call = EdgeCall(self.account, self.post, key, pj_call_id)
        leg = Leg(key=key, role="caller", call=call)
        self.legs[key] = leg
        info = call.getInfo()
        if (
            self.draining
            or len(self.conversations) >= CONVERSATIONS_PER_WORKER
            or flow.conversation_id(info.callIdString) in self.conversations
        ):
            log.info("refusing a call: worker %d is full or draining", self.settings.worker_index)
            leg.hangup(pj.PJSIP_SC_SERVICE_UNAVAILABLE)
            return
        self.answer(leg, info)

    def dispatch(self, message: Any) -> None:
        if isinstance(message, Command):
            conversation = self.conversations.get(message.call_id)
            if conversation is None:
                log.info("command %s for a call this worker no longer holds", message.command_id)
                return
            self.on_command(conversation, message)
            return
        kind = message[0]
        if kind == QUEUE_INFO:
            conversation = self.conversations.get(message[1])
            if conversation is not None:
                self.on_queue_info(conversation, message[2])
            return
        if kind == EOF:
            held = self.players.pop(message[1], None)
            if held is not None:
                call_id, purpose, player = held
                conversation = self.conversations.get(call_id)
                if conversation is not None:
                    self.on_prompt_end(conversation, purpose, player)
            return
        leg = self.legs.get(message[1])
        if leg is None:
            return
        if kind == STATE:
            self.on_leg_state(leg, message[2], message[3])
        elif kind == MEDIA:
            self.on_leg_media(leg)
        elif kind == DTMF:
            self.on_digit(leg, message[2])
        elif kind == REFER:
            self.on_refer(leg, message[2])

    def on_leg_state(self, leg: Leg, state: int, status: int) -> None:
        if state == pj.PJSIP_INV_STATE_EARLY:
            self.on_leg_ringing(leg)
        elif state == pj.PJSIP_INV_STATE_CONFIRMED:
            leg.confirmed = True
            self.on_leg_confirmed(leg)
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED and leg.alive:
            leg.alive = False
            leg.media = None
            self.legs.pop(leg.key, None)
            try:
                self.on_leg_disconnected(leg, status)
            finally:
                leg.call = None  # drop the Call right after DISCONNECTED (its slot id is reused)

    def now(self) -> str:
        return now_iso()

    def recordings_folder(self) -> Any:
        return self.uploader.folder
