"""The reference edge's call flow (docs/telephony-api.md, last section), run in the pjsua2 owner thread.

menu ─1/2─▶ queued ─connect─▶ ringing ─answer─▶ connected ─consultant hangs up─▶ rating ─▶ thanks ─▶ end
  │  (no/other digit: 3 plays, then kk)  ▲  no answer │        │ transfer
  └──────────────────────────────────────┴────────────┘        ▼
                                                  transfer warning ─▶ ringing (target) or queued
The caller may hang up in any state (`call.ended` by caller).
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pjsua2 as pj

from core.masking import mask_phone

from .config import EdgeSettings
from .control import Command, control_url
from .legs import EdgePlayer, Leg, sip_user
from .platform import EventSpool, RecordingUploader
from .prompts import DEFAULT_LANGUAGE, Prompts

log = logging.getLogger("telephony.edge.flow")

MENU, QUEUED, RINGING, CONNECTED, TRANSFER_WARNING, RATING, THANKS, ENDED = (
    "menu",
    "queued",
    "ringing",
    "connected",
    "transfer_warning",
    "rating",
    "thanks",
    "ended",
)
MENU_PLAYS = 3  # the welcome prompt, then two repeats, then Kazakh by default
RATING_PLAYS = 2
LANGUAGE_DIGITS = {"1": "kk", "2": "ru"}
DEFAULT_RING_TIMEOUT_S = 15
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
CALL_ID_MAX = 200  # the contract's limit on call_id
FIELD_MAX = 40  # caller, dialled, extensions


def conversation_id(sip_call_id: str) -> str:
    """The caller leg's SIP Call-ID, or a digest of it when it is longer than the contract allows."""
    if len(sip_call_id) <= CALL_ID_MAX:
        return sip_call_id
    return "sha256-" + hashlib.sha256(sip_call_id.encode()).hexdigest()


@dataclass(eq=False)
class Conversation:
    call_id: str
    caller: Leg
    caller_number: str
    dialled: str
    state: str = MENU
    language: str = ""
    seq: int = 0
    menu_plays: int = 0
    rating_plays: int = 0
    consultant_leg: Leg | None = None
    consultant: str = ""  # the last consultant who talked to the caller
    prompt: EdgePlayer | None = None
    prompt_purpose: str = ""
    music: EdgePlayer | None = None
    recorder: Any = None
    recording_path: Path | None = None
    recording_started_at: str = ""
    transferring: bool = False
    after_warning: dict[str, Any] | None = None  # the transfer's data, dialled once the warning ends
    pending_connect: Command | None = None
    last_event_at: datetime | None = None
    timers: dict[str, int] = field(default_factory=dict)


