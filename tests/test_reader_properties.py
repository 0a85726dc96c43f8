"""Property-based tests of the input readers (issue 22): random and damaged input.

For every reader (plain text, HTML, JSONL, Parquet, WARC and .warc.gz, RSS/Atom feeds, and
their gzipped forms): reading never raises, every problem is an ``InputError`` of one line
that names the input, records before a corruption are still read, and ingesting a folder
with a bad file in it stores every good document and keeps what an earlier run stored.

Every example comes from a Hypothesis strategy: random bytes, text in odd alphabets and
encodings, and damage (cuts, overwrites, insertions) to small valid inputs built here.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storytrace.ingest.readers import discover, read_unit
from storytrace.model import InputError, RawRecord
from storytrace.settings import Settings
from storytrace.store import Store
from support import build, copy_store

LIMIT = 4096  # a small max_bytes, so that lines and files around the cap are cheap to make
SETTINGS = Settings(max_bytes=LIMIT)
Item = RawRecord | InputError

# No example database: runs stay independent of earlier ones (as in test_api_fuzz.py).
QUICK = settings(max_examples=200, deadline=None, database=None)
SLOW = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FILE_SUFFIXES = (".txt", ".md", ".html", ".jsonl", ".parquet", ".warc", ".rss", ".atom", ".xml")

# Printable text in any script (no control, format, surrogate or private-use characters):
# what a document may hold without being refused as binary.
_WORDS = st.text(st.characters(exclude_categories=["C"]), min_size=1, max_size=60)
# Anything a JSON string can carry, lone surrogates included ("\ud800" is valid JSON);
# Hypothesis's text() never holds one, so the characters are joined here.
_JSON_CHARS = st.lists(st.characters() | st.characters(categories=["Cs"]), max_size=60).map("".join)
_SURROGATE = re.compile("[\ud800-\udfff]")
_LATIN = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_categories=["C"]))


# -- helpers -----------------------------------------------------------------------------------
@contextmanager
def _scratch() -> Iterator[Path]:
    """A fresh folder per example (pytest's tmp_path is shared by all of a test's examples)."""
    with tempfile.TemporaryDirectory(prefix="storytrace-prop-") as name:
        yield Path(name)


def _read_file(path: Path, settings: Settings = SETTINGS) -> list[Item]:
    """What discovery and the reader give for one file, in order."""
    items: list[Item] = []
    for unit in discover([path], settings):
        items.extend([unit] if isinstance(unit, InputError) else read_unit(unit, settings))
    return items


def _write_and_read(name: str, data: bytes, settings: Settings = SETTINGS) -> list[Item]:
    with _scratch() as folder:
        path = folder / name
        path.write_bytes(data)
        items = _read_file(path, settings)
        _assert_well_formed(items, path)
        return items


def _assert_well_formed(items: list[Item], path: Path) -> None:
    """Each item names its input, errors are one line, records can be stored."""
    for item in items:
        assert isinstance(item, RawRecord | InputError), item
        assert item.location == str(path) or item.location.startswith(f"{path}#"), item.location
        if isinstance(item, InputError):
            assert item.message.strip(), item
            assert len(str(item).splitlines()) == 1, str(item)
        else:
            _assert_storable(item)


def _assert_storable(record: RawRecord) -> None:
    # The store and the document id need text that encodes as UTF-8 (no lone surrogates).
    for value in (record.content, record.url, record.title, record.published, record.author):
        if value is not None:
            value.encode("utf-8")


def _records(items: list[Item]) -> dict[str, RawRecord]:
    return {item.location: item for item in items if isinstance(item, RawRecord)}


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)  # the same bytes every time, for Hypothesis replays


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True, slots=True)
class Damaged:
    data: bytes
    at: int  # the first byte that differs from the valid input (its length: undamaged)


@st.composite
def _damage(draw: st.DrawFn, valid: bytes) -> Damaged:
    """``valid`` cut short, partly overwritten, with bytes inserted, or left alone."""
    how = draw(st.sampled_from(["cut", "overwrite", "insert", "none"]))
    at = draw(st.integers(0, len(valid)))
    junk = draw(st.binary(min_size=1, max_size=48))
    if how == "cut":
        return Damaged(valid[:at], at)
    if how == "overwrite":
        return Damaged(valid[:at] + junk + valid[at + len(junk) :], at)
    if how == "insert":
        return Damaged(valid[:at] + junk + valid[at:], at)
    return Damaged(valid, len(valid))


@st.composite
def _bad_byte_in(draw: st.DrawFn, valid: bytes, marker: bytes) -> Damaged:
    """A byte that cannot start a UTF-8 character, put inside one of the stored texts (they
    start with ``marker``): what another writer may leave in a string column."""
    starts = [i for i in range(len(valid)) if valid.startswith(marker, i)]
    at = draw(st.sampled_from(starts)) + draw(st.integers(0, len(marker) - 1))
    byte = bytes([draw(st.integers(0x80, 0xBF))])
    return Damaged(valid[:at] + byte + valid[at + 1 :], at)


# -- random bytes: every reader, plain and gzipped ---------------------------------------------
@QUICK
@given(
    suffix=st.sampled_from(FILE_SUFFIXES),
    gz=st.booleans(),
    data=st.one_of(st.binary(max_size=2048), st.binary(max_size=512).map(_gz)),
)
def test_random_bytes_give_records_or_one_line_errors(suffix: str, gz: bool, data: bytes) -> None:
    _write_and_read("input" + suffix + (".gz" if gz else ""), data)


@QUICK
@given(
    suffix=st.sampled_from(FILE_SUFFIXES),
    text=_WORDS,
    cut=st.integers(min_value=0),
)
def test_truncated_gzip_never_raises(suffix: str, text: str, cut: int) -> None:
    data = _gz(("Story: " + text).encode() * 20)
    _write_and_read("input" + suffix + ".gz", data[: cut % (len(data) + 1)])


# -- plain text and HTML in odd encodings ------------------------------------------------------
_WITH_BOM = ("utf-8", "utf-8-sig", "utf-16", "utf-32")


@QUICK
@given(
    text=st.lists(_WORDS, min_size=1, max_size=6).map("\r\n".join),
    codec=st.sampled_from(_WITH_BOM),
    suffix=st.sampled_from([".txt", ".html", ".txt.gz"]),
)
def test_text_in_unicode_encodings_reads_back(text: str, codec: str, suffix: str) -> None:
    text = "Story: " + text
    data = text.encode(codec)
    if suffix.endswith(".gz"):
        data = _gz(data)
    (record,) = _write_and_read("page" + suffix, data)
    assert isinstance(record, RawRecord), record
    assert record.content == _normalized(text)


@QUICK
@given(text=_LATIN, codec=st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_without_bom_reads_back(text: str, codec: str) -> None:
    text = "Story: " + text
    (record,) = _write_and_read("page.txt", text.encode(codec))
    assert isinstance(record, RawRecord), record
    assert record.content == _normalized(text)


@QUICK
@given(
    text=_WORDS,
    codec=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252"]),
    junk=st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\x80"])),
        max_size=4,
    ),
    suffix=st.sampled_from([".txt", ".html", ".md"]),
)
def test_odd_encodings_and_bad_bytes_never_raise(
    text: str, codec: str, junk: list[tuple[int, bytes]], suffix: str
) -> None:
    data = ("Story: " + text).encode(codec, errors="replace")
    for position, byte in junk:  # NUL bytes, invalid UTF-8 and cut sequences
        at = position % (len(data) + 1)
        data = data[:at] + byte + data[at:]
    _write_and_read("page" + suffix, data)


@QUICK
@given(size=st.integers(LIMIT - 64, LIMIT + 64), gz=st.booleans())
def test_text_file_around_the_size_cap(size: int, gz: bool) -> None:
    data = b"Story: " + b"x" * (size - 7)
    items = _write_and_read("page.txt" + (".gz" if gz else ""), _gz(data) if gz else data)
    assert isinstance(items[0], RawRecord) == (size <= LIMIT), items[0]


# -- JSONL -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Line:
    raw: bytes  # without the line break
    text: str | None  # the text a good record must have; None: any outcome, one item


@st.composite
def _good_line(draw: st.DrawFn) -> Line:
    text = "Story " + draw(_JSON_CHARS)
    obj = {"text": text, "title": draw(_JSON_CHARS), "published": draw(_JSON_CHARS)}
    lone_surrogates = any(_SURROGATE.search(value) for value in obj.values())
    # A lone surrogate is only valid JSON escaped ("\\ud800"): as UTF-8 it is bad bytes.
    raw = json.dumps(obj, ensure_ascii=lone_surrogates or draw(st.booleans())).encode()
    # Two halves escaped side by side are one character to JSON; one left alone cannot be
    # stored and becomes U+FFFD. Text over the cap is refused.
    fixed = _SURROGATE.sub("\ufffd", json.loads(raw)["text"])
    return Line(raw, _normalized(fixed) if len(raw) <= LIMIT else None)


def _junk_line() -> st.SearchStrategy[Line]:
    valid = json.dumps({"text": "Story of a damaged line"}).encode()
    return st.one_of(
        st.binary(max_size=120),
        _damage(valid).map(lambda d: d.data),
        st.sampled_from([b"[1, 2]", b"null", b'"text"', b"{}", b'{"text": ""}', b"[" * 5000]),
        _WORDS.map(lambda t: t.encode("utf-16")),
    ).map(lambda raw: Line(raw.replace(b"\n", b" "), None))


def _long_line() -> st.SearchStrategy[Line]:
    def line(size: int) -> Line:
        raw = json.dumps({"text": "Story " + "y" * size}).encode()
        return Line(raw, "Story " + "y" * size if len(raw) <= LIMIT else None)

    return st.integers(LIMIT - 40, LIMIT + 40).map(line)


@QUICK
@given(
    lines=st.lists(st.one_of(_good_line(), _junk_line(), _long_line()), min_size=1, max_size=8),
    newline=st.sampled_from([b"\n", b"\r\n"]),
    gz=st.booleans(),
)
def test_jsonl_gives_one_item_per_line_and_keeps_good_lines(
    lines: list[Line], newline: bytes, gz: bool
) -> None:
    data = b"".join(line.raw + newline for line in lines)
    name = "dump.jsonl.gz" if gz else "dump.jsonl"
    with _scratch() as folder:
        path = folder / name
        path.write_bytes(_gz(data) if gz else data)
        items = _read_file(path)
        _assert_well_formed(items, path)
    by_location = {item.location: item for item in items}
    expected = [(n, line) for n, line in enumerate(lines, 1) if (line.raw + newline).strip()]
    assert sorted(by_location) == sorted(f"{path}#L{n}" for n, _ in expected)
    for number, line in expected:
        item = by_location[f"{path}#L{number}"]
        size = len(line.raw + newline) - 1  # the cap counts what comes before the "\n"
        if size > LIMIT:
            assert isinstance(item, InputError) and "limit" in item.message, item
        elif line.text is not None:
            assert isinstance(item, RawRecord), item
            assert item.content == line.text


_FIVE_LINES = [json.dumps({"text": f"Story number {n} of the dump"}).encode() for n in range(5)]


@QUICK
@given(damaged=_damage(b"".join(line + b"\n" for line in _FIVE_LINES)), gz=st.booleans())
def test_damaged_jsonl_keeps_the_lines_before_the_damage(damaged: Damaged, gz: bool) -> None:
    data = _gz(damaged.data) if gz else damaged.data
    records = _records(_write_and_read("dump.jsonl" + (".gz" if gz else ""), data))
    end = 0
    for number, line in enumerate(_FIVE_LINES, 1):
        end += len(line) + 1
        if end <= damaged.at:
            assert any(loc.endswith(f"#L{number}") for loc in records), (number, records)


# -- WARC --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Warc:
    data: bytes
    pages: list[str]  # the text of each record, in order
    ends: list[int]  # the offset where each record ends


def _warc(pages: list[str], gz: bool) -> Warc:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    ends = []
    for number, text in enumerate(pages, 1):
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        body = io.BytesIO(text.encode())
        uri = f"https://example.org/{number}"
        # Fixed id and date: the same pages must give the same bytes (Hypothesis replays them).
        fixed = {
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>",
            "WARC-Date": "2025-03-04T09:30:00Z",
        }
        record = writer.create_warc_record(
            uri, "response", payload=body, http_headers=headers, warc_headers_dict=fixed
        )
        writer.write_record(record)
        ends.append(out.tell())
    return Warc(out.getvalue(), pages, ends)


_PAGES = st.lists(_WORDS.map(lambda t: f"<p>Page: {t}</p>"), min_size=1, max_size=4)


@QUICK
@given(pages=_PAGES, gz=st.booleans(), data=st.data())
def test_damaged_warc_keeps_the_records_before_the_damage(
    pages: list[str], gz: bool, data: st.DataObject
) -> None:
    warc = _warc(pages, gz)
    damaged = data.draw(_damage(warc.data))
    name = "crawl.warc.gz" if gz else "crawl.warc"
    items = _write_and_read(name, damaged.data)
    records = _records(items)
    for number, (page, end) in enumerate(zip(warc.pages, warc.ends, strict=True), 1):
        if end <= damaged.at:
            (record,) = [r for loc, r in records.items() if loc.endswith(f"#record={number}")]
            assert record.content == _normalized(page)


# -- feeds -------------------------------------------------------------------------------------
# Numeric character references that Python cannot turn into UTF-8 text, or at all.
_BAD_REFS = ("&#xD800;", "&#55296;", "&#xDFFF;", "&#x110000;", "&#99999999999999999999;", "&#0;")


@dataclass(frozen=True, slots=True)
class Feed:
    data: bytes
    entries: int
    ends: list[int]  # the offset where each entry's closing tag ends


def _feed(texts: list[str], atom: bool, codec: str) -> Feed:
    tag = "entry" if atom else "item"
    body = "summary" if atom else "description"
    head = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
        if atom
        else '<rss version="2.0"><channel><title>Wire</title>'
    )
    parts = [f'<?xml version="1.0" encoding="{codec}"?>\n{head}\n']
    for number, text in enumerate(texts, 1):
        parts.append(
            f"<{tag}><title>Entry {number}</title><link>https://example.org/{number}</link>"
            f"<{body}>Story: {escape(text)}</{body}></{tag}>\n"
        )
    parts.append("</feed>\n" if atom else "</channel></rss>\n")
    encoded = [part.encode(codec, errors="xmlcharrefreplace") for part in parts]
    ends = [sum(len(p) for p in encoded[: i + 1]) - 1 for i in range(1, len(texts) + 1)]
    return Feed(b"".join(encoded), len(texts), ends)


@QUICK
@given(
    texts=st.lists(_WORDS, min_size=1, max_size=4),
    atom=st.booleans(),
    codec=st.sampled_from(["utf-8", "utf-16", "iso-8859-1"]),
    suffix=st.sampled_from([".rss", ".atom", ".xml", ".rss.gz"]),
)
def test_feed_in_any_encoding_gives_every_entry(
    texts: list[str], atom: bool, codec: str, suffix: str
) -> None:
    feed = _feed(texts, atom, codec)
    data = _gz(feed.data) if suffix.endswith(".gz") else feed.data
    items = _write_and_read("wire" + suffix, data)
    assert len(_records(items)) == feed.entries, items


@QUICK
@given(texts=st.lists(_WORDS, min_size=1, max_size=4), atom=st.booleans(), data=st.data())
def test_damaged_feed_keeps_the_entries_before_the_damage(
    texts: list[str], atom: bool, data: st.DataObject
) -> None:
    feed = _feed(texts, atom, "utf-8")
    damaged = data.draw(_damage(feed.data))
    items = _write_and_read("wire.rss", damaged.data)
    records = _records(items)
    for number, end in enumerate(feed.ends, 1):
        if end <= damaged.at:
            assert any(loc.endswith(f"#entry={number}") for loc in records), (number, items)


@QUICK
@given(
    texts=st.lists(_WORDS, min_size=2, max_size=4),
    ref=st.sampled_from(_BAD_REFS),
    where=st.sampled_from(["title", "body"]),
    atom=st.booleans(),
)
def test_feed_with_impossible_character_references(
    texts: list[str], ref: str, where: str, atom: bool
) -> None:
    feed = _feed(texts, atom, "utf-8")
    marker = b"<title>Entry 1</title>" if where == "title" else b"Story: "
    data = feed.data.replace(marker, marker + ref.encode(), 1)
    items = _write_and_read("wire.rss", data)
    assert len(_records(items)) == feed.entries, items


# -- Parquet -----------------------------------------------------------------------------------
def _parquet(texts: list[str], compression: str = "snappy") -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"text": "Story: " + t, "title": f"Row {n}"} for n, t in enumerate(texts, 1)]
    out = io.BytesIO()
    # Uncompressed and without dictionaries, damage lands in the values themselves.
    plain = compression == "none"
    pq.write_table(
        pa.Table.from_pylist(rows), out, compression=compression, use_dictionary=not plain
    )
    return out.getvalue()


@QUICK
@given(
    texts=st.lists(_WORDS, min_size=1, max_size=4),
    compression=st.sampled_from(["none", "snappy"]),
    data=st.data(),
)
def test_damaged_parquet_never_raises(
    texts: list[str], compression: str, data: st.DataObject
) -> None:
    valid = _parquet(texts, compression)
    damaged = data.draw(_damage(valid) | _bad_byte_in(valid, b"Story: "))
    items = _write_and_read("rows.parquet", damaged.data)
    if damaged.data == valid:
        assert [r.content for r in _records(items).values()] == ["Story: " + t for t in texts]


# -- ingest into a store -----------------------------------------------------------------------
GOOD_TEXT = "The {name} council met on Monday and agreed a new budget for the {name} harbour."
EARLIER = ("Lowmarsh", "Port Elden")


def _bad_inputs() -> st.SearchStrategy[tuple[str, bytes]]:
    """A damaged or random input of any kind, with the suffix it is named with."""
    texts = st.lists(_WORDS, min_size=1, max_size=3)
    jsonl = st.lists(st.one_of(_good_line(), _junk_line()), min_size=1, max_size=4).map(
        lambda lines: b"\n".join(line.raw for line in lines)
    )
    return st.one_of(
        st.tuples(st.sampled_from(FILE_SUFFIXES), st.binary(max_size=1024)),
        st.tuples(st.just(".jsonl"), jsonl),
        st.tuples(st.just(".warc.gz"), _PAGES.flatmap(lambda p: _damage(_warc(p, True).data))),
        st.tuples(st.just(".warc"), _PAGES.flatmap(lambda p: _damage(_warc(p, False).data))),
        st.tuples(st.just(".rss"), texts.flatmap(lambda t: _damage(_feed(t, False, "utf-8").data))),
        st.tuples(st.just(".parquet"), texts.flatmap(lambda t: _damage(_parquet(t, "none")))),
        st.tuples(st.just(".txt"), _WORDS.map(lambda t: ("Story: " + t).encode("utf-16-le"))),
    ).map(lambda found: (found[0], found[1].data if isinstance(found[1], Damaged) else found[1]))


def _good_files(folder: Path) -> list[str]:
    """Three good inputs (text, JSONL, WARC); the locations their documents must have."""
    (folder / "b-good.txt").write_text(GOOD_TEXT.format(name="Tolvik"), encoding="utf-8")
    lines = [{"text": GOOD_TEXT.format(name=name)} for name in ("Velmora", "Quay")]
    (folder / "n-good.jsonl").write_text("".join(json.dumps(row) + "\n" for row in lines))
    pages = [f"<html><body><p>{GOOD_TEXT.format(name='Brandt')}</p></body></html>"]
    (folder / "y-good.warc.gz").write_bytes(_warc(pages, gz=True).data)
    return [
        str(folder / "b-good.txt"),
        f"{folder / 'n-good.jsonl'}#L1",
        f"{folder / 'n-good.jsonl'}#L2",
        f"{folder / 'y-good.warc.gz'}#record=1",
    ]


@pytest.fixture(scope="module")
def earlier_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A store that an earlier run filled; each example ingests into a copy of it."""
    folder = tmp_path_factory.mktemp("earlier")
    locations = []
    for name in EARLIER:
        path = folder / f"{name.replace(' ', '-')}.txt"
        path.write_text(GOOD_TEXT.format(name=name), encoding="utf-8")
        locations.append(str(path))
    db = folder / "earlier.db"
    assert not build(db, folder, until="read").result("read").errors
    return db, locations


