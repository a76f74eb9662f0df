"""A readable difference between two texts of an article: lines, and words inside changed lines.

The output is escaped HTML: removed words in <del class="diff_sub">, added ones in <ins class="diff_add">.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowledge.models import ArticleVersion

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
# Word-level matching is quadratic at worst; longer lines are shown as removed and added whole.
MAX_WORD_DIFF_TOKENS = 4000


@dataclass(frozen=True)
class VersionDiff:
    base: ArticleVersion | None
    title: SafeString
    body: SafeString
    changed: bool


def base_version(version: ArticleVersion) -> ArticleVersion | None:
    """The version this one was based on, else the previous version in the same language."""
    if version.based_on_id:
        return version.based_on
    return (
        ArticleVersion.objects.filter(
            article_id=version.article_id, language=version.language, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )


def version_diff(version: ArticleVersion) -> VersionDiff:
    base = base_version(version)
    old_title, old_body = (base.title, base.body) if base else ("", "")
    return VersionDiff(
        base=base,
        title=word_diff(old_title, version.title),
        body=text_diff(old_body, version.body),
        changed=(old_title, old_body) != (version.title, version.body),
    )


def _removed(text: str) -> str:
    return f'<del class="diff_sub">{escape(text)}</del>' if text else ""


def _added(text: str) -> str:
    return f'<ins class="diff_add">{escape(text)}</ins>' if text else ""


def word_diff(old: str, new: str) -> SafeString:
    """One line of text with its changed words marked."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    if max(len(old_tokens), len(new_tokens)) > MAX_WORD_DIFF_TOKENS:
        return mark_safe(_removed(old) + _added(new))
    parts: list[str] = []
    matcher = SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape("".join(old_tokens[old_start:old_end])))
            continue
        parts.append(_removed("".join(old_tokens[old_start:old_end])))
        parts.append(_added("".join(new_tokens[new_start:new_end])))
    return mark_safe("".join(parts))


def text_diff(old: str, new: str) -> SafeString:
    """Whole texts: unchanged lines as they are, replaced lines word by word, others marked whole."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    rows: list[str] = []
    matcher = SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        old_part, new_part = old_lines[old_start:old_end], new_lines[new_start:new_end]
        if tag == "equal":
            rows.extend(f'<div class="diff-line">{escape(line)}</div>' for line in new_part)
        else:
            paired = min(len(old_part), len(new_part)) if tag == "replace" else 0
            rows.extend(
                f'<div class="diff-line diff_chg">{word_diff(before, after)}</div>'
                for before, after in zip(old_part[:paired], new_part[:paired], strict=True)
            )
            rows.extend(f'<div class="diff-line">{_removed(line) or "&nbsp;"}</div>' for line in old_part[paired:])
            rows.extend(f'<div class="diff-line">{_added(line) or "&nbsp;"}</div>' for line in new_part[paired:])
    return mark_safe("".join(rows))
