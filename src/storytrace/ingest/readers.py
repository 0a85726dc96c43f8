"""Input readers: find input units (files, URLs) and read them into ``RawRecord``\\ s.

Every problem with the input becomes an ``InputError`` that is yielded in place of the
record, and reading goes on: one bad line in a JSONL dump or one broken WARC record must not
cost the rest of the batch. Only programming errors raise.

Locations (also the keys the store uses to skip records already read): a plain file is its
path as given, a JSONL line ``path#L12``, a WARC record ``path#record=3``, a feed entry
``path#entry=2`` (all 1-based), a URL the URL as listed.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import feedparser
import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from storytrace.errors import InputFormatError
from storytrace.ingest.decode import (
    decode_bytes,
    os_error_message,
    read_capped,
    sniff_meta_charset,
)
from storytrace.ingest.guard import GuardedTransport, refused_by_guard
from storytrace.model import InputError, RawRecord, SourceFormat
from storytrace.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa  # at run time imported only where Parquet is read

# Parquet files written by batch mode as its documents table say so in their metadata.
SCHEMA_KEY = b"storytrace.schema"
BATCH_DOCUMENTS = b"storytrace.batch-documents/1"
_DOC_ID = re.compile(r"d[0-9a-f]{15}")

UnitKind = Literal["text", "html", "jsonl", "parquet", "warc", "feed", "url"]
Item = RawRecord | InputError

_KINDS: dict[str, UnitKind] = {
    ".txt": "text",
    ".md": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".warc": "warc",
    ".parquet": "parquet",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
SUPPORTED = ", ".join(_KINDS) + " (each also as .gz)"

# What a page must be served as (HTTP or WARC) to be read, and how it is read.
_PAGE_TYPES: dict[str, SourceFormat] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
}

# JSONL field names, in order of preference, as found in common crawl/news dumps.
_TEXT_FIELDS = ("text", "content", "body", "article", "maintext")
_HTML_FIELDS = ("html", "raw_html", "raw_content")
_META_FIELDS: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "source_url"),
    "title": ("title", "headline"),
    "published": (
        "published",
        "date",
        "published_at",
        "date_published",
        "datePublished",
        "pubDate",
    ),
    "source": ("source", "site", "site_name", "outlet", "publisher", "domain"),
    "author": ("author", "byline", "authors"),
}

_TAG = re.compile(r"<[A-Za-z!/][^>]*>")
_FEED_ROOT = re.compile(rb"<(?:\w+:)?(?:rss|feed|rdf)\b", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")  # as feedparser's sgmllib
_HTML_START = ("<!doctype", "<html")


@dataclass(slots=True)
class InputUnit:
    """One thing to read: a file or a URL. A unit is remembered as done once all its records
    are stored, so a re-run skips it unless the file changed (size or modification time)."""

    location: str
    kind: UnitKind
    path: Path | None
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        if self.kind == "url":
            return self.location
        return f"{self.location}|{self.size}|{self.mtime_ns}"


# -- discovery -----------------------------------------------------------------------------
def discover(paths: Iterable[str | Path], settings: Settings) -> Iterator[InputUnit | InputError]:
    """Units for the given files and folders, in a deterministic order.

    Folders are walked recursively in name order; hidden entries and files of unknown types
    are skipped there, but a file named explicitly must be readable or it is an error.
    Each file is yielded once even if named twice or reached through two paths.
    """
    del settings  # discovery needs no settings yet; kept so callers need not change later
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists() or path.is_symlink()
        except OSError as exc:
            yield InputError(str(path), os_error_message(exc))
            continue
        if not exists:
            yield InputError(str(path), "no such file or directory")
        elif is_dir:
            yield from _discover_folder(path, seen)
        else:
            yield from _once(_file_unit(path, explicit=True), path, seen)


def _discover_folder(folder: Path, seen: set[Path]) -> Iterator[InputUnit | InputError]:
    real = folder.resolve()
    if real in seen:  # a folder named twice, or a symlink loop
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield InputError(str(folder), f"cannot list folder: {os_error_message(exc)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _discover_folder(entry, seen)
        else:
            yield from _once(_file_unit(entry, explicit=False), entry, seen)


def _once(
    found: InputUnit | InputError | None, path: Path, seen: set[Path]
) -> Iterator[InputUnit | InputError]:
    if isinstance(found, InputUnit):
        real = path.resolve()
        if real in seen:
            return
        seen.add(real)
    if found is not None:
        yield found


def _file_unit(path: Path, explicit: bool) -> InputUnit | InputError | None:
    """A unit for ``path``; ``None`` to skip it silently (only when found in a folder)."""
    kind, ext = kind_of(path)
    location = str(path)
    if kind is None:
        shown = ext or f"'{path.name}' (no extension)"
        error = InputError(location, f"unsupported file type {shown} (supported: {SUPPORTED})")
        return error if explicit else None
    try:
        info = path.stat()
    except OSError as exc:
        return InputError(location, os_error_message(exc))
    if not stat.S_ISREG(info.st_mode):
        return InputError(location, "not a regular file") if explicit else None
    if ext == ".xml" and not _looks_like_feed(path):
        # .xml is also sitemaps, configs, ...: only an explicitly named one is an error.
        error = InputError(location, "XML file is not an RSS or Atom feed (only feeds are read)")
        return error if explicit else None
    return InputUnit(location, kind, path, info.st_size, info.st_mtime_ns)


def kind_of(path: Path) -> tuple[UnitKind | None, str]:
    """The unit kind for a file name (looking through ``.gz``) and the extension it used."""
    name = path.name.lower()
    inner = name.removesuffix(".gz") if name.endswith(".gz") and len(name) > 3 else name
    ext = Path(inner).suffix
    if not ext and inner != name:
        ext = ".gz"
    return _KINDS.get(ext), ext


def _looks_like_feed(path: Path) -> bool:
    try:
        with _open_binary(path) as stream:
            head = stream.read(4096)
    except (OSError, EOFError, zlib.error):
        return True  # unreadable: let read_unit report the real problem
    return _FEED_ROOT.search(head.replace(b"\x00", b"")) is not None  # NULs: UTF-16 XML


def discover_urls(urls_file: Path, settings: Settings) -> Iterator[InputUnit | InputError]:
    """Units for a URL list: one http(s) URL per line, blank lines and ``#`` comments ignored.
    A URL listed twice is read once."""
    location = str(urls_file)
    try:
        data = read_capped(Path(urls_file), settings.max_bytes)
        text, _ = decode_bytes(data, location)
    except InputFormatError as exc:
        yield InputError(location, str(exc))
        return
    seen: set[str] = set()
    for line_no, line in enumerate(text.split("\n"), start=1):
        url = line.strip()
        if not url or url.startswith("#") or url in seen:
            continue
        if not _is_http_url(url):
            shown = url if len(url) <= 80 else url[:77] + "..."
            yield InputError(f"{location}#L{line_no}", f"not an http(s) URL: {shown!r}")
            continue
        seen.add(url)
        yield InputUnit(url, "url", None, 0, 0)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in url


# -- reading -------------------------------------------------------------------------------
def read_unit(
    unit: InputUnit, settings: Settings, client: httpx.Client | None = None
) -> Iterator[RawRecord | InputError]:
    """The records of one unit; problems are yielded as ``InputError`` and reading goes on."""
    try:
        if unit.kind == "url":
            yield from _read_url(unit.location, settings, client)
        else:
            assert unit.path is not None, "file units have a path"
            yield from _FILE_READERS[unit.kind](unit.path, unit.location, settings)
    except InputFormatError as exc:
        yield InputError(unit.location, str(exc))
    except OSError as exc:  # the file vanished or became unreadable since discovery
        yield InputError(unit.location, os_error_message(exc))


def _read_text(path: Path, location: str, settings: Settings) -> Iterator[Item]:
    yield _read_document(path, location, settings, "text")


def _read_html(path: Path, location: str, settings: Settings) -> Iterator[Item]:
    yield _read_document(path, location, settings, "html")


def _read_document(path: Path, location: str, settings: Settings, fmt: SourceFormat) -> Item:
    data = read_capped(path, settings.max_bytes)
    declared = sniff_meta_charset(data) if fmt == "html" else None
    text, encoding = decode_bytes(data, location, declared)
    return RawRecord(location=location, content=text, format=fmt, encoding=encoding)


def _open_binary(path: Path) -> AbstractContextManager[IO[bytes]]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _cap_hint(limit: int, what: str) -> str:
    return f"{what} is over the {limit:,}-byte limit (raise it with --max-bytes)"


# -- JSONL ---------------------------------------------------------------------------------
def _read_jsonl(path: Path, location: str, settings: Settings) -> Iterator[Item]:
    """One record per line. Streamed, so a dump may exceed ``max_bytes``; the cap applies to
    each line instead."""
    limit = settings.max_bytes
    line_no = 0
    try:
        with _open_binary(path) as stream:
            for line_no, line in _capped_lines(stream, limit):
                where = f"{location}#L{line_no}"
                if line is None:
                    yield InputError(where, _cap_hint(limit, "line"))
                elif line.strip():
                    yield _jsonl_record(line, where)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield InputError(location, f"corrupt gzip file after line {line_no} ({_one_line(exc)})")


def _read_parquet(path: Path, location: str, settings: Settings) -> Iterator[Item]:
    """One record per row, with the JSONL reader's field names, read a row group at a time.
    The documents table of `storytrace batch` keeps its document ids (its text is already
    clean, so an id computed from it would differ from the one batch mode gave the page)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        keep_ids = (table.schema_arrow.metadata or {}).get(SCHEMA_KEY) == BATCH_DOCUMENTS
        row = 0
        for group in range(table.num_row_groups):
            for record in _parquet_rows(table.read_row_group(group)):
                row += 1
                where = f"{location}#row={row}"
                if record is None:
                    yield InputError(where, "row holds text that is not valid UTF-8")
                    continue
                item = _parquet_record(record, where, settings.max_bytes)
                if keep_ids and isinstance(item, RawRecord):
                    item.id = _batch_id(record.get("id"))
                yield item
    # Column names that are not UTF-8 fail when pyarrow reads the schema.
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        yield InputError(location, f"not a readable Parquet file ({_one_line(exc)})")


