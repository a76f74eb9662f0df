"""Figures of the phone line benchmark: the steady state, pairing caller and consultant legs, recorded/wall,
ASA on both sides, CPU per call, and the printed report."""

from __future__ import annotations

import argparse
import math
import os
import statistics
import struct
import sys
import time
import wave
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench.telephony import processes  # noqa: E402

if TYPE_CHECKING:
    from bench.telephony.run import Plan

from bench.telephony.constants import CALLER_HZ, CONSULTANT_HZ, TARGETS  # noqa: E402
from bench.telephony.scenarios import (  # noqa: E402
    CallerLeg,
    ConsultantLeg,
    parse_log,
)

# --- Watching the steady state -----------------------------------------------------------------------------


@dataclass
class Snapshot:
    at: float
    cpu: dict[str, dict[int, float]]
    box: tuple[float, float]
    talking: int  # platform: calls answered and not ended
    answered: int
    ended: int


def postgres_pgids() -> list[int]:
    """Process groups of the PostgreSQL server (started outside the benchmark; other users may load it too)."""
    pgids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    pgids.add(os.getpgid(int(entry)))
            except OSError:
                continue
    return sorted(pgids)


def snapshot(groups: dict[str, list[int]]) -> Snapshot:
    from telephony.models import Call

    counts = Call.objects.filter(answered_at__isnull=False)
    cpu = {}
    for name, pgids in groups.items():
        merged: dict[int, float] = {}
        for pgid in pgids:
            merged.update(processes.group_cpu(pgid))
        cpu[name] = merged
    return Snapshot(
        at=time.monotonic(),
        cpu=cpu,
        box=processes.box_cpu(),
        talking=counts.filter(ended_at__isnull=True).count(),
        answered=counts.count(),
        ended=Call.objects.filter(ended_at__isnull=False).count(),
    )


def steady_window(snapshots: list[Snapshot], calls: int) -> tuple[Snapshot, Snapshot] | None:
    """The longest run of snapshots in which the platform saw the most calls talking at once (all, at best)."""
    if not snapshots:
        return None
    peak = max(item.talking for item in snapshots)
    if peak == 0:
        return None
    best: tuple[int, int] | None = None
    start = None
    for index, item in enumerate([*snapshots, None]):
        if item is not None and item.talking == peak:
            start = index if start is None else start
            continue
        if start is not None:
            if best is None or index - 1 - start > best[1] - best[0]:
                best = (start, index - 1)
            start = None
    if best is None or best[1] == best[0]:
        return None
    return snapshots[best[0]], snapshots[best[1]]


# --- Figures -------------------------------------------------------------------------------------------------


@dataclass
class Paired:
    caller: CallerLeg
    consultant: ConsultantLeg | None = None
    recorded_s: float | None = None
    platform_wait_s: float | None = None
    both_sides: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.consultant is None or self.recorded_s is None or self.consultant.wall_s <= 0:
            return None
        return self.recorded_s / self.consultant.wall_s

    @property
    def generator_wait_s(self) -> float | None:
        return None if self.consultant is None else self.consultant.answered - self.caller.pressed


def pair_legs(callers: list[CallerLeg], consultants: list[ConsultantLeg]) -> list[Paired]:
    """Caller leg → the platform's call (same SIP Call-ID) → the extension it was connected to → that
    consultant's UAS leg answered nearest to the platform's answer time; recordings summed per call."""
    from recordings.models import Recording
    from telephony.models import Call, ConsultantLine

    extension_of = dict(ConsultantLine.objects.values_list("user_id", "extension"))
    calls = {call.call_id: call for call in Call.objects.all()}
    recorded: dict[str, float] = {}
    both_sides: dict[str, bool] = {}
    for recording in Recording.objects.select_related("call"):
        call_id = recording.call.call_id
        recorded[call_id] = recorded.get(call_id, 0.0) + (recording.duration_seconds or 0.0)
        both_sides[call_id] = both_sides.get(call_id, False) or both_sides_heard(Path(recording.file.path))
    by_extension: dict[str, list[ConsultantLeg]] = {}
    for leg in consultants:
        by_extension.setdefault(leg.extension, []).append(leg)
    paired = []
    for caller in callers:
        item = Paired(caller)
        call = calls.get(caller.call_id)
        if call is None:
            item.notes.append("unknown to the platform")
        else:
            item.platform_wait_s = call.wait_seconds
            item.recorded_s = recorded.get(call.call_id)
            item.both_sides = both_sides.get(call.call_id, False)
            extension = extension_of.get(call.consultant_id) if call.consultant_id else None
            legs = by_extension.get(extension or "", [])
            if legs and call.answered_at is not None:
                answered = call.answered_at.timestamp()
                item.consultant = min(legs, key=lambda leg: abs(leg.answered - answered))
            else:
                item.notes.append("no consultant leg")
        paired.append(item)
    return paired


