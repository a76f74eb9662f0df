"""Files a citizen sends with an appeal (e-mail, portal, API): limits, and the type read from the content.

The declared name and type are only what the sender claims; the first bytes decide. Every channel checks with
`refusal_for` and registers the appeal all the same: what was refused is listed in the acknowledgement, and on the
portal's confirmation page or in the API's answer.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from appeals.choices import AttachmentRefusal
from core.policy import policy

# Office Open XML and OpenDocument files are zip archives; their first entries tell which.
_ZIP_MARKERS = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"{\\rtf", "application/rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # .doc / .xls
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
)


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content: bytes
    declared_type: str = ""
    inline: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def uploaded_file(upload: UploadedFile) -> IncomingFile:
    """A file sent through the portal or the API. Past the size limit only enough is read to know it is too large
    (its recorded size is then the limit plus one byte), so a huge upload never sits whole in memory."""
    upload.seek(0)
    content = upload.read(policy("ATTACHMENT_MAX_BYTES") + 1)
    return IncomingFile(filename=upload.name or "", content=content, declared_type=upload.content_type or "")


def sniff_type(content: bytes) -> str:
    """The type the content shows, whatever its name says; "" when it is none we know."""
    head = content[:16]
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    if _is_text(content):
        return "text/plain"
    return ""


def _zip_type(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
    except (zipfile.BadZipFile, OSError, KeyError):
        return ""
    for prefix, content_type in _ZIP_MARKERS:
        if any(name.startswith(prefix) for name in names):
            return content_type
    return "application/zip"


def _is_text(content: bytes) -> bool:
    sample = content[:4096]
    if not sample or b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample cut in the middle of a character is still text.
        return error.start >= len(sample) - 3
    return True


def refusal_for(file: IncomingFile, *, position: int) -> str:
    """Why this file is not accepted ("" when it is): too many, too large, or a type not on the list."""
    if position >= policy("ATTACHMENTS_MAX_COUNT"):
        return AttachmentRefusal.TOO_MANY
    if len(file.content) > policy("ATTACHMENT_MAX_BYTES"):
        return AttachmentRefusal.TOO_LARGE
    if not file.content:
        return AttachmentRefusal.EMPTY
    if sniff_type(file.content) not in policy("ATTACHMENT_TYPES"):
        return AttachmentRefusal.TYPE
    return ""


def refusal_text(refusal: str) -> str:
    """The reason as told to the citizen, in the active language."""
    limits = {
        "count": policy("ATTACHMENTS_MAX_COUNT"),
        "megabytes": policy("ATTACHMENT_MAX_BYTES") // (1024 * 1024),
    }
    texts = {
        AttachmentRefusal.TOO_MANY: _("more than %(count)d files in one appeal"),
        AttachmentRefusal.TOO_LARGE: _("larger than %(megabytes)d MB"),
        AttachmentRefusal.EMPTY: _("the file is empty"),
        AttachmentRefusal.TYPE: _("this type of file is not accepted (PDF, pictures, office documents and text are)"),
    }
    return str(texts[AttachmentRefusal(refusal)]) % limits