def _parquet_rows(group: pa.Table) -> list[dict[str, Any] | None]:
    """The rows of a row group; ``None`` for a row with text that is not UTF-8. Parquet
    writers need not check what they put in a string column and pyarrow only finds out when
    it converts the values, so one bad cell must not cost the whole group."""
    try:
        return group.to_pylist()
    except UnicodeDecodeError:
        return [_parquet_row(group, index) for index in range(group.num_rows)]


def _parquet_row(group: pa.Table, index: int) -> dict[str, Any] | None:
    try:
        return group.slice(index, 1).to_pylist()[0]
    except UnicodeDecodeError:
        return None


def _batch_id(value: object) -> str | None:
    return value if isinstance(value, str) and _DOC_ID.fullmatch(value) else None


def _parquet_record(record: dict[str, Any], where: str, limit: int) -> Item:
    plain = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in record.items()}
    if sum(len(v) for v in plain.values() if isinstance(v, str)) > limit:
        return InputError(where, _cap_hint(limit, "row"))
    return record_from_object(plain, where)


def _capped_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; ``None`` for a line over ``limit`` bytes, which is never held whole."""
    line_no = 0
    while line := stream.readline(limit + 1):
        line_no += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = stream.readline(limit + 1)
            yield line_no, None
        else:
            yield line_no, line


def _jsonl_record(line: bytes, where: str) -> Item:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:  # JSON should be UTF-8, but legacy dumps exist
        try:
            text, _ = decode_bytes(line, where)
        except InputFormatError as exc:
            return InputError(where, str(exc))
    try:
        obj = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError) as exc:
        return InputError(where, f"invalid JSON ({_one_line(exc)})")
    if not isinstance(obj, dict):
        return InputError(where, f"expected a JSON object, got {_json_type(obj)}")
    return record_from_object(obj, where)


def record_from_object(obj: dict[str, Any], where: str) -> Item:
    """A record from one JSON object or Parquet row: the text or HTML field and the
    container's metadata under any of their usual names."""
    found = _jsonl_content(obj)
    if isinstance(found, str):
        return InputError(where, found)
    content, fmt = found
    meta = {name: _first_text(obj, keys) for name, keys in _META_FIELDS.items()}
    return RawRecord(location=where, content=_scrub(content), format=fmt, encoding="utf-8", **meta)


