"""Input readers: decoding, size caps, discovery, JSONL, WARC, feeds and URL lists.

All input is written here, byte for byte, so each bad-input case is exactly the one named.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storytrace.errors import InputFormatError
from storytrace.ingest.decode import decode_bytes, read_capped, sniff_meta_charset
from storytrace.ingest.readers import (
    InputUnit,
    discover,
    discover_urls,
    kind_of,
    read_unit,
)
from storytrace.model import InputError, RawRecord
from storytrace.settings import Settings

SETTINGS = Settings()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
CYRILLIC = "Правительство объявило о новых мерах поддержки малого бизнеса в регионах страны.\n"


def _units(paths: list[Path], settings: Settings = SETTINGS) -> list[InputUnit | InputError]:
    return list(discover(paths, settings))


def _read(path: Path, settings: Settings = SETTINGS) -> list[RawRecord | InputError]:
    (unit,) = _units([path], settings)
    assert isinstance(unit, InputUnit), unit
    return list(read_unit(unit, settings))


def _one_record(path: Path, settings: Settings = SETTINGS) -> RawRecord:
    (record,) = _read(path, settings)
    assert isinstance(record, RawRecord), record
    return record


def _one_error(path: Path, settings: Settings = SETTINGS) -> InputError:
    (error,) = _read(path, settings)
    assert isinstance(error, InputError), error
    return error


# -- decode_bytes ----------------------------------------------------------------------------
def test_decode_utf8_normalizes_line_endings() -> None:
    text, encoding = decode_bytes("Grüße\r\nzweite\rdritte\n".encode(), "a.txt")
    assert (text, encoding) == ("Grüße\nzweite\ndritte\n", "utf-8")


def test_decode_utf8_with_bom_drops_the_bom() -> None:
    text, encoding = decode_bytes(b"\xef\xbb\xbfHello \xe2\x80\x94 world", "a.txt")
    assert (text, encoding) == ("Hello — world", "utf-8-sig")


def test_decode_cp1252_keeps_curly_quotes_and_euro() -> None:
    data = "The mayor said “€5 is enough” — café owners disagreed.".encode("cp1252")
    assert decode_bytes(data, "a.txt") == (
        "The mayor said “€5 is enough” — café owners disagreed.",
        "cp1252",
    )


def test_decode_short_latin1_word() -> None:
    # charset-normalizer alone reads these five bytes as UTF-16.
    assert decode_bytes("Café".encode("latin-1"), "a.txt")[0] == "Café"


def test_decode_other_legacy_encoding_is_detected() -> None:
    text, encoding = decode_bytes(CYRILLIC.encode("cp1251"), "a.txt")
    assert text == CYRILLIC
    assert encoding == "cp1251"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_decode_utf16_with_and_without_bom(codec: str) -> None:
    text, _ = decode_bytes("Breaking: ñandú escapes zoo\r\n".encode(codec), "a.txt")
    assert text == "Breaking: ñandú escapes zoo\n"


def test_decode_declared_charset_is_used_when_not_utf8() -> None:
    # Labelled latin-1, read as windows-1252 like browsers do: 0x93/0x94 are curly quotes.
    assert decode_bytes(b"\x93caf\xe9\x94", "p.html", "iso-8859-1") == ("“café”", "cp1252")
    # A wrong label does not win over bytes that are valid UTF-8.
    assert decode_bytes("café".encode(), "p.html", "iso-8859-1") == ("café", "utf-8")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b" \n\r\n\t", "empty file (whitespace only)"),
        (PNG, "binary file (looks like PNG image), not text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary file (looks like PDF), not text"),
        (
            b"PK\x03\x04\x14\x00",
            "binary file (looks like zip archive or Office document), not text",
        ),
        (
            b"text\x00with\x00\x00\x00nul bytes\x00\xff",
            "binary file (contains NUL bytes), not text",
        ),
        (b"abc\x01\x02\x03\x04def", "binary file (many control characters), not text"),
    ],
)
def test_decode_refuses_empty_and_binary(data: bytes, message: str) -> None:
    with pytest.raises(InputFormatError) as caught:
        decode_bytes(data, "a.txt")
    assert str(caught.value) == message


def test_decode_refuses_noise_without_nul_bytes() -> None:
    noise = bytes(range(0x80, 0x100)) * 8 + bytes(range(0x01, 0x09)) * 40
    with pytest.raises(InputFormatError, match=r"^binary file \("):
        decode_bytes(noise, "a.txt")


def test_sniff_meta_charset() -> None:
    assert sniff_meta_charset(b'<html><head><meta charset="Windows-1252">') == "windows-1252"
    html = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    assert sniff_meta_charset(html) == "iso-8859-1"
    assert sniff_meta_charset(b"<html><head><title>x</title>") is None


# -- read_capped -----------------------------------------------------------------------------
def test_read_capped_refuses_file_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    assert read_capped(path, 2000) == b"x" * 2000
    with pytest.raises(InputFormatError) as caught:
        read_capped(path, 1000)
    assert str(caught.value) == (
        "file is 2,000 bytes, over the 1,000-byte limit (raise it with --max-bytes)"
    )


def test_read_capped_gunzips(tmp_path: Path) -> None:
    path = tmp_path / "a.txt.gz"
    path.write_bytes(gzip.compress(b"hello gzip"))
    assert read_capped(path, 100) == b"hello gzip"


def test_read_capped_stops_a_gzip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"A" * 50_000_000))  # ~50 KB on disk
    assert path.stat().st_size < 100_000
    with pytest.raises(InputFormatError) as caught:
        read_capped(path, 1_000_000)
    assert str(caught.value) == (
        "decompresses to more than 1,000,000 bytes, "
        "over the 1,000,000-byte limit (raise it with --max-bytes)"
    )


@pytest.mark.parametrize(
    "data",
    [b"this was never gzip", gzip.compress(b"some text " * 100)[:20]],
    ids=["not-gzip", "truncated"],
)
def test_read_capped_corrupt_gzip(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.txt.gz"
    path.write_bytes(data)
    with pytest.raises(InputFormatError, match=r"^corrupt gzip file \(.+\)$"):
        read_capped(path, 10_000)


def test_read_capped_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match=r"^no such file or directory$"):
        read_capped(tmp_path / "gone.txt", 100)


# -- text and HTML files ---------------------------------------------------------------------
def test_text_file_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(b"Headline\r\n\r\nBody text.\r\n")
    record = _one_record(path)
    assert record == RawRecord(
        location=str(path), content="Headline\n\nBody text.\n", format="text", encoding="utf-8"
    )


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("# Title\n\nBody.\n", encoding="utf-8")
    assert _one_record(path).format == "text"


def test_html_file_uses_its_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    html = '<html><head><meta charset="windows-1252"></head><body><p>“Déjà vu”</p></body></html>'
    path.write_bytes(html.encode("cp1252"))
    record = _one_record(path)
    assert record.format == "html"
    assert "<p>“Déjà vu”</p>" in record.content
    assert record.encoding == "windows-1252"


def test_gzipped_text_and_html(tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress("naïve text".encode()))
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(b"<html><p>hi</p></html>"))
    text = _one_record(tmp_path / "a.txt.gz")
    html = _one_record(tmp_path / "b.html.gz")
    assert (text.content, text.format, text.location) == (
        "naïve text",
        "text",
        str(tmp_path / "a.txt.gz"),
    )
    assert (html.content, html.format) == ("<html><p>hi</p></html>", "html")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("image.txt", PNG, "binary file (looks like PNG image), not text"),
        ("nul.html", b"<html>\x00\x00\x00\x01\x00</html>", "binary file (contains NUL bytes)"),
        ("bad.txt.gz", b"\x1f\x8b\x08\x00garbage", "corrupt gzip file"),
        ("big.txt", b"y" * 600, "file is 600 bytes, over the 500-byte limit"),
        ("bomb.html.gz", gzip.compress(b"<p>" * 100_000), "decompresses to more than 500 bytes"),
    ],
)
def test_bad_files_give_one_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    error = _one_error(path, Settings(max_bytes=500))
    assert error.location == str(path)
    assert error.message.startswith(message)
    assert "\n" not in error.message


def test_file_removed_after_discovery(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text("soon gone", encoding="utf-8")
    (unit,) = _units([path])
    assert isinstance(unit, InputUnit)
    path.unlink()
    assert list(read_unit(unit, SETTINGS)) == [InputError(str(path), "no such file or directory")]


# -- discovery -------------------------------------------------------------------------------
RSS_HEAD = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title></channel></rss>'


def test_discover_walks_folders_sorted_skipping_hidden_and_unknown(tmp_path: Path) -> None:
    files = {
        "b/inner.html": b"<p>x</p>",
        "a.txt": b"a",
        "c.jsonl.gz": gzip.compress(b'{"text": "t"}\n'),
        "d.xml": RSS_HEAD,
        "e.warc": b"",
        "sitemap.xml": b"<?xml version='1.0'?><urlset></urlset>",  # not a feed: skipped
        "notes.xyz": b"?",
        "README": b"no extension",
        ".hidden.txt": b"h",
        ".git/config.txt": b"g",
        "b/sub/z.md": b"z",
        "b/sub/a.ndjson": b"{}",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    units = _units([tmp_path])
    assert all(isinstance(u, InputUnit) for u in units)
    found = [(Path(u.location).relative_to(tmp_path).as_posix(), u.kind) for u in units]
    assert found == [
        ("a.txt", "text"),
        ("b/inner.html", "html"),
        ("b/sub/a.ndjson", "jsonl"),
        ("b/sub/z.md", "text"),
        ("c.jsonl.gz", "jsonl"),
        ("d.xml", "feed"),
        ("e.warc", "warc"),
    ]
    assert _units([tmp_path]) == units  # deterministic


def test_discover_named_file_and_folder_give_each_file_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    units = _units([tmp_path / "a.txt", tmp_path, tmp_path / "a.txt"])
    assert [u.location for u in units if isinstance(u, InputUnit)] == [str(tmp_path / "a.txt")]


def test_discover_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert _units([missing]) == [InputError(str(missing), "no such file or directory")]


def test_discover_named_unsupported_files_are_errors(tmp_path: Path) -> None:
    for name in ("photo.xyz", "README", "archive.gz"):
        (tmp_path / name).write_bytes(b"x")
    errors = _units([tmp_path / "photo.xyz", tmp_path / "README", tmp_path / "archive.gz"])
    assert [(e.location, e.message.split(" (supported")[0]) for e in errors] == [
        (str(tmp_path / "photo.xyz"), "unsupported file type .xyz"),
        (str(tmp_path / "README"), "unsupported file type 'README' (no extension)"),
        (str(tmp_path / "archive.gz"), "unsupported file type .gz"),
    ]
    assert all(isinstance(e, InputError) for e in errors)
    assert "(supported: .txt, .md" in errors[0].message


def test_discover_named_xml_must_be_a_feed(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(RSS_HEAD)
    (tmp_path / "atom.xml.gz").write_bytes(
        gzip.compress(b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>')
    )
    (tmp_path / "sitemap.xml").write_bytes(b"<?xml version='1.0'?><urlset/>")
    feed, atom, sitemap = _units(
        [tmp_path / "feed.xml", tmp_path / "atom.xml.gz", tmp_path / "sitemap.xml"]
    )
    assert isinstance(feed, InputUnit) and feed.kind == "feed"
    assert isinstance(atom, InputUnit) and atom.kind == "feed"
    assert sitemap == InputError(
        str(tmp_path / "sitemap.xml"), "XML file is not an RSS or Atom feed (only feeds are read)"
    )


def test_unit_key_changes_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("first", encoding="utf-8")
    (before,) = _units([path])
    path.write_text("second version", encoding="utf-8")
    os.utime(path, ns=(before.mtime_ns + 10**9, before.mtime_ns + 10**9))
    (after,) = _units([path])
    assert isinstance(before, InputUnit) and isinstance(after, InputUnit)
    assert before.key.startswith(str(path)) and before.key != after.key
    assert (after.size, after.path) == (len("second version"), path)
    url = InputUnit("https://example.com/a", "url", None, 0, 0)
    assert url.key == "https://example.com/a"


def test_kind_of_looks_through_gz() -> None:
    assert kind_of(Path("x/A.WARC.GZ")) == ("warc", ".warc")
    assert kind_of(Path("x/feed.atom")) == ("feed", ".atom")
    assert kind_of(Path("x/page.xhtml.gz")) == ("html", ".xhtml")
    assert kind_of(Path("x/data.arc.gz")) == (None, ".arc")


# -- JSONL -----------------------------------------------------------------------------------
JSONL_LINES = [
    {
        "text": "First story.",
        "url": "https://a.example/1",
        "title": "One",
        "published": "2025-03-04",
        "source": "Daily A",
        "author": "Ann Lee",
    },
    {
        "content": "Second story.",
        "link": "https://b.example/2",
        "headline": "Two",
        "datePublished": "March 5, 2025",
        "site_name": "B News",
        "authors": ["Bo Li", "Cy Ng"],
    },
    "BLANK",
    "{not json",
    [1, 2],
    {"title": "no text here"},
    {"text": "   "},
    {"html": "<p>Third story.</p>", "date": 1741046400, "publisher": {"name": "C Wire"}},
    {"text": "<!DOCTYPE html><html><p>Fourth</p></html>", "authors": [{"name": "Di Ott"}]},
]


def _write_jsonl(path: Path, rows: list[object]) -> None:
    lines = [
        "" if row == "BLANK" else row if isinstance(row, str) else json.dumps(row) for row in rows
    ]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


@pytest.mark.parametrize("name", ["dump.jsonl", "dump.ndjson.gz"])
def test_jsonl_records_and_bad_lines(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _write_jsonl(path, JSONL_LINES)
    items = _read(path)
    loc = str(path)
    records = [i for i in items if isinstance(i, RawRecord)]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [r.location for r in records] == [f"{loc}#L1", f"{loc}#L2", f"{loc}#L8", f"{loc}#L9"]
    first, second, third, fourth = records
    assert first == RawRecord(
        location=f"{loc}#L1",
        content="First story.",
        format="text",
        url="https://a.example/1",
        title="One",
        published="2025-03-04",
        author="Ann Lee",
        source="Daily A",
        encoding="utf-8",
    )
    assert (second.url, second.title, second.published, second.source, second.author) == (
        "https://b.example/2",
        "Two",
        "March 5, 2025",
        "B News",
        "Bo Li, Cy Ng",
    )
    assert (third.format, third.published, third.source) == ("html", "1741046400", "C Wire")
    assert (fourth.format, fourth.author) == ("html", "Di Ott")
    assert [(e.location, e.message) for e in errors] == [
        (
            f"{loc}#L4",
            "invalid JSON (Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1))",
        ),
        (f"{loc}#L5", "expected a JSON object, got an array"),
        (
            f"{loc}#L6",
            "no text field (expected one of: text, content, body, article, maintext, "
            "html, raw_html, raw_content)",
        ),
        (f"{loc}#L7", "text field 'text' is empty or not a string"),
    ]


def test_jsonl_line_over_the_cap_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    rows = [{"text": "x" * 400}, {"text": "ok"}, {"text": "y" * 100}]
    _write_jsonl(path, rows)
    items = _read(path, Settings(max_bytes=200))
    assert items[0] == InputError(
        f"{path}#L1", "line is over the 200-byte limit (raise it with --max-bytes)"
    )
    assert [(i.location, i.content) for i in items[1:] if isinstance(i, RawRecord)] == [
        (f"{path}#L2", "ok"),
        (f"{path}#L3", "y" * 100),
    ]


def test_jsonl_legacy_encoded_line(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_bytes('{"text": "caf\u00e9 \u201cnoir\u201d"}\n'.encode("cp1252"))
    assert _one_record(path).content == "café “noir”"


def test_jsonl_corrupt_gzip_keeps_earlier_lines(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    rows = "".join(json.dumps({"text": f"story {i} " + "z" * 50}) + "\n" for i in range(2000))
    data = gzip.compress(rows.encode())
    path.write_bytes(data[: len(data) // 2])
    items = _read(path)
    *records, error = items
    assert records and all(isinstance(r, RawRecord) for r in records)
    assert isinstance(error, InputError)
    assert error.location == str(path)
    assert error.message.startswith(f"corrupt gzip file after line {len(records)} (")


# -- WARC ------------------------------------------------------------------------------------
def _response(writer: WARCWriter, uri: str, status: str, content_type: str, body: bytes) -> object:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), http_headers=headers
    )


def _write_mixed_warc(path: Path) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.suffix == ".gz")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        request = StatusAndHeaders(
            "GET /news HTTP/1.1", [("Host", "a.example")], is_http_request=True
        )
        writer.write_record(
            writer.create_warc_record(
                "https://a.example/news", "request", payload=io.BytesIO(b""), http_headers=request
            )
        )
        page = b"<html><head><title>News</title></head><body><p>Story</p></body></html>"
        writer.write_record(
            _response(writer, "https://a.example/news", "200 OK", "text/html; charset=utf-8", page)
        )
        writer.write_record(
            _response(writer, "https://a.example/x", "404 Not Found", "text/html", b"<p>no</p>")
        )
        writer.write_record(
            _response(writer, "https://a.example/i.png", "200 OK", "image/png", PNG)
        )
        writer.write_record(
            writer.create_warc_record(
                "https://a.example/notes.txt",
                "resource",
                payload=io.BytesIO(b"Plain notes.\r\n"),
                warc_content_type="text/plain",
            )
        )
        latin = "<p>Caf\u00e9 \u00e0 Z\u00fcrich</p>".encode("latin-1")
        writer.write_record(
            _response(
                writer, "https://b.example/", "200 OK", "text/html; charset=ISO-8859-1", latin
            )
        )
        writer.write_record(
            writer.create_warc_record(
                "https://b.example/",
                "metadata",
                payload=io.BytesIO(b"via: https://a.example/\r\n"),
                warc_content_type="application/warc-fields",
            )
        )


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_pages_are_read_and_other_records_skipped(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _write_mixed_warc(path)
    items = _read(path)
    assert all(isinstance(i, RawRecord) for i in items)
    found = [(i.location, i.url, i.format, i.content) for i in items]
    assert found == [
        (
            f"{path}#record=3",
            "https://a.example/news",
            "html",
            "<html><head><title>News</title></head><body><p>Story</p></body></html>",
        ),
        (f"{path}#record=6", "https://a.example/notes.txt", "text", "Plain notes.\n"),
        (f"{path}#record=7", "https://b.example/", "html", "<p>Café à Zürich</p>"),
    ]


def test_warc_payload_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        big = b"<p>" + b"w" * 5000 + b"</p>"
        writer.write_record(_response(writer, "https://a.example/big", "200 OK", "text/html", big))
        writer.write_record(_response(writer, "https://a.example/ok", "200 OK", "text/html", b"ok"))
    items = _read(path, Settings(max_bytes=1000))
    assert items[0] == InputError(
        f"{path}#record=1",
        "record payload is over the 1,000-byte limit (raise it with --max-bytes)",
    )
    assert isinstance(items[1], RawRecord) and items[1].location == f"{path}#record=2"


def _three_page_warc(gz: bool) -> tuple[bytes, list[int]]:
    """A WARC of three pages and the offsets where each record ends."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    ends = []
    for number in range(1, 4):
        body = f"<html><p>Page {number} ".encode() + b"filler text " * 200 + b"</p></html>"
        uri = f"https://a.example/{number}"
        writer.write_record(_response(writer, uri, "200 OK", "text/html", body))
        ends.append(out.tell())
    return out.getvalue(), ends


