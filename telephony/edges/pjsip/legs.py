"""Thin pjsua2 subclasses whose callbacks only post a message to the owner thread's inbox.

pjsua2 calls these from its own threads (DTMF and end-of-file from the media clock thread), so they
never touch pjsua2 or the edge's state: they put a tuple on a queue and return. They hold no
reference back to the engine (only the queue's `put`), so no reference cycle keeps a pjsua2 object
alive until a garbage collection on some foreign thread.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pjsua2 as pj

Post = Callable[[tuple[Any, ...]], None]

# Messages posted to the inbox.
STATE, MEDIA, DTMF, EOF, REFER = "state", "media", "dtmf", "eof", "refer"

_SIP_USER = re.compile(r"sips?:([^@;>]+)@")


def sip_user(uri: str) -> str:
    """The user part of a SIP URI (`"Name" <sip:+7701…@host>;tag=x` → `+7701…`), or '' when there is none."""
    match = _SIP_USER.search(uri)
    return match.group(1) if match else ""


class EdgeCall(pj.Call):
    def __init__(self, account: "EdgeAccount", post: Post, key: int, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, call_id)
        self._post = post
        self._key = key

    def onCallState(self, prm: Any) -> None:
        try:
            info = self.getInfo()
            state, status = info.state, info.lastStatusCode
        except pj.Error:
            state, status = pj.PJSIP_INV_STATE_DISCONNECTED, 0
        self._post((STATE, self._key, state, status))

    def onCallMediaState(self, prm: Any) -> None:
        self._post((MEDIA, self._key))

    def onDtmfDigit(self, prm: Any) -> None:
        self._post((DTMF, self._key, prm.digit))

    def onCallTransferRequest(self, prm: Any) -> None:
        # A consultant's phone asked to transfer (SIP REFER): the platform decides, so decline here
        # and report `transfer.requested`; the platform answers with a `transfer` command.
        prm.statusCode = pj.PJSIP_SC_DECLINE
        self._post((REFER, self._key, prm.dstUri))


class EdgePlayer(pj.AudioMediaPlayer):
    def __init__(self, post: Post, key: int) -> None:
        super().__init__()
        self._post = post
        self._key = key

    def onEof2(self) -> None:
        self._post((EOF, self._key))


class EdgeAccount(pj.Account):
    """The edge's one local account (no registration). Incoming calls go to `on_incoming` at once,
    in the owner thread (threadCnt=0: SIP is processed inside libHandleEvents), because pjsua2 drops
    the callbacks of a call that has no Call object."""

    def __init__(self, on_incoming: Callable[[int], None]) -> None:
        super().__init__()
        self.on_incoming: Callable[[int], None] | None = on_incoming

    def onIncomingCall(self, prm: Any) -> None:
        if self.on_incoming is not None:
            self.on_incoming(prm.callId)


@dataclass(eq=False)
class Leg:
    """One SIP call of a conversation: the caller's, or a consultant's."""

    key: int
    role: str  # "caller" or "consultant"
    call: EdgeCall | None
    conversation: str = ""  # the conversation's call_id
    consultant: str = ""  # extension, for consultant legs
    alive: bool = True
    confirmed: bool = False
    alerted: bool = False
    hangup_sent: bool = False
    timed_out: bool = False
    media: Any = None  # pj.AudioMedia once the audio is active
    extra: dict[str, Any] = field(default_factory=dict)

    def hangup(self, status_code: int = 0) -> bool:
        """Hang up once, and only a call still alive (hanging up an invalid call id aborts the process)."""
        if not self.alive or self.hangup_sent or self.call is None:
            return False
        self.hangup_sent = True
        prm = pj.CallOpParam()
        if status_code:
            prm.statusCode = status_code
        try:
            self.call.hangup(prm)
        except pj.Error:
            return False
        return True
