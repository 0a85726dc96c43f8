"""The `storytrace` command: a thin layer over the facade (``storytrace.workspace``).

Each command parses its options, opens a workspace, brings the stages it reads up to date
(``--no-update`` skips that), and prints a payload: as JSON with ``--json``, otherwise as
tables (``storytrace.cli.render``) drawn from the same payload.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.progress import TimeElapsedColumn as Elapsed

from storytrace import __version__
from storytrace.brief.extractive import Brief
from storytrace.brief.generate import Endpoint
from storytrace.brief.generate import generate as generate_brief
from storytrace.cli import render
from storytrace.cli.render import console, err_console
from storytrace.errors import StorytraceError
from storytrace.model import InputError
from storytrace.payload import to_json
from storytrace.payload.compare import compare_payload, read_pair_file
from storytrace.pipeline import PIPELINE
from storytrace.settings import Settings
from storytrace.store.tables import is_analysis, load_tables
from storytrace.util import write_atomic
from storytrace.workspace import Workspace

app = typer.Typer(
    help=(
        "storytrace: what is actually known about a news story, from how many independent "
        "sources, and who copied whom.\n\n"
        "Start with `storytrace analyze FOLDER --out DIR`, or `storytrace ingest` then "
        "`storytrace docs` / `storytrace show DOC`. Settings come from flags, then "
        "`STORYTRACE_*` environment variables (STORYTRACE_DB, STORYTRACE_WORKERS, ...), then "
        "defaults."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Store file (SQLite). Default: ./storytrace.db, or $STORYTRACE_DB.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
UpdateOption = Annotated[
    bool,
    typer.Option(
        "--update/--no-update",
        help="Bring the stages this command reads up to date first (only what changed runs).",
    ),
]
StoryArgument = Annotated[
    str | None, typer.Argument(help="Story id (a unique prefix); default: every story.")
]
PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Files or folders: .txt .md .html .htm (also .gz), .jsonl, .parquet, "
        ".warc(.gz), .rss/.atom/.xml feeds.",
        show_default=False,
    ),
]
UrlsOption = Annotated[
    Path | None, typer.Option("--urls", help="A file with one URL per line to fetch and ingest.")
]
PrivateUrlsOption = Annotated[
    bool,
    typer.Option(
        "--allow-private-urls",
        help="Also fetch URLs on loopback, private and link-local addresses (refused by "
        "default: a URL list from someone else could read this machine's internal services).",
    ),
]
MaxBytesOption = Annotated[
    int | None, typer.Option("--max-bytes", help="Refuse inputs larger than this (default 20 MB).")
]


class RichProgress:
    """Progress bars on stderr, one per pass; errors printed above them as they happen."""

    def __init__(self, enabled: bool) -> None:
        columns = (TextColumn("[bold]{task.description:<24}"), BarColumn(), MofNCompleteColumn())
        self.bars = Progress(*columns, Elapsed(), console=err_console, disable=not enabled)
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


def _settings(db: Path | None, quiet: bool = False, **changes: object) -> Settings:
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    return settings.with_(db=db, progress=False if quiet else None, **changes)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code=1)


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """A storytrace error is a one-line message and exit code 1, not a traceback."""
    try:
        yield
    except StorytraceError as exc:
        raise _fail(str(exc)) from exc


def _bars(settings: Settings) -> RichProgress:
    return RichProgress(settings.progress and sys.stderr.isatty())


@contextlib.contextmanager
def _workspace(
    settings: Settings, update: str | None = None, create: bool = False
) -> Iterator[Workspace]:
    """The store opened (user errors as messages), brought up to date for ``update``."""
    with _user_errors(), Workspace(settings, create=create) as ws:
        if update is not None:
            with _bars(settings) as bars:
                ws.update(update, bars)
        yield ws


def _story_id(ws: Workspace, story: str | None) -> str | None:
    try:
        return ws.resolve_story(story)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc


def _doc_id(ws: Workspace, doc: str) -> str:
    try:
        return ws.resolve_document(doc)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc


def _echo_json(data: object) -> None:
    typer.echo(to_json(data))


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


# -- getting documents in -------------------------------------------------------------------
@app.command("ingest")
def ingest_command(
    paths: PathsArgument = None,
    urls: UrlsOption = None,
    db: DbOption = None,
    max_bytes: MaxBytesOption = None,
    allow_private_urls: PrivateUrlsOption = False,
    quiet: QuietOption = False,
) -> None:
    """Read inputs into the store: extract article text and metadata, remove page furniture
    (keeping what was removed, with the reason), split sentences and find entities.

    Re-running on the same inputs does nothing new; an interrupted run resumes. The exit
    code is 1 when any input could not be read (each gets a one-line error).

    A folder written by `storytrace batch --analysis full` (OUT/analysis) is loaded as it
    is, into a new store: documents, links, families, stories, claims with their support and
    timelines with every id unchanged, nothing recomputed.
    """
    if not paths and urls is None:
        raise _fail("give at least one PATH or --urls FILE")
    if paths and any(is_analysis(p) for p in paths):
        if len(paths) > 1 or urls is not None:
            raise _fail("an analysis folder is loaded on its own: give it as the only PATH")
        _load_analysis(paths[0], _settings(db, quiet))
        return
    settings = _settings(
        db, quiet, max_bytes=max_bytes, allow_private_urls=allow_private_urls or None
    )
    with _workspace(settings, create=True) as ws, _bars(settings) as bars:
        report = ws.ingest(paths or [], urls, bars)
    render.ingest_report(report)
    if not report.ok:
        raise typer.Exit(code=1)


def _load_analysis(folder: Path, settings: Settings) -> None:
    with _user_errors(), Workspace(settings, create=True) as ws:
        rows = load_tables(ws.store, folder)
    console.print(
        f"[bold]{rows.get('documents', 0)}[/bold] documents, {rows.get('families', 0)} "
        f"families, {rows.get('stories', 0)} stories and {rows.get('claim_clusters', 0)} "
        f"claims loaded from {escape(str(folder))} into {escape(str(settings.db))}",
        highlight=False,
    )


@app.command("analyze")
def analyze_command(
    paths: PathsArgument = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")] = Path("out"),
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Store file (default: OUT/storytrace.db).", show_default=False),
    ] = None,
    urls: UrlsOption = None,
    max_bytes: MaxBytesOption = None,
    allow_private_urls: PrivateUrlsOption = False,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile",
            help="Print what each stage cost (seconds, documents and sentences per second, "
            "peak memory, inputs given to each model) and write it to OUT/profile.json.",
        ),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Run the whole pipeline on PATHS (and --urls) and write the results to --out: the
    store, documents.json (every document with metadata, clean text, sentences, entities
    and removed furniture), reuse.json (derivation families and links with their aligned
    sentences), stories.json (topics and their stories), claims.json (claim clusters with
    their support, sources and disagreements), timeline.json (dated claims per story,
    document dates), summary.md, and the report: report.html (self-contained: briefs,
    timeline charts, claims, provenance graphs, documents), report.md and report.json.

    Each stage runs once, and only when its inputs changed: re-running on the same inputs
    rewrites the outputs without recomputing anything.
    """
    if not paths and urls is None:
        raise _fail("give at least one PATH or --urls FILE")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(f"{out}: cannot create the output folder ({exc.strerror})") from exc
    settings = _settings(
        db or out / "storytrace.db",
        quiet,
        max_bytes=max_bytes,
        allow_private_urls=allow_private_urls or None,
    )
    with _workspace(settings, create=True) as ws:
        with _bars(settings) as bars:
            report, run = ws.analyze(paths or [], urls, bars)
        render.ingest_report(report)
        render.stage_lines(run)
        started = time.perf_counter()
        written = ws.export(out) + ws.report(out)
        writing = time.perf_counter() - started
        render.overview(ws.overview())
        if profile:
            costs = ws.profile(run, writing, report)
            render.profile_table(costs)
            written.append(out / "profile.json")
            write_atomic(out / "profile.json", to_json(costs) + "\n")
    console.print("[bold green]Output:[/bold green]")
    for path in [settings.db, *written]:
        console.print(f"  {escape(str(path))}", highlight=False)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command("stages")
