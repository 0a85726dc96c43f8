"""The `storytrace` command: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.tree import Tree

from storytrace import __version__
from storytrace.ask import Answer, SentenceIndex, answer_question
from storytrace.brief import Brief, render_markdown, store_briefs
from storytrace.brief.generate import Endpoint
from storytrace.brief.generate import generate as generate_brief
from storytrace.claims import ClaimReport, build_claims
from storytrace.errors import StorytraceError
from storytrace.export import (
    answer_payload,
    brief_payload,
    claims_payload,
    entity_timeline_payload,
    reuse_payload,
    stories_payload,
    story_doc_ids,
    story_payload,
    timeline_payload,
    write_outputs,
)
from storytrace.model import ClaimCluster, Document, Family, InputError, ReuseLink, Story
from storytrace.pipeline import IngestReport, ingest
from storytrace.report import write_report
from storytrace.reuse import ReuseReport, link_documents
from storytrace.settings import Settings
from storytrace.store import Store
from storytrace.stories import StoryReport, build_stories
from storytrace.timeline import TimelineReport, build_timelines
from storytrace.timeline.entity import store_entity_timeline

app = typer.Typer(
    help=(
        "storytrace: what is actually known about a news story, from how many independent "
        "sources, and who copied whom.\n\n"
        "Start with `storytrace analyze FOLDER --out DIR`, or `storytrace ingest` then "
        "`storytrace docs` / `storytrace show DOC`."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Store file (SQLite). Default: ./storytrace.db, or $STORYTRACE_DB.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class RichProgress:
    """Progress bars on stderr, one per pass; errors printed above them as they happen."""

    def __init__(self, enabled: bool) -> None:
        self.bars = Progress(
            TextColumn("[bold]{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not enabled,
            transient=False,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def start(self, task: str, total: int | None) -> None:
        self.task = self.bars.add_task(task, total=total)

    def advance(self, n: int = 1) -> None:
        if self.task is not None:
            self.bars.advance(self.task, n)

    def error(self, error: InputError) -> None:
        self.bars.console.print(f"[red]error[/red] {escape(str(error))}", highlight=False)


def _settings(db: Path | None, **changes: object) -> Settings:
    return Settings.from_env().with_(db=db, **changes)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code=1)


def _version(value: bool) -> None:
    if value:
        console.print(f"storytrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """storytrace command line."""


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders: .txt .md .html .htm (also .gz), .jsonl, .warc(.gz), "
            ".rss/.atom/.xml feeds.",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[
        Path | None,
        typer.Option("--urls", help="A file with one URL per line to fetch and ingest."),
    ] = None,
    db: DbOption = None,
    max_bytes: Annotated[
        int | None,
        typer.Option("--max-bytes", help="Refuse inputs larger than this (default 20 MB)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Read inputs into the store: extract article text and metadata, remove page furniture
    (keeping what was removed, with the reason), split sentences and find entities.

    Re-running on the same inputs does nothing new; an interrupted run resumes. The exit
    code is 1 when any input could not be read (each gets a one-line error).
    """
    if not paths and urls is None:
        raise _fail("give at least one PATH or --urls FILE")
    settings = _settings(db, max_bytes=max_bytes, progress=not quiet)
    report = _run_ingest(paths or [], settings, urls)
    _print_report(report)
    if not report.ok:
        raise typer.Exit(code=1)


def _run_ingest(paths: list[Path], settings: Settings, urls: Path | None) -> IngestReport:
    try:
        with RichProgress(settings.progress and sys.stderr.isatty()) as progress:
            return ingest(paths, settings, urls_file=urls, progress=progress)
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc


def _print_report(report: IngestReport) -> None:
    console.print(
        f"[bold]{report.new_documents}[/bold] new documents from {report.records} records "
        f"({report.duplicates} duplicates of stored content, "
        f"{report.already_stored + report.units_skipped} inputs already stored) "
        f"into {escape(str(report.db))}",
        highlight=False,
    )
    if report.cleaned or report.annotated:
        console.print(
            f"cleaned {report.cleaned}, annotated {report.annotated} documents", highlight=False
        )
    if report.errors:
        console.print(f"[red]{len(report.errors)} inputs failed[/red] (listed above)")


