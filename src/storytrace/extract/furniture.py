"""Removing page furniture (share prompts, view counters, author boxes, comment forms, tags,
related-headline lists, breadcrumbs, copyright lines) from a document's candidate lines.

Two mechanisms work together:

* ``remove_patterns`` looks at one document. Line patterns catch the furniture families that
  every CMS prints in a few recognisable wordings; context rules catch what no pattern can
  (the unrelated headlines listed under "Also Read:", the name line and bio of an author box,
  a tagline in the footer), using where a line sits (the furniture zone at the top or bottom
  of a page, next to a pattern line) and whether it shares content words with the article.
* ``CorpusStats`` / ``remove_repeated`` look across documents: a short line, or a line
  shape ("Views: 764" ~ "Views: 1,387"), that recurs in several documents *with different
  neighbouring lines* is a template; article sentences copied by wire services or
  syndication recur *with the same neighbours* and are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from storytrace.model import Line, RemovedLine
from storytrace.util import clean_text

# --- small text helpers (shared with text.py) -------------------------------------------

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d,.:]*")
_ALPHA_WORD = re.compile(r"[a-z]+")
_TERMINAL = re.compile(r"[.!?][\"')\]]*$")
_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be
    because been before being below between both but by can could did do does doing down
    during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most my myself no nor not now of off on once only or
    other our ours out over own same she should so some such than that the their theirs them
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours new says said one two three
    four five six seven eight nine ten first last year years get gets best top make how"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def clean(text: str) -> str:
    """NFKC, plain quotes and dashes, collapsed spaces: patterns then need one spelling."""
    return clean_text(text)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_words(text: str) -> set[str]:
    return {w for w in _ALPHA_WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS}


def is_sentence(text: str) -> bool:
    """Running article prose: long, or a complete sentence of some length."""
    n = len(words(text))
    return n > 20 or (n >= 7 and bool(_TERMINAL.search(text)))


def is_headline_like(text: str) -> bool:
    """A one-line headline: a few words, no closing full stop, not several sentences."""
    n = len(words(text))
    return 3 <= n <= 22 and not text.endswith(".") and not re.search(r"\.\s+[A-Z]", text)


_NAME_TOKEN = re.compile(
    r"^(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?|[A-Z]\.|Mc[A-Z][a-z]+|[A-Z][a-z]+(?:[A-Z][a-z]+)+)$"
)
_NAME_PARTICLES = frozenset({"de", "van", "von", "da", "del", "der", "la", "le", "bin"})


def is_name(text: str) -> bool:
    """A bare personal name such as an author box prints: "Dana Whitlock", "J. Ray Castel"."""
    tokens = text.strip().split()
    if not 2 <= len(tokens) <= 4:
        return False
    named = [t for t in tokens if t.lower() not in _NAME_PARTICLES]
    return len(named) >= 2 and all(_NAME_TOKEN.match(t) for t in named)


# Below this share of content words also used by the article, a headline is about something
# else. Short headlines share a generic word or two ("save", "water") by chance.
_UNRELATED = 0.6


def overlap(text: str, vocabulary: set[str]) -> float:
    """Share of a line's content words that the article body also uses."""
    own = content_words(text)
    return len(own & vocabulary) / len(own) if own else 0.0


# --- line patterns -----------------------------------------------------------------------

_SOCIAL = (
    r"(?:facebook|twitter|x|whatsapp|e-?mail|linkedin|pinterest|reddit|telegram|print|"
    r"tumblr|flipboard|messenger|copy link|sms)"
)
_SEP = r"\s*[|·•,/]\s*"
_RELATED_HEAD = (
    r"(?:also read|read also|read more|read next|related|related (?:posts?|articles?|stories|"
    r"story|content|news|reading|coverage|links)|similar (?:posts?|articles?|stories)|"
    r"you may (?:also )?(?:like|enjoy|have missed|be interested in)|you might (?:also )?like|"
    r"more (?:headlines|stories|news|articles|quick hits|on this(?: story| topic)?)|"
    r"popular (?:posts?|stories|articles|now)|most (?:read|popular|viewed)|"
    r"recommended(?: for you| reading| stories)?|trending(?: now| stories)?|don't miss|"
    r"must read|recent (?:posts|stories|articles)|latest (?:posts|news|stories)|"
    r"(?:next|previous|prev) (?:story|post|article)|what to read next|"
    r"in case you missed it|further reading|top stories|see also|editor's picks|"
    r"more from [\w&.' -]{1,40})"
)


