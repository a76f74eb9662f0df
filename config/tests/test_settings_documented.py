"""Every environment variable the settings read is documented in .env.example."""

import re
from pathlib import Path

from django.conf import settings

READ_PATTERN = re.compile(r"""(?:getenv|envbool|envint|envlist|envpath)\(\s*["']([A-Z0-9_]+)["']""")
DOCUMENTED_PATTERN = re.compile(r"^([A-Z0-9_]+)=", re.MULTILINE)


def test_env_example_documents_every_setting() -> None:
    base = Path(settings.BASE_DIR)
    # The SIP edge is a process of its own, without Django: it reads its settings in its own module.
    sources = [base / "config" / "settings.py", base / "telephony" / "edges" / "pjsip" / "config.py"]
    read = {name for source in sources for name in READ_PATTERN.findall(source.read_text())}
    documented = set(DOCUMENTED_PATTERN.findall((base / ".env.example").read_text()))
    assert read, "the pattern must find the variables the settings read"
    assert read - documented == set(), f"undocumented: {sorted(read - documented)}"
    assert documented - read == set(), f"documented but never read: {sorted(documented - read)}"