@pytest.mark.parametrize("cut", [10, 60, 200], ids=["cut-10", "cut-60", "cut-200"])
def test_truncated_warc_gz_keeps_earlier_records(tmp_path: Path, cut: int) -> None:
    data, ends = _three_page_warc(gz=True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: ends[1] + cut])  # the third record's gzip member is cut short
    *records, error = _read(path)
    assert [r.location for r in records] == [f"{path}#record=1", f"{path}#record=2"]
    assert all(isinstance(r, RawRecord) and "filler" in r.content for r in records)
    assert isinstance(error, InputError)
    assert error.location == f"{path}#record=3"
    assert "truncated" in error.message


def test_truncated_uncompressed_warc(tmp_path: Path) -> None:
    data, ends = _three_page_warc(gz=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: ends[2] - 100])  # inside the third record's payload
    *records, error = _read(path)
    assert len(records) == 2
    assert error == InputError(f"{path}#record=3", "truncated record (the archive ends inside it)")


def test_file_that_is_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc"
    path.write_text("hello, this is not an archive\n", encoding="utf-8")
    assert _one_error(path) == InputError(
        f"{path}#record=1", "not a WARC record (looks like ARC; only WARC is read)"
    )
    path.write_bytes(b"\x00\x01binary")
    error = _one_error(path)
    assert error.location == f"{path}#record=1"
    assert error.message.startswith("corrupt or truncated archive (")


