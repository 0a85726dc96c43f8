"""One input record into a document: extraction, per-page furniture rules, content id.

Shared by the store's read stage and batch mode, so the same page gets the same document
id and the same candidate lines either way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from storytrace.extract.dates import parse_date
from storytrace.extract.furniture import remove_patterns
from storytrace.extract.html import extract_html
from storytrace.extract.text import parse_text
from storytrace.model import Block, Document, Extraction, Line, RawRecord, document_id


def extract_record(record: RawRecord) -> tuple[Document, list[Line]]:
    """A document (metadata, raw text, per-document removals) and its candidate lines."""
    if record.format == "html":
        found = extract_html(record.content, record.url)
        kept, removed = remove_patterns(found.lines)
        found.lines, found.removed = kept, [*found.removed, *removed]
    else:
        found = parse_text(record.content)
    doc = Document(
        id=record.id or _content_id(record, found),
        text="",
        format=record.format,
        location=record.location,
        raw=record.content,
        title=record.title or found.title,
        url=record.url or found.url,
        author=record.author or found.author,
        declared_source=found.declared_source,
        removed=sorted(found.removed, key=lambda r: r.line_no),
    )
    doc.site = record.source or found.site or _host(doc.url)
    doc.published, doc.published_text = _published(record, found)
    return doc, found.lines


def _content_id(record: RawRecord, found: Extraction) -> str:
    """Stable id from the normalized visible content: for text the whole input, for HTML the
    extracted title, body and the page text around it (markup and scripts do not count)."""
    if record.format == "text":
        return document_id(None, [record.content])
    visible = sorted([*found.lines, *found.removed], key=lambda x: x.line_no)
    return document_id(found.title, [x.text for x in visible])


def _published(record: RawRecord, found: Extraction) -> tuple[str | None, str | None]:
    """The container's date wins over one found in the page (it is usually more reliable)."""
    if record.published:
        parsed = parse_date(record.published)
        if parsed:
            return parsed, record.published
    return found.published, found.published_text


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def assemble(lines: list[Line]) -> tuple[str, list[Block]]:
    """Clean text from kept lines: one block per line, blocks separated by a blank line."""
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if parts:
            offset += 2
        blocks.append(Block(offset, offset + len(text), line.kind))
        parts.append(text)
        offset += len(text)
    return "\n\n".join(parts), blocks