def _full(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{pattern})$", re.IGNORECASE)


# (reason, pattern) — each pattern must match the whole cleaned line, so a sentence that
# merely mentions sharing or comments never matches.
_LINE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("pattern:share", _full(r"(?:share|spread) (?:this|the|on|it|via|with)\b[^.]{0,60}[:!]?")),
    ("pattern:share", _full(rf"share(?: this)?\s*:\s*(?:{_SOCIAL}(?:{_SEP}{_SOCIAL})*)?")),
    ("pattern:share", _full(rf"(?:share on )?{_SOCIAL}(?:{_SEP}(?:share on )?{_SOCIAL})+")),
    ("pattern:share", _full(r"sharing is caring!?|click to (?:share|print|email)\b.{0,60}")),
    ("pattern:share", _full(r"(?:like|love|enjoy(?:ed)?) this(?: \w+)?(?::|\?[^.]{0,50})")),
    (
        "pattern:share",
        _full(r"[^.]{0,40}\b(?:share|pass) (?:it|this)(?: \w+)? (?:on|with)\b[^.]{0,40}"),
    ),
    ("pattern:share", _full(r"(?:please |don't forget to )?share this .{0,40}")),
    ("pattern:views", _full(r"(?:post |page )?views?\s*:?\s*[\d,.]+(?:\s+\d+)?")),
    ("pattern:views", _full(r"[\d,.]+\s+(?:views|reads|shares)")),
    ("pattern:views", _full(r"reading time\s*:?\s*\d+\s*min(?:ute)?s?|\d+\s*min(?:ute)?s? read")),
    ("pattern:author-box", _full(r"(?:[\w ]{1,30}\|\s*)*\+\s*posts")),
    ("pattern:author-box", _full(r"view all posts(?: by .{1,40})?|about the author|written by")),
    ("pattern:author-box", _full(r"author (?:profile|page|bio)(?:\s*\|\s*[\w ]{1,30})*")),
    ("pattern:author-box", _full(r"(?:see )?(?:more|all) (?:posts|stories|articles) by .{1,40}")),
    ("pattern:comment-form", _full(r"leave a (?:reply|comment)(?: cancel reply)?|cancel reply")),
    ("pattern:comment-form", _full(r"(?:post|add|write|submit) (?:a |your )?comments?")),
    ("pattern:comment-form", _full(r"(?:join|start) the (?:discussion|conversation)")),
    ("pattern:comment-form", _full(r"click here to (?:post|leave|add) a comment\.?")),
    ("pattern:comment-form", _full(r"your email address will not be published\..{0,80}")),
    ("pattern:comment-form", _full(r"required fields are marked \*?\.?")),
    ("pattern:comment-form", _full(r"save my name, email,? and website\b.{0,80}")),
    ("pattern:comment-form", _full(r"comments? (?:are|is) (?:closed|moderated|disabled)\b.{0,80}")),
    (
        "pattern:comment-form",
        _full(r"commenting (?:has been|is) (?:turned off|closed|disabled)\b.*"),
    ),
    ("pattern:comment-form", _full(r"you must be logged in to (?:post|leave) a comment\.?")),
    ("pattern:comment-form", _full(r"logged in as .{1,40}\blog out\??\.?")),
    (
        "pattern:comment-form",
        _full(r"(?:\d+|no|one) (?:comments?|responses?|replies)(?: yet)?|comments?\s*\(\d+\)"),
    ),
    ("pattern:tags", _full(r"(?:tags?|tagged|categor(?:y|ies)|topics)\s*:\s*[^.]{1,150}")),
    ("pattern:tags", _full(r"(?:filed under|tagged with)\s*:?\s*[^.]{1,150}")),
    (
        "pattern:tags",
        _full(r"posted in\s*:\s*[^.]{1,100}|posted in (?-i:(?:[A-Z0-9][\w&'-]*\s?){1,5})"),
    ),
    (
        "pattern:newsletter",
        _full(
            r".{0,40}\b(?:subscribe|sign up)\b.{0,60}\b(?:newsletter|updates|alerts|inbox)\b.{0,40}"
        ),
    ),
    (
        "pattern:newsletter",
        _full(
            r"(?:get|join|sign up for|subscribe to) (?:our|the)(?: [\w'-]+){0,3} "
            r"(?:newsletter|daily briefing|briefing|digest|alerts)\b.{0,80}"
        ),
    ),
    # Agency credit lines: "(Reporting by A; Editing by B)".
    (
        "pattern:credits",
        _full(
            r"\((?:additional )?(?:reporting|writing|editing|compiled|graphics) by [^)]{1,150}\)"
        ),
    ),
    ("pattern:related-list", _full(rf"{_RELATED_HEAD}\s*[:»›>]*")),
    ("pattern:related-list", _full(rf"{_RELATED_HEAD}\s*:\s*[^.]{{1,120}}")),
    ("pattern:related-list", _full(r"more [\w ]{1,30}[»›>]")),
    (
        "pattern:navigation",
        _full(r"[←«<]?\s*(?:previous|prev|next|older|newer) (?:post|story|article|entry)\s*[→»>]?"),
    ),
    (
        "pattern:navigation",
        _full(r"post navigation|back to top|skip to (?:main )?content|go to top"),
    ),
    ("pattern:breadcrumb", _full(r"[\w&' -]{1,30}(?:\s*[»›]\s*[\w&' -]{1,30}){1,5}")),
    ("pattern:breadcrumb", _full(r"home(?:\s*[/>]\s*[\w&' -]{1,30}){1,5}")),
    (
        "pattern:copyright",
        _full(r"(?:©|\(c\)|copyright\s*(?:©\s*)?\d{4}).{0,150}|.{0,120}\ball rights reserved\.?"),
    ),
    (
        "pattern:widget",
        _full(
            r"loading\.{0,3}|advertisement|sponsored(?: content)?"
            r"|print(?: this)?(?: article| story)?"
        ),
    ),
    ("pattern:widget", _full(r"word of the (?:day|week)\s*:.{1,120}")),
    ("pattern:widget", _full(r"was this (?:article|story|post|page) (?:helpful|useful)\?.{0,30}")),
    ("pattern:widget", _full(r"(?:reading )?level\s*:\s*\w+|difficulty\s*:\s*\w+")),
    ("pattern:widget", _full(r"(?:photo|image|picture) (?:credit|source)\s*:.{1,80}")),
]

