"""Story timelines: claims anchored to the times they state, merged across documents.

For every claim of a story, the temporal expressions of its sentence are read against the
document's publication date (``timex.find_timexes``). A dated expression (a day, month,
year, week, quarter, season or a time of day) anchors the claim there; two sources that
state the same claim (one claim cluster) at the same time value make one timeline entry,
so an event reported by five pages is one entry with five sources. Every entry keeps the
sentences and the words that gave its date.

An undated document's absolute expressions ("in 2000", "June 19, 2024") count as they
are. Its relative ones are read against the story's latest publication date only when they
name a month or something coarser ("in September", "last year"), and are marked as
estimates; finer ones ("on Wednesday", "a few weeks ago") are listed as *unresolved*, never
guessed.
Each undated document also gets an *estimated* earliest date: the latest absolute date its
own text states (it cannot be older than what it reports), with that reason.

A story's timeline is rebuilt from its stored claim clusters when its documents changed or
the claim stage rebuilt its claims (its families or the matching changed); the others are
kept, so adding documents rebuilds only the timelines of the stories they join.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from storytrace.model import (
    ClaimCluster,
    ClaimRef,
    DocDate,
    Story,
    StoryTimeline,
    TimelineEntry,
    TimelineSource,
)
from storytrace.progress import Progress, QuietProgress
from storytrace.provenance import FamilyIndex, independent_origins
from storytrace.stage import RunContext, Stage, StageResult
from storytrace.store import Store
from storytrace.timeline.timex import TimeExpression, find_timexes

# Values that place nothing on a calendar.
_REFERENCES = frozenset({"PRESENT_REF", "PAST_REF", "FUTURE_REF"})
# Precisions an estimated anchor (an undated document's story date) may resolve.
_COARSE = frozenset({"month", "quarter", "season", "year", "decade"})
_PRECISE = {"day": "day", "time": "day", "week": "week", "month": "month", "quarter": "month",
            "season": "month", "year": "year", "decade": "approximate"}  # fmt: skip


VERSION = "timeline/1"
# Beyond this many stories to rebuild, one query for every claim cluster beats one per story.
_READ_ALL_AT = 100


@dataclass(slots=True)
class TimelineReport:
    stories: int = 0
    rebuilt: int = 0  # stories whose timeline this run built
    entries: int = 0
    unresolved: int = 0
    estimated_documents: int = 0


def run(ctx: RunContext) -> StageResult:
    report = build_timelines(ctx.store, ctx.progress)
    summary = {"stories": report.stories, "rebuilt": report.rebuilt,
               "entries": report.entries, "unresolved": report.unresolved}  # fmt: skip
    message = (
        f"timelines: {report.entries} dated entries, {report.unresolved} expressions left "
        f"unresolved ({report.rebuilt} of {report.stories} stories rebuilt)"
    )
    return StageResult(True, summary, message, report)


def build_timelines(store: Store, progress: Progress | None = None) -> TimelineReport:
    """Bring every story's timeline up to date with its claim clusters, rebuilding only
    stories whose claims, documents or families changed since their timeline was made."""
    bar = progress or QuietProgress()
    stories = store.stories.stories()
    wanted = {s.id: _fingerprint(s) for s in stories}
    known = store.timeline.fingerprints()
    todo = [s for s in stories if known.get(s.id) != wanted[s.id]]
    report = TimelineReport(stories=len(stories), rebuilt=len(todo))
    results = {}
    if todo:
        families = FamilyIndex(store.reuse.families())
        clusters = _clusters(store, [s.id for s in todo])
        bar.start("Timelines", len(todo))
        for story in todo:
            dates = store.claims.outlets(story.doc_ids)
            touching = families.touching(story.doc_ids)
            results[story.id] = story_timeline(story, clusters[story.id], dates, touching)
            bar.advance(1)
    with store.transaction():
        store.timeline.drop_stories(set(known) - set(wanted))
        store.timeline.update(results, wanted)
        store.timeline.keep_doc_dates({d for s in stories for d in s.doc_ids})
    report.entries, report.unresolved, report.estimated_documents = store.timeline.counts()
    return report


def _clusters(store: Store, story_ids: list[str]) -> dict[str, list[ClaimCluster]]:
    """The claim clusters of these stories: one query each, or one for all when many."""
    if len(story_ids) <= _READ_ALL_AT:
        return {story_id: store.claims.clusters(story_id) for story_id in story_ids}
    found: dict[str, list[ClaimCluster]] = defaultdict(list)
    wanted = set(story_ids)
    for cluster in store.claims.clusters():
        if cluster.story_id in wanted:
            found[cluster.story_id].append(cluster)
    return found


def _fingerprint(story: Story) -> str:
    """A story's documents under this stage's version. The claim stage forgets a story's
    fingerprint whenever it rebuilds the story's claims (its families or matching changed),
    so the timeline is rebuilt then too."""
    return hashlib.sha1("\n".join([VERSION, *story.doc_ids]).encode("utf-8")).hexdigest()


def story_timeline(
    story: Story,
    clusters: Sequence[ClaimCluster],
    dates: dict[str, tuple[str | None, str | None]],
    families: Sequence,
) -> StoryTimeline:
    """One story's timeline from its claim clusters; ``dates``: doc -> (outlet, published)."""
    grouped: dict[tuple[str, str], list[tuple[TimelineSource, TimeExpression]]] = defaultdict(list)
    unresolved: list[TimelineSource] = []
    mentioned: dict[str, list[str]] = defaultdict(list)
    story_anchor = _story_anchor(story, dates)
    for cluster in clusters:
        for member in cluster.members:
            if member.relation != "states":  # a sentence is dated once, in its own claim
                continue
            published = _anchor(dates.get(member.doc_id, (None, None))[1])
            for source, timex in _dated(member, published, story_anchor):
                if timex.precision == "unresolved":
                    unresolved.append(source)
                elif timex.type in {"DATE", "TIME"} and timex.value not in _REFERENCES:
                    grouped[(cluster.id, _day_value(timex))].append((source, timex))
                    if published is None and not source.estimated:
                        mentioned[member.doc_id].append(_sort_key(_day_value(timex)))
    entries = [
        _entry(story.id, cluster_id, value, rows, families)
        for (cluster_id, value), rows in grouped.items()
    ]
    entries.sort(key=lambda e: (e.sort_key, -e.origins, e.value))
    doc_dates = [_doc_date(d, dates.get(d, (None, None))[1], mentioned[d]) for d in story.doc_ids]
    return StoryTimeline(entries, _unique(unresolved), doc_dates)


