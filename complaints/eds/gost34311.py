"""GOST 34.311-95, the hash of NCA's GOST 34.310-2004 signatures, in pure Python.

GOST 34.311-95 is GOST R 34.11-94 with the "test" S-box parameter set (BouncyCastle's `D-TEST`, the one Kalkan uses);
gostcrypto implements only Streebog, and no package on PyPI offers it. The algorithm, as RFC 5831 describes it: the
message in 256-bit blocks (the last one zero-padded), each mixed into the state H by the step function — four keys
made from H and the block with the A and P transforms, four GOST 28147-89 encryptions of H's quarters, then the psi
shift register — and finally the message's length in bits and the sum of its blocks (mod 2^256). Everything is
little-endian: byte 0 is the least significant.

It runs over signed attributes, certificates and CRLs and a complaint of a few KB: about 1 ms per 32-byte block.
"""

from __future__ import annotations

# GOST 28147-89 substitution boxes of the test parameter set (id-GostR3411-94-TestParamSet): row i maps the i-th
# 4-bit nibble of a 32-bit word, counting from the least significant.
TEST_SBOX = (
    (4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3),
    (14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9),
    (5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11),
    (7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3),
    (6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2),
    (4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14),
    (13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12),
    (1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12),
)
BLOCK = 32
_MASK_32 = 0xFFFFFFFF
_MASK_256 = (1 << 256) - 1
# The step function's constants C2, C3, C4 (C2 = C4 = 0), as little-endian integers.
_C3 = int.from_bytes(
    bytes.fromhex("00ff00ff00ff00ffff00ff00ff00ff0000ffff00ff0000ffff000000ffff00ff"),
    "little",
)
_CONSTANTS = (0, _C3, 0)


def _byte_tables(sbox: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
    """The eight nibble substitutions as four byte substitutions (two nibbles at a time), already in place."""
    return tuple(
        tuple((sbox[2 * i][b & 0xF] | sbox[2 * i + 1][b >> 4] << 4) << (8 * i) for b in range(256)) for i in range(4)
    )


_TABLES = _byte_tables(TEST_SBOX)


def _round(half: int, key: int) -> int:
    """f(half, key): add mod 2^32, substitute, rotate left by 11."""
    t0, t1, t2, t3 = _TABLES
    x = (half + key) & _MASK_32
    x = t0[x & 0xFF] | t1[(x >> 8) & 0xFF] | t2[(x >> 16) & 0xFF] | t3[x >> 24]
    return ((x << 11) | (x >> 21)) & _MASK_32


def encrypt_block(key: bytes, block: int) -> int:
    """GOST 28147-89 in simple substitution (ECB) mode over one 64-bit block, the key and block little-endian."""
    words = [int.from_bytes(key[4 * i : 4 * i + 4], "little") for i in range(8)]
    schedule = words * 3 + words[::-1]
    n1, n2 = block & _MASK_32, block >> 32
    for k in schedule[:-1]:
        n1, n2 = n2 ^ _round(n1, k), n1
    n2 ^= _round(n1, schedule[-1])
    return n1 | n2 << 32


def _a(y: int) -> int:
    """A(y4 || y3 || y2 || y1) = (y1 ^ y2) || y4 || y3 || y2, the y's 64-bit, y1 least significant."""
    return (y >> 64) | (((y ^ (y >> 64)) & 0xFFFFFFFFFFFFFFFF) << 192)


def _p(y: int) -> bytes:
    """P: byte k of the 8-byte row i goes to position 4k + i (a transposition of the 4 x 8 bytes)."""
    raw = y.to_bytes(BLOCK, "little")
    return bytes(raw[8 * (j % 4) + j // 4] for j in range(BLOCK))


def _psi(y: int, rounds: int) -> int:
    """psi^rounds: the 16-bit words shift down by one, the new top word the XOR of words 1, 2, 3, 4, 13 and 16."""
    for _ in range(rounds):
        top = (y ^ (y >> 16) ^ (y >> 32) ^ (y >> 48) ^ (y >> 192) ^ (y >> 240)) & 0xFFFF
        y = (y >> 16) | (top << 240)
    return y


def _step(h: int, m: int) -> int:
    """The compression function: H' = psi^61(H ^ psi(M ^ psi^12(S))), S the four encrypted quarters of H."""
    u, v = h, m
    keys = [_p(u ^ v)]
    for constant in _CONSTANTS:
        u = _a(u) ^ constant
        v = _a(_a(v))
        keys.append(_p(u ^ v))
    s = 0
    for i, key in enumerate(keys):
        s |= encrypt_block(key, (h >> (64 * i)) & 0xFFFFFFFFFFFFFFFF) << (64 * i)
    return _psi(h ^ _psi(m ^ _psi(s, 12), 1), 61)


def gost34311(data: bytes) -> bytes:
    """The 32-byte GOST 34.311-95 digest of `data` (in the byte order BouncyCastle's GOST3411Digest returns it)."""
    h = 0
    total = 0
    for offset in range(0, len(data), BLOCK):
        chunk = data[offset : offset + BLOCK]
        m = int.from_bytes(chunk.ljust(BLOCK, b"\x00"), "little")
        h = _step(h, m)
        total = (total + m) & _MASK_256
    h = _step(h, len(data) * 8 & _MASK_256)
    h = _step(h, total)
    return h.to_bytes(BLOCK, "little")
