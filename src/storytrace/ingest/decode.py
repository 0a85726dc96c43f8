"""Bytes to text: size caps, transparent gunzip, encoding detection, binary refusal.

Messages of the ``InputFormatError``\\ s raised here do not repeat the location: readers turn
them into ``InputError(location, message)``, which carries it.
"""

from __future__ import annotations

import codecs
import gzip
import re
import unicodedata
import zlib
from pathlib import Path

from charset_normalizer import from_bytes

from storytrace.errors import InputFormatError

# File signatures of common non-text formats, checked before any decoding so a PDF or an
# image gets a clear "this is a PDF" instead of a page of mojibake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "zip archive or Office document"),
    (b"\x1f\x8b", "gzip data; name the file *.gz"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office document"),
    (b"\x7fELF", "executable"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"BZh91AY&SY", "bzip2 archive"),
    (b"OggS", "Ogg media"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)
_RIFF_KINDS = {b"WEBP": "WEBP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Web content labelled latin-1 or ASCII is in practice windows-1252 (the WHATWG encoding
# standard makes browsers do the same), so curly quotes and dashes come out right.
_WINDOWS_1252_ALIASES = {"latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1", "ascii", "us-ascii"}

# Non-ASCII characters a Western European text in windows-1252 plausibly contains. Text in
# another single-byte encoding (cp1250, cp1251, ...) read as cp1252 shows characters outside
# this set (³, ¹, Ð, ...) or far too many accented letters, and goes to charset-normalizer.
_WESTERN_EXTRA = set("ŒœŠšŽžŸƒ“”‘’‚„–—…•€£¥©®°§«»·¡¿\u00a0") | {
    chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7, 0xD0, 0xF0, 0xDE, 0xFE)
}
_MAX_NON_ASCII_LETTER_SHARE = 0.3

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` (gunzipped for ``*.gz``), refusing more than ``limit`` bytes.

    For gzip the cap applies to the *decompressed* size and at most ``limit + 1`` bytes are
    ever decompressed, so a small gzip bomb cannot exhaust memory.
    """
    if path.name.lower().endswith(".gz"):
        return _read_gzip_capped(path, limit)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputFormatError(f"file is {size:,} bytes, {_over_cap(limit)}")
        return path.read_bytes()
    except OSError as exc:
        raise InputFormatError(os_error_message(exc)) from exc


def _read_gzip_capped(path: Path, limit: int) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise InputFormatError(f"corrupt gzip file ({exc})") from exc
    except OSError as exc:
        raise InputFormatError(os_error_message(exc)) from exc
    if len(data) > limit:
        raise InputFormatError(f"decompresses to more than {limit:,} bytes, {_over_cap(limit)}")
    return data


def _over_cap(limit: int) -> str:
    return f"over the {limit:,}-byte limit (raise it with --max-bytes)"


def os_error_message(exc: OSError) -> str:
    """'no such file or directory', 'permission denied', ... without the repeated path."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[0].lower() + reason[1:]


def decode_bytes(data: bytes, location: str, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text with ``\\n`` line endings; returns ``(text, encoding)``.

    Order: byte-order mark, strict UTF-8 (valid UTF-8 that is really something else is
    vanishingly rare), the ``declared`` charset (HTTP header, ``<meta charset>``), then
    detection. ``location`` is only context for the caller; messages don't repeat it.
    Raises ``InputFormatError`` for empty input and for anything that is not text.
    """
    del location  # part of the shared signature; the caller's InputError carries it
    if not data:
        raise InputFormatError("empty file")
    kind = _binary_kind(data)
    if kind is not None:
        raise InputFormatError(f"binary file (looks like {kind}), not text")
    text, encoding = _decode(data, declared)
    if "\x00" in text:
        raise InputFormatError("binary file (contains NUL bytes), not text")
    if len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        raise InputFormatError("binary file (many control characters), not text")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputFormatError("empty file (whitespace only)")
    return text, encoding


def sniff_meta_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in its head (``<meta charset=...>``)."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[data[8:12]]
    return None


def _decode(data: bytes, declared: str | None) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    if b"\x00" in data:  # before UTF-8: ASCII in UTF-16 is valid UTF-8, NULs and all
        return _decode_nul_bytes(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        decoded = _decode_declared(data, declared)
        if decoded is not None:
            return decoded
    western = _decode_western(data)
    if western is not None:
        return western, "cp1252"
    return _detect(data)


def _decode_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    """Decode with a declared charset; ``None`` when it is unknown or plainly wrong."""
    label = declared.strip().lower()
    candidates = ["cp1252", "latin-1"] if label in _WINDOWS_1252_ALIASES else [label]
    for codec in candidates:
        try:
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def _decode_nul_bytes(data: bytes) -> tuple[str, str]:
    """NUL bytes mean binary, unless they sit at every other byte: UTF-16 without a BOM."""
    half = len(data) // 2
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    codec = None
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        codec = "utf-16-le"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        codec = "utf-16-be"
    if codec is None or len(data) % 2:
        raise InputFormatError("binary file (contains NUL bytes), not text")
    return data.decode(codec, errors="replace"), codec


def _decode_western(data: bytes) -> str | None:
    """windows-1252, when the result looks like a Western European text.

    charset-normalizer alone is unreliable on short Latin texts (it reads French as cp1257
    or a four-byte word as UTF-16), and cp1252 is by far the most common legacy encoding in
    news archives, so it is tried first with a plausibility check.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if any(c not in _WESTERN_EXTRA for c in non_ascii):
        return None
    letters = sum(1 for c in text if c.isalpha())
    accented = sum(1 for c in non_ascii if unicodedata.category(c).startswith("L"))
    return text if accented <= _MAX_NON_ASCII_LETTER_SHARE * letters else None


def _detect(data: bytes) -> tuple[str, str]:
    best = from_bytes(data).best()
    if best is None:
        raise InputFormatError("binary file (no plausible text encoding), not text")
    return str(best), best.encoding
