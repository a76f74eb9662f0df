"""SIPp scenarios of the telephony benchmark: citizens who call 1414 and consultants' phones that answer.

Both write one line per call through SIPp's `<log>` action (run SIPp with `-trace_logs`), with wall-clock
times from `<gettimeofday>` (seconds and microseconds as two numbers), which `parse_log` reads back.

Caller (UAC, dials the Kamailio dispatcher):
    INVITE → (100/180) → 200 from an edge worker → ACK straight to the worker (its Contact: Kamailio does not
    record-route) → 1 s of the language prompt → RFC 2833 "1" (pcap play) → its own audio (`rtp_stream`, PCMU
    loop) → `hold` seconds → BYE.
    log: CALLER <Call-ID> <caller number> <invite s> <us> <200 s> <us> <dtmf s> <us> <bye s> <us>
    A worker or the dispatcher that refuses (503) gives: REFUSED <Call-ID> <status>

Consultant (UAS, every consultant line's SIP address points here, `sip:<extension>@127.0.0.1:<port>`):
    INVITE → 180 → `answer_ms` → 200 → ACK → its own audio (`rtp_stream`) → BYE from the edge → 200.
    log: CONSULTANT <extension> <Call-ID> <invite s> <us> <200 s> <us> <bye s> <us>
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DTMF_ONE_PCAP = Path("/usr/share/sip-tester/dtmf_2833_1.pcap")
PROMPT_BEFORE_DIGIT_MS = 1000  # the caller hears the welcome prompt for a second, then presses 1
DIGIT_TO_VOICE_MS = 400  # the RFC 2833 event lasts ~160 ms; the caller speaks after it


def caller_scenario(*, hold_s: float, caller_audio: Path) -> str:
    hold_ms = int(hold_s * 1000)
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bailanys-caller">
  <nop><action><gettimeofday assign_to="is,ius"/></action></nop>
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      User-Agent: Bailanys bench caller
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=ptime:20
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="503" optional="true" next="refused"/>
  <recv response="500" optional="true" next="refused"/>
  <recv response="200" rtd="true">
    <action>
      <gettimeofday assign_to="as,aus"/>
      <ereg regexp="&lt;(sip:[^&gt;]+)&gt;" search_in="hdr" header="Contact:" check_it="true" assign_to="c,curi"/>
      <ereg regexp="sip:[^@]*@([0-9.]+):([0-9]+)" search_in="hdr" header="Contact:" check_it="true"
            assign_to="c,chost,cport"/>
      <setdest host="[$chost]" port="[$cport]" protocol="udp"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      ACK [$curi] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="{PROMPT_BEFORE_DIGIT_MS}"/>
  <nop>
    <action>
      <gettimeofday assign_to="ds,dus"/>
      <exec play_pcap_audio="{DTMF_ONE_PCAP}"/>
    </action>
  </nop>
  <pause milliseconds="{DIGIT_TO_VOICE_MS}"/>
  <nop><action><exec rtp_stream="{caller_audio},-1,0"/></action></nop>
  <pause milliseconds="{hold_ms}"/>
  <nop><action><gettimeofday assign_to="bs,bus"/></action></nop>
  <send retrans="500">
    <![CDATA[
      BYE [$curi] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
  <nop>
    <action>
      <log message="CALLER [call_id] [field0] [$is] [$ius] [$as] [$aus] [$ds] [$dus] [$bs] [$bus]"/>
    </action>
  </nop>
  <nop next="end"/>
  <label id="refused"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <nop><action><log message="REFUSED [call_id] [field0]"/></action></nop>
  <label id="end"/>
  <ResponseTimeRepartition value="100, 200, 500, 1000, 2000"/>
</scenario>
"""


def consultant_scenario(*, answer_ms: int, consultant_audio: Path) -> str:
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bailanys-consultant">
  <recv request="INVITE" crlf="true">
    <action>
      <gettimeofday assign_to="is,ius"/>
      <ereg regexp="INVITE sips?:([0-9]+)@" search_in="msg" check_it="true" assign_to="r,ext"/>
      <ereg regexp="sips?:([0-9]+)@" search_in="hdr" header="To:" check_it="true" assign_to="r,ext"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[$ext]@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="{answer_ms}"/>
  <nop><action><gettimeofday assign_to="as,aus"/></action></nop>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[$ext]@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=consultant 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=ptime:20
      a=sendrecv

    ]]>
  </send>
  <recv request="ACK" crlf="true">
    <action><exec rtp_stream="{consultant_audio},-1,0"/></action>
  </recv>
  <recv request="BYE">
    <action><gettimeofday assign_to="bs,bus"/></action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[$ext]@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
  <nop>
    <action>
      <log message="CONSULTANT [$ext] [call_id] [$is] [$ius] [$as] [$aus] [$bs] [$bus]"/>
    </action>
  </nop>
</scenario>
"""


@dataclass(frozen=True)
class CallerLeg:
    call_id: str
    caller: str
    invited: float
    answered: float  # the edge's 200 OK reached the caller
    pressed: float  # the caller pressed 1: it enters the queue
    hung_up: float


@dataclass(frozen=True)
class ConsultantLeg:
    extension: str
    call_id: str  # the edge's Call-ID of the consultant leg (not the caller's)
    invited: float
    answered: float  # 200 OK sent
    ended: float  # BYE from the edge received

    @property
    def wall_s(self) -> float:
        return self.ended - self.answered


def _seconds(whole: str, micro: str) -> float:
    return float(whole) + float(micro) / 1_000_000


def parse_log(path: Path) -> tuple[list[CallerLeg], list[ConsultantLeg], list[str]]:
    """The legs logged in one SIPp `-trace_logs` file, and the Call-IDs of refused calls."""
    callers: list[CallerLeg] = []
    consultants: list[ConsultantLeg] = []
    refused: list[str] = []
    if not path.exists():
        return callers, consultants, refused
    for line in path.read_text(errors="replace").splitlines():
        fields = line.split()
        if len(fields) == 11 and fields[0] == "CALLER":
            times = [_seconds(fields[i], fields[i + 1]) for i in range(3, 11, 2)]
            callers.append(CallerLeg(fields[1], fields[2], *times))
        elif len(fields) == 9 and fields[0] == "CONSULTANT":
            times = [_seconds(fields[i], fields[i + 1]) for i in range(3, 9, 2)]
            consultants.append(ConsultantLeg(fields[1], fields[2], *times))
        elif len(fields) >= 2 and fields[0] == "REFUSED":
            refused.append(fields[1])
    return callers, consultants, refused
