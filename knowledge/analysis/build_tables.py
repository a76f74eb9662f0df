"""Regenerate `tables.json` (letter-bigram log-probabilities and the Latin words of the texts).

    .venv/bin/python -m knowledge.analysis.build_tables [data/reference/egov_services_kk_ru.jsonl]

The bigrams come from the official Kazakh and Russian service texts, folded the way Russian
keyboards type (қ→к, ё→е...), with ^ and $ marking the ends of a word. Wrong-layout repair
compares how plausible a Latin word is read as Cyrillic through the keyboard with how plausible
its transliteration is.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

from knowledge.analysis.normalize import KEYBOARD_FOLD, clean

ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
TEXT_FIELDS = ("name_kk", "description_kk", "instructions_kk", "name_ru", "result_ru", "category_ru")
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "data" / "reference" / "egov_services_kk_ru.jsonl"
TARGET = Path(__file__).with_name("tables.json")


def texts(source: Path) -> list[str]:
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [clean(str(row.get(field) or "")) for row in rows for field in TEXT_FIELDS]


def bigram_log_probabilities(corpus: list[str]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for text in corpus:
        for word in re.findall(f"[{ALPHABET}]+", text.translate(KEYBOARD_FOLD)):
            padded = f"^{word}$"
            counts.update(padded[i : i + 2] for i in range(len(padded) - 1))
    symbols = "^" + ALPHABET + "$"
    table = {}
    for first in symbols:
        total = sum(counts[first + second] for second in symbols) + len(symbols)
        for second in symbols:
            table[first + second] = round(math.log((counts[first + second] + 0.1) / total), 2)
    return table


def latin_words(corpus: list[str]) -> list[str]:
    """Latin words of two letters or more that the texts use (egov, sms, iban...): kept as typed."""
    found = Counter(word for text in corpus for word in re.findall(r"(?<![^\W\d_])[a-z]{2,}(?![^\W\d_])", text))
    return sorted(word for word, count in found.items() if count >= 2)


def main(source: Path = DEFAULT_SOURCE) -> None:
    corpus = texts(source)
    tables = {"bigrams": bigram_log_probabilities(corpus), "latin_words": latin_words(corpus)}
    text = json.dumps(tables, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    TARGET.write_text(text + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(tables['bigrams'])} bigrams, {len(tables['latin_words'])} Latin words")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