@app.command("docs")
def docs_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List stored documents: id, date, site, title, sentences and removed lines."""
    with _open_store(db) as store:
        rows = store.summaries()
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
        return
    table = Table(
        "id", "published", "site", "title", "sents", "removed", title=f"{len(rows)} documents"
    )
    for r in rows:
        table.add_row(
            r.id[:10], r.published or "", escape(r.site or ""), escape(r.title or r.location),
            str(r.sentences), str(r.removed),
        )  # fmt: skip
    console.print(table)


@app.command("show")
def show_command(
    doc: Annotated[
        str, typer.Argument(help="Document id (a unique prefix is enough) or location.")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print one document: metadata, clean text, and every removed line with its reason."""
    with _open_store(db) as store:
        try:
            document = store.get(store.resolve_id(doc))
        except KeyError as exc:
            raise _fail(str(exc.args[0])) from exc
        locations = store.locations(document.id)
    if as_json:
        data = asdict(document) | {"locations": locations}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _print_document(document, locations)


def _print_document(document: Document, locations: list[str]) -> None:
    meta = Table.grid(padding=(0, 2))
    for name in ("id", "title", "published", "published_text", "site", "author",
                 "declared_source", "url"):  # fmt: skip
        value = getattr(document, name)
        if value:
            meta.add_row(f"[bold]{name}[/bold]", escape(str(value)))
    meta.add_row("[bold]seen at[/bold]", escape(", ".join(locations)))
    meta.add_row(
        "[bold]counts[/bold]",
        f"{len(document.sentences)} sentences, {len(document.entities)} entities, "
        f"{len(document.removed)} removed lines",
    )
    console.print(meta)
    console.rule("clean text")
    for block in document.blocks:
        text = escape(document.block_text(block))
        console.print(f"[bold]{text}[/bold]" if block.kind == "heading" else text, highlight=False)
        console.print()
    console.rule("removed lines")
    for removed in document.removed:
        console.print(
            f"[dim]{removed.line_no:>4}[/dim] [yellow]{removed.reason:<26}[/yellow] "
            f"{escape(removed.text)}",
            highlight=False,
        )


@app.command("analyze")
def analyze_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to analyze.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")] = Path("out"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Run the whole pipeline on PATHS and write the results to --out: the store
    (storytrace.db), documents.json (every document with metadata, clean text, sentences,
    entities and removed furniture), reuse.json (derivation families and links with their
    aligned sentences), stories.json (topics and their stories), claims.json (claim clusters
    with their support, sources and disagreements), timeline.json (dated claims per story,
    document dates), summary.md, and the report: report.html (self-contained: briefs,
    timeline charts, claims, provenance graphs, documents), report.md and report.json."""
    out.mkdir(parents=True, exist_ok=True)
    settings = _settings(out / "storytrace.db", progress=not quiet)
    report = _run_ingest(paths, settings, None)
    _print_report(report)
    with Store(settings.db) as store:
        linked = _link(store, settings)
        console.print(
            f"reuse: {linked.pairs_scored} candidate pairs compared, {linked.links} links, "
            f"{linked.families} derivation families",
            highlight=False,
        )
        grouped = _group(store, settings, link=False)
        console.print(
            f"stories: {grouped.stories} stories in {grouped.topics} topics",
            highlight=False,
        )
        _claims(store, settings)
        console.print(
            f"claims: {store.claims.count()} claims in {len(store.claims.clusters())} clusters, "
            f"{len(store.claims.disagreements())} disagreements",
            highlight=False,
        )
        timed = _timelines(store, settings)
        console.print(
            f"timelines: {timed.entries} dated entries, {timed.unresolved} expressions left "
            "unresolved",
            highlight=False,
        )
        written = write_outputs(store, out) + write_report(store, out)
        _print_overview(store)
    console.print("[bold green]Output:[/bold green]")
    for path in [settings.db, *written]:
        console.print(f"  {escape(str(path))}", highlight=False)
    if not report.ok:
        raise typer.Exit(code=1)


def _print_overview(store: Store) -> None:
    """One screen: each story with its size, independent origins and best-supported claim."""
    briefs = {b.story_id: b for b in store_briefs(store, None, 1)}
    table = Table("story", "docs", "origins", "best-supported claim", title="stories",
                  title_justify="left", show_lines=False)  # fmt: skip
    for story in store.stories.stories():
        brief = briefs.get(story.id)
        top = brief.items[0] if brief and brief.items else None
        claim = f"{top.text[:110]} ({top.origins} origins)" if top else "-"
        table.add_row(escape(story.label[:50]), str(len(story.doc_ids)), str(story.origins),
                      escape(claim))  # fmt: skip
    console.print(table)


@app.command("reuse")
def reuse_command(
    doc: Annotated[
        str | None,
        typer.Argument(help="Show this document's relatives (id prefix or location)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update/--no-update",
            help="Compare documents added since the last run first (incremental).",
        ),
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Who copied whom: derivation families (origin, members, link kind, confidence), or
    with DOC, one document's relatives with their aligned sentences side by side."""
    with _open_store(db) as store:
        if update:
            settings = _settings(db, progress=not quiet)
            _link(store, settings)
        doc_id = None
        if doc is not None:
            try:
                doc_id = store.resolve_id(doc)
            except KeyError as exc:
                raise _fail(str(exc.args[0])) from exc
        if as_json:
            typer.echo(json.dumps(reuse_payload(store, doc_id), indent=2, ensure_ascii=False))
            return
        titles = {r.id: r.title or r.location for r in store.summaries()}
        if doc_id is None:
            _print_families(store.reuse.families(), store.reuse.links(), titles)
        else:
            _print_relatives(doc_id, store.reuse.links(doc_id, with_pairs=True), titles)
            _print_families(store.reuse.families(doc_id), store.reuse.links(doc_id), titles)


