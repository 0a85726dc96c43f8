"""Optional generative briefs through an OpenAI-compatible chat endpoint.

Never required and never called unless the user configures an endpoint
(``STORYTRACE_LLM_URL``, e.g. ``http://localhost:8000/v1``; ``STORYTRACE_LLM_MODEL``;
``STORYTRACE_LLM_KEY`` when the server wants one) and asks for it (``storytrace brief
--generate``). The model is given only the extractive brief's quoted claims with their
source numbers and asked to write a short summary citing them as ``[n]``; the answer is
checked before it is used: it must cite, and cite only numbers the brief has. Otherwise
the extractive brief stands and the reason is reported.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

import httpx

from storytrace.brief.extractive import Brief
from storytrace.errors import StorytraceError

_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_PROMPT = (
    "You write short, neutral news briefs. Use ONLY the numbered claims given. After every "
    "sentence, cite the source numbers it rests on in square brackets, e.g. [1] or [2, 3], "
    "exactly as given. Say when a claim has a single source or is speculative. State "
    "disagreements between sources. Do not add facts. At most {words} words."
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str  # base URL of an OpenAI-compatible API, ending before /chat/completions
    model: str
    key: str | None = None
    timeout: float = 60.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Endpoint | None:
        env = dict(os.environ) if environ is None else environ
        url = env.get("STORYTRACE_LLM_URL", "").strip()
        if not url:
            return None
        model = env.get("STORYTRACE_LLM_MODEL", "").strip()
        if not model:
            raise StorytraceError("STORYTRACE_LLM_URL is set but STORYTRACE_LLM_MODEL is not")
        return cls(url.rstrip("/"), model, env.get("STORYTRACE_LLM_KEY") or None)


def claims_prompt(brief: Brief) -> str:
    """The extractive brief as numbered claims for the model."""
    lines = [f"Story: {brief.label}", "Claims (sources in brackets):"]
    for item in brief.items:
        cited = ", ".join(str(n) for group in item.citations for n in group)
        notes = f" ({'; '.join(item.notes)})" if item.notes else ""
        lines.append(f"- {item.text} [{cited}]{notes}")
    for d in brief.disagreements:
        lines.append(
            f"- Sources differ on a {d.kind}: {d.first_value!r} [{d.first_source}] vs "
            f"{d.second_value!r} [{d.second_source}]"
        )
    return "\n".join(lines)


def generate(
    brief: Brief, endpoint: Endpoint, client: httpx.Client | None = None, words: int = 150
) -> Brief:
    """The brief with a generated summary, or a StorytraceError saying why not."""
    if not brief.items:
        raise StorytraceError(f"story {brief.story_id} has no claims to summarise")
    body = {
        "model": endpoint.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": _PROMPT.format(words=words)},
            {"role": "user", "content": claims_prompt(brief)},
        ],
    }
    headers = {"Authorization": f"Bearer {endpoint.key}"} if endpoint.key else {}
    own = client is None
    client = client or httpx.Client(timeout=endpoint.timeout)
    try:
        response = client.post(f"{endpoint.url}/chat/completions", json=body, headers=headers)
        response.raise_for_status()
        text = response.json()["choices"][0]["message"]["content"].strip()
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise StorytraceError(f"the brief endpoint {endpoint.url} failed: {exc}") from exc
    finally:
        if own:
            client.close()
    check_citations(text, {s.number for s in brief.sources})
    return replace(brief, mode="generated", generated=text)


def check_citations(text: str, numbers: set[int]) -> None:
    """A generated text must cite, and only sources the brief has."""
    cited = {int(n) for group in _CITATION.findall(text) for n in group.split(",")}
    if not cited:
        raise StorytraceError("the generated brief cites no source; keeping the extractive one")
    unknown = sorted(cited - numbers)
    if unknown:
        raise StorytraceError(
            f"the generated brief cites sources the brief does not have ({unknown}); "
            "keeping the extractive one"
        )
