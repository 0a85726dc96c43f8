"""HTML pages: the article body and metadata with trafilatura, the publication date with
htmldate, and the page text that was left out, kept for auditing.

The page is parsed once. The visible text blocks are read from that tree first (read-only),
then trafilatura works on it (it copies the tree before cleaning it), so the page's furniture
can be listed without a second parse.

Every line, kept or removed, is numbered by its position among the page's visible blocks, so
sorting both lists by ``line_no`` gives back the page order.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.utils import load_html

from storytrace.errors import ExtractionError
from storytrace.extract.dates import parse_date
from storytrace.model import BlockKind, Extraction, Line, RemovedLine

NO_TEXT = "no article text found in HTML"

# Chosen on extraction-dev (benchmarks/extraction.py): precision mode drops most leftover
# furniture (related links, captions, newsletter boxes) at a small cost in recall. Comments
# are not article text. Tables are kept: some stories carry their figures in one.
# No deduplication: trafilatura's cache is shared across documents, which would make one
# page's output depend on the pages processed before it.
_OPTIONS = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "deduplicate": False,
    "with_metadata": True,
}
# htmldate settings: the first publication (not the last update), text patterns included.
_DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%d"}
# Precision mode sometimes keeps only a stub (a teaser, a standfirst) of a page laid out in an
# unusual way. As trafilatura does for its own recall escalation (same constants, calibrated
# by its authors on their benchmark suite): an extraction shorter than _RETRY_MAX_CHARS that
# covers less than _RETRY_PAGE_SHARE of the page's visible text is redone in balanced mode,
# and the new one kept if it is at least _RETRY_ACCEPT_RATIO times longer.
_RETRY_MAX_CHARS = 3000
_RETRY_PAGE_SHARE = 0.2
_RETRY_ACCEPT_RATIO = 1.5

_MAX_PAGE_BLOCKS = 5000  # stop reading giant pages; the article has long been found by then
_MAX_REMOVED = 500
_MAX_REMOVED_CHARS = 2000
_MIN_CONTAINED_CHARS = 20  # shorter text counts as "in the body" only as a whole line


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Block-level elements: each starts a new visible line. (<br> does not: trafilatura keeps
# text around a single break in one paragraph, so the page's blocks do so too.)
_BLOCK_TAGS = _names(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav "
    "ol p pre section summary table tbody td tfoot th thead tr ul"
)
# Never visible text (or not text at all): scripts are skipped, never kept.
_SKIP_TAGS = _names(
    "script style noscript template head svg math iframe object embed canvas select textarea input"
)
# Inline elements a browser draws apart from their neighbours ("Share" "Save" buttons).
_SPACED_TAGS = _names("br button label img")
_QUOTE_BLOCKS = ("p", "list", "head")
_KIND_OF_TAG: dict[str, BlockKind] = {"head": "heading", "item": "list_item", "quote": "quote"}
_BREAK = "\x00"  # stands for <lb/>: lxml text can never contain NUL, so it cannot clash
_PARAGRAPH_BREAK = re.compile(rf"{_BREAK}\s*{_BREAK}[\s{_BREAK}]*")
_SPACE = re.compile(rf"[\s{_BREAK}]+")
_WORD = re.compile(r"\w+")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def extract_html(html: str, url: str | None = None) -> Extraction:
    """Article text, metadata and the left-out page text of one HTML page.

    Raises ExtractionError when the page is empty, unparsable or has no article text.
    """
    tree = _parse(html)
    blocks = _page_blocks(tree)
    found = _run_trafilatura(tree, url, sum(len(block) for block in blocks))
    body = _body_lines(found.body) if found is not None else []
    if found is None or not body:
        raise ExtractionError(NO_TEXT)
    lines, removed = _align(body, blocks, found.title)
    published, evidence = _published(tree, found.date, url or found.url)
    return Extraction(
        title=found.title or None,
        published=published,
        published_text=evidence,
        author=found.author or None,
        site=found.sitename or _host(url or found.url),
        url=url or found.url or None,
        lines=lines,
        removed=removed,
    )


# -- parsing -------------------------------------------------------------------------------
def _parse(html: str) -> HtmlElement:
    if not html or not html.strip():
        raise ExtractionError(NO_TEXT)
    tree = _load(html)
    if tree is None:
        # trafilatura rejects a bare fragment ("<p>..</p>" alone), as feeds carry them.
        tree = _load(f"<html><body>{html}</body></html>")
    if tree is None:
        raise ExtractionError(NO_TEXT)
    return tree


def _load(html: str) -> HtmlElement | None:
    try:
        return load_html(html)
    except (ValueError, TypeError, etree.LxmlError):
        return None


# -- the article, by trafilatura ----------------------------------------------------------
def _run_trafilatura(
    tree: HtmlElement, url: str | None, page_chars: int
) -> TrafilaturaDocument | None:
    precise = _bare(tree, url, precision=True)
    precise_chars = len(precise.text or "") if precise is not None else 0
    if precise_chars >= min(_RETRY_MAX_CHARS, _RETRY_PAGE_SHARE * page_chars):
        return precise
    balanced = _bare(tree, url, precision=False)
    if balanced is not None and len(balanced.text or "") >= _RETRY_ACCEPT_RATIO * precise_chars:
        return balanced
    return precise


def _bare(tree: HtmlElement, url: str | None, precision: bool) -> TrafilaturaDocument | None:
    try:
        found = bare_extraction(
            tree,
            url=url,
            favor_precision=precision,
            date_extraction_params=dict(_DATE_PARAMS),
            **_OPTIONS,
        )
    # Heuristics over arbitrary web markup: a crash on one odd page must not stop a batch
    # of thousands; the page is reported as having no extractable text instead.
    except Exception:
        return None
    return found if isinstance(found, TrafilaturaDocument) else None


def _body_lines(body: etree._Element | None) -> list[tuple[str, BlockKind]]:
    """(text, kind) for each block of trafilatura's XML body, in order."""
    out: list[tuple[str, BlockKind]] = []
    for element in body if body is not None else ():
        _collect(element, out, None)
    return out