# Comment-form field labels ("Name *", "Website", "Comment") are ordinary words alone, so
# they only count next to another comment-form line.
_FORM_FIELD = _full(r"(?:name|e-?mail|website|comment|your comment|message)\s*\*?\s*:?")
_PIPE_NAV = re.compile(r"^[^|.]{1,40}(?:\s*\|\s*[^|.]{1,40}){1,6}$")
_BIO_START = re.compile(
    r"^(?:The )?(?P<name>(?:[A-Z][\w'.-]+ ){1,3})(?:is|was|has|writes|covers|grew|loves|spent|"
    r"joined|lives|believes|reports|follows|brings|delivers|offers|provides)\b"
)
_FIRST_PERSON = re.compile(r"\b(?:I|my|me|I'm|I've)\b")
_ABOUT_NAME = re.compile(r"^about (?P<name>.+)$", re.IGNORECASE)


def match_pattern(text: str) -> str | None:
    """The reason of the first line pattern the whole line matches, or None."""
    line = clean(text)
    if not line or len(line) > 220:
        return None
    for reason, pattern in _LINE_PATTERNS:
        if pattern.match(line):
            return reason
    return None


def is_navigation(text: str) -> bool:
    """ "Movies | Quick Hits": short pipe-separated labels, as menus and section bars print."""
    line = clean(text)
    return bool(_PIPE_NAV.match(line)) and all(len(s.split()) <= 4 for s in line.split("|"))


_FOOTER_ECHO = re.compile(r"^(?:©|\(c\)|copyright)?\s*(?:\d{4}\s*)?(?P<rest>.*)$", re.IGNORECASE)
_WRITER_WORDS = re.compile(
    r"\b(?:writ\w*|cover\w*|report\w*|journalis\w*|blog\w*|editor|correspondent|columnist|"
    r"stor(?:y|ies)|headlines|newsroom|articles?)\b",
    re.IGNORECASE,
)


def is_site_echo(text: str, others: Iterable[str]) -> bool:
    """A top line ("Easy News Daily") that the footer repeats ("© 2010 Easy News Daily. ...",
    "Easy News Daily: news for learners") is the site's name, not the headline."""
    name = clean(text).casefold()
    if not name or len(name.split()) > 6:
        return False
    for other in others:
        rest = _FOOTER_ECHO.match(clean(other).casefold())
        tail = rest.group("rest") if rest else ""
        if tail != name and tail.startswith(name) and tail[len(name)] in ".:-|,":
            return True
    return False


