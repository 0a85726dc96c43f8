"""extract_html: body vs page furniture, line kinds, metadata, scripts, bad input; a few
extraction-dev pages when ../shared is available."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

import pytest

from storytrace.errors import ExtractionError
from storytrace.extract.html import extract_html
from support import SHARED

EXTRACTION_DEV = SHARED / "eval" / "extraction-dev"

PARAGRAPHS = [
    "The storm reached the coast early on Tuesday and flooded several streets near the "
    "harbour, officials said, as crews worked through the night to pump out basements.",
    "Dozens of homes lost power and the main road into town was closed for hours while "
    "workers cleared fallen trees and debris from the carriageway.",
    "Forecasters expect calmer weather later in the week, although more rain is possible on "
    "Sunday, and residents were asked to keep away from the sea front until then.",
]
QUOTE = '"We have never seen the water this high," said the mayor, Anna Berg, on Tuesday.'
ITEMS = ["Schools stay closed for the day across the district.", "Ferries are cancelled."]

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<title>Storm floods harbour streets | Coastal Times</title>
<meta property="og:site_name" content="Coastal Times">
<meta property="article:published_time" content="2024-06-18T09:15:00+00:00">
<meta name="author" content="Jane Doe">
<script>window.tracker = "TRACKER-IN-HEAD";</script>
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<header><div class="logo">Coastal Times</div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>Storm floods harbour streets</h1>
<p>{PARAGRAPHS[0]}</p>
<h2>Power cuts and closed roads</h2>
<p>{PARAGRAPHS[1]}</p>
<ul><li>{ITEMS[0]}</li><li>{ITEMS[1]}</li></ul>
<blockquote><p>{QUOTE}</p></blockquote>
<p>{PARAGRAPHS[2]}</p>
</article>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<aside><h3>Related stories</h3><ul>
<li><a href="/a">Ten ways to prepare your home for the storm season</a></li>
<li><a href="/b">Harbour festival postponed until the autumn</a></li></ul></aside>
</main>
<footer><p>© 2024 Coastal Times. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""

FURNITURE = [
    "We use cookies to improve your experience. Accept all cookies",
    "Home",
    "Share on Facebook Share on X",
    "Ten ways to prepare your home for the storm season",
    "© 2024 Coastal Times. All rights reserved.",
]


def body_of(html: str) -> str:
    return "\n".join(line.text for line in extract_html(html).lines)


def test_article_body_is_extracted_and_furniture_removed() -> None:
    result = extract_html(PAGE, "https://coastal.example/news/storm")
    body = "\n".join(line.text for line in result.lines)
    for paragraph in [*PARAGRAPHS, QUOTE, *ITEMS]:
        assert paragraph in body
    removed = {r.text for r in result.removed}
    for furniture in FURNITURE:
        assert furniture not in body
        assert furniture in removed
    assert all(r.reason in ("html:boilerplate", "metadata:title") for r in result.removed)


def test_lines_and_removed_lines_share_page_order() -> None:
    result = extract_html(PAGE)
    numbers = [line.line_no for line in result.lines]
    assert numbers == sorted(numbers)
    removed = {r.text: r.line_no for r in result.removed}
    assert removed["Home"] < numbers[0] < numbers[-1] < removed["Share on Facebook Share on X"]


def test_line_kinds() -> None:
    kinds = {line.text: line.kind for line in extract_html(PAGE).lines}
    assert kinds["Power cuts and closed roads"] == "heading"
    assert kinds[PARAGRAPHS[0]] == "paragraph"
    assert kinds[ITEMS[0]] == "list_item"
    assert kinds[QUOTE] == "quote"


def test_metadata() -> None:
    result = extract_html(PAGE, "https://coastal.example/news/storm")
    assert result.title == "Storm floods harbour streets"
    assert result.published == "2024-06-18"
    assert result.published_text is not None
    assert "article:published_time" in result.published_text
    assert "2024-06-18T09:15:00+00:00" in result.published_text
    assert result.author == "Jane Doe"
    assert result.site == "Coastal Times"
    assert result.url == "https://coastal.example/news/storm"


def test_site_falls_back_to_host_and_date_to_json_ld() -> None:
    page = PAGE.replace('<meta property="og:site_name" content="Coastal Times">', "").replace(
        '<meta property="article:published_time" content="2024-06-18T09:15:00+00:00">',
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-06-17T20:00:00Z"}</script>',
    )
    page = page.replace("Coastal Times", "The Paper")
    result = extract_html(page, "https://www.coastal.example/news/storm")
    assert result.published == "2024-06-17"
    assert result.published_text == 'JSON-LD "datePublished": "2024-06-17T20:00:00Z"'
    assert result.site == "coastal.example"


def test_script_in_article_never_in_output() -> None:
    page = PAGE.replace(
        f"<p>{PARAGRAPHS[2]}</p>",
        '<script>document.write("SCRIPT-TEXT-XYZ"); var secret = "SECRET-XYZ";</script>'
        f"<p>{PARAGRAPHS[2]}</p><noscript>NOSCRIPT-XYZ</noscript>"
        "<style>.x { content: 'STYLE-XYZ'; }</style>",
    )
    result = extract_html(page)
    everything = " ".join(
        [*(line.text for line in result.lines), *(r.text for r in result.removed)]
    )
    for marker in ("SCRIPT-TEXT", "SECRET", "NOSCRIPT", "STYLE", "TRACKER"):
        assert marker not in everything
    assert PARAGRAPHS[2] in everything


def test_hidden_elements_are_not_page_text() -> None:
    page = PAGE.replace("<footer>", '<div style="display: none">HIDDEN-XYZ text</div><footer>')
    assert "HIDDEN-XYZ text" not in {r.text for r in extract_html(page).removed}


def test_malformed_html_still_extracts() -> None:
    page = (
        "<html><head><title>Broken page</title></head><body><div><article>"
        f"<p>{PARAGRAPHS[0]}<p>{PARAGRAPHS[1]} <b>bold and never closed"
        f"<div><p>{PARAGRAPHS[2]}</span></td>"
    )
    body = body_of(page)
    for paragraph in PARAGRAPHS:
        assert paragraph in body


def test_fragment_without_html_element_is_accepted() -> None:
    body = body_of("".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    assert PARAGRAPHS[0] in body


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "<script>alert('x')</script>",
        "<html><head><script>var a = 1;</script></head><body><script>b()</script></body></html>",
        "<html><body></body></html>",
    ],
)
def test_no_text_raises(html: str) -> None:
    with pytest.raises(ExtractionError, match="no article text found in HTML"):
        extract_html(html)


def test_non_ascii_text() -> None:
    paragraphs = [
        "Die Stürme über der Nordsee haben am Dienstag mehrere Straßen in Küstennähe "
        "überflutet, teilte die Stadtverwaltung mit; Einsatzkräfte arbeiteten bis spät.",
        "Жители прибрежных районов получили предупреждение о новых ливнях в воскресенье, "
        "а паромное сообщение приостановлено до среды.",
        "港口附近的多条街道在周二清晨被洪水淹没，官员表示，救援人员彻夜抽水。",
    ]
    page = PAGE
    for old, new in zip(PARAGRAPHS, paragraphs, strict=True):
        page = page.replace(old, new)
    page = page.replace("Storm floods harbour streets", "Sturmflut überschwemmt Straßen")
    result = extract_html(page)
    body = "\n".join(line.text for line in result.lines)
    for paragraph in paragraphs:
        assert paragraph in body
    assert result.title == "Sturmflut überschwemmt Straßen"


# -- real pages ------------------------------------------------------------------------------
def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3)))


def _f1(pred: str, gold: str) -> float:
    predicted, expected = _shingles(pred), _shingles(gold)
    common = sum((predicted & expected).values())
    if not common:
        return 0.0
    precision, recall = common / predicted.total(), common / expected.total()
    return 2 * precision * recall / (precision + recall)


@pytest.mark.skipif(not EXTRACTION_DEV.is_dir(), reason="../shared/eval not available")
def test_extraction_dev_pages() -> None:
    truth = json.loads((EXTRACTION_DEV / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth)[1:4]:
        html = gzip.decompress((EXTRACTION_DEV / "html" / f"{key}.html.gz").read_bytes())
        result = extract_html(html.decode("utf-8", errors="replace"), truth[key].get("url"))
        body = "\n".join(line.text for line in result.lines)
        assert _f1(body, truth[key]["articleBody"]) > 0.8, key