def _collect(
    element: etree._Element, out: list[tuple[str, BlockKind]], kind: BlockKind | None
) -> None:
    tag = element.tag
    if tag == "list":
        for item in element.iterchildren("item"):
            _add(out, _segments(item, skip=("list",)), kind or "list_item")
            for nested in item.iterchildren("list"):
                _collect(nested, out, kind)
    elif tag == "table":
        for row in element.iter("row"):
            cells = [" ".join(_segments(cell)) for cell in row.iterchildren("cell")]
            _add(out, [" | ".join(cell for cell in cells if cell)], kind or "paragraph")
    elif tag == "quote" and any(child.tag in _QUOTE_BLOCKS for child in element):
        # A quote holding paragraphs: one quote line per paragraph.
        _add(out, _segments(element, skip=_QUOTE_BLOCKS), "quote")
        for child in element.iterchildren(*_QUOTE_BLOCKS):
            _collect(child, out, "quote")
    else:
        _add(out, _segments(element), kind or _KIND_OF_TAG.get(str(tag), "paragraph"))


def _add(out: list[tuple[str, BlockKind]], texts: list[str], kind: BlockKind) -> None:
    out.extend((text, kind) for text in texts if text)


def _segments(element: etree._Element, skip: tuple[str, ...] = ()) -> list[str]:
    """The element's text split into paragraphs at double line breaks (<lb/><lb/>, as pages
    that separate paragraphs with <br><br> have them), whitespace collapsed; a single break
    is a soft one, often mid-sentence. Children tagged ``skip`` are left out (their text
    becomes lines of its own)."""
    text = "".join(_text_parts(element, skip))
    return [_SPACE.sub(" ", part).strip() for part in _PARAGRAPH_BREAK.split(text)]


def _text_parts(element: etree._Element, skip: tuple[str, ...]) -> list[str]:
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append(_BREAK)
        elif child.tag not in skip:
            parts.extend(_text_parts(child, skip))
        parts.append(child.tail or "")
    return parts


