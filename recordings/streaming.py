"""HTTP Range (RFC 9110 §14) for stored files: Django's FileResponse always sends the whole file."""

import re
from collections.abc import Iterator
from typing import IO

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024
_SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def requested_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range asked for as (first, last), inclusive; None for the whole file.

    Several ranges or a malformed header are answered with the whole file, as the RFC allows;
    a range that starts past the end raises Unsatisfiable (416).
    """
    match = _SINGLE_RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first_raw, last_raw = match.groups()
    if not first_raw:
        if not last_raw:
            return None
        suffix = int(last_raw)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size - 1
    first = int(first_raw)
    last = int(last_raw) if last_raw else size - 1
    if last_raw and last < first:
        return None  # invalid: ignored
    if first >= size:
        raise Unsatisfiable
    return first, min(last, size - 1)


def _read(stream: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        stream.seek(first)
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        stream.close()


def ranged_response(
    request: HttpRequest, stream: IO[bytes], *, size: int, content_type: str, etag: str
) -> HttpResponse | StreamingHttpResponse:
    """200 with the whole file, 206 with the range asked, or 416; `stream` is closed when done."""
    header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "")
    if if_range and if_range != etag:
        header = ""  # the client's copy is of another file: send it whole
    try:
        byte_range = requested_range(header, size)
    except Unsatisfiable:
        stream.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    first, last = byte_range if byte_range is not None else (0, size - 1)
    length = max(last - first + 1, 0)
    body = _read(stream, first, length) if request.method != "HEAD" else iter(())
    if request.method == "HEAD":
        stream.close()
    response = StreamingHttpResponse(body, content_type=content_type, status=206 if byte_range else 200)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    if byte_range:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response