@SLOW
@given(bad=_bad_inputs(), prefix=st.sampled_from(["a", "m", "z"]))
def test_ingest_with_a_bad_file_stores_every_good_document(
    earlier_store: tuple[Path, list[str]], bad: tuple[str, bytes], prefix: str
) -> None:
    template, earlier = earlier_store
    suffix, data = bad
    with _scratch() as tmp:
        db = copy_store(template, tmp / "s.db")
        folder = tmp / "in"
        folder.mkdir()
        good = _good_files(folder)
        bad_path = folder / f"{prefix}-bad{suffix}"  # read before, between or after them
        bad_path.write_bytes(data)
        from_bad = _records(_read_file(bad_path, Settings()))
        errors = build(db, folder, until="read").result("read").errors
        failed = {error.location for error in errors}
        with Store(db) as store:
            for location in [*earlier, *good]:
                assert store.has_location(location), (location, errors)
            for location in from_bad:  # a record the reader gave is stored or reported
                assert store.has_location(location) or location in failed, location
    for error in errors:
        assert error.location.startswith(str(bad_path)), error
        assert len(str(error).splitlines()) == 1, str(error)


# -- the cases these properties found (each raised, stopping the whole ingest) ------------------
RSS_WITH_REFS = """<?xml version="1.0" encoding="{codec}"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Half an emoji &#xD83D;</title>
  <description>Dock strike &#55357; ends</description></item>
<item><title>Far past Unicode</title><description>Talks resume &#x110000; today</description></item>
</channel></rss>
"""