# -- the page's visible text ---------------------------------------------------------------
def _page_blocks(tree: HtmlElement) -> list[str]:
    """The page's visible text, one string per block-level element, in reading order."""
    blocks: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        if parts:
            text = " ".join("".join(parts).split())
            parts.clear()
            if text:
                blocks.append(text)

    walker = etree.iterwalk(tree, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event == "start":
            tag = element.tag
            if tag in _SKIP_TAGS or _hidden(element):
                walker.skip_subtree()  # its "end" still comes, for the tail
                continue
            if tag in _BLOCK_TAGS:
                flush()
            elif tag in _SPACED_TAGS:
                parts.append(" ")
            text = element.text
        elif event == "end":
            if element.tag in _BLOCK_TAGS:
                flush()
                if len(blocks) >= _MAX_PAGE_BLOCKS:
                    break
            elif element.tag in _SPACED_TAGS:
                parts.append(" ")
            text = element.tail
        else:  # a comment or processing instruction: never shown, but the text after it is
            text = element.tail
        if text:
            parts.append(text)
    flush()
    return blocks


def _hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style) and _DISPLAY_NONE.search(style) is not None


# -- kept and removed lines ------------------------------------------------------------------
def _key(text: str) -> str:
    """Words only, case folded: markup spacing and punctuation differ between the page and
    trafilatura's output, words do not."""
    return " ".join(_WORD.findall(text.casefold()))


def _align(
    body: list[tuple[str, BlockKind]], blocks: list[str], title: str | None
) -> tuple[list[Line], list[RemovedLine]]:
    """Body lines numbered by the page block they come from, and the blocks not in the body."""
    keys = [_key(block) for block in blocks]
    first_at: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        first_at.setdefault(key, []).append(index)
    lines: list[Line] = []
    covered: set[int] = set()
    cursor = 0
    for text, kind in body:
        index = _locate(_key(text), keys, first_at, cursor)
        if index is not None:
            covered.add(index)
            cursor = index
        lines.append(Line(text=text, kind=kind, line_no=cursor))
    removed = _removed(blocks, keys, covered, body, title)
    return lines, removed


def _locate(key: str, keys: list[str], first_at: dict[str, list[int]], cursor: int) -> int | None:
    """Index of the page block a body line comes from: the same words, or (for long text)
    one holding the other, searching forward from the previous line's block first."""
    exact = first_at.get(key)
    if exact:
        return next((i for i in exact if i >= cursor), exact[0])
    if len(key) < _MIN_CONTAINED_CHARS:
        return None
    for index in [*range(cursor, len(keys)), *range(cursor)]:
        block = keys[index]
        if len(block) >= _MIN_CONTAINED_CHARS and (block in key or key in block):
            return index
    return None


def _removed(
    blocks: list[str],
    keys: list[str],
    covered: set[int],
    body: list[tuple[str, BlockKind]],
    title: str | None,
) -> list[RemovedLine]:
    pieces = {_key(piece) for text, _ in body for piece in text.split(" | ")}
    body_text = "\n".join(_key(text) for text, _ in body)
    title_key = _key(title or "")
    removed: list[RemovedLine] = []
    for index, (block, key) in enumerate(zip(blocks, keys, strict=True)):
        if not key or index in covered or key in pieces:
            continue
        if len(key) >= _MIN_CONTAINED_CHARS and key in body_text:
            continue
        reason = "metadata:title" if key == title_key else "html:boilerplate"
        removed.append(RemovedLine(line_no=index, text=_clip(block), reason=reason))
        if len(removed) >= _MAX_REMOVED:
            break
    return removed


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_REMOVED_CHARS else text[: _MAX_REMOVED_CHARS - 1] + "…"


