"""Build questions.jsonl from the natural questions in natural.tsv (deterministic: fixed seed).

    .venv/bin/python bench/search/make_variants.py [--source heldout.tsv]

With `--source NAME.tsv` the questions are read from that file (in this folder unless a path is given) and
written to NAME.jsonl beside it (natural.tsv, the default, writes questions.jsonl).

Variants: kk_natural and ru_natural as written; kk_no_special (Kazakh typed on a Russian keyboard),
kk_latin (Latin Kazakh: the 2021 alphabet, the 2017 apostrophe alphabet, or informal spelling),
ru_typos (one or two typing mistakes), ru_layout (Russian typed with the Latin layout on).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 1414

NO_SPECIAL = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"})

_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "io", "з": "z", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h",
    "ц": "ts", "ъ": "", "ь": "", "э": "e", "ю": "iu", "я": "ia", "и": "i", "й": "i", "щ": "sh",
}  # fmt: skip
LATIN_2021 = {
    **_COMMON, "ә": "ä", "ғ": "ğ", "қ": "q", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü", "һ": "h", "і": "i",
    "ы": "ı", "ж": "j", "ш": "ş", "ч": "ç", "й": "i",
}  # fmt: skip
LATIN_2017 = {
    **_COMMON, "ә": "a'", "ғ": "g'", "қ": "q", "ң": "n'", "ө": "o'", "ұ": "u", "ү": "u'", "һ": "h", "і": "i",
    "ы": "y", "ж": "j", "ш": "s'", "ч": "c'", "и": "i'", "й": "i'", "у": "y'",
}  # fmt: skip
LATIN_INFORMAL = {
    **_COMMON, "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "ы": "y", "ж": "zh", "ш": "sh", "ч": "ch", "й": "i",
}  # fmt: skip
LATIN_INFORMAL_Q = {**LATIN_INFORMAL, "қ": "q", "ж": "j"}
LATIN_ALPHABETS = (LATIN_2021, LATIN_2021, LATIN_INFORMAL, LATIN_INFORMAL_Q, LATIN_2017)

_RUSSIAN_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
LAYOUT = str.maketrans(dict(zip(_RUSSIAN_KEYS, _LATIN_KEYS, strict=True)))
_KEY_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")


def to_latin(text: str, alphabet: dict[str, str]) -> str:
    return "".join(alphabet.get(char, alphabet.get(char.lower(), char)) for char in text)


def neighbours(char: str) -> str:
    for row in _KEY_ROWS:
        index = row.find(char)
        if index >= 0:
            return row[max(0, index - 1) : index] + row[index + 1 : index + 2]
    return ""


def typo(word: str, rng: random.Random) -> str:
    """One typing mistake in a word: a neighbouring key, a dropped, doubled or swapped letter."""
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    if kind == "neighbour" and neighbours(word[position]):
        return word[:position] + rng.choice(neighbours(word[position])) + word[position + 1 :]
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def with_typos(query: str, rng: random.Random) -> str:
    words = query.split()
    candidates = [index for index, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    for index in rng.sample(candidates, k=min(len(candidates), 1 if len(words) <= 4 else 2)):
        words[index] = typo(words[index], rng)
    return " ".join(words)


def natural_questions(source: Path) -> list[dict]:
    questions = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, query, expected = line.split("\t")
            variant = f"{language}_natural"
            questions.append({"query": query, "lang": language, "variant": variant, "expected": expected.split()})
    return questions


def variants(question: dict, rng: random.Random) -> list[dict]:
    query = question["query"]
    if question["lang"] == "kk":
        made = {
            "kk_no_special": query.lower().translate(NO_SPECIAL),
            "kk_latin": to_latin(query.lower(), rng.choice(LATIN_ALPHABETS)),
        }
    else:
        made = {"ru_typos": with_typos(query.lower(), rng), "ru_layout": query.lower().translate(LAYOUT)}
    return [{**question, "query": text, "variant": variant} for variant, text in made.items()]


def output_for(source: Path) -> Path:
    return source.with_name("questions.jsonl" if source.name == "natural.tsv" else f"{source.stem}.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=Path("natural.tsv"), help="natural questions (TSV)")
    source = parser.parse_args().source
    source = source if source.is_absolute() or source.exists() else HERE / source
    rng = random.Random(SEED)
    natural = natural_questions(source)
    questions = natural + [made for question in natural for made in variants(question, rng)]
    lines = [json.dumps(question, ensure_ascii=False) for question in questions]
    output = output_for(source)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(questions)} questions written to {output}")


if __name__ == "__main__":
    main()