def both_sides_heard(path: Path, *, frequencies: tuple[int, int] = (CALLER_HZ, CONSULTANT_HZ)) -> bool:
    """Whether half a second from the middle of a recording carries both parties' tones (Goertzel, each at
    least 15% of the energy: the recording is a mono mix of the caller and the consultant)."""
    with wave.open(str(path), "rb") as source:
        rate, frames = source.getframerate(), source.getnframes()
        if source.getsampwidth() != 2 or frames < rate:
            return False
        source.setpos(frames // 2)
        raw, channels = source.readframes(rate // 2), source.getnchannels()
    samples = struct.unpack(f"<{len(raw) // 2}h", raw)[::channels]
    energy = sum(sample * sample for sample in samples)
    if energy < len(samples) * 100**2:
        return False
    for frequency in frequencies:
        coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
        previous = before = 0.0
        for sample in samples:
            previous, before = sample + coefficient * previous - before, previous
        power = (previous * previous + before * before - coefficient * previous * before) * 2 / len(samples)
        if power < 0.15 * energy:
            return False
    return True


def peak_overlap(intervals: list[tuple[float, float]]) -> int:
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def figures(
    args: argparse.Namespace,
    plan: Plan,
    workdir: Path,
    snapshots: list[Snapshot],
    started_at: datetime,
) -> dict[str, Any]:
    from telephony.statistics import figures_between

    callers, _, refused = parse_log(workdir / "callers.log")
    _, consultants, _ = parse_log(workdir / "consultants.log")
    paired = pair_legs(callers, consultants)
    recorded = [item for item in paired if item.ratio is not None]
    ratios = sorted(item.ratio for item in recorded if item.ratio is not None)
    held = peak_overlap([(item.consultant.answered, item.consultant.ended) for item in recorded if item.consultant])

    queue = figures_between(started_at - timedelta(minutes=1), datetime.now(UTC) + timedelta(minutes=1))
    waits = [item.generator_wait_s for item in paired if item.generator_wait_s is not None]
    asa_generator = statistics.fmean(waits) if waits else None
    unpaired_asa = None
    if consultants and callers and len(consultants) == len(callers):
        unpaired_asa = statistics.fmean(leg.answered for leg in consultants) - statistics.fmean(
            leg.pressed for leg in callers
        )
    platform_waits = [item.platform_wait_s for item in paired if item.platform_wait_s is not None]
    wait_gaps = [
        abs(item.platform_wait_s - item.generator_wait_s)
        for item in paired
        if item.platform_wait_s is not None and item.generator_wait_s is not None
    ]

    setups = sorted(leg.answered - leg.invited for leg in callers)
    setup_span = (max(leg.answered for leg in callers) - min(leg.invited for leg in callers)) if callers else 0.0

    result: dict[str, Any] = {
        "calls_offered": plan.calls,
        "calls_completed": len(callers),
        "calls_refused": len(refused),
        "calls_recorded": len(recorded),
        "recordings_with_both_tones": sum(1 for item in recorded if item.both_sides),
        "concurrent_calls": held,
        "every_call_recorded": len(recorded) == plan.calls,
        "recorded_over_wall_min": rounded(ratios[0] if ratios else None, 4),
        "recorded_over_wall_median": rounded(statistics.median(ratios) if ratios else None, 4),
        "recorded_over_wall_max": rounded(ratios[-1] if ratios else None, 4),
        "wall_s_median": rounded(statistics.median([i.consultant.wall_s for i in recorded if i.consultant]))
        if recorded
        else None,
        "asa_platform_s": rounded(queue.asa_seconds),
        "asa_generator_s": rounded(asa_generator),
        "asa_generator_unpaired_s": rounded(unpaired_asa),
        "asa_difference_s": rounded(
            abs(queue.asa_seconds - asa_generator) if queue.asa_seconds is not None and asa_generator else None
        ),
        "asa_platform_mean_of_paired_s": rounded(statistics.fmean(platform_waits) if platform_waits else None),
        "wait_gap_per_call_max_s": rounded(max(wait_gaps) if wait_gaps else None),
        "platform_offered": queue.offered,
        "platform_answered": queue.answered,
        "platform_abandoned": queue.abandoned,
        "platform_longest_wait_s": rounded(queue.longest_wait_seconds),
        "setup_rate_offered_per_s": args.rate,
        "setup_rate_per_s": rounded(len(callers) / setup_span if setup_span > 0 else None, 2),
        "setup_latency_median_ms": rounded(statistics.median(setups) * 1000 if setups else None, 1),
        "setup_latency_max_ms": rounded(setups[-1] * 1000 if setups else None, 1),
        "hold_s": args.hold,
        "answer_delay_s": args.answer_delay,
        "edge_workers": plan.workers,
        "consultant_lines": plan.lines,
        "worst_call": worst_call(recorded),
        "unpaired_calls": [item.caller.call_id for item in paired if item.consultant is None][:10],
    }
    result.update(cpu_figures(snapshots, plan.calls))
    return result


def worst_call(recorded: list[Paired]) -> dict[str, Any] | None:
    """The call with the lowest recorded/wall, to see where its missing time went."""
    if not recorded:
        return None
    item = min(recorded, key=lambda paired: paired.ratio or 0.0)
    assert item.consultant is not None
    return {
        "call_id": item.caller.call_id,
        "recorded_s": rounded(item.recorded_s),
        "wall_s": rounded(item.consultant.wall_s),
        "consultant": item.consultant.extension,
        "generator_wait_s": rounded(item.generator_wait_s),
        "platform_wait_s": rounded(item.platform_wait_s),
    }


def cpu_figures(snapshots: list[Snapshot], calls: int) -> dict[str, Any]:
    window = steady_window(snapshots, calls)
    if window is None:
        return {"steady_state_s": None, "cpu_per_call_pct_of_core": None}
    first, last = window
    ramp = {}
    if first.at - snapshots[0].at > 0:
        ramp = {
            name: rounded(
                processes.cpu_between(snapshots[0].cpu[name], first.cpu[name]) / (first.at - snapshots[0].at) * 100, 1
            )
            for name in first.cpu
        }
    seconds = last.at - first.at
    per_group = {name: processes.cpu_between(first.cpu[name], last.cpu[name]) / seconds * 100 for name in first.cpu}
    measured = per_group["edge"] + per_group["kamailio"] + per_group["platform"]
    busy = (last.box[0] - first.box[0]) / (last.box[1] - first.box[1]) * 100
    cores = os.cpu_count() or 1
    others = busy * cores - sum(per_group.values())
    return {
        "steady_state_s": rounded(seconds, 1),
        "steady_state_calls_talking": first.talking,
        "cpu_pct_of_core": {name: rounded(value, 1) for name, value in per_group.items()},
        "cpu_per_call_pct_of_core": rounded(measured / first.talking, 3),
        "cpu_per_call_with_postgres_pct_of_core": rounded((measured + per_group["postgres"]) / first.talking, 3),
        "machine_busy_pct": rounded(busy, 1),
        "cpu_others_pct_of_core": rounded(max(0.0, others), 1),
        "ramp_s": rounded(first.at - snapshots[0].at, 1),
        "ramp_cpu_pct_of_core": ramp,
    }


def report(result: dict[str, Any]) -> str:
    cpu = result.get("cpu_pct_of_core") or {}
    lines = [
        "",
        f"calls: {result['calls_offered']} offered at {result['setup_rate_offered_per_s']}/s, "
        f"{result['calls_completed']} completed, {result['calls_refused']} refused, "
        f"{result['calls_recorded']} with a recording ({result['recordings_with_both_tones']} with both tones "
        f"in the middle); {result['edge_workers']} edge workers, {result['consultant_lines']} consultant lines",
        f"concurrent calls held, every one recorded: {result['concurrent_calls']}"
        + ("" if result["every_call_recorded"] else "  (NOT every call was recorded)"),
        f"recorded / wall per call: min {result['recorded_over_wall_min']}, "
        f"median {result['recorded_over_wall_median']}, max {result['recorded_over_wall_max']} "
        f"(wall median {result['wall_s_median']} s); lowest: {result['worst_call']}",
        f"call setup: {result['setup_rate_per_s']} calls/s; INVITE→200 median {result['setup_latency_median_ms']} ms, "
        f"max {result['setup_latency_max_ms']} ms",
        f"ASA platform {result['asa_platform_s']} s vs generator {result['asa_generator_s']} s "
        f"(unpaired {result['asa_generator_unpaired_s']} s); difference {result['asa_difference_s']} s; "
        f"largest per-call gap {result['wait_gap_per_call_max_s']} s",
        f"platform: offered {result['platform_offered']}, answered {result['platform_answered']}, "
        f"abandoned {result['platform_abandoned']}, longest wait {result['platform_longest_wait_s']} s",
    ]
    if result.get("steady_state_s"):
        lines += [
            f"steady state {result['steady_state_s']} s with {result['steady_state_calls_talking']} calls talking: "
            f"CPU per call {result['cpu_per_call_pct_of_core']}% of a core (edge + kamailio + platform); "
            f"{result['cpu_per_call_with_postgres_pct_of_core']}% with postgres",
            "  % of one core: "
            + ", ".join(f"{name} {value}" for name, value in cpu.items())
            + f"; machine busy {result['machine_busy_pct']}% of {os.cpu_count()} cores, of which processes"
            f" outside the benchmark {result['cpu_others_pct_of_core']}% of a core",
            f"  while calls were coming in ({result['ramp_s']} s), % of one core: "
            + ", ".join(f"{name} {value}" for name, value in result["ramp_cpu_pct_of_core"].items()),
        ]
    else:
        lines.append("steady state: none long enough to measure CPU (raise --hold)")
    verdict = [
        (
            "concurrent_calls",
            result["concurrent_calls"] >= TARGETS["concurrent_calls"] and result["every_call_recorded"],
        ),
        ("recorded_over_wall_min", (result["recorded_over_wall_min"] or 0) >= TARGETS["recorded_over_wall_min"]),
        ("asa_difference_s", (result["asa_difference_s"] if result["asa_difference_s"] is not None else 99) <= 1.0),
    ]
    lines.append("targets: " + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in verdict))
    return "\n".join(lines)
