"""Terminal views of the payloads (``storytrace.payload``): what a command prints when it
is not asked for ``--json``. Every view is drawn from the same dict ``--json`` prints, so
the two never disagree. Article text is untrusted: it is escaped before Rich sees it."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from storytrace.payload import brief_markdown
from storytrace.pipeline import RunReport
from storytrace.workspace import IngestReport

console = Console()
err_console = Console(stderr=True)
Payload = dict[str, Any]


def say(text: str) -> None:
    """Plain text that may hold article content (escaped)."""
    console.print(escape(text), highlight=False)


# -- ingest and analyze ---------------------------------------------------------------------
def ingest_report(report: IngestReport) -> None:
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


def stage_lines(run: RunReport, after: str = "annotate") -> None:
    """One line per stage after ``after``: what it did, or that it was up to date."""
    names = [o.stage for o in run.outcomes]
    for outcome in run.outcomes[names.index(after) + 1 if after in names else 0 :]:
        if outcome.ran and outcome.result is not None:
            say(outcome.result.message)
        else:
            say(f"{outcome.stage}: {outcome.reason}")


def profile_table(data: Payload) -> None:
    """The cost of each stage that ran (``analyze --profile``)."""
    over = data["rates_over"]
    title = f"profile: {data['documents']} documents, {data['sentences']} sentences"
    if over["of"] != "stored":
        noun = "document" if over["documents"] == 1 else "documents"
        title += f" (rates over the {over['documents']:,} {noun} {over['of']})"
    table = Table("stage", "seconds", "docs/s", "sentences/s", "peak MB", "worker MB",
                  "model inputs", title=title, title_justify="left")  # fmt: skip
    for row in data["stages"]:
        calls = ", ".join(f"{name}: {n:,}" for name, n in row["model_inputs"].items())
        table.add_row(row["stage"], f"{row['seconds']:.1f}", _num(row["docs_per_s"]),
                      _num(row["sentences_per_s"]), str(row["peak_rss_mb"]),
                      str(row["worker_peak_mb"] or "-"), escape(calls or "-"))  # fmt: skip
    table.add_row("all", f"{data['seconds']:.1f}", _num(data["docs_per_s"]), "",
                  str(data["peak_rss_mb"]), "", "", style="bold")  # fmt: skip
    console.print(table)
    if data.get("outputs_seconds") is not None:
        console.print(f"outputs and report written in {data['outputs_seconds']:.1f} s")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def overview(data: Payload) -> None:
    """One screen: the largest stories with their size, independent origins and best claim."""
    table = Table("story", "docs", "origins", "best-supported claim", title="stories",
                  title_justify="left", show_lines=False)  # fmt: skip
    for row in data["stories"]:
        claim = f"{row['claim'][:110]} ({row['claim_origins']} origins)" if row["claim"] else "-"
        table.add_row(escape(row["label"][:50]), str(row["documents"]), str(row["origins"]),
                      escape(claim))  # fmt: skip
    console.print(table)
    if data["more"]:
        console.print(f"… and {data['more']:,} smaller stories: every one is in the report.")


def stage_table(rows: list[Payload]) -> None:
    table = Table("stage", "version", "requires", "produces", "last run", "state",
                  title="pipeline", title_justify="left")  # fmt: skip
    for r in rows:
        state = "[green]up to date[/green]" if r["up_to_date"] else f"[yellow]{r['state']}[/yellow]"
        table.add_row(r["stage"], r["version"], ", ".join(r["requires"]) or "(inputs)",
                      ", ".join(r["produces"]), r["finished_at"] or "-", state)  # fmt: skip
    console.print(table)


# -- documents ------------------------------------------------------------------------------
def document_list(rows: list[Payload]) -> None:
    table = Table(
        "id", "published", "site", "title", "sents", "removed", title=f"{len(rows)} documents"
    )
    for r in rows:
        table.add_row(
            r["id"][:10], r["published"] or "", escape(r["site"] or ""),
            escape(r["title"] or r["location"]), str(r["sentences"]), str(r["removed"]),
        )  # fmt: skip
    console.print(table)


def document(doc: Payload) -> None:
    meta = Table.grid(padding=(0, 2))
    for name in ("id", "title", "published", "published_text", "site", "author",
                 "declared_source", "url"):  # fmt: skip
        if doc[name]:
            meta.add_row(f"[bold]{name}[/bold]", escape(str(doc[name])))
    meta.add_row("[bold]seen at[/bold]", escape(", ".join(doc["locations"])))
    meta.add_row(
        "[bold]counts[/bold]",
        f"{len(doc['sentences'])} sentences, {len(doc['entities'])} entities, "
        f"{len(doc['removed'])} removed lines",
    )
    console.print(meta)
    console.rule("clean text")
    for block in doc["blocks"]:
        text = escape(doc["text"][block["start"] : block["end"]])
        heading = block["kind"] == "heading"
        console.print(f"[bold]{text}[/bold]" if heading else text, highlight=False)
        console.print()
    console.rule("removed lines")
    for removed in doc["removed"]:
        console.print(
            f"[dim]{removed['line_no']:>4}[/dim] [yellow]{removed['reason']:<26}[/yellow] "
            f"{escape(removed['text'])}",
            highlight=False,
        )


# -- reuse ----------------------------------------------------------------------------------
def reuse(data: Payload) -> None:
    """Families, or with a document, its relatives (aligned sentences) and families."""
    if data["document"] is not None:
        relatives(data["document"], data["links"], data["titles"])
    families(data["families"], data["links"], data["titles"])


def families(found: list[Payload], links: list[Payload], titles: dict[str, str]) -> None:
    by_child = {(link["doc_id"], link["origin_id"]): link for link in links}
    if not found:
        console.print("No derivation families: no document derives from another here.")
    for family in found:
        if family["external_origin"]:
            origin = (f"[bold]{escape(family['external_origin'])}[/bold] "
                      "(external, declared by members)")  # fmt: skip
        else:
            root = family["root_id"]
            origin = f"[bold]{root[:10]}[/bold] {escape(titles.get(root, ''))}"
        table = Table(
            "document", "role", "derives from", "link", "confidence", "direction",
            title=f"family {family['id']}: {family['size']} documents, origin {origin}",
            title_justify="left",
        )  # fmt: skip
        for m in family["members"]:
            keys = [(m["doc_id"], p) for p in m["parents"]]
            link = next((by_child[k] for k in keys if k in by_child), None)
            table.add_row(
                f"{m['doc_id'][:10]} {escape(titles.get(m['doc_id'], ''))}",
                m["role"],
                ", ".join(p[:10] for p in m["parents"]),
                link["kind"] if link else "",
                f"{link['confidence']:.2f}" if link else "",
                f"{link['direction_confidence']:.2f}" if link else "",
            )
        console.print(table)
    possible = [link for link in links if link["kind"] == "possible"]
    if possible:
        console.print(f"{len(possible)} possible (low-confidence) links, not in any family:")
        for link in possible:
            console.print(
                f"  {link['doc_id'][:10]} possibly derived from {link['origin_id'][:10]} "
                f"(confidence {link['confidence']:.2f})",
                highlight=False,
            )


def relatives(doc_id: str, links: list[Payload], titles: dict[str, str]) -> None:
    console.print(f"[bold]{doc_id}[/bold] {escape(titles.get(doc_id, ''))}", highlight=False)
    if not links:
        console.print("No relatives: nothing here copies it and it copies nothing here.")
    for link in links:
        derived = link["doc_id"] == doc_id
        arrow = "derives from" if derived else "is the origin of"
        other = link["origin_id"] if derived else link["doc_id"]
        console.rule(
            f"{arrow} {other[:10]} {escape(titles.get(other, ''))}: {link['kind']}, "
            f"confidence {link['confidence']:.2f}, direction {link['direction_confidence']:.2f}"
        )
        for reason in link["reasons"]:
            console.print(f"  [dim]{escape(reason)}[/dim]", highlight=False)
        console.print(
            f"  {link['coverage']:.0%} of the derived text aligned to its origin, "
            f"{link['origin_coverage']:.0%} of the origin restated",
            highlight=False,
        )
        table = Table("derived sentence", "origin sentence", "sim", "words", expand=True)
        for pair in link["pairs"]:
            table.add_row(
                escape(pair["doc_text"]), escape(pair["origin_text"]),
                f"{pair['similarity']:.2f}", f"{pair['overlap']:.2f}",
            )  # fmt: skip
        console.print(table)


# -- stories --------------------------------------------------------------------------------
def span(story: Payload) -> str:
    if not story["first_date"]:
        return "undated"
    first, last = story["first_date"], story["last_date"]
    dates = first if first == last else f"{first} to {last}"
    return dates + (f" (+{story['undated']} undated)" if story["undated"] else "")


def stories(data: Payload) -> None:
    if not data["topics"]:
        console.print("No stories yet: ingest documents first (`storytrace ingest PATH`).")
        return
    for topic in data["topics"]:
        members = topic["stories"]
        tree = Tree(
            f"[bold]topic {topic['id']}[/bold] {escape(topic['label'])}: "
            f"{len(members)} stories, {sum(s['size'] for s in members)} documents",
            highlight=False,
        )
        for story in members:
            tree.add(
                f"[bold]{story['id']}[/bold] {escape(story['label'])} [dim]|[/dim] "
                f"{story['size']} documents, {story['origins']} independent origins, "
                f"{span(story)}",
                highlight=False,
            )
        console.print(tree)


def story(data: Payload) -> None:
    s = data["story"]
    meta = Table.grid(padding=(0, 2))
    meta.add_row("[bold]story[/bold]", f"{s['id']} (topic {s['topic_id']})")
    meta.add_row("[bold]label[/bold]", escape(s["label"]))
    meta.add_row("[bold]dates[/bold]", span(s))
    meta.add_row("[bold]documents[/bold]", f"{s['size']}, from {s['origins']} independent origins")
    names = ", ".join(f"{e['name']} ({e['documents']})" for e in s["entities"])
    meta.add_row("[bold]key entities[/bold]", escape(names or "-"))
    console.print(meta)
    table = Table("document", "published", "site", "title", "family", title="documents")
    for d in data["documents"]:
        role = f"{d['family']} ({d['role']})" if d["family"] else ""
        table.add_row(
            d["id"][:10], d["published"] or "", escape(d["site"] or ""),
            escape(d["title"] or d["location"]), role,
        )  # fmt: skip
    console.print(table)
    if data["changes"]:
        console.rule("history")
        for change in data["changes"]:
            others = f" ({', '.join(change['others'])})" if change["others"] else ""
            console.print(
                f"{change['at']} {change['kind']} {change['story_id']}{others}: "
                f"{change['documents']} documents {escape(change['detail'])}",
                highlight=False,
            )


# -- claims ---------------------------------------------------------------------------------
def claims(data: Payload, limit: int) -> None:
    if not data["clusters"]:
        console.print("No claims yet: ingest documents first (`storytrace ingest PATH`).")
        return
    by_story: dict[str, list[Payload]] = {}
    for cluster in data["clusters"]:
        by_story.setdefault(cluster["story_id"], []).append(cluster)
    for story in data["stories"]:
        found = by_story.get(story["id"], [])
        if not found:
            continue
        table = Table(
            "claim", "origins", "docs", "outlets", "asserted by", "hedge", "not counted",
            title=f"story {story['id']}: {escape(story['label'])} ({len(found)} claims)",
            title_justify="left", show_lines=True,
        )  # fmt: skip
        for c in found[:limit] if limit else found:
            sources = ", ".join(f"{s} ({n})" for s, n in c["sources"].items())
            hedges = ", ".join(f"{h} ({n})" for h, n in c["hedges"].items())
            note = " [dim](single source)[/dim]" if c["origins"] == 1 else ""
            other = ", ".join(f"{n} {r}" for r, n in c["not_counted"].items())
            table.add_row(
                escape(c["label"]) + note, str(c["origins"]), str(c["documents"]),
                str(c["outlets"]), escape(sources), hedges, other,
            )  # fmt: skip
        console.print(table)
        disagreements([d for d in data["disagreements"] if d["story_id"] == story["id"]])
        entities([e for e in data["entities"] if e["story_id"] == story["id"]][:8])


def disagreements(found: list[Payload]) -> None:
    for d in found:
        values = (
            "one sentence denies the other"
            if d["kind"] == "contradiction"
            else f"{escape(d['first_value'])} vs {escape(d['second_value'])}"
        )
        console.print(
            f"[yellow]disagreement ({d['kind']})[/yellow] {values}\n  {d['first']['doc_id'][:10]}: "
            f"{escape(d['first']['text'])}\n  {d['second']['doc_id'][:10]}: "
            f"{escape(d['second']['text'])}",
            highlight=False,
        )


def entities(found: list[Payload]) -> None:
    if not found:
        return
    parts = []
    for e in found:
        others = [a for a in e["aliases"] if a != e["name"]]
        also = f", also {'/'.join(others)}" if len(e["aliases"]) > 1 else ""
        parts.append(f"{escape(e['name'])} [dim]{e['label']}, {e['mentions']}x{escape(also)}[/dim]")
    console.print(f"[bold]entities[/bold] {', '.join(parts)}", highlight=False)


# -- briefs and answers ---------------------------------------------------------------------
def briefs(data: Payload) -> None:
    if not data["briefs"]:
        console.print("No stories yet: ingest documents first (`storytrace ingest PATH`).")
    for brief in data["briefs"]:
        console.print(Markdown(brief_markdown(brief)))


def answer(data: Payload) -> None:
    if not data["answered"]:
        console.print(f"[yellow]{escape(data['reason'])}[/yellow]", highlight=False)
        return
    found = data["answer"]
    if found:
        where = escape(found["location"] or found["doc_id"])
        also = found["sentences"] - 1
        console.print(
            f"[bold green]Answer: {escape(found['text'])}[/bold green]  [dim]({found['kind']}, "
            f"from {where} #{found['sentence_index']}"
            + (f", and {also} more sentence{'s' * (also != 1)}" if also > 0 else "")
            + ")[/dim]\n",
            highlight=False,
        )
    for n, group in enumerate(data["groups"], 1):
        support = (
            f"answers: {group['score']:.0%}; {group['origins']} independent "
            f"origin{'s' * (group['origins'] != 1)}"
        )
        console.print(
            f"[bold]{n}.[/bold] {escape(group['text'])}\n   [dim]{support}, "
            f"{group['documents']} page{'s' * (group['documents'] != 1)}[/dim]",
            highlight=False,
        )
        for k, origin in enumerate(group["citations"], 1):
            for citation in origin:
                where = escape(citation["location"] or citation["doc_id"])
                console.print(
                    f"   [{k}] {where} #{citation['sentence_index']}: {escape(citation['text'])}",
                    highlight=False,
                )


def compare(data: Payload) -> None:
    """One block per pair: the relation and scores, then both sentences (readable at any
    terminal width, unlike a table of long sentences)."""
    console.print(f"[dim]claim-pair model {data['model']}[/dim]", highlight=False)
    for n, pair in enumerate(data["pairs"], 1):
        s = pair["scores"]
        console.print(
            f"[bold]{n}. {pair['relation']}[/bold]  A⇒B {s['entails']:.2f}  "
            f"B⇒A {s['entailed_by']:.2f}  contradicts {s['contradicts']:.2f}  "
            f"paraphrase {s['paraphrase']:.2f}  similarity {s['similarity']:.2f}\n"
            f"   A: {escape(pair['a'])}\n   B: {escape(pair['b'])}",
            highlight=False,
        )


# -- timelines ------------------------------------------------------------------------------
def timeline(data: Payload) -> None:
    if not data["entries"] and not data["unresolved"]:
        console.print("No dated claims yet: ingest documents first (`storytrace ingest PATH`).")
        return
    labels = {s["id"]: s["label"] for s in data["stories"]}
    table = Table("when", "precision", "what (the dating sentence)", "stated as", "sources",
                  title="timeline", title_justify="left", show_lines=True)  # fmt: skip
    for e in data["entries"]:
        said = ", ".join(dict.fromkeys(f'"{s["expression"]}"' for s in e["sources"]))
        estimated = all(s["estimated"] for s in e["sources"])
        when = e["value"] + (" [dim](estimated)[/dim]" if estimated else "")
        label = f"[{labels.get(e['story_id'], e['story_id'])[:30]}] {e['label']}"
        table.add_row(when, e["precision"], escape(label), escape(said),
                      f"{e['documents']} docs, {e['origins']} origins")  # fmt: skip
    console.print(table)
    for source in data["unresolved"]:
        console.print(
            f'[yellow]unresolved[/yellow] "{escape(source["expression"])}" in '
            f"{source['doc_id'][:10]} (undated): {escape(source['text'])}",
            highlight=False,
        )


def entity_timeline(data: Payload) -> None:
    entity = escape(data["entity"])
    if not data["rows"]:
        console.print(f"No events of {entity!r} found in {data['documents_searched']} documents.")
        return
    table = Table("#", "when", "event", "sentence", "dated by", "sources",
                  title=f"events of {entity}", title_justify="left", show_lines=True)  # fmt: skip
    for r in data["rows"]:
        first = r["mentions"][0]
        when = r["value"] if r["ordinal"] else "[dim]not dated[/dim]"
        table.add_row(
            str(r["ordinal"] or "-"), when, escape(first["word"]), escape(first["sentence"]),
            escape(first["evidence"] or "-"), f"{r['documents']} docs, {r['origins']} origins",
        )  # fmt: skip
    console.print(table)