def _link(store: Store, settings: Settings) -> ReuseReport:
    try:
        with RichProgress(settings.progress and sys.stderr.isatty()) as progress:
            return link_documents(store, settings, progress)
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc


def _print_families(families: list[Family], links: list[ReuseLink], titles: dict) -> None:
    by_child = {(link.doc_id, link.origin_id): link for link in links}
    if not families:
        console.print("No derivation families: no document derives from another here.")
    for family in families:
        origin = (
            f"[bold]{escape(family.external_origin)}[/bold] (external, declared by members)"
            if family.external_origin
            else f"[bold]{family.root_id[:10]}[/bold] {escape(titles.get(family.root_id, ''))}"
        )
        table = Table(
            "document", "role", "derives from", "link", "confidence", "direction",
            title=f"family {family.id}: {len(family.members)} documents, origin {origin}",
            title_justify="left",
        )  # fmt: skip
        for m in family.members:
            link = next(
                (by_child[(m.doc_id, p)] for p in m.parents if (m.doc_id, p) in by_child), None
            )
            table.add_row(
                f"{m.doc_id[:10]} {escape(titles.get(m.doc_id, ''))}",
                m.role,
                ", ".join(p[:10] for p in m.parents),
                link.kind if link else "",
                f"{link.confidence:.2f}" if link else "",
                f"{link.direction_confidence:.2f}" if link else "",
            )
        console.print(table)
    possible = [link for link in links if link.kind == "possible"]
    if possible:
        console.print(f"{len(possible)} possible (low-confidence) links, not in any family:")
        for link in possible:
            console.print(
                f"  {link.doc_id[:10]} possibly derived from {link.origin_id[:10]} "
                f"(confidence {link.confidence:.2f})",
                highlight=False,
            )


def _print_relatives(doc_id: str, links: list[ReuseLink], titles: dict) -> None:
    console.print(f"[bold]{doc_id}[/bold] {escape(titles.get(doc_id, ''))}", highlight=False)
    if not links:
        console.print("No relatives: nothing here copies it and it copies nothing here.")
    for link in links:
        arrow = "derives from" if link.doc_id == doc_id else "is the origin of"
        other = link.origin_id if link.doc_id == doc_id else link.doc_id
        console.rule(
            f"{arrow} {other[:10]} {escape(titles.get(other, ''))}: {link.kind}, "
            f"confidence {link.confidence:.2f}, direction {link.direction_confidence:.2f}"
        )
        for reason in link.reasons:
            console.print(f"  [dim]{escape(reason)}[/dim]", highlight=False)
        console.print(
            f"  {link.coverage:.0%} of the derived text aligned to its origin, "
            f"{link.origin_coverage:.0%} of the origin restated",
            highlight=False,
        )
        table = Table("derived sentence", "origin sentence", "sim", "words", expand=True)
        for pair in link.pairs:
            table.add_row(
                escape(pair.doc_text), escape(pair.origin_text),
                f"{pair.similarity:.2f}", f"{pair.overlap:.2f}",
            )  # fmt: skip
        console.print(table)