def is_bio(text: str) -> bool:
    """An author-box bio: "<Name> is a ... writer who ..." or a first-person writer blurb."""
    line = clean(text)
    if len(words(line)) > 90 or not _WRITER_WORDS.search(line):
        return False
    return bool(_BIO_START.match(line) or _FIRST_PERSON.search(line))


# --- per-document rules --------------------------------------------------------------------


@dataclass(slots=True)
class _Page:
    texts: list[str]
    reasons: dict[int, str] = field(default_factory=dict)
    vocabulary: Counter[str] = field(default_factory=Counter)

    def overlap(self, i: int) -> float:
        """Share of line i's content words that the rest of the article uses: a headline
        that ends in "?" counts as a sentence itself, so its own words must not count."""
        own = content_words(self.texts[i])
        if not own:
            return 0.0
        mine = own if self.free(i) and is_sentence(self.texts[i]) else set()
        shared = {w for w in own if self.vocabulary[w] > (1 if w in mine else 0)}
        return len(shared) / len(own)

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.texts) and i not in self.reasons

    def reason(self, i: int) -> str:
        return self.reasons.get(i, "")


def remove_patterns(lines: list[Line]) -> tuple[list[Line], list[RemovedLine]]:
    """Split one document's lines into article lines and furniture (with reasons)."""
    page = _Page([clean(line.text) for line in lines])
    for i, text in enumerate(page.texts):
        reason = match_pattern(text)
        if reason:
            page.reasons[i] = reason
    for i, text in enumerate(page.texts):
        if page.free(i) and is_sentence(text):
            page.vocabulary.update(content_words(text))
    _mark_form_fields(page)
    _mark_author_boxes(page)
    _mark_related_lists(page)
    _mark_top_zone(page)
    _mark_bottom_zone(page)
    kept = [line for i, line in enumerate(lines) if page.free(i)]
    removed = [
        RemovedLine(line.line_no, line.text, page.reasons[i])
        for i, line in enumerate(lines)
        if not page.free(i)
    ]
    return kept, removed


def _mark_form_fields(page: _Page) -> None:
    # Field labels chain: "Comment", "Name *", "Email *", "Website" follow the form's header.
    changed = True
    while changed:
        changed = False
        for i, text in enumerate(page.texts):
            near = (page.reason(i - 1), page.reason(i + 1))
            if page.free(i) and _FORM_FIELD.match(text) and "pattern:comment-form" in near:
                page.reasons[i] = "pattern:comment-form"
                changed = True


def _mark_author_boxes(page: _Page) -> None:
    for i in range(len(page.texts)):
        if not page.free(i):
            continue
        if _about_author(page, i) or _author_name(page, i):
            page.reasons[i] = "pattern:author-box"
    for i, text in enumerate(page.texts):
        if page.free(i) and page.reason(i - 1) == "pattern:author-box" and is_bio(text):
            page.reasons[i] = "pattern:author-box"


def _about_author(page: _Page, i: int) -> bool:
    # "About Dana Reyes" above a bio that starts with the same name.
    about = _ABOUT_NAME.match(page.texts[i])
    return bool(about) and is_name(about["name"]) and _starts_with(page, i + 1, about["name"])


def _author_name(page: _Page, i: int) -> bool:
    # A bare name next to an author-box line, or above a bio that starts with it.
    text = page.texts[i]
    return is_name(text) and (_near_author_box(page, i) or _starts_with(page, i + 1, text))


def _starts_with(page: _Page, i: int, name: str) -> bool:
    return 0 <= i < len(page.texts) and page.texts[i].startswith(name.strip() + " ")


def _near_author_box(page: _Page, i: int) -> bool:
    return "pattern:author-box" in (page.reason(i - 1), page.reason(i + 1))


def _mark_related_lists(page: _Page) -> None:
    # Headlines under "Also Read:" are unrelated to the article: they look like headlines and
    # share almost no content words with the body. The first line failing that ends the list.
    for i in range(len(page.texts)):
        if page.reason(i) not in ("pattern:related-list", "pattern:navigation"):
            continue
        j = i + 1
        while j < min(i + 11, len(page.texts)) and page.free(j) and _unrelated_headline(page, j):
            page.reasons[j] = "pattern:related-list"
            j += 1


def _unrelated_headline(page: _Page, i: int) -> bool:
    text = page.texts[i]
    return is_headline_like(text) and page.overlap(i) < _UNRELATED