def test_feed_with_references_to_no_character_keeps_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "wire.rss"
    path.write_text(RSS_WITH_REFS.format(codec="utf-8"), encoding="utf-8")
    first, second = _read_file(path)
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert (first.title, first.content) == ("Half an emoji \ufffd", "Dock strike \ufffd ends")
    assert second.content == "Talks resume \ufffd today"


def test_utf16_feed_with_a_reference_to_no_character_is_one_error(tmp_path: Path) -> None:
    # Only ASCII-compatible bytes are mended; feedparser's own failure is reported instead.
    path = tmp_path / "wire.rss"
    path.write_text(RSS_WITH_REFS.format(codec="utf-16"), encoding="utf-16")
    (error,) = _read_file(path)
    assert isinstance(error, InputError) and error.location == str(path)
    assert error.message.startswith("not a readable RSS or Atom feed (")


@pytest.mark.parametrize("label", [b"\x80tf-8", b"utf\x00-8"], ids=["high-byte", "nul"])
def test_feed_declaring_an_impossible_encoding_is_one_error(tmp_path: Path, label: bytes) -> None:
    # feedparser raised from its encoding lookup (UnicodeDecodeError, ValueError).
    path = tmp_path / "wire.rss"
    path.write_bytes(_feed(["Dock strike ends"], False, "utf-8").data.replace(b"utf-8", label, 1))
    (error,) = _read_file(path)
    assert isinstance(error, InputError) and error.location == str(path)
    assert error.message.startswith("not a readable RSS or Atom feed (")