StoryArgument = Annotated[
    str | None, typer.Argument(help="Story id (a unique prefix); default: every story.")
]
UpdateOption = Annotated[
    bool,
    typer.Option(
        "--update/--no-update",
        help="Bring stories up to date with documents added since the last run first.",
    ),
]


@app.command("stories")
def stories_command(
    db: DbOption = None,
    as_json: JsonOption = False,
    update: UpdateOption = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Topics and their stories (documents that report one event), with document counts,
    independent-origin counts and date spans.

    Run after `storytrace ingest`; it brings reuse families up to date first (derivatives
    join their origin's story). New documents join existing stories or start new ones; merges and
    splits are recorded (see `storytrace story ID`).
    """
    with _open_store(db) as store:
        if update:
            settings = _settings(db, progress=not quiet)
            _group(store, settings)
        if as_json:
            typer.echo(json.dumps(stories_payload(store), indent=2, ensure_ascii=False))
            return
        _print_stories(store)


@app.command("story")
def story_command(
    story: Annotated[str, typer.Argument(help="Story id (a unique prefix is enough).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One story: label, key entities, date span, independent origins, its documents (most
    central first, with their reuse family) and the history of its merges and splits."""
    with _open_store(db) as store:
        try:
            story_id = store.stories.resolve(story)
        except KeyError as exc:
            raise _fail(str(exc.args[0])) from exc
        if as_json:
            typer.echo(json.dumps(story_payload(store, story_id), indent=2, ensure_ascii=False))
            return
        _print_story(store, store.stories.stories(story_id)[0])


def _group(store: Store, settings: Settings, link: bool = True) -> StoryReport:
    """Stories, after bringing reuse families up to date (derivatives follow them)."""
    try:
        with RichProgress(settings.progress and sys.stderr.isatty()) as progress:
            if link:
                link_documents(store, settings, progress)
            return build_stories(store, settings, progress)
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc


def _span(story: Story) -> str:
    if not story.first_date:
        return "undated"
    span = (
        story.first_date
        if story.first_date == story.last_date
        else (f"{story.first_date} to {story.last_date}")
    )
    return span + (f" (+{story.undated} undated)" if story.undated else "")


def _print_stories(store: Store) -> None:
    topics = store.stories.topics()
    if not topics:
        console.print("No stories yet: ingest documents first (`storytrace ingest PATH`).")
        return
    stories = {s.id: s for s in store.stories.stories()}
    for topic in topics:
        members = [stories[s] for s in topic.story_ids]
        docs = sum(len(s.doc_ids) for s in members)
        tree = Tree(
            f"[bold]topic {topic.id}[/bold] {escape(topic.label)}: "
            f"{len(members)} stories, {docs} documents",
            highlight=False,
        )
        for story in members:
            tree.add(
                f"[bold]{story.id}[/bold] {escape(story.label)} [dim]|[/dim] "
                f"{len(story.doc_ids)} documents, {story.origins} independent origins, "
                f"{_span(story)}",
                highlight=False,
            )
        console.print(tree)


def _print_story(store: Store, story: Story) -> None:
    meta = Table.grid(padding=(0, 2))
    meta.add_row("[bold]story[/bold]", f"{story.id} (topic {story.topic_id})")
    meta.add_row("[bold]label[/bold]", escape(story.label))
    meta.add_row("[bold]dates[/bold]", _span(story))
    meta.add_row(
        "[bold]documents[/bold]",
        f"{len(story.doc_ids)}, from {story.origins} independent origins",
    )
    names = ", ".join(f"{e.name} ({e.documents})" for e in story.entities)
    meta.add_row("[bold]key entities[/bold]", escape(names or "-"))
    console.print(meta)
    summaries = {r.id: r for r in store.summaries()}
    family_of = {m.doc_id: f for f in store.reuse.families() for m in f.members}
    table = Table("document", "published", "site", "title", "family", title="documents")
    for doc_id in story.doc_ids:
        row = summaries[doc_id]
        family = family_of.get(doc_id)
        role = (
            ""
            if family is None
            else (f"{family.id} ({'origin' if family.root_id == doc_id else 'derivative'})")
        )
        table.add_row(
            doc_id[:10], row.published or "", escape(row.site or ""),
            escape(row.title or row.location), role,
        )  # fmt: skip
    console.print(table)
    changes = store.stories.changes(story.id)
    if changes:
        console.rule("history")
        for change in changes:
            others = f" ({', '.join(change.others)})" if change.others else ""
            console.print(
                f"{change.at} {change.kind} {change.story_id}{others}: "
                f"{change.documents} documents {escape(change.detail)}",
                highlight=False,
            )


@app.command("claims")
def claims_command(
    story: StoryArgument = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    update: UpdateOption = True,
    limit: Annotated[
        int, typer.Option("--limit", help="Claims shown per story (0: all).", min=0)
    ] = 10,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Claims per story, best supported first: each one with its **independent origins**
    (documents of one reuse family count once), documents, outlets, who asserts it
    (a named source, an unnamed one such as "some people", or the outlet itself) and how
    (stated as fact, reported, or speculative), then the disagreements between sources
    (different numbers, dates or names in claims that say the same thing).

    Brings reuse families, stories and claims up to date first (`--no-update` to skip).
    """
    with _open_store(db) as store:
        if update:
            _claims(store, _settings(db, progress=not quiet), link=True)
        story_id = _story_or_all(store, story)
        if as_json:
            payload = claims_payload(store, story_id)
            typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        _print_claims(store, story_id, limit)


def _story_or_all(store: Store, story: str | None) -> str | None:
    """The story id a unique prefix names, or None for every story."""
    if story is None:
        return None
    try:
        return store.stories.resolve(story)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc


def _claims(store: Store, settings: Settings, link: bool = False) -> ClaimReport:
    """Claims, after bringing reuse families and stories up to date."""
    try:
        with RichProgress(settings.progress and sys.stderr.isatty()) as progress:
            if link:
                link_documents(store, settings, progress)
                build_stories(store, settings, progress)
            return build_claims(store, settings, progress)
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc


def _print_claims(store: Store, story_id: str | None, limit: int) -> None:
    stories = store.stories.stories(story_id)
    clusters = store.claims.clusters(story_id)
    if not clusters:
        console.print("No claims yet: ingest documents first (`storytrace ingest PATH`).")
        return
    by_story: dict[str, list[ClaimCluster]] = {}
    for cluster in clusters:
        by_story.setdefault(cluster.story_id, []).append(cluster)
    for story in stories:
        found = by_story.get(story.id, [])
        if not found:
            continue
        shown = found[:limit] if limit else found
        table = Table(
            "claim", "origins", "docs", "outlets", "asserted by", "hedge",
            title=f"story {story.id}: {escape(story.label)} ({len(found)} claims)",
            title_justify="left", show_lines=True,
        )  # fmt: skip
        for c in shown:
            sources = ", ".join(f"{s} ({n})" for s, n in c.sources.items())
            hedges = ", ".join(f"{h} ({n})" for h, n in c.hedges.items())
            note = " [dim](single source)[/dim]" if c.origins == 1 else ""
            table.add_row(
                escape(c.label) + note, str(c.origins), str(c.documents), str(c.outlets),
                escape(sources), hedges,
            )  # fmt: skip
        console.print(table)
        _print_disagreements(store, story.id)
        entities = store.claims.entities(story.id)[:8]
        if entities:
            names = ", ".join(
                f"{e.name} [dim]{e.label}, {e.mentions}x"
                + (
                    f", also {'/'.join(a for a in e.aliases if a != e.name)}"
                    if len(e.aliases) > 1
                    else ""
                )
                + "[/dim]"
                for e in entities
            )
            console.print(f"[bold]entities[/bold] {names}", highlight=False)


def _print_disagreements(store: Store, story_id: str) -> None:
    for d in store.claims.disagreements(story_id):
        console.print(
            f"[yellow]disagreement ({d.kind})[/yellow] {escape(d.first_value)} vs "
            f"{escape(d.second_value)}\n  {d.first.doc_id[:10]}: {escape(d.first.text)}\n"
            f"  {d.second.doc_id[:10]}: {escape(d.second.text)}",
            highlight=False,
        )


@app.command("brief")
def brief_command(
    story: StoryArgument = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    update: UpdateOption = True,
    limit: Annotated[
        int, typer.Option("--limit", help="Claims quoted per story (0: all).", min=0)
    ] = 8,
    generate: Annotated[
        bool,
        typer.Option(
            "--generate",
            help="Also write a summary with the OpenAI-compatible endpoint set in "
            "STORYTRACE_LLM_URL / STORYTRACE_LLM_MODEL (/ STORYTRACE_LLM_KEY); its citations "
            "are checked, and the extractive brief stands if they fail.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """What a reader takes away: each story's best-supported claims, quoted from the pages
    and cited to every page that states them, grouped by **independent origin** (copies of
    one article count once); single-source and speculative claims marked, who asserts a
    reported one named, and disagreements between sources stated with both sides.

    Extractive by default: nothing is generated and no model is downloaded.
    Brings reuse, stories and claims up to date first (`--no-update` to skip).
    """
    with _open_store(db) as store:
        if update:
            _claims(store, _settings(db, progress=not quiet), link=True)
        story_id = _story_or_all(store, story)
        briefs = store_briefs(store, story_id, limit)
    if generate:
        briefs = _generated(briefs)
    if as_json:
        typer.echo(json.dumps(brief_payload(briefs, story_id), indent=2, ensure_ascii=False))
        return
    if not briefs:
        console.print("No stories yet: ingest documents first (`storytrace ingest PATH`).")
    for brief in briefs:
        console.print(Markdown(render_markdown(brief)))


def _generated(briefs: list[Brief]) -> list[Brief]:
    try:
        endpoint = Endpoint.from_env()
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc
    if endpoint is None:
        raise _fail("--generate needs STORYTRACE_LLM_URL and STORYTRACE_LLM_MODEL to be set")
    done = []
    for brief in briefs:
        try:
            done.append(generate_brief(brief, endpoint))
        except StorytraceError as exc:
            console.print(f"[yellow]{escape(brief.story_id)}: {escape(str(exc))}[/yellow]")
            done.append(brief)
    return done


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")] = Path("report"),
    db: DbOption = None,
    update: UpdateOption = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Write a report of everything in the store to --out: report.html (one self-contained
    file: no script, no network; open it in any browser), report.md and report.json
    (schema storytrace.report/1). Topics and stories; per story the brief, the timeline
    chart, the claims with support and attribution, the provenance graph; every document
    with its clean text, removed furniture and relatives with aligned sentences.

    Brings reuse, stories, claims and timelines up to date first (`--no-update` to skip).
    """
    with _open_store(db) as store:
        if update:
            settings = _settings(db, progress=not quiet)
            _claims(store, settings, link=True)
            _timelines(store, settings)
        written = write_report(store, out)
    for path in written:
        console.print(f"  {escape(str(path))}", highlight=False)


@app.command("serve")
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = (
        8000
    ),
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="STORYTRACE_TOKEN",
            help="Require this token to add pages (uploads, URL lists); also read from "
            "STORYTRACE_TOKEN. Without one, anyone who can reach the server can add pages.",
        ),
    ] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Refuse every write: browse and ask only.")
    ] = False,
) -> None:
    """Serve the web app over the store: stories with their brief, timeline, claims and
    provenance graph; documents with clean text, removed furniture and aligned relatives;
    questions; adding pages by upload or URL list (the pipeline runs in the background,
    with its progress shown). JSON API under /api (OpenAPI spec at /openapi.json).

    Listens on 127.0.0.1 by default; give --host 0.0.0.0 to open it to the network, and
    then set --token or --read-only.
    """
    import uvicorn

    from storytrace.web import WebSettings, create_app

    settings = _settings(db)
    if host not in {"127.0.0.1", "localhost", "::1"} and not (token or read_only):
        console.print("[yellow]warning: listening beyond this machine without --token or "
                      "--read-only: anyone who can reach it can add pages[/yellow]")  # fmt: skip
    try:
        web_app = create_app(WebSettings(settings.db, token, read_only, settings.max_bytes))
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"storytrace on http://{host}:{port}/ (store {escape(str(settings.db))})",
                  highlight=False)  # fmt: skip
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


