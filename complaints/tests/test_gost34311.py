"""GOST 34.311-95 (GOST R 34.11-94 with the test S-box) against its published test vectors (RFC 5831 section 7.3 and
the vectors for the test parameter set commonly cited with it)."""

from __future__ import annotations

import pytest

from complaints.eds.gost34311 import gost34311


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (b"", "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d"),
        (b"a", "d42c539e367c66e9c88a801f6649349c21871b4344c6a573f849fdce62f314dd"),
        (b"abc", "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d"),
        (b"message digest", "ad4434ecb18f2c99b60cbe59ec3d2469582b65273f48de72db2fde16a4889a4d"),
        (b"This is message, length=32 bytes", "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa"),
        (
            b"Suppose the original message has length = 50 bytes",
            "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208",
        ),
        (b"U" * 128, "53a3a3ed25180cef0c1d85a074273e551c25660a87062a52d926a9e8fe5733a4"),
    ],
)
def test_published_vectors(message: bytes, digest: str) -> None:
    assert gost34311(message).hex() == digest
