"""Claims, entities and corroboration: what is said, by whom, and how many independent
sources say it.

Stage entry point: :func:`build_claims`. Loaded lazily (as the other stages) so that
importing a helper module does not pull in the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storytrace.claims.stage import ClaimReport, build_claims

__all__ = ["ClaimReport", "build_claims"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from storytrace.claims import stage

        return getattr(stage, name)
    raise AttributeError(name)