@app.command("batch")
def batch_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders: JSONL(.gz), Parquet, WARC(.gz), HTML, text, feeds. "
            "Work is shared out per file, so shard large inputs."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")] = Path("batch"),
    engine: Annotated[
        str, typer.Option("--engine", help="local (this machine's cores) or ray (Ray).")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="A Ray cluster to connect to (default: start one here)."),
    ] = None,
    encoder: Annotated[
        str,
        typer.Option(
            "--encoder",
            help="Lead vectors for stories: static (model2vec distilled from MiniLM, fast), "
            "minilm (MiniLM itself, ~40x slower), or none (no stories).",
        ),
    ] = "static",
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local engine: processes (default: all cores)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Batch mode for large inputs: extraction and furniture removal, MinHash signatures
    and lead vectors per file (in parallel), then LSH banding, pair verification by
    signature agreement (>= 0.3, with about 20 words in common), families (connected
    components) and stories (average link over lead-vector neighbours, families kept
    together, dates within two weeks).

    Writes Parquet tables to --out: documents (id, input, format, title, url, site,
    published, words, text), duplicates (input, id of the document it repeats), pairs (a,
    b, agreement), families (family, id), stories (story, id), errors (input, error).
    Copies and close rewrites only: paraphrase links and sentence alignment need
    `storytrace analyze`. Interrupted runs resume per file; a
    finished run re-run on unchanged inputs is a no-op. See docs/scaling.md.
    """
    from storytrace.engine import run_local, run_ray

    if engine not in {"local", "ray"}:
        raise _fail(f"--engine must be local or ray, not {engine!r}")
    if address and engine != "ray":
        raise _fail("--address needs --engine ray")
    try:
        with RichProgress(not quiet and sys.stderr.isatty()) as progress:
            if engine == "ray":
                run = run_ray(inputs, out, encoder, address, progress)
            else:
                run = run_local(inputs, out, encoder, workers, progress)
    except ImportError as exc:
        raise _fail(f"--engine ray needs Ray: pip install 'storytrace[ray]' ({exc.name})") from exc
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc
    if run.up_to_date:
        console.print(f"{escape(str(out))} is up to date with these inputs.", highlight=False)
    console.print(
        f"{run.documents} documents ({run.duplicates} duplicates dropped, {run.errors} "
        f"errors), {len(run.pairs)} verified pairs, {len(run.families)} families, "
        f"{sum(len(s) > 1 for s in run.stories)} stories of two or more documents "
        f"-> {escape(str(out))}",
        highlight=False,
    )
    if run.errors:
        console.print(f"  errors are listed in {escape(str(out / 'errors.parquet'))}",
                      highlight=False)  # fmt: skip


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in plain words.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    update: UpdateOption = True,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="Retrieval: fused (default: BM25 and embeddings, rankings fused), bm25, "
            "or embedding.",
        ),
    ] = "fused",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Answer a question from the documents, with citations: the sentences that answer it,
    grouped by claim (five pages repeating one claim are one answer with five citations),
    each with its support in **independent origins**; or "no answer in these documents"
    when no sentence is close enough to the question.

    Brings reuse, stories and claims up to date first (`--no-update` to skip).
    """
    if mode not in {"fused", "bm25", "embedding"}:
        raise _fail(f"--mode must be fused, bm25 or embedding, not {mode!r}")
    if not question.strip():
        raise _fail("the question is empty")
    with _open_store(db) as store:
        settings = _settings(db, progress=not quiet)
        if update:
            _claims(store, settings, link=True)
        try:
            index = SentenceIndex(store, threads=settings.workers)
            answer = answer_question(index, question, mode)  # type: ignore[arg-type]
        except StorytraceError as exc:
            raise _fail(str(exc)) from exc
        locations = {d.id: d.location for d in store.summaries()}
    if as_json:
        typer.echo(json.dumps(answer_payload(answer, locations), indent=2, ensure_ascii=False))
        return
    _print_answer(answer, locations)