def stages_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The pipeline's stages in order: what each requires and produces, its version, its
    last run, and whether it is up to date (a stage reruns when its inputs, version or
    parameters changed)."""
    with _workspace(_settings(db)) as ws, _user_errors():
        rows = PIPELINE.status(ws.store, ws.settings)
    if as_json:
        _echo_json(rows)
        return
    render.stage_table(rows)


# -- documents ------------------------------------------------------------------------------
@app.command("docs")
def docs_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List stored documents: id, date, site, title, sentences and removed lines."""
    with _workspace(_settings(db)) as ws:
        rows = ws.documents()
    if as_json:
        _echo_json(rows)
        return
    render.document_list(rows)


@app.command("show")
def show_command(
    doc: Annotated[
        str, typer.Argument(help="Document id (a unique prefix is enough) or location.")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print one document: metadata, clean text, and every removed line with its reason."""
    with _workspace(_settings(db)) as ws:
        data = ws.document(_doc_id(ws, doc))
    if as_json:
        _echo_json(data)
        return
    render.document(data)


@app.command("reuse")
def reuse_command(
    doc: Annotated[
        str | None,
        typer.Argument(help="Show this document's relatives (id prefix or location)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    update: UpdateOption = True,
    quiet: QuietOption = False,
) -> None:
    """Who copied whom: derivation families (origin, members, link kind, confidence), or
    with DOC, one document's relatives with their aligned sentences side by side."""
    with _workspace(_settings(db, quiet), "reuse" if update else None) as ws:
        data = ws.reuse(_doc_id(ws, doc) if doc is not None else None)
    if as_json:
        _echo_json(data)
        return
    render.reuse(data)


# -- stories and claims ---------------------------------------------------------------------
@app.command("stories")
def stories_command(
    db: DbOption = None, as_json: JsonOption = False, update: UpdateOption = True,
    quiet: QuietOption = False,
) -> None:  # fmt: skip
    """Topics and their stories (documents that report one event), with document counts,
    independent-origin counts and date spans.

    Run after `storytrace ingest`; reuse families are brought up to date first
    (derivatives join their origin's story). New documents join existing stories or start
    new ones; merges and splits are recorded (see `storytrace story ID`).
    """
    with _workspace(_settings(db, quiet), "stories" if update else None) as ws:
        data = ws.stories()
    if as_json:
        _echo_json(data)
        return
    render.stories(data)


@app.command("story")
def story_command(
    story: Annotated[str, typer.Argument(help="Story id (a unique prefix is enough).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One story: label, key entities, date span, independent origins, its documents (most
    central first, with their reuse family) and the history of its merges and splits."""
    with _workspace(_settings(db)) as ws:
        data = ws.story(_story_id(ws, story) or "")
    if as_json:
        _echo_json(data)
        return
    render.story(data)


@app.command("claims")
def claims_command(
    story: StoryArgument = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    update: UpdateOption = True,
    limit: Annotated[
        int, typer.Option("--limit", help="Claims shown per story (0: all).", min=0)
    ] = 10,
    quiet: QuietOption = False,
) -> None:
    """Claims per story, best supported first: each one with its **independent origins**
    (documents of one reuse family count once), documents, outlets, who asserts it
    (a named source, an unnamed one such as "some people", or the outlet itself) and how
    (stated as fact, reported, or speculative), then the disagreements between sources
    (different numbers, dates or names in claims that say the same thing).

    Brings reuse families, stories and claims up to date first (`--no-update` to skip).
    """
    with _workspace(_settings(db, quiet), "claims" if update else None) as ws:
        data = ws.claims(_story_id(ws, story))
    if as_json:
        _echo_json(data)
        return
    render.claims(data, limit)


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
    quiet: QuietOption = False,
) -> None:
    """What a reader takes away: each story's best-supported claims, quoted from the pages
    and cited to every page that states them, grouped by **independent origin** (copies of
    one article count once); single-source and speculative claims marked, who asserts a
    reported one named, and disagreements between sources stated with both sides.

    Extractive by default: nothing is generated and no model is downloaded.
    Brings reuse, stories and claims up to date first (`--no-update` to skip).
    """
    with _workspace(_settings(db, quiet), "brief" if update else None) as ws:
        story_id = _story_id(ws, story)
        briefs = ws.briefs(story_id, limit)
        if generate:
            briefs = _generated(briefs)
        data = ws.brief_payload(briefs, story_id)
    if as_json:
        _echo_json(data)
        return
    render.briefs(data)


def _generated(briefs: list[Brief]) -> list[Brief]:
    with _user_errors():
        endpoint = Endpoint.from_env()
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
    quiet: QuietOption = False,
) -> None:
    """Answer a question from the documents, with citations.

    Shows the **answer's words** first for who / where / when / how many / name questions
    (never a name the question gives, nor a person quoted as a source), then the sentences
    that answer, ordered by the answer reranker and grouped by claim (five pages repeating
    one claim are one answer with five citations), each with its support in **independent
    origins**. Says "no answer in these documents", with the reason, when no sentence is
    likely enough to answer or none holds the kind of answer asked for.

    `--json` (schema storytrace.answer/2) adds every ranked sentence with its scores.
    Brings the store up to date first (`--no-update` to skip).
    """
    if mode not in {"fused", "bm25", "embedding"}:
        raise _fail(f"--mode must be fused, bm25 or embedding, not {mode!r}")
    if not question.strip():
        raise _fail("the question is empty")
    with _workspace(_settings(db, quiet), "ask" if update else None) as ws, _user_errors():
        _, data = ws.ask(question, mode)  # type: ignore[arg-type]
    if as_json:
        _echo_json(data)
        return
    render.answer(data)


@app.command("compare")
def compare_command(
    first: Annotated[str | None, typer.Argument(help="Sentence A.", show_default=False)] = None,
    second: Annotated[str | None, typer.Argument(help="Sentence B.", show_default=False)] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(
            "--pairs",
            help="A UTF-8 file of pairs, one per line: sentence A, a tab, sentence B "
            "(blank lines and lines starting with # are skipped).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """How two sentences relate, read by the claim-pair model the claims stage uses:
    **equivalent** (the same claim), **entails** (A states B, and more), **entailed-by**,
    **contradicts**, **related** (same subject, another claim) or **unrelated**, with the
    model's scores. Only *equivalent* and *entails* make a page count as stating a claim.

    Needs no store: `storytrace compare "The quake killed 23." "23 people died in the quake."`
    """
    if pairs is not None and (first or second):
        raise _fail("give two sentences or --pairs FILE, not both")
    if pairs is None and not (first and second and first.strip() and second.strip()):
        raise _fail('give two sentences (`storytrace compare "A" "B"`) or --pairs FILE')
    with _user_errors():
        found = read_pair_file(pairs) if pairs is not None else [(first.strip(), second.strip())]
        data = compare_payload(found)
    if as_json:
        _echo_json(data)
        return
    render.compare(data)


# -- time -----------------------------------------------------------------------------------
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
    quiet: QuietOption = False,
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
    if entity is not None and not entity.strip():
        raise _fail("--entity needs a name")
    settings = _settings(db, quiet)
    with _workspace(settings, "timeline" if update else None) as ws:
        story_id = _story_id(ws, story)
        if entity is None:
            data = ws.timeline(story_id)
        else:
            with _user_errors(), _bars(settings) as bars:
                data = ws.entity_timeline(entity.strip(), story_id, bars)
    if as_json:
        _echo_json(data)
        return
    if entity is None:
        render.timeline(data)
    else:
        render.entity_timeline(data)


# -- outputs --------------------------------------------------------------------------------
@app.command("report")
def report_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")] = Path("report"),
    db: DbOption = None,
    update: UpdateOption = True,
    largest: Annotated[
        int | None,
        typer.Option(
            "--largest",
            min=1,
            help="Only the N largest stories, their topics and documents (for large stores; "
            "the counts at the top stay the whole store's).",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Write a report of everything in the store to --out: report.html (one self-contained
    file: no script, no network; open it in any browser), report.md and report.json
    (schema storytrace.report/1). Topics and stories; per story the brief, the timeline
    chart, the claims with support and attribution, the provenance graph; every document
    with its clean text, removed furniture and relatives with aligned sentences.

    Brings reuse, stories, claims and timelines up to date first (`--no-update` to skip).
    """
    with _workspace(_settings(db, quiet), "report" if update else None) as ws:
        written = ws.report(out, largest)
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
    then set --token or --read-only (see SECURITY.md). Without a store at --db, an empty
    one is created (not with --read-only). URLs given to the web app are never fetched from
    loopback, private or link-local addresses.
    """
    # Imported here, not at the top: FastAPI and uvicorn take most of a second to import,
    # which every other command would pay.
    import uvicorn

    from storytrace.web import WebSettings, create_app

    settings = _settings(db)
    if host not in {"127.0.0.1", "localhost", "::1"} and not (token or read_only):
        console.print("[yellow]warning: listening beyond this machine without --token or "
                      "--read-only: anyone who can reach it can add pages[/yellow]")  # fmt: skip
    if not settings.db.exists() and not read_only:
        # A first-time user starts here: an empty store, then pages added in the browser.
        with _workspace(settings, create=True):
            pass
        console.print(f"No store at {escape(str(settings.db))}: created an empty one; add "
                      "pages with the form on the home page.", highlight=False)  # fmt: skip
    with _user_errors():
        web_app = create_app(WebSettings(settings.db, token, read_only, settings.max_bytes))
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
        str | None,
        typer.Option(
            "--encoder",
            help="Lead vectors for lead groups: static (model2vec distilled from MiniLM, "
            "fast; the default, or $STORYTRACE_ENCODER), minilm (MiniLM itself, ~40x slower), "
            "or none (no lead groups; the default with --analysis full, whose stories come "
            "from the story stage itself).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Local engine: processes (default: all cores, or $STORYTRACE_WORKERS).",
        ),
    ] = None,
    analysis: Annotated[
        str,
        typer.Option(
            "--analysis",
            help="light (the steps below only) or full (then `analyze`'s stages on "
            "partitions: families, stories, claims with support, timelines; see below).",
        ),
    ] = "light",
    partition_docs: Annotated[
        int,
        typer.Option(
            "--partition-docs",
            min=1,
            help="--analysis full: documents per partition (each a worker's store; "
            "stories are kept whole unless larger, families never cross partitions).",
        ),
    ] = 5_000,
    report_stories: Annotated[
        int,
        typer.Option(
            "--report-stories",
            min=0,
            help="--analysis full: load the tables into OUT/storytrace.db and write a "
            "report of the N largest stories to OUT/report (0: neither).",
        ),
    ] = 20,
    quiet: QuietOption = False,
) -> None:
    """Batch mode for large inputs: extraction and furniture rules (the read stage's),
    MinHash signatures (the embed stage's parameters) and lead vectors per file (in
    parallel), then LSH banding, pair verification by signature agreement (>= 0.3, with
    about 20 words in common), copy groups (connected components) and lead groups
    (average link over lead-vector neighbours, copy groups kept together, dates within
    two weeks).

    Writes Parquet tables to --out: documents (id: the same id `storytrace ingest` gives
    the page; input, format, title, url, site, published, words, text), duplicates (input,
    id of the document it repeats), pairs (a, b, agreement), copy_groups (copy_group, id),
    lead_groups (lead_group, id), errors (input, error). Copy groups are copies and close
    rewrites only (the store's families also hold paraphrases, with direction); lead groups
    approximate the store's stories. `storytrace ingest OUT/documents.parquet` loads the
    documents into a store with the same ids. Interrupted runs resume per file; a finished
    run re-run on unchanged inputs and settings is a no-op. See docs/scaling.md.

    With --analysis full, the documents are then analysed as `storytrace analyze` would:
    lead groups (copy groups inside) are packed into partitions of --partition-docs
    documents, nearest groups together; each partition reads, cleans, annotates and embeds
    its documents in a store of its own (OUT/.work/partitions), given the whole corpus's
    template lines; one task then finds and scores the story pairs of the whole corpus and
    groups them into stories, and whole stories are packed into story partitions that run
    the remaining stages (links and families, stories, claims, timelines) with the whole
    corpus's document frequencies and story scores; every table is written to
    OUT/analysis/TABLE.parquet (documents,
    reuse_links with reuse_alignments, families and family_members, stories with
    story_members and topics, claim_clusters with claim_members, timeline_entries, ...).
    `storytrace ingest OUT/analysis --db STORE` loads them into a store for the web app,
    `ask` and `report`, ids unchanged; by default the run does that itself into
    OUT/storytrace.db and writes the report of the 20 largest stories to OUT/report
    (--report-stories). A story larger than a partition is cut and families never cross
    story partitions: how far the result is from `analyze` is measured in docs/scaling.md.
    """
    # Imported here, not at the top: batch mode's modules (SciPy's graph routines, Arrow)
    # would add a tenth of a second to every other command.
    from storytrace.engine import run_local, run_ray

    if engine not in {"local", "ray"}:
        raise _fail(f"--engine must be local or ray, not {engine!r}")
    if analysis not in {"light", "full"}:
        raise _fail(f"--analysis must be light or full, not {analysis!r}")
    if address and engine != "ray":
        raise _fail("--address needs --engine ray")
    settings = _settings(None, quiet, workers=workers)
    # The full analysis groups stories with the story stage's own evidence: lead groups
    # would cost the driver their memory (18 GB at 1M documents) for nothing.
    chosen = encoder or ("none" if analysis == "full" else settings.encoder or "static")
    full = None
    try:
        with _user_errors(), _bars(settings) as bars:
            if analysis == "full":
                from storytrace.engine.full import run_full

                run, full = run_full(inputs, out, chosen, engine, partition_docs, settings,
                                     bars, address)  # fmt: skip
            elif engine == "ray":
                run = run_ray(inputs, out, chosen, address, bars, settings)
            else:
                run = run_local(inputs, out, chosen, settings.workers, bars, settings)
    except ImportError as exc:
        raise _fail(f"--engine ray needs Ray: pip install 'storytrace[ray]' ({exc.name})") from exc
    if run.up_to_date:
        console.print(f"{escape(str(out))} is up to date with these inputs.", highlight=False)
    leads = (
        f", {sum(len(s) > 1 for s in run.lead_groups)} lead groups of two or more documents"
        if chosen != "none"
        else ""
    )
    console.print(
        f"{run.documents} documents ({run.duplicates} duplicates dropped, {run.errors} "
        f"errors), {len(run.pairs)} verified pairs, {len(run.copy_groups)} copy groups"
        f"{leads} -> {escape(str(out))}",
        highlight=False,
    )
    if run.errors:
        console.print(f"  errors are listed in {escape(str(out / 'errors.parquet'))}",
                      highlight=False)  # fmt: skip
    if full is not None:
        _full_summary(full, out)
        if report_stories:
            _full_report(out, report_stories, settings)


def _full_summary(full: Any, out: Path) -> None:
    tables = full.tables
    graph = full.graph
    if graph is not None and graph.cut:
        console.print(
            f"  {graph.cut} documents are in stories larger than --partition-docs, cut "
            f"between partitions (largest: {graph.largest} documents)",
            highlight=False,
        )
    console.print(
        f"full analysis in {len(full.partitions)} partitions, then "
        f"{len(full.story_partitions)} of whole stories: {tables.get('families', 0)} "
        f"families, {tables.get('stories', 0)} stories, {tables.get('claim_clusters', 0)} "
        f"claims, {tables.get('timeline_entries', 0)} timeline entries -> "
        f"{escape(str(out / 'analysis'))}",
        highlight=False,
    )


def _full_report(out: Path, largest: int, settings: Settings) -> None:
    """The analysis loaded into a store of its own (replaced), and its report."""
    db = out / "storytrace.db"
    for old in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        old.unlink(missing_ok=True)
    with _user_errors(), Workspace(settings.with_(db=db), create=True) as ws:
        load_tables(ws.store, out / "analysis")
        written = ws.report(out / "report", largest)
    console.print(f"store {escape(str(db))} (storytrace serve --db {escape(str(db))}); "
                  f"report of the {largest} largest stories:", highlight=False)  # fmt: skip
    for path in written:
        console.print(f"  {escape(str(path))}", highlight=False)
