"""Text helpers of the search: folding, query words, and highlighted excerpts.

`fold_for_search`, `query_terms` and `highlight` serve the database backend (folded substrings);
`highlight_analysed` marks the words whose analysed form matched (the tantivy backend).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_CHARS = 300
MAX_TERMS = 8
SNIPPET_WIDTH = 220
# Only the beginning of a long text is scanned for matches to centre the excerpt on (analysis costs per word).
SNIPPET_SCAN_CHARS = 20_000
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_query(query: str) -> str:
    """The query without control and format characters (NUL, RTL marks, zero-width joiners), at most
    MAX_QUERY_CHARS characters, with whitespace collapsed."""
    text = unicodedata.normalize("NFC", (query or "")[: MAX_QUERY_CHARS * 4])
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def query_terms(query: str) -> list[str]:
    """Words of the query (at least 2 letters), lower-cased, at most MAX_TERMS."""
    words = _WORD.findall(fold_for_search(query[:MAX_QUERY_CHARS]))
    return [word for word in words if len(word) >= 2][:MAX_TERMS]


# Citizens often type Kazakh without its special letters (қ→к, ә→а, ...): both the stored text and
# the query are folded the same way, so "кызмет" finds "қызмет". Every letter maps to exactly one
# letter, so a position in the folded text is the same position in the original (used by `highlight`).
_KAZAKH_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е"}
)


def _fold_char(char: str) -> str:
    folded = char.casefold()
    return folded if len(folded) == 1 else char.lower()


def fold_for_search(text: str) -> str:
    """Case-folded text with Kazakh letters and ё folded to their plain Cyrillic neighbours.

    Stored in ArticleTranslation.search_text at publication; the query goes through the same folding.
    The result has exactly the length of the input.
    """
    return "".join(_fold_char(char) for char in (text or "")).translate(_KAZAKH_FOLD)


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _match_spans(folded: str, terms: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for term in terms:
        spans.extend((match.start(), match.end()) for match in re.finditer(re.escape(term), folded))
    return _merge(spans)


def _excerpt_anchor(folded: str, terms: list[str], spans: list[tuple[int, int]]) -> int:
    """Where the excerpt centres: the whole query as a phrase, else the first query word, else the first match."""
    for needle in (" ".join(terms), *terms[:1]):
        position = folded.find(needle) if needle else -1
        if position >= 0:
            return position
    return spans[0][0] if spans else 0


def render_excerpt(text: str, spans: list[tuple[int, int]], anchor: int, width: int = SNIPPET_WIDTH) -> SafeString:
    """An escaped excerpt of `text` around `anchor`, with the spans wrapped in <mark>."""
    start = max(0, anchor - width // 3)
    end = min(len(text), start + width)
    parts: list[str] = []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[cursor:span_start]))
        parts.append("<mark>" + escape(text[span_start:span_end]) + "</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)


def highlight(text: str, terms: list[str], width: int = SNIPPET_WIDTH) -> SafeString:
    """An escaped excerpt around the first matching term, with matches wrapped in <mark>."""
    folded = fold_for_search(text)
    spans = _match_spans(folded, terms)
    return render_excerpt(text, spans, _excerpt_anchor(folded, terms, spans), width)


@lru_cache(maxsize=100_000)
def analysed_word(word: str, language: str) -> frozenset[str]:
    """The analysed forms (stems) of one word, as the index holds them."""
    from knowledge.analysis import analyze

    return frozenset(analyze(word, language))


def matched_word_spans(text: str, language: str, stems: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of the words of `text` whose analysed form is one of `stems`."""
    if not stems:
        return []
    return [
        (match.start(), match.end())
        for match in _WORD.finditer(text[:SNIPPET_SCAN_CHARS])
        if analysed_word(match.group(), language) & stems
    ]


def _densest_anchor(spans: list[tuple[int, int]], width: int) -> int:
    """The start of the match that has the most other matches within one excerpt's width after it."""
    best_start, best_count = spans[0][0], 0
    for index, (start, _end) in enumerate(spans):
        count = sum(1 for other, _ in spans[index:] if other < start + width // 2)
        if count > best_count:
            best_start, best_count = start, count
    return best_start


def highlight_analysed(
    text: str, language: str, stems: frozenset[str], width: int = SNIPPET_WIDTH
) -> tuple[SafeString, frozenset[str]]:
    """An escaped excerpt marking the words whose analysed form matched, and the stems found in the text."""
    spans = matched_word_spans(text, language, stems)
    found = frozenset().union(*(analysed_word(text[start:end], language) for start, end in spans)) & stems
    anchor = _densest_anchor(spans, width) if spans else 0
    return render_excerpt(text, spans, anchor, width), found