def _mark_top_zone(page: _Page) -> None:
    # Above the first sentence of prose: menus and section bars ("Movies | Quick Hits"), and
    # the site's name or "Name — tagline" when the page's footer names the site again.
    for i, text in enumerate(page.texts):
        if is_sentence(text):
            return
        if page.free(i) and is_navigation(text):
            page.reasons[i] = "pattern:navigation"
        elif page.free(i) and _names_the_site(page, i):
            page.reasons[i] = "pattern:site"


def _names_the_site(page: _Page, i: int) -> bool:
    text = page.texts[i]
    tagline = _TAGLINE.match(text)
    brand = tagline["brand"] if tagline else text
    if len(words(brand)) > 5 or text.endswith(".") or len(words(text)) > 10:
        return False
    footer = [t for j, t in enumerate(page.texts[-5:], len(page.texts) - 5) if j > i]
    return any(t != text and brand in t for t in footer)


def _mark_bottom_zone(page: _Page) -> None:
    """Below the article, between pattern lines, lines no pattern names (a tagline, an author's
    name, a bio, a headline) are furniture as well: collect the run of such lines from the end
    and drop its free lines when the run holds at least one pattern line."""
    run: list[int] = []
    for i in range(len(page.texts) - 1, -1, -1):
        if page.free(i) and not _zone_candidate(page, i):
            break
        run.append(i)
    if not any(not page.free(i) for i in run):
        return
    for i in run:
        if page.free(i):
            page.reasons[i] = _zone_reason(page.texts[i])


# Promotion of the outlet itself ("Subscribe to the Ledger for $1 a week.", "Follow X for more")
# and "Brand — tagline" lines: furniture when they sit among other furniture at a page's edge.
_PROMO = re.compile(
    r"^(?:subscribe|sign up|follow|join|get|read more|download|like us|find us|listen|watch)\b",
    re.IGNORECASE,
)
_TAGLINE = re.compile(
    r"^(?P<brand>[A-Z][\w'&.]*(?:\s+[A-Z][\w'&.]*){0,3})\s+[—|:-]\s+[^.]{1,60}\.?$"
)


def is_promo(text: str) -> bool:
    return bool(_PROMO.match(text)) and len(words(text)) <= 16


def _zone_candidate(page: _Page, i: int) -> bool:
    text = page.texts[i]
    if is_bio(text) or is_name(text) or is_navigation(text) or is_promo(text):
        return True
    if _TAGLINE.match(text):
        return True
    short = len(words(text)) <= 14 and not text.endswith(".")
    return short and page.overlap(i) < _UNRELATED


def _zone_reason(text: str) -> str:
    if is_bio(text) or is_name(text):
        return "pattern:author-box"
    return "pattern:navigation" if is_navigation(text) else "pattern:site"


# --- corpus statistics ---------------------------------------------------------------------

_SHAPE_DIGITS = re.compile(r"\d[\d,.]*")
_SHAPE_PUNCT = re.compile(r"[^\w\s#]+")
_MAX_WORDS = 14  # template lines are short; long repeated lines are copied prose


def line_key(text: str) -> str:
    return clean(text).casefold()


def line_shape(text: str) -> str:
    """ "Views: 1,387" and "views 764" share the shape "views #"."""
    shape = _SHAPE_DIGITS.sub("#", line_key(text))
    return _SPACE.sub(" ", _SHAPE_PUNCT.sub(" ", shape)).strip()


@dataclass(slots=True)
class _Seen:
    docs: set[str] = field(default_factory=set)
    contexts: set[tuple[str, str]] = field(default_factory=set)
    variants: set[str] = field(default_factory=set)
    site_contexts: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def add(self, doc_id: str, site: str | None, context: tuple[str, str], text: str) -> None:
        self.docs.add(doc_id)
        self.contexts.add(context)
        self.variants.add(text)
        if site:
            self.site_contexts.setdefault(site, set()).add(context)

    def merge(self, other: _Seen) -> None:
        self.docs |= other.docs
        self.contexts |= other.contexts
        self.variants |= other.variants
        for site, contexts in other.site_contexts.items():
            self.site_contexts.setdefault(site, set()).update(contexts)


