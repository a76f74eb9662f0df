"""Fill a kk/ru catalogue pair from a Python dict file of translations (developer tool).

Usage: python scripts/fill_catalogue.py LOCALE_DIR TRANSLATIONS.py
TRANSLATIONS.py defines T = {msgid: (kk, ru)} and, for plurals, P = {msgid: ((kk_one, kk_many), (ru_1, ru_2, ru_5))}.
Entries already translated are kept unless the dict has them. Untranslated ones are listed at the end.
"""

import runpy
import sys
from pathlib import Path

import polib

RU_PLURALS = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
KK_PLURALS = "nplurals=2; plural=(n!=1);"


def main(locale_dir: str, translations_file: str) -> None:
    namespace = runpy.run_path(translations_file)
    singular, plural = namespace.get("T", {}), namespace.get("P", {})
    missing = []
    for index, language in enumerate(("kk", "ru")):
        path = Path(locale_dir) / language / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path))
        catalogue.metadata["Plural-Forms"] = KK_PLURALS if language == "kk" else RU_PLURALS
        catalogue.metadata["Language"] = language
        catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        for entry in catalogue:
            if entry.msgid_plural and entry.msgid in plural:
                forms = plural[entry.msgid][index]
                entry.msgstr_plural = dict(enumerate(forms))
            elif entry.msgid in singular:
                entry.msgstr = singular[entry.msgid][index]
            else:
                # Not ours to decide: a fuzzy entry (makemessages' guess from a similar string) stays fuzzy.
                if "fuzzy" in entry.flags or not entry.translated():
                    missing.append(f"{language}: {entry.msgid!r}")
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save(str(path))
    print("\n".join(missing) if missing else "complete")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
