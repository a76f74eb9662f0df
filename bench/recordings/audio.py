"""Recordings as the SIP edge writes them: 8 kHz mono 16-bit WAV, here a voice-band mix of tones and noise.

Noise makes the bytes as incompressible as a real conversation's, so nothing in the export path gains from
silence; the tones rise and fall so the file is not one repeated second either.
"""

from __future__ import annotations

import io
import math
import operator
import random
import wave
from array import array
from itertools import repeat

SAMPLE_RATE = 8000


def conversation_wav(seconds: float, *, seed: int) -> bytes:
    rng = random.Random(seed)
    count = int(seconds * SAMPLE_RATE)
    tone = [
        6000 * math.sin(2 * math.pi * 300 * n / SAMPLE_RATE) + 3000 * math.sin(2 * math.pi * 1170 * n / SAMPLE_RATE)
        for n in range(SAMPLE_RATE)
    ]
    levels = [array("h", (int(sample * (0.2 + 0.1 * level)) for sample in tone)) for level in range(9)]
    voice = array("h")
    for second in range(count // SAMPLE_RATE + 1):
        voice.extend(levels[int(8 * abs(math.sin(second * 0.7 + seed)))])
    del voice[count:]
    noise = array("h", rng.randbytes(2 * count))
    samples = array("h", map(operator.add, voice, map(operator.rshift, noise, repeat(3))))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(SAMPLE_RATE)
        audio.writeframes(samples.tobytes())
    return buffer.getvalue()