def _print_answer(answer: Answer, locations: dict[str, str]) -> None:
    if not answer.answered:
        console.print(f"[yellow]{escape(answer.reason)}[/yellow]", highlight=False)
        return
    for n, group in enumerate(answer.groups, 1):
        support = f"{group.origins} independent origin{'s' * (group.origins != 1)}"
        console.print(
            f"[bold]{n}.[/bold] {escape(group.text)}\n   [dim]{support}, "
            f"{group.documents} page{'s' * (group.documents != 1)}[/dim]",
            highlight=False,
        )
        for k, origin in enumerate(group.citations, 1):
            for citation in origin:
                where = escape(locations.get(citation.doc_id, citation.doc_id))
                console.print(
                    f"   [{k}] {where} #{citation.sentence_index}: {escape(citation.text)}",
                    highlight=False,
                )


EntityOption = Annotated[
    str | None,
    typer.Option(
        "--entity",
        "-e",
        help='The events one entity takes part in ("Kim Jong Un", "Boeing"), each with its '
        "date and the words that gave it, instead of the claim timeline.",
    ),
]


@app.command("timeline")
def timeline_command(
    story: StoryArgument = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    update: UpdateOption = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    entity: EntityOption = None,
) -> None:
    """Each story's timeline: its claims placed at the times they state ("in July", "on
    June 19, 2024", "last year", read against the document's date), merged across
    documents, with the words that gave each date and the independent origins behind it.

    A relative expression in an undated document is never guessed: "on Wednesday" stays
    **unresolved**; a month or coarser one is placed from the story's date and marked
    *estimated*. Brings reuse, stories and claims up to date first (`--no-update` to skip).

    With `--entity NAME`: the events NAME is the subject, object or topic of (its name,
    short forms and pronouns that point at it), dated by a date in the event's clause or
    by the publication date (the reason is shown; past-tense events dated that way are
    approximate), the same event in several documents merged into one row.
    """
    with _open_store(db) as store:
        settings = _settings(db, progress=not quiet)
        if update:
            _claims(store, settings, link=True)
            _timelines(store, settings)
        story_id = _story_or_all(store, story)
        if entity is not None:
            _entity_timeline(store, settings, entity.strip(), story_id, as_json)
            return
        if as_json:
            typer.echo(json.dumps(timeline_payload(store, story_id), indent=2, ensure_ascii=False))
            return
        _print_timeline(store, story_id)


