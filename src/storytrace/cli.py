"""The `storytrace` command: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
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

from storytrace import __version__
from storytrace.errors import StorytraceError
from storytrace.export import write_outputs
from storytrace.model import Document, InputError
from storytrace.pipeline import IngestReport, ingest
from storytrace.settings import Settings
from storytrace.store import Store

app = typer.Typer(
    help=(
        "storytrace: what is actually known about a news story, from how many independent "
        "sources, and who copied whom.\n\n"
        "Start with `storytrace analyze FOLDER --out DIR`, or `storytrace ingest` then "
        "`storytrace docs` / `storytrace show DOC`."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
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
    entities and removed furniture) and summary.md."""
    out.mkdir(parents=True, exist_ok=True)
    settings = _settings(out / "storytrace.db", progress=not quiet)
    report = _run_ingest(paths, settings, None)
    _print_report(report)
    with Store(settings.db) as store:
        written = write_outputs(store, out)
    console.print("[bold green]Output:[/bold green]")
    for path in [settings.db, *written]:
        console.print(f"  {escape(str(path))}", highlight=False)
    if not report.ok:
        raise typer.Exit(code=1)


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
