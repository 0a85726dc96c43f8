"""Briefs: what a reader takes away from a story, every sentence cited.

:func:`store_briefs` builds the extractive brief of each story from the stored claim
clusters (:mod:`storytrace.brief.extractive`); :func:`storytrace.brief.generate.generate`
optionally rewrites one through an OpenAI-compatible endpoint the user configures, keeping
its citations. As Markdown: :func:`storytrace.payload.brief_markdown`.
"""

from __future__ import annotations

from storytrace.brief.extractive import Brief, story_brief
from storytrace.store import Store


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


__all__ = ["Brief", "store_briefs", "story_brief"]