def _entity_timeline(
    store: Store, settings: Settings, entity: str, story_id: str | None, as_json: bool
) -> None:
    if not entity:
        raise _fail("--entity needs a name")
    doc_ids = story_doc_ids(store, story_id)
    try:
        with RichProgress(settings.progress and sys.stderr.isatty()) as progress:
            rows = store_entity_timeline(store, entity, doc_ids, settings.spacy_model, progress)
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        payload = entity_timeline_payload(entity, story_id, rows)
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not rows:
        console.print(f"No events of {escape(entity)!r} found in {len(doc_ids)} documents.")
        return
    title = f"events of {escape(entity)}"
    table = Table("#", "when", "event", "sentence", "dated by", "sources",
                  title=title, title_justify="left", show_lines=True)  # fmt: skip
    for r in rows:
        first = r.row.mentions[0]
        when = r.row.value if r.row.ordinal else "[dim]not dated[/dim]"
        table.add_row(
            str(r.row.ordinal or "-"), when, escape(first.word), escape(first.sentence),
            escape(first.evidence or "-"), f"{r.documents} docs, {r.origins} origins",
        )  # fmt: skip
    console.print(table)


def _timelines(store: Store, settings: Settings) -> TimelineReport:
    try:
        with RichProgress(settings.progress and sys.stderr.isatty()) as progress:
            return build_timelines(store, settings, progress)
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc


