"""Briefs: what a reader takes away from a story, every sentence cited.

:func:`store_briefs` builds the extractive brief of each story from the stored claim
clusters (:mod:`storytrace.brief.extractive`); :func:`storytrace.brief.generate.generate`
optionally rewrites one through an OpenAI-compatible endpoint the user configures, keeping
its citations; :func:`render_markdown` writes one as Markdown.
"""

from __future__ import annotations

from storytrace.brief.extractive import Brief, story_brief
from storytrace.store.sqlite import Store


def store_briefs(store: Store, story_id: str | None = None, limit: int = 8) -> list[Brief]:
    """The brief of every story (or one), from what the claim stage stored."""
    stories = store.stories.stories(story_id)
    clusters = store.claims.clusters(story_id)
    doc_ids = [d for s in stories for d in s.doc_ids]
    claims = {(c.doc_id, c.sentence_index): c for c in store.claims.doc_claims(doc_ids)}
    outlets = store.claims.outlets(doc_ids)
    titles = store.titles()
    families = store.reuse.families()
    disagreements = store.claims.disagreements(story_id)
    briefs = []
    for story in stories:
        members = set(story.doc_ids)
        briefs.append(story_brief(
            story,
            [c for c in clusters if c.story_id == story.id],
            claims,
            [d for d in disagreements if d.story_id == story.id],
            [f for f in families if members & set(f.doc_ids)],
            outlets,
            titles,
            limit,
        ))  # fmt: skip
    return briefs


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown: numbered citations, marks, disagreements, source list."""
    lines = [f"### {brief.label}", ""]
    if brief.generated:
        lines += [brief.generated, "", "Quoted claims behind it:", ""]
    if not brief.items:
        lines.append("_No claims found in this story._")
    for item in brief.items:
        cites = " · ".join("[" + ", ".join(str(n) for n in group) + "]" for group in item.citations)
        notes = f" _({'; '.join(item.notes)})_" if item.notes else ""
        origins = f"{item.origins} independent origin{'s' * (item.origins != 1)}"
        lines.append(f"- {_md(item.text)} {cites} — {origins}{notes}")
    for d in brief.disagreements:
        lines.append(
            f'- **Sources differ** ({d.kind}): "{_md(d.first_value)}" [{d.first_source}] '
            f'vs "{_md(d.second_value)}" [{d.second_source}]'
        )
    if brief.left_out:
        lines.append(f"- _{brief.left_out} more claims not quoted (repeats or less supported)._")
    lines += ["", "Sources:"]
    for source in brief.sources:
        when = f", {source.published}" if source.published else ", undated"
        title = f" — {_md(source.title)}" if source.title else ""
        lines.append(f"{source.number}. {_md(source.outlet)}{title}{when} (`{source.doc_id[:12]}`)")
    return "\n".join(lines) + "\n"


def markdown_escape(text: str) -> str:
    """Article text is untrusted: Markdown and HTML characters are escaped."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


_md = markdown_escape

__all__ = ["Brief", "markdown_escape", "render_markdown", "store_briefs", "story_brief"]