def _scrub(text: str) -> str:
    """Lone surrogates as U+FFFD. JSON may escape one ("\\ud83d": half an emoji, cut by a
    tool that counted UTF-16 units), and such text has no UTF-8 form: it could be neither
    hashed into a document id nor stored, and would stop the whole run."""
    return _SURROGATE.sub("\ufffd", text)


def _jsonl_content(obj: dict[str, Any]) -> tuple[str, SourceFormat] | str:
    """The document text and its format, or an error message."""
    for key in (*_TEXT_FIELDS, *_HTML_FIELDS):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            content = value.replace("\r\n", "\n").replace("\r", "\n")
            is_html = key in _HTML_FIELDS or content.lstrip()[:9].lower().startswith(_HTML_START)
            return content, "html" if is_html else "text"
    present = [key for key in (*_TEXT_FIELDS, *_HTML_FIELDS) if key in obj]
    if present:
        return f"text field '{present[0]}' is empty or not a string"
    return f"no text field (expected one of: {', '.join((*_TEXT_FIELDS, *_HTML_FIELDS))})"


def _first_text(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = _as_text(obj.get(key))
        if value:
            return _scrub(value)
    return None


def _as_text(value: object) -> str | None:
    """Strings as they are; numbers (epoch dates) as strings; lists joined (author lists);
    objects by their name (``{"name": "Reuters"}``)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        parts = [part for part in map(_as_text, value) if part]
        return ", ".join(parts) or None
    if isinstance(value, dict):
        return _as_text(value.get("name") or value.get("title"))
    return None


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


# -- WARC ----------------------------------------------------------------------------------
def _read_warc(path: Path, location: str, settings: Settings) -> Iterator[Item]:
    """HTML and plain-text pages from WARC ``response``/``resource`` records (also .warc.gz).

    Streamed record by record; ``max_bytes`` caps each payload, not the archive.
    """
    size = path.stat().st_size
    if size == 0:
        raise InputFormatError("empty file")
    with path.open("rb") as stream:
        archive = ArchiveIterator(stream)
        number = 0
        for number, record in _warc_iter(archive, location):
            if isinstance(record, InputError):
                yield record
                return
            item = _warc_item(record, f"{location}#record={number}", settings)
            if item is not None:
                yield item
        error = _warc_tail(stream, archive.offset, size)
        if error:
            yield InputError(f"{location}#record={number + 1}", error)


def _warc_iter(
    archive: ArchiveIterator, location: str
) -> Iterator[tuple[int, ArcWarcRecord | InputError]]:
    """Numbered records; a corrupt one ends the archive with an error naming its number."""
    records = iter(archive)
    number = 0
    while True:
        number += 1
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as exc:  # warcio raises assorted types (even AttributeError) on bad bytes
            message = f"corrupt or truncated archive ({_one_line(exc)})"
            yield number, InputError(f"{location}#record={number}", message)
            return
        if record.format != "warc":
            # warcio also reads the old ARC format, and any text line of five words looks
            # like an ARC header to it; only WARC is supported.
            message = f"not a WARC record (looks like {record.format.upper()}; only WARC is read)"
            yield number, InputError(f"{location}#record={number}", message)
            return
        yield number, record


def _warc_tail(stream: IO[bytes], end: int, size: int) -> str | None:
    """warcio stops quietly at a record cut off at its header; unread bytes reveal that."""
    if size <= end:
        return None
    stream.seek(end)
    tail = stream.read(64)
    if size - end <= 64 and not tail.strip():
        return None  # trailing blank lines
    return f"truncated or corrupt archive ({size - end:,} unreadable bytes at the end)"


def _warc_item(record: ArcWarcRecord, where: str, settings: Settings) -> Item | None:
    """A page record as a RawRecord; ``None`` for records that are not pages."""
    if record.rec_type == "response":
        if record.http_headers is None or not record.http_headers.get_statuscode().startswith("2"):
            return None
        content_type = record.http_headers.get_header("Content-Type")
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    else:
        return None
    mime, charset = _parse_content_type(content_type)
    fmt = _PAGE_TYPES.get(mime)
    if fmt is None:
        return None
    limit = settings.max_bytes
    payload = record.content_stream().read(limit + 1)
    if len(payload) > limit:
        return InputError(where, _cap_hint(limit, "record payload"))
    if getattr(record.raw_stream, "limit", 0) > 0:
        return InputError(where, "truncated record (the archive ends inside it)")
    if not payload.strip():
        return InputError(where, "empty payload")
    url = record.rec_headers.get_header("WARC-Target-URI")
    return _decoded_record(payload, where, fmt, charset, url)


def _decoded_record(
    data: bytes, where: str, fmt: SourceFormat, charset: str | None, url: str | None
) -> Item:
    declared = charset or (sniff_meta_charset(data) if fmt == "html" else None)
    try:
        text, encoding = decode_bytes(data, where, declared)
    except InputFormatError as exc:
        return InputError(where, str(exc))
    return RawRecord(location=where, content=text, format=fmt, url=url, encoding=encoding)


def _parse_content_type(value: str | None) -> tuple[str, str | None]:
    """``'text/html; charset="UTF-8"'`` -> ``('text/html', 'utf-8')``."""
    if not value:
        return "", None
    mime, *params = value.split(";")
    charset = None
    for param in params:
        name, _, arg = param.partition("=")
        if name.strip().lower() == "charset" and arg.strip().strip("\"'"):
            charset = arg.strip().strip("\"'").lower()
    return mime.strip().lower(), charset


# -- feeds ---------------------------------------------------------------------------------
def _read_feed(path: Path, location: str, settings: Settings) -> Iterator[Item]:
    data = read_capped(path, settings.max_bytes)
    if not data.strip():
        raise InputFormatError("empty file")
    parsed = _parse_feed(data)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = _one_line(parsed.bozo_exception) if parsed.bozo else "no feed element"
        raise InputFormatError(f"not a readable RSS or Atom feed ({reason})")
    source = parsed.feed.get("title") or None
    encoding = parsed.get("encoding") or None
    for number, entry in enumerate(parsed.entries, start=1):
        yield _feed_record(entry, f"{location}#entry={number}", source, encoding)


def _parse_feed(data: bytes) -> feedparser.FeedParserDict:
    """feedparser's reading of a feed; whatever it raises on bad bytes is an unreadable feed
    (like warcio, it raises assorted types), not a programming error here."""
    try:
        # A stream, not bytes or str: feedparser treats a string that looks like a URL as
        # one and would fetch it.
        return feedparser.parse(io.BytesIO(_CHAR_REF.sub(_checked_char_ref, data)))
    except Exception as exc:
        raise InputFormatError(f"not a readable RSS or Atom feed ({_one_line(exc)})") from exc


def _checked_char_ref(match: re.Match[bytes]) -> bytes:
    """A reference to no character (a surrogate, past U+10FFFF) as U+FFFD: feedparser's
    lenient parser calls ``chr(n).encode()`` on it and raises, losing the whole feed. Only
    ASCII-compatible encodings are seen here; a UTF-16 feed with one is reported unread."""
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    return match[0] if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else b"&#xFFFD;"


def _feed_record(entry: Any, where: str, source: str | None, encoding: str | None) -> Item:
    contents = entry.get("content") or []
    value = (contents[0].get("value") if contents else None) or entry.get("summary")
    if not value or not value.strip():
        return InputError(where, "feed entry has no content or summary")
    return RawRecord(
        location=where,
        content=value.replace("\r\n", "\n").replace("\r", "\n"),
        format="html" if _TAG.search(value) else "text",
        url=entry.get("link") or None,
        title=entry.get("title") or None,
        published=entry.get("published") or entry.get("updated") or None,
        author=entry.get("author") or None,
        source=source,
        encoding=encoding,
    )


# -- URLs ----------------------------------------------------------------------------------
def new_http_client(settings: Settings) -> httpx.Client:
    """A client configured from settings, for callers that fetch many URLs: every
    connection it opens (redirects included) goes through the address guard unless
    ``settings.allow_private_urls``."""
    guarded = not settings.allow_private_urls
    return httpx.Client(
        timeout=settings.url_timeout,
        follow_redirects=True,
        max_redirects=settings.url_max_redirects,
        headers={"User-Agent": settings.user_agent},
        transport=GuardedTransport() if guarded else None,
        trust_env=not guarded,  # an environment proxy would connect in the guard's place
    )


def _read_url(url: str, settings: Settings, client: httpx.Client | None) -> Iterator[Item]:
    if client is not None:
        yield _fetch(url, settings, client)
        return
    with new_http_client(settings) as own:
        yield _fetch(url, settings, own)


def _fetch(url: str, settings: Settings, client: httpx.Client) -> Item:
    # Timeout and User-Agent are passed per request so Settings win over a shared client's.
    headers = {"User-Agent": settings.user_agent}
    try:
        with client.stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=settings.url_timeout
        ) as response:
            return _read_response(url, response, settings)
    except httpx.TimeoutException:
        return InputError(url, f"timed out after {settings.url_timeout:g}s")
    except httpx.TooManyRedirects:
        return InputError(url, f"too many redirects (more than {client.max_redirects})")
    except httpx.ConnectError as exc:
        refused = refused_by_guard(exc)
        if refused is not None:
            return InputError(url, _one_line(refused))
        return InputError(url, f"connection failed: {_one_line(exc)}")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return InputError(url, f"request failed: {_one_line(exc)}")


def _read_response(url: str, response: httpx.Response, settings: Settings) -> Item:
    if not response.is_success:
        return InputError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
    mime, charset = _parse_content_type(response.headers.get("Content-Type"))
    fmt = _PAGE_TYPES.get(mime)
    if fmt is None and mime:
        return InputError(url, f"not an HTML or text page ({mime})")
    body = _read_body(response, settings.url_max_bytes)
    if body is None:
        limit = settings.url_max_bytes
        return InputError(url, f"response is over the {limit:,}-byte limit (url_max_bytes)")
    if not body.strip():
        return InputError(url, "empty response body")
    # No Content-Type at all: read it as HTML, which also copes with plain text.
    return _decoded_record(body, url, fmt or "html", charset, str(response.url))


def _read_body(response: httpx.Response, limit: int) -> bytes | None:
    """The body, or ``None`` as soon as it exceeds ``limit`` (never held whole)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


_FILE_READERS: dict[str, Callable[[Path, str, Settings], Iterator[Item]]] = {
    "text": _read_text,
    "html": _read_html,
    "jsonl": _read_jsonl,
    "parquet": _read_parquet,
    "warc": _read_warc,
    "feed": _read_feed,
}