# -- publication date ---------------------------------------------------------------------
_DATE_META_WORDS = ("publish", "date", "created", "issued", "pubdate")
_NOT_PUBLICATION = ("modified", "updated", "expir")
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')
_URL_DATE = re.compile(r"(?<!\d)(\d{4})[/_-]?(\d{2})[/_-]?(\d{2})(?!\d)")
# "03/02/2009", "3-2-2009", "02.03.09", "05 / 02 / 2013": day and month, either order.
_NUMERIC_DATE = re.compile(r"(?<![\d.])\d{1,2}\s?([-/.])\s?\d{1,2}\s?\1\s?(?:\d{4}|\d{2})(?![\d])")


def _published(
    tree: HtmlElement, date: str | None, url: str | None
) -> tuple[str | None, str | None]:
    """htmldate's date and where on the page it can be checked: the first meta tag, JSON-LD
    field, <time> element or URL that carries the same day."""
    if not date:
        return None, None
    candidates = [*_meta_dates(tree), *_json_ld_dates(tree), *_time_dates(tree)]
    evidence = _evidence(candidates, date, url)
    if evidence is not None:
        return date, evidence
    # htmldate reads all-numeric dates day first ("03/02/2009": 3 February). On an English
    # page they are read month first instead, by the rule of storytrace.extract.dates.
    numeric = _numeric_reading(tree, candidates, date) if _month_first(tree) else None
    return numeric or (date, "htmldate: found in the page text")


def _month_first(tree: HtmlElement) -> bool:
    """Whether the page declares itself English (``lang="en"`` or ``"en-US"``). Any other
    language or region, or none, keeps htmldate's day-first reading: the one page of
    extraction-dev whose date this would change declares none and is Brazilian."""
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("xml:lang") or ""
    return lang.strip().lower().replace("_", "-") in ("en", "en-us")


def _evidence(candidates: list[tuple[str, str]], date: str, url: str | None) -> str | None:
    compact = date.replace("-", "")
    for evidence, value in candidates:
        if date in value or compact in value:
            return evidence
    if url and any(f"{y}-{m}-{d}" == date for y, m, d in _URL_DATE.findall(url)):
        return f"URL {url}"
    # Dates written out ("Tue, 19 Nov 2019"): parsed only when no value matched as is.
    for evidence, value in candidates:
        if parse_date(value) == date:
            return evidence
    return None


def _numeric_reading(
    tree: HtmlElement, candidates: list[tuple[str, str]], date: str
) -> tuple[str, str] | None:
    """The date read month first and where it is written, when htmldate's ``date`` is its
    day-first reading of an all-numeric date on the page (and is not also written as is)."""
    page_text = tree.text_content()
    if date in page_text:
        return None
    for evidence, value in [*candidates, ("page text", page_text)]:
        for match in _NUMERIC_DATE.finditer(value):
            ours = parse_date(match[0])
            if ours and parse_date(match[0], order="DMY") == date:
                return ours, evidence if evidence != "page text" else f"page text: {match[0]}"
    return None


def _meta_dates(tree: HtmlElement) -> list[tuple[str, str]]:
    found = []
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        for attribute in ("property", "name", "itemprop"):
            name = meta.get(attribute) or ""
            if content and _is_date_name(name.lower()):
                found.append((f'<meta {attribute}="{name}" content="{content}">', content))
    return found


def _is_date_name(name: str) -> bool:
    return any(w in name for w in _DATE_META_WORDS) and not any(w in name for w in _NOT_PUBLICATION)


def _json_ld_dates(tree: HtmlElement) -> list[tuple[str, str]]:
    # The JSON-LD is read as text, for evidence only; no script is run or kept.
    found = []
    for script in tree.iter("script"):
        if "ld+json" in (script.get("type") or ""):
            for value in _JSON_LD_DATE.findall(script.text or ""):
                found.append((f'JSON-LD "datePublished": "{value}"', value))
    return found


def _time_dates(tree: HtmlElement) -> list[tuple[str, str]]:
    found = []
    for element in tree.iter("time"):
        value = (element.get("datetime") or "").strip()
        if value:
            found.append((f'<time datetime="{value}">', value))
    return found


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None