def test_jsonl_lone_surrogate_is_replaced_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # Valid JSON: half of the surrogate pair of an emoji, as a tool that cut UTF-16 leaves it.
    (folder / "a.jsonl").write_text('{"text": "Harbour strike \\ud83d ends", "title": "\\udc00"}\n')
    (folder / "b.txt").write_text(GOOD_TEXT.format(name="Tolvik"), encoding="utf-8")
    (record,) = _read_file(folder / "a.jsonl")
    assert isinstance(record, RawRecord)
    assert (record.content, record.title) == ("Harbour strike \ufffd ends", "\ufffd")
    db = tmp_path / "s.db"
    assert not build(db, folder, until="read").result("read").errors
    with Store(db) as store:
        assert store.has_location(f"{folder / 'a.jsonl'}#L1")
        assert store.has_location(str(folder / "b.txt"))


def _plain_parquet(path: Path, rows: list[dict[str, str]]) -> None:
    """Uncompressed and without dictionaries, so that bytes can be changed in place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path, compression="none", use_dictionary=False)


def test_parquet_cell_that_is_not_utf8_is_an_error_and_other_rows_are_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rows.parquet"
    texts = ["Story one about the strike", "Story XX about the talks", "Story three"]
    _plain_parquet(path, [{"text": text} for text in texts])
    path.write_bytes(path.read_bytes().replace(b"XX", b"\xff\xfe"))  # another writer's bytes
    first, second, third = _read_file(path)
    assert isinstance(first, RawRecord) and first.content == texts[0]
    assert second == InputError(f"{path}#row=2", "row holds text that is not valid UTF-8")
    assert isinstance(third, RawRecord) and third.content == texts[2]


def test_parquet_column_name_that_is_not_utf8_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    _plain_parquet(path, [{"text": "Story one", "title": "One"}])
    path.write_bytes(path.read_bytes().replace(b"title", b"\x80itle"))
    (error,) = _read_file(path)
    assert isinstance(error, InputError) and error.location == str(path)
    assert error.message.startswith("not a readable Parquet file (")
