"""The editors' vocabulary (synonyms and abbreviations) applied to analysed queries.

Each phrase of every `SynonymGroup` is analysed the way documents are; a query whose analysed words contain
one phrase of a group also looks for every phrase of that group (Kazakh phrases against Kazakh texts,
Russian against Russian). The compiled vocabulary is kept per process and reloaded as soon as the table
changes (one aggregate query per search), so an edit takes effect at once in every process, without a deploy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from knowledge.search.lexicon import Lexicon

LANGUAGES = ("kk", "ru")
Phrase = tuple[str, ...]


@dataclass(frozen=True)
class CompiledGroup:
    """`keys`: every phrase of the group analysed as both languages (what a query may contain); `phrases`: each
    language's phrases analysed as that language (what texts contain)."""

    keys: frozenset[Phrase]
    phrases: dict[str, tuple[Phrase, ...]]

    @property
    def key_words(self) -> frozenset[str]:
        return frozenset(word for key in self.keys for word in key)


class Vocabulary:
    def __init__(self, groups: tuple[CompiledGroup, ...] = ()) -> None:
        self.groups = groups
        # Groups by the first word of each of their keys: a query only looks at groups its words can start.
        self._by_first_word: dict[str, list[tuple[Phrase, CompiledGroup]]] = {}
        for group in groups:
            for key in group.keys:
                self._by_first_word.setdefault(key[0], []).append((key, group))
        self._lexicon: Lexicon | None = None
        self.words: frozenset[str] = frozenset(word for group in groups for word in group.key_words)

    def near(self, word: str) -> tuple[int, list[str]]:
        """Words of the vocabulary's phrases one edit (two for long words) from `word`: "рвзвод" → "развод"."""
        if self._lexicon is None:
            counts: dict[str, int] = {}
            for group in self.groups:
                for key_word in group.key_words:
                    counts[key_word] = counts.get(key_word, 0) + 1
            self._lexicon = Lexicon(counts)
        return self._lexicon.near(word)

    def expand_corrected(self, terms: dict[str, tuple[str, ...]], typed: str, meant: str) -> tuple[CompiledGroup, ...]:
        """The groups the query matches once the word `typed` is read as `meant`, and that hold `meant`."""
        corrected = {
            language: tuple(meant if t == typed else t for t in sequence) for language, sequence in terms.items()
        }
        return tuple(group for group in self._matching_groups(corrected) if meant in group.key_words)

    def _matching_groups(self, terms: dict[str, tuple[str, ...]]) -> list[CompiledGroup]:
        matched: list[CompiledGroup] = []
        for language in LANGUAGES:
            sequence = terms.get(language, ())
            for word in dict.fromkeys(sequence):
                for key, group in self._by_first_word.get(word, ()):
                    if group not in matched and _contains(sequence, key):
                        matched.append(group)
        return matched

    def expand(self, terms: dict[str, tuple[str, ...]]) -> dict[str, tuple[Phrase, ...]]:
        """The phrases (per language) of every group one of whose phrases occurs in the query's terms."""
        extra: dict[str, list[Phrase]] = {language: [] for language in LANGUAGES}
        for group in self.expand_groups(terms):
            for language in LANGUAGES:
                extra[language].extend(p for p in group.phrases[language] if p not in extra[language])
        return {language: tuple(phrases) for language, phrases in extra.items()}

    def expand_groups(self, terms: dict[str, tuple[str, ...]]) -> tuple[CompiledGroup, ...]:
        """The groups one of whose phrases occurs in the query's terms: a text that uses any phrase of such a
        group has the meaning the query asked for."""
        return tuple(self._matching_groups(terms))


def _contains(terms: tuple[str, ...], phrase: Phrase) -> bool:
    """The phrase's words occur in the query in this order (other words, such as spelling variants the
    analysis adds, may stand between them)."""
    remaining = iter(terms)
    return bool(phrase) and all(word in remaining for word in phrase)


def compile_group(group) -> CompiledGroup:  # type: ignore[no-untyped-def]
    from knowledge.analysis import analyze

    phrases: dict[str, tuple[Phrase, ...]] = {}
    keys: set[Phrase] = set()
    for language in LANGUAGES:
        analysed = [tuple(analyze(text, language)) for text in group.phrases(language)]
        phrases[language] = tuple(phrase for phrase in analysed if phrase)
        for text in group.phrases(language):
            keys.update(tuple(analyze(text, other)) for other in LANGUAGES)
    return CompiledGroup(keys=frozenset(key for key in keys if key), phrases=phrases)


_lock = threading.Lock()
_cached: tuple[object, Vocabulary] | None = None


def current_vocabulary() -> Vocabulary:
    """The compiled vocabulary, recompiled when the table changed since the last call in this process."""
    global _cached
    from knowledge.models import SynonymGroup

    stamp = tuple(SynonymGroup.objects.aggregate(latest=Max("updated_at"), count=Count("id")).values())
    with _lock:
        if _cached is not None and _cached[0] == stamp:
            return _cached[1]
    vocabulary = Vocabulary(tuple(compile_group(group) for group in SynonymGroup.objects.order_by("pk")))
    with _lock:
        _cached = (stamp, vocabulary)
    return vocabulary