@dataclass(slots=True)
class CorpusStats:
    """Where each short line and line shape occurs across a corpus, and next to what."""

    lines: dict[str, _Seen] = field(default_factory=dict)
    shapes: dict[str, _Seen] = field(default_factory=dict)
    min_docs: int = 3

    @classmethod
    def build(cls, docs: Iterable[tuple[str, str | None, list[str]]]) -> CorpusStats:
        stats = cls()
        for doc_id, site, body in docs:
            shapes = [line_shape(t) for t in body]
            for i, text in enumerate(body):
                if not _eligible(text):
                    continue
                context = (shapes[i - 1] if i else "", shapes[i + 1] if i + 1 < len(body) else "")
                key = line_key(text)
                stats.lines.setdefault(key, _Seen()).add(doc_id, site, context, key)
                stats.shapes.setdefault(shapes[i], _Seen()).add(doc_id, site, context, key)
        return stats

    def merge(self, other: CorpusStats) -> None:
        """Add the statistics of other documents (batch mode counts per partition and adds
        the partitions up; a document counted in both is counted once)."""
        for mine, theirs in ((self.lines, other.lines), (self.shapes, other.shapes)):
            for key, seen in theirs.items():
                mine.setdefault(key, _Seen()).merge(seen)

    def verdict(self, text: str) -> str | None:
        """The removal reason for a line, or None when it is not template furniture."""
        if not _eligible(text):
            return None
        if _is_template(self.lines.get(line_key(text)), self.min_docs):
            return "corpus:repeated-line"
        seen = self.shapes.get(line_shape(text))
        if seen and _is_template_shape(seen, self.min_docs):
            return "corpus:repeated-shape"
        return None

    def templates(self) -> Templates:
        """The lines and shapes these statistics call templates: all ``verdict`` needs."""
        return Templates(
            frozenset(k for k, seen in self.lines.items() if _is_template(seen, self.min_docs)),
            frozenset(
                k for k, seen in self.shapes.items() if _is_template_shape(seen, self.min_docs)
            ),
        )


@dataclass(frozen=True, slots=True)
class Templates:
    """A corpus's template lines and shapes, without the counts behind them: small enough
    to hand to every partition of a corpus analysed in parts (``verdict`` as CorpusStats)."""

    lines: frozenset[str]
    shapes: frozenset[str]

    def verdict(self, text: str) -> str | None:
        if not _eligible(text):
            return None
        if line_key(text) in self.lines:
            return "corpus:repeated-line"
        if line_shape(text) in self.shapes:
            return "corpus:repeated-shape"
        return None

    def to_json(self) -> dict[str, list[str]]:
        return {"lines": sorted(self.lines), "shapes": sorted(self.shapes)}

    @classmethod
    def from_json(cls, data: dict[str, list[str]]) -> Templates:
        return cls(frozenset(data["lines"]), frozenset(data["shapes"]))


def _is_template_shape(seen: _Seen, min_docs: int) -> bool:
    return len(seen.variants) >= 2 and _is_template(seen, min_docs)


def _eligible(text: str) -> bool:
    """Template lines are short labels and prompts. Sentences and quotes are left alone even
    when they recur ("She was 85.", "Obviously we're disappointed."): prose is not furniture."""
    line = clean(text)
    return (
        0 < len(words(line)) <= _MAX_WORDS
        and not line.endswith((".", '"', "'"))
        and (line[0] not in "\"'")
    )


def _is_template(seen: _Seen | None, min_docs: int) -> bool:
    """Different neighbours in most of several documents: a wire copy repeats a sentence
    *with* its neighbours, a page template repeats it next to anything. Within one known
    site, two pages with different neighbours are enough: the site's template prints it."""
    if seen is None:
        return False
    if any(len(contexts) >= 2 for contexts in seen.site_contexts.values()):
        return True
    diverse = len(seen.contexts) >= max(min_docs, 0.8 * len(seen.docs))
    return len(seen.docs) >= min_docs and diverse


def _heads_prose(lines: list[Line], i: int, stats: CorpusStats | Templates) -> bool:
    # A stock section heading ("The Bottom Line") that opens a paragraph inside the article
    # is article structure, however many pages use it. Inside: after prose or after a line
    # that is not itself a template.
    if i == 0 or i + 1 >= len(lines) or not is_sentence(lines[i + 1].text):
        return False
    previous = lines[i - 1].text
    return is_sentence(previous) or stats.verdict(previous) is None


def remove_repeated(
    lines: list[Line], stats: CorpusStats | Templates
) -> tuple[list[Line], list[RemovedLine]]:
    """Drop the lines that the corpus shows to be template furniture."""
    kept: list[Line] = []
    removed: list[RemovedLine] = []
    for i, line in enumerate(lines):
        reason = None if _heads_prose(lines, i, stats) else stats.verdict(line.text)
        if reason:
            removed.append(RemovedLine(line.line_no, line.text, reason))
        else:
            kept.append(line)
    return kept, removed
