"""Briefs: what a reader takes away from a story, every sentence cited.

:func:`store_briefs` builds the extractive brief of each story from the stored claim
clusters (:mod:`storytrace.brief.extractive`); :func:`storytrace.brief.generate.generate`
optionally rewrites one through an OpenAI-compatible endpoint the user configures, keeping
its citations. As Markdown: :func:`storytrace.payload.brief_markdown`.
"""

from __future__ import annotations

from storytrace.brief.extractive import Brief, story_brief
from storytrace.provenance import FamilyIndex
from storytrace.store import Store
from storytrace.util import group_by


def store_briefs(
    store: Store, story_id: str | None = None, limit: int = 8, first: int | None = None
) -> list[Brief]:
    """The brief of every story (or one, or the ``first`` largest), from what the claim
    stage stored."""
    stories = store.stories.stories(story_id)[:first]
    clusters = store.claims.clusters(story_id)
    doc_ids = [d for s in stories for d in s.doc_ids]
    claims = {(c.doc_id, c.sentence_index): c for c in store.claims.doc_claims(doc_ids)}
    outlets = store.claims.outlets(doc_ids)
    titles = store.titles()
    families = FamilyIndex(store.reuse.families())
    # Grouped once: filtering every list per story is quadratic (100 s at 5,000 stories).
    clusters_of = group_by(clusters, lambda c: c.story_id)
    disagreements_of = group_by(store.claims.disagreements(story_id), lambda d: d.story_id)
    briefs = []
    for story in stories:
        briefs.append(story_brief(
            story,
            clusters_of.get(story.id, []),
            claims,
            disagreements_of.get(story.id, []),
            families.touching(story.doc_ids),
            outlets,
            titles,
            limit,
        ))  # fmt: skip
    return briefs


__all__ = ["Brief", "store_briefs", "story_brief"]
