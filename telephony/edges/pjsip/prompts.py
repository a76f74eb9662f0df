"""Which prompt files the edge plays (committed WAVs, 8 kHz mono 16-bit; see scripts/make_prompts.sh)."""

import math
from pathlib import Path

from .config import PROMPTS_DIR

LANGUAGES = ("kk", "ru")
DEFAULT_LANGUAGE = "kk"
LARGEST_NUMBER = 99  # 0–20 and the tens are recorded; 21–99 are said as tens + units


class Prompts:
    def __init__(self, root: Path = PROMPTS_DIR) -> None:
        self.root = root
        missing = [str(path) for path in self.required() if not path.is_file()]
        if missing:
            raise FileNotFoundError(f"prompt files missing (run scripts/make_prompts.sh): {', '.join(missing)}")

    def required(self) -> list[Path]:
        names = ["please_wait", "position", "wait_minutes", "transfer", "rating", "thanks"]
        names += [f"n{number}" for number in [*range(21), 30, 40, 50, 60, 70, 80, 90]]
        paths = [self.root / "common" / "welcome.wav", self.root / "common" / "hold_music.wav"]
        return paths + [self.root / language / f"{name}.wav" for language in LANGUAGES for name in names]

    @property
    def welcome(self) -> str:
        return str(self.root / "common" / "welcome.wav")

    @property
    def hold_music(self) -> str:
        return str(self.root / "common" / "hold_music.wav")

    def get(self, language: str, name: str) -> str:
        return str(self.root / (language if language in LANGUAGES else DEFAULT_LANGUAGE) / f"{name}.wav")

    def number(self, language: str, number: int) -> list[str]:
        """Files saying `number` (clamped to 0–99)."""
        number = max(0, min(number, LARGEST_NUMBER))
        if number <= 20 or number % 10 == 0:
            return [self.get(language, f"n{number}")]
        return [self.get(language, f"n{number - number % 10}"), self.get(language, f"n{number % 10}")]

    def announcement(self, language: str, position: int | None, expected_wait_s: float | None) -> list[str]:
        """'Your position in the queue is N. Expected wait in minutes: M' (parts left out when unknown)."""
        files: list[str] = []
        if position is not None and position >= 1:
            files += [self.get(language, "position"), *self.number(language, position)]
        if expected_wait_s is not None and expected_wait_s >= 0:
            minutes = max(1, math.ceil(expected_wait_s / 60))
            files += [self.get(language, "wait_minutes"), *self.number(language, minutes)]
        return files