def _print_timeline(store: Store, story_id: str | None) -> None:
    entries = store.timeline.entries(story_id)
    unresolved = store.timeline.unresolved(story_id)
    if not entries and not unresolved:
        console.print("No dated claims yet: ingest documents first (`storytrace ingest PATH`).")
        return
    labels = {s.id: s.label for s in store.stories.stories(story_id)}
    table = Table("when", "precision", "what (the dating sentence)", "stated as", "sources",
                  title="timeline", title_justify="left", show_lines=True)  # fmt: skip
    for e in entries:
        said = ", ".join(dict.fromkeys(f'"{s.expression}"' for s in e.sources))
        when = e.value + (" [dim](estimated)[/dim]" if all(s.estimated for s in e.sources) else "")
        table.add_row(
            when, e.precision, escape(f"[{labels.get(e.story_id, e.story_id)[:30]}] {e.label}"),
            escape(said), f"{e.documents} docs, {e.origins} origins",
        )  # fmt: skip
    console.print(table)
    for _, source in unresolved:
        console.print(
            f'[yellow]unresolved[/yellow] "{escape(source.expression)}" in '
            f"{source.doc_id[:10]} (undated): {escape(source.text)}",
            highlight=False,
        )


def _open_store(db: Path | None) -> Store:
    settings = _settings(db)
    if not settings.db.exists():
        raise _fail(
            f"{settings.db}: no such store; run `storytrace ingest PATH --db {settings.db}`"
        )
    try:
        return Store(settings.db)
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc


if __name__ == "__main__":  # pragma: no cover
    app()