def _dated(
    member: ClaimRef, published: date | None, story_anchor: date | None
) -> list[tuple[TimelineSource, TimeExpression]]:
    """The sentence's expressions with their sources. An undated document's relative
    expressions are read against the story's latest publication date instead, but only
    to month precision or coarser, and marked as estimates: that anchor can be weeks
    off, so "in September" can be placed and "on Wednesday" cannot."""
    if published is not None or story_anchor is None:
        return [(_source(member, t, published), t) for t in find_timexes(member.text, published)]
    absolute = find_timexes(member.text, None)
    found = []
    for timex in find_timexes(member.text, story_anchor):
        if any(a.start == timex.start and a.precision != "unresolved" for a in absolute):
            found.append((_source(member, timex, None), timex))
        elif timex.precision in _COARSE:
            estimate = replace(timex, estimated=True)
            found.append((_source(member, estimate, story_anchor, estimated=True), estimate))
        else:
            unresolved = replace(timex, value="", precision="unresolved")
            found.append((_source(member, unresolved, None), unresolved))
    return found


def _source(
    member: ClaimRef, timex: TimeExpression, anchor: date | None, estimated: bool = False
) -> TimelineSource:
    written = anchor.isoformat() if anchor else None
    return TimelineSource(
        member.doc_id, member.sentence_index, member.text, timex.text,
        f"estimated from the story: {written}" if estimated else written,
        timex.estimated or estimated,
    )  # fmt: skip


def _story_anchor(story: Story, dates: dict[str, tuple[str | None, str | None]]) -> date | None:
    found = [_anchor(dates.get(d, (None, None))[1]) for d in story.doc_ids]
    known = [d for d in found if d is not None]
    return max(known) if known else None


def _anchor(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _day_value(timex: TimeExpression) -> str:
    """The value an entry is keyed by: times of day fall on their day."""
    return timex.value.split("T")[0] if timex.type == "TIME" else timex.value


def _entry(
    story_id: str,
    cluster_id: str,
    value: str,
    rows: list[tuple[TimelineSource, TimeExpression]],
    families: Sequence,
) -> TimelineEntry:
    docs = sorted({source.doc_id for source, _ in rows})
    # The sentence that states the date, preferring one read against a real date.
    first = min(rows, key=lambda row: (row[0].estimated, row[0].doc_id, row[0].sentence_index))
    precision = _PRECISE.get(rows[0][1].precision, "approximate")
    estimated = all(source.estimated for source, _ in rows)
    return TimelineEntry(
        story_id=story_id,
        value=value,
        sort_key=_sort_key(value),
        precision="approximate" if estimated else precision,
        label=first[0].text,
        cluster_id=cluster_id,
        documents=len(docs),
        origins=independent_origins(docs, families),
        sources=[source for source, _ in rows],
    )


def _sort_key(value: str) -> str:
    """A comparable date for a TIMEX3 value (its first day): 2024 -> 2024-01-01,
    2024-Q3 -> 2024-07-01, 2024-W25 -> that week's Monday, 199 -> 1990-01-01."""
    head = value.split("T")[0]
    if len(head) == 3 and head.isdigit():
        return f"{head}0-01-01"
    if len(head) == 4 and head.isdigit():
        return f"{head}-01-01"
    year, _, rest = head.partition("-")
    if not year.isdigit():
        return "9999-12-31"
    if rest.startswith("Q") and rest[1:2].isdigit():
        return f"{year}-{(int(rest[1]) - 1) * 3 + 1:02d}-01"
    if rest.startswith("W") and rest[1:3].isdigit():
        return date.fromisocalendar(int(year), int(rest[1:3]), 1).isoformat()
    if rest[:2] in {"SP", "SU", "FA", "WI"}:
        return f"{year}-{ {'SP': '03', 'SU': '06', 'FA': '09', 'WI': '12'}[rest[:2]] }-01"
    parts = rest.split("-")
    month = parts[0] if parts and parts[0].isdigit() else "01"
    day = parts[1] if len(parts) > 1 and parts[1].isdigit() else "01"
    return f"{year}-{month}-{day}"


def _doc_date(doc_id: str, published: str | None, mentioned: list[str]) -> DocDate:
    if published:
        return DocDate(doc_id, published, published, False, "publication date")
    if not mentioned:
        return DocDate(doc_id, None, None, True, "undated; states no absolute date")
    latest = max(mentioned)
    return DocDate(
        doc_id, latest, None, True,
        f"undated; published on or after {latest}, the latest date its claims state",
    )  # fmt: skip


def _unique(sources: list[TimelineSource]) -> list[TimelineSource]:
    seen, kept = set(), []
    for source in sources:
        key = (source.doc_id, source.sentence_index, source.expression)
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return kept


STAGE = Stage(
    name="timeline",
    version=VERSION,
    requires=("claim_clusters", "stories", "families"),
    produces=("timelines",),
    run=run,
    about="claims placed at the times they state, merged across documents; document dates",
)