def test_empty_warc(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    assert _one_error(path) == InputError(str(path), "empty file")


# -- feeds -----------------------------------------------------------------------------------
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>The Daily Planet</title>
  <link>https://planet.example/</link>
  <item>
    <title>Dock strike enters third day</title>
    <link>https://planet.example/strike</link>
    <pubDate>Tue, 04 Mar 2025 09:30:00 GMT</pubDate>
    <dc:creator>Lois Lane</dc:creator>
    <description>Short teaser.</description>
    <content:encoded><![CDATA[<p>Dock workers kept the terminal closed.</p>]]></content:encoded>
  </item>
  <item>
    <title>Library reopens</title>
    <link>https://planet.example/library</link>
    <description>The library reopened on Saturday.</description>
  </item>
  <item>
    <title>Nothing to read</title>
    <link>https://planet.example/empty</link>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harbour Wire</title>
  <id>urn:uuid:feed</id>
  <updated>2025-03-05T10:00:00Z</updated>
  <entry>
    <title>Ships wait offshore</title>
    <id>urn:uuid:1</id>
    <link href="https://wire.example/ships"/>
    <published>2025-03-05T08:00:00Z</published>
    <updated>2025-03-05T09:00:00Z</updated>
    <author><name>Mara Quist</name></author>
    <content type="html">&lt;p&gt;Forty ships are waiting.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Talks resume</title>
    <id>urn:uuid:2</id>
    <link href="https://wire.example/talks"/>
    <updated>2025-03-06T07:00:00Z</updated>
    <summary>Talks resume on Monday.</summary>
  </entry>
</feed>
"""


def test_rss_feed(tmp_path: Path) -> None:
    path = tmp_path / "planet.rss"
    path.write_text(RSS, encoding="utf-8")
    first, second, third = _read(path)
    assert first == RawRecord(
        location=f"{path}#entry=1",
        content="<p>Dock workers kept the terminal closed.</p>",
        format="html",
        url="https://planet.example/strike",
        title="Dock strike enters third day",
        published="Tue, 04 Mar 2025 09:30:00 GMT",
        author="Lois Lane",
        source="The Daily Planet",
        encoding="utf-8",
    )
    assert isinstance(second, RawRecord)
    assert (second.location, second.content, second.format, second.published) == (
        f"{path}#entry=2",
        "The library reopened on Saturday.",
        "text",
        None,
    )
    assert third == InputError(f"{path}#entry=3", "feed entry has no content or summary")


def test_atom_feed_as_xml_gz(tmp_path: Path) -> None:
    path = tmp_path / "wire.xml.gz"
    path.write_bytes(gzip.compress(ATOM.encode()))
    first, second = _read(path)
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert (first.location, first.content, first.format) == (
        f"{path}#entry=1",
        "<p>Forty ships are waiting.</p>",
        "html",
    )
    assert (first.url, first.title, first.published, first.author, first.source) == (
        "https://wire.example/ships",
        "Ships wait offshore",
        "2025-03-05T08:00:00Z",
        "Mara Quist",
        "Harbour Wire",
    )
    # No <published>: the entry's <updated> date is the best there is.
    assert (second.content, second.format, second.published) == (
        "Talks resume on Monday.",
        "text",
        "2025-03-06T07:00:00Z",
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not a feed at all", "("),
        (PNG, "("),
        (b"<html><body><p>A web page</p></body></html>", "(no feed element)"),
    ],
)
def test_unreadable_feed(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "broken.rss"
    path.write_bytes(data)
    error = _one_error(path)
    assert error.location == str(path)
    assert error.message.startswith("not a readable RSS or Atom feed " + reason)


def test_truncated_feed_keeps_the_entries_it_has(tmp_path: Path) -> None:
    # feedparser reads malformed XML leniently (real feeds often are), so a cut-off feed
    # still gives its complete entries; the cut-off one has no content and is reported.
    path = tmp_path / "cut.rss"
    path.write_text(RSS[: RSS.index("<title>Nothing")], encoding="utf-8")
    first, second, third = _read(path)
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert third == InputError(f"{path}#entry=3", "feed entry has no content or summary")


# -- URL lists -------------------------------------------------------------------------------
def test_url_list(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text(
        "# morning sources\n"
        "https://a.example/news?id=1\n"
        "\n"
        "   http://b.example/  \n"
        "ftp://c.example/file\n"
        "a.example/no-scheme\n"
        "https://a.example/news?id=1\n"
        "http://\n",
        encoding="utf-8",
    )
    items = list(discover_urls(path, SETTINGS))
    assert items == [
        InputUnit("https://a.example/news?id=1", "url", None, 0, 0),
        InputUnit("http://b.example/", "url", None, 0, 0),
        InputError(f"{path}#L5", "not an http(s) URL: 'ftp://c.example/file'"),
        InputError(f"{path}#L6", "not an http(s) URL: 'a.example/no-scheme'"),
        InputError(f"{path}#L8", "not an http(s) URL: 'http://'"),
    ]


def test_url_list_missing(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    assert list(discover_urls(path, SETTINGS)) == [
        InputError(str(path), "no such file or directory")
    ]


# -- Parquet ---------------------------------------------------------------------------------
def test_parquet_rows_are_records_and_a_damaged_file_is_an_error(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "pages.parquet"
    rows = [{"title": "Dock strike ends", "text": "The strike ended today.", "url": "https://a.example/1"},
            {"title": "No body", "text": None, "url": None}]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), path)
    first, second = _read(path)
    assert isinstance(first, RawRecord) and first.location == f"{path}#row=1"
    assert (first.title, first.content, first.url) == (
        rows[0]["title"],
        rows[0]["text"],
        rows[0]["url"],
    )
    assert isinstance(second, InputError) and "text field 'text'" in second.message
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really parquet")
    (error,) = _read(broken)
    assert isinstance(error, InputError) and "not a readable Parquet file" in error.message
