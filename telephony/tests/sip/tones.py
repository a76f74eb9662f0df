"""Test tones and a tone detector for WAV files (pure Python Goertzel, no numpy).

Each party of a test call plays its own tone: caller 440 Hz, consultant A 1000 Hz, consultant B 1800 Hz.
`tone_spans(wav, 1000)` says when a tone is present in what a party heard or in a recording.
"""

import math
import shutil
import struct
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

CALLER_HZ = 440
CONSULTANT_A_HZ = 1000
CONSULTANT_B_HZ = 1800
WINDOW_SECONDS = 0.1


def make_tone(path: Path, frequency: int, seconds: float = 300.0, rate: int = 8000) -> Path:
    """A sine tone WAV (8 kHz mono 16-bit). baresip's `aufile` ends the call at the end of the file,
    so the default is long. Uses sox when present, else writes it directly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if shutil.which("sox"):
        subprocess.run(
            [
                "sox",
                "-n",
                "-r",
                str(rate),
                "-c",
                "1",
                "-b",
                "16",
                str(path),
                "synth",
                str(seconds),
                "sine",
                str(frequency),
                "vol",
                "0.5",
            ],
            check=True,
        )
        return path
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        chunk = bytearray()
        for n in range(frames):
            chunk += struct.pack("<h", int(16000 * math.sin(2 * math.pi * frequency * n / rate)))
        out.writeframes(bytes(chunk))
    return path


def read_wav(path: Path) -> tuple[list[int], int]:
    """Mono 16-bit samples and the sample rate (the first channel of a stereo file)."""
    with wave.open(str(path), "rb") as source:
        rate, channels, width = source.getframerate(), source.getnchannels(), source.getsampwidth()
        raw = source.readframes(source.getnframes())
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit samples, found {8 * width}-bit")
    samples = list(struct.unpack(f"<{len(raw) // 2}h", raw))
    return samples[::channels], rate


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as source:
        return source.getnframes() / source.getframerate()


def _goertzel_power(window: list[int], frequency: float, rate: int) -> float:
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    previous = before = 0.0
    for sample in window:
        previous, before = sample + coefficient * previous - before, previous
    return previous * previous + before * before - coefficient * previous * before


@dataclass(frozen=True)
class Span:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def tone_windows(path: Path, frequency: float, *, share: float = 0.5) -> list[tuple[float, bool]]:
    """For each 100 ms window: (start time, whether `frequency` carries at least `share` of its energy)."""
    samples, rate = read_wav(path)
    size = int(rate * WINDOW_SECONDS)
    result = []
    for start in range(0, len(samples) - size + 1, size):
        window = samples[start : start + size]
        energy = sum(sample * sample for sample in window)
        if energy < size * 100**2:  # quieter than about -50 dBFS: silence
            result.append((start / rate, False))
            continue
        # Goertzel power of a pure tone is energy * size / 2: normalise to a share of the window's energy.
        power = _goertzel_power(window, frequency, rate) * 2 / size
        result.append((start / rate, power >= share * energy))
    return result


def tone_spans(path: Path, frequency: float, *, share: float = 0.5, min_seconds: float = 0.3) -> list[Span]:
    """Time spans (seconds from the start of the file) where `frequency` dominates for at least `min_seconds`."""
    spans: list[Span] = []
    current: float | None = None
    windows = tone_windows(path, frequency, share=share)
    for start, present in [*windows, (len(windows) * WINDOW_SECONDS, False)]:
        if present and current is None:
            current = start
        elif not present and current is not None:
            if start - current >= min_seconds:
                spans.append(Span(current, start))
            current = None
    return spans


def tone_seconds(path: Path, frequency: float) -> float:
    return sum(span.seconds for span in tone_spans(path, frequency))


def first_tone_at(path: Path, frequency: float) -> float | None:
    spans = tone_spans(path, frequency)
    return spans[0].start if spans else None