class Flow:
    """State machine of the conversations; the engine (subclass) supplies the pjsua2 plumbing."""

    def __init__(
        self, *, settings: EdgeSettings, spool: EventSpool, uploader: RecordingUploader, prompts: Prompts
    ) -> None:
        self.settings = settings
        self.spool = spool
        self.uploader = uploader
        self.prompts = prompts
        self.conversations: dict[str, Conversation] = {}
        self.legs: dict[int, Leg] = {}

    # Supplied by the engine.
    def set_live(self, call_id: str, live: bool) -> None:
        raise NotImplementedError

    def new_player(self, call_id: str, purpose: str, files: list[str], *, loop: bool = False) -> EdgePlayer:
        raise NotImplementedError

    def drop_player(self, player: EdgePlayer | None) -> None:
        raise NotImplementedError

    def new_recorder(self, path: str) -> Any:
        raise NotImplementedError

    def make_call(self, uri: str, conversation: str, consultant: str) -> Leg | None:
        raise NotImplementedError

    def audio_of(self, leg: Leg) -> Any:
        raise NotImplementedError

    def look_up_queue(self, call_id: str) -> None:
        raise NotImplementedError

    def set_timer(self, call_id: str, kind: str, seconds: float) -> None:
        raise NotImplementedError

    def now(self) -> str:
        raise NotImplementedError

    # --- events ---------------------------------------------------------------------------------

    def emit(self, conversation: Conversation, kind: str, data: dict[str, Any] | None = None) -> str:
        """Spool one event. Its `occurred_at` is strictly later than the call's previous event's (to the
        microsecond), so the platform's fold in `occurred_at` order keeps the edge's order even for
        events of the same millisecond that arrive out of order."""
        conversation.seq += 1
        event_id = f"{self.settings.edge_name}:{conversation.call_id}:{conversation.seq}"
        occurred = datetime.now().astimezone()
        if conversation.last_event_at is not None and occurred <= conversation.last_event_at:
            occurred = conversation.last_event_at + timedelta(microseconds=1)
        conversation.last_event_at = occurred
        self.spool.emit(
            {
                "event_id": event_id,
                "type": kind,
                "call_id": conversation.call_id,
                "occurred_at": occurred.isoformat(timespec="microseconds"),
                "data": data or {},
            }
        )
        shown = {**data, "caller": mask_phone(str(data["caller"]))} if data and "caller" in data else data
        log.info("%s %s %s", conversation.call_id[:12], kind, shown or "")
        return event_id

    # --- caller leg -----------------------------------------------------------------------------

    def answer(self, leg: Leg, info: Any) -> None:
        call_id = conversation_id(info.callIdString)
        leg.conversation = call_id
        caller = sip_user(info.remoteUri)[:FIELD_MAX]
        conversation = Conversation(
            call_id=call_id, caller=leg, caller_number=caller, dialled=sip_user(info.localUri)[:FIELD_MAX]
        )
        self.conversations[call_id] = conversation
        self.set_live(call_id, True)
        prm = pj.CallOpParam()
        prm.statusCode = pj.PJSIP_SC_OK
        assert leg.call is not None
        leg.call.answer(prm)
        log.info("answered %s from %s", call_id[:12], mask_phone(caller))
        data = {"caller": caller, "control_url": control_url(self.settings, call_id)}
        if conversation.dialled:
            data["dialled"] = conversation.dialled
        self.emit(conversation, "call.offered", data)

    def on_leg_media(self, leg: Leg) -> None:
        leg.media = self.audio_of(leg)
        conversation = self.conversations.get(leg.conversation)
        if conversation is None or leg.media is None:
            return
        if leg.role == "caller":
            if conversation.state == MENU and conversation.menu_plays == 0:
                self.play_menu(conversation)
        elif conversation.consultant_leg is leg:
            self.bridge_if_ready(conversation, leg)

    def on_leg_ringing(self, leg: Leg) -> None:
        conversation = self.conversations.get(leg.conversation)
        if leg.role == "consultant" and not leg.alerted and conversation is not None:
            leg.alerted = True
            self.emit(conversation, "consultant.alerted", {"consultant": leg.consultant})

    def on_leg_confirmed(self, leg: Leg) -> None:
        conversation = self.conversations.get(leg.conversation)
        if leg.role == "consultant" and conversation is not None and conversation.consultant_leg is leg:
            self.on_leg_ringing(leg)
            self.bridge_if_ready(conversation, leg)

    def on_leg_disconnected(self, leg: Leg, status: int) -> None:
        conversation = self.conversations.get(leg.conversation)
        if conversation is None:
            return
        if leg.role == "caller":
            if conversation.state != ENDED:
                self.end_call(conversation, by="caller")
            self.forget_if_done(conversation)
            return
        if conversation.consultant_leg is not leg:  # a leg given up on ring timeout, or already replaced
            self.run_pending(conversation)
            self.forget_if_done(conversation)
            return
        conversation.consultant_leg = None
        if conversation.state == RINGING:
            log.info("consultant %s did not answer (%s)", leg.consultant, status)
            self.no_answer(conversation, leg)
        elif conversation.state == CONNECTED:
            self.emit(conversation, "consultant.left", {"consultant": leg.consultant})
            self.finish_recording(conversation)
            self.start_rating(conversation)
        elif conversation.state == TRANSFER_WARNING or conversation.state == QUEUED:
            self.run_pending(conversation)
        self.forget_if_done(conversation)

    def forget_if_done(self, conversation: Conversation) -> None:
        """Drop every object of a conversation once all its legs are gone."""
        if conversation.caller.alive or conversation.consultant_leg is not None:
            return
        self.stop_prompt(conversation)
        self.stop_music(conversation)
        self.finish_recording(conversation)
        self.conversations.pop(conversation.call_id, None)
        self.set_live(conversation.call_id, False)

    def end_call(self, conversation: Conversation, *, by: str) -> None:
        """The call is over: report it once, hang up every leg still up, close the recording."""
        if conversation.state != ENDED:
            conversation.state = ENDED
            self.emit(conversation, "call.ended", {"by": by})
        self.stop_prompt(conversation)
        self.stop_music(conversation)
        if conversation.consultant_leg is not None:
            conversation.consultant_leg.hangup()
        conversation.caller.hangup()
        self.finish_recording(conversation)
        self.forget_if_done(conversation)

    # --- prompts and music ----------------------------------------------------------------------

    def play(self, conversation: Conversation, purpose: str, files: list[str], *, record: bool = False) -> None:
        """Play `files` to the caller (and into the recording when `record`), replacing any prompt and music."""
        self.stop_prompt(conversation)
        self.stop_music(conversation)
        caller_audio = conversation.caller.media
        if caller_audio is None:
            return
        player = self.new_player(conversation.call_id, purpose, files)
        player.startTransmit(caller_audio)
        if record and conversation.recorder is not None:
            player.startTransmit(conversation.recorder)
        conversation.prompt, conversation.prompt_purpose = player, purpose

    def stop_prompt(self, conversation: Conversation) -> None:
        player, conversation.prompt, conversation.prompt_purpose = conversation.prompt, None, ""
        self.drop_player(player)

    def start_music(self, conversation: Conversation) -> None:
        if conversation.music is None and conversation.prompt is None and conversation.caller.media is not None:
            music = self.new_player(conversation.call_id, "music", [self.prompts.hold_music], loop=True)
            music.startTransmit(conversation.caller.media)
            conversation.music = music

    def stop_music(self, conversation: Conversation) -> None:
        music, conversation.music = conversation.music, None
        self.drop_player(music)

    def on_prompt_end(self, conversation: Conversation, purpose: str, player: EdgePlayer) -> None:
        if conversation.prompt is not player:
            return  # a prompt already replaced
        conversation.prompt, conversation.prompt_purpose = None, ""
        if purpose == "welcome":
            self.set_timer(conversation.call_id, "menu", self.settings.menu_timeout_seconds)
        elif purpose == "please_wait":
            self.start_music(conversation)
            self.look_up_queue(conversation.call_id)
        elif purpose == "announcement":
            if conversation.state in (QUEUED, RINGING):
                self.start_music(conversation)
        elif purpose == "transfer":
            self.emit(conversation, "transfer.announced")
            target, conversation.after_warning = conversation.after_warning, None
            if target and target.get("sip_uri"):
                connect = {
                    "consultant": target.get("target") or "",
                    "sip_uri": target["sip_uri"],
                    "ring_timeout_s": target.get("ring_timeout_s"),
                }
                conversation.pending_connect = Command("transfer", "connect", conversation.call_id, connect)
                conversation.state = QUEUED
                self.run_pending(conversation)
            else:
                self.enter_queue(conversation, first_time=False)
        elif purpose == "rating":
            self.set_timer(conversation.call_id, "rating", self.settings.rating_timeout_seconds)
        elif purpose == "thanks":
            self.end_call(conversation, by="system")

    # --- language menu --------------------------------------------------------------------------

    def play_menu(self, conversation: Conversation) -> None:
        conversation.menu_plays += 1
        self.play(conversation, "welcome", [self.prompts.welcome])

    def choose_language(self, conversation: Conversation, language: str, *, chosen: bool) -> None:
        conversation.language = language
        if chosen:
            self.emit(conversation, "call.language_chosen", {"language": language})
        self.enter_queue(conversation, first_time=True)

    def on_digit(self, leg: Leg, digit: str) -> None:
        conversation = self.conversations.get(leg.conversation)
        if conversation is None or leg.role != "caller":
            return
        if conversation.state == MENU:
            if digit in LANGUAGE_DIGITS:
                self.choose_language(conversation, LANGUAGE_DIGITS[digit], chosen=True)
            else:
                self.menu_again(conversation)
        elif conversation.state == RATING:
            if digit.isdigit() and 1 <= int(digit) <= self.settings.rating_scale_max:
                self.emit(conversation, "rating.given", {"score": int(digit)})
                self.say_thanks(conversation)
            else:
                self.rating_again(conversation)

    def menu_again(self, conversation: Conversation) -> None:
        if conversation.menu_plays < MENU_PLAYS:
            self.play_menu(conversation)
        else:
            self.choose_language(conversation, DEFAULT_LANGUAGE, chosen=False)

    # --- queue ----------------------------------------------------------------------------------

    def enter_queue(self, conversation: Conversation, *, first_time: bool) -> None:
        conversation.state = QUEUED
        if first_time:
            self.emit(conversation, "call.queued", {"language": conversation.language})
            self.play(conversation, "please_wait", [self.prompts.get(conversation.language, "please_wait")])
        else:
            self.start_music(conversation)
        self.set_timer(conversation.call_id, "announce", self.settings.queue_announce_seconds)
        self.run_pending(conversation)

    def on_queue_info(self, conversation: Conversation, info: dict[str, Any] | None) -> None:
        if conversation.state != QUEUED or conversation.prompt is not None or not info:
            return
        if info.get("state", "queued") != "queued":
            return
        position, wait = info.get("position"), info.get("expected_wait_s")
        files = self.prompts.announcement(
            conversation.language,
            position if isinstance(position, int) else None,
            wait if isinstance(wait, int | float) else None,
        )
        if files:
            self.play(conversation, "announcement", files)

    def on_timer(self, conversation: Conversation, kind: str) -> None:
        if kind == "menu" and conversation.state == MENU and conversation.prompt is None:
            self.menu_again(conversation)
        elif kind == "announce" and conversation.state in (QUEUED, RINGING):
            if conversation.state == QUEUED:
                self.look_up_queue(conversation.call_id)
            self.set_timer(conversation.call_id, "announce", self.settings.queue_announce_seconds)
        elif kind == "ring" and conversation.state == RINGING and conversation.consultant_leg is not None:
            leg = conversation.consultant_leg
            if not leg.confirmed:
                # Give up on the leg now: without a provisional answer its CANCEL waits for one, and
                # DISCONNECTED may come only after the INVITE transaction times out (32 s).
                leg.timed_out = True
                leg.hangup(pj.PJSIP_SC_REQUEST_TERMINATED)
                if leg.alive:
                    conversation.consultant_leg = None
                    self.no_answer(conversation, leg)
        elif kind == "rating" and conversation.state == RATING and conversation.prompt is None:
            self.rating_again(conversation)

    # --- commands -------------------------------------------------------------------------------

    def on_command(self, conversation: Conversation, command: Command) -> None:
        log.info("%s command %s %s", conversation.call_id[:12], command.type, command.command_id)
        if command.type == "hangup":
            self.end_call(conversation, by="system")
        elif command.type == "connect":
            conversation.pending_connect = command
            self.run_pending(conversation)
        elif command.type == "transfer":
            self.transfer(conversation, command.data)

    def run_pending(self, conversation: Conversation) -> None:
        """Dial the pending `connect` once the caller is queued and no consultant leg is up."""
        command = conversation.pending_connect
        if command is None or conversation.state != QUEUED or conversation.consultant_leg is not None:
            return
        conversation.pending_connect = None
        self.dial(conversation, command.data)

    def dial(self, conversation: Conversation, data: dict[str, Any]) -> None:
        consultant = str(data.get("consultant") or sip_user(str(data.get("sip_uri"))))
        leg = self.make_call(str(data["sip_uri"]), conversation.call_id, consultant)
        if leg is None:
            self.emit(conversation, "consultant.no_answer", {"consultant": consultant})
            return
        conversation.consultant_leg = leg
        conversation.state = RINGING
        self.start_music(conversation)
        ring_timeout = data.get("ring_timeout_s") or DEFAULT_RING_TIMEOUT_S
        self.set_timer(conversation.call_id, "ring", float(ring_timeout))

    def no_answer(self, conversation: Conversation, leg: Leg) -> None:
        self.emit(conversation, "consultant.no_answer", {"consultant": leg.consultant})
        self.enter_queue(conversation, first_time=False)

    def bridge_if_ready(self, conversation: Conversation, leg: Leg) -> None:
        caller_audio = conversation.caller.media
        if conversation.state != RINGING or not leg.confirmed or leg.media is None or caller_audio is None:
            return
        self.stop_prompt(conversation)
        self.stop_music(conversation)
        caller_audio.startTransmit(leg.media)
        leg.media.startTransmit(caller_audio)
        if conversation.recorder is None:
            self.start_recording(conversation)
        caller_audio.startTransmit(conversation.recorder)
        leg.media.startTransmit(conversation.recorder)
        conversation.state = CONNECTED
        conversation.consultant = leg.consultant
        self.emit(
            conversation,
            "transfer.completed" if conversation.transferring else "call.connected",
            {"consultant": leg.consultant},
        )
        conversation.transferring = False

    def transfer(self, conversation: Conversation, data: dict[str, Any]) -> None:
        leg = conversation.consultant_leg
        if conversation.state != CONNECTED or leg is None:
            log.info("transfer ignored: the caller is %s", conversation.state)
            return
        conversation.state = TRANSFER_WARNING
        conversation.transferring = True
        conversation.after_warning = data
        self.emit(conversation, "consultant.left", {"consultant": leg.consultant})
        leg.hangup()
        self.play(conversation, "transfer", [self.prompts.get(conversation.language, "transfer")], record=True)

    def on_refer(self, leg: Leg, target_uri: str) -> None:
        conversation = self.conversations.get(leg.conversation)
        if conversation is not None and leg.role == "consultant" and conversation.consultant_leg is leg:
            self.emit(
                conversation, "transfer.requested", {"consultant": leg.consultant, "target": sip_user(target_uri)}
            )

    # --- recording ------------------------------------------------------------------------------

    def start_recording(self, conversation: Conversation) -> None:
        digest = hashlib.sha256(conversation.call_id.encode()).hexdigest()[:16]
        name = f"{_UNSAFE.sub('_', self.now()[:19])}-{digest}.wav"
        path = self.uploader.folder / name
        conversation.recorder = self.new_recorder(str(path))
        conversation.recording_path = path
        conversation.recording_started_at = self.now()

    def finish_recording(self, conversation: Conversation) -> None:
        """Close the WAV (the recorder's destructor writes its header) and queue it for upload."""
        recorder, conversation.recorder = conversation.recorder, None
        if recorder is None or conversation.recording_path is None:
            return
        del recorder  # pjsua2 closes the file on the media clock's next tick; the uploader waits for it
        conversation.seq += 1
        meta = {
            "call_id": conversation.call_id,
            "event_id": f"{self.settings.edge_name}:{conversation.call_id}:{conversation.seq}",
            "started_at": conversation.recording_started_at,
            "ended_at": self.now(),
        }
        self.uploader.finished(conversation.recording_path, meta)
        conversation.recording_path = None

    # --- rating ---------------------------------------------------------------------------------

    def start_rating(self, conversation: Conversation) -> None:
        conversation.state = RATING
        conversation.rating_plays = 1
        self.play(conversation, "rating", [self.prompts.get(conversation.language, "rating")])

    def rating_again(self, conversation: Conversation) -> None:
        if conversation.rating_plays < RATING_PLAYS:
            conversation.rating_plays += 1
            self.play(conversation, "rating", [self.prompts.get(conversation.language, "rating")])
        else:
            self.say_thanks(conversation)

    def say_thanks(self, conversation: Conversation) -> None:
        conversation.state = THANKS
        self.play(conversation, "thanks", [self.prompts.get(conversation.language, "thanks")])
        if conversation.prompt is None:
            self.end_call(conversation, by="system")
