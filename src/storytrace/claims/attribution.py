"""Who asserts a claim, and how firmly: rules over spaCy's dependency parse.

A claim is *attributed* when a reporting verb ("say", "believe", "warn", ...) governs it
and has a subject ("Kozyrev believes ...", "officials told reporters"), or when it opens
with "according to X". The subject decides the kind of source: a named one (a proper noun
or named entity: "Andrei Kozyrev", "the US"), or an unnamed one ("some people", "experts",
"reports"). A pronoun subject ("he said") is resolved to the last person the document named
before it, and the cue says so. Without any of these, the outlet itself asserts the claim.

The hedge is *speculative* when the claim rests on a modal ("may", "could", "might"), a
hedging verb ("suggest", "appear") or adverb ("possibly", "likely"); *reported* when it is
attributed or marked "reportedly"/"allegedly"; otherwise a *fact*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storytrace.model import Hedge, SourceKind
from storytrace.util import word_set

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

REPORTING_VERBS = word_set(
    "say tell claim assert believe think argue state announce report warn suggest allege "
    "insist deny confirm add note explain acknowledge accuse estimate predict write hint "
    "indicate reveal maintain contend fear expect stress describe disclose admit agree "
    "caution emphasise emphasize declare testify conclude speculate worry see view consider "
    "regard call"
)
# Reporting verbs that also hedge what they report.
_HEDGING_VERBS = word_set(
    "suggest speculate hint believe think expect fear appear seem see view consider regard"
)
# "would" is left out: in reported speech it is a past future ("said it would reopen").
_MODALS = word_set("may might could")
_HEDGING_ADVERBS = word_set(
    "possibly perhaps probably likely apparently potentially supposedly presumably"
)
_REPORTED_ADVERBS = word_set("reportedly allegedly purportedly")
_SPECULATIVE_WORDS = word_set("speculation rumour rumor rumours rumors")
# Subjects that stand for nobody in particular.
_UNNAMED_DETERMINERS = word_set("some many several few other certain unnamed anonymous one")
_DEFINITE = word_set("the his her its their")
_PRONOUNS = word_set("he she they")
_NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})


@dataclass(slots=True)
class Attribution:
    source: str | None = None
    kind: SourceKind = "outlet"
    hedge: Hedge = "fact"
    cues: list[str] = field(default_factory=list)


def attribute(
    sent: Span, last_person: str | None = None, names: dict[str, str] | None = None
) -> Attribution:
    """Source and hedge of one parsed sentence.

    ``last_person``: the person the document named most recently before it, to resolve
    "he"/"she". ``names``: the document's names by lower-cased written form, short forms
    included ("kozyrev" -> "Andrei Kozyrev"), because the parser alone often misses a bare
    surname at the start of a sentence.
    """
    found = Attribution()
    subject = _according_to(sent) or _reporting_subject(sent, found)
    if subject is not None:
        _set_source(found, subject, last_person, names or {})
    found.hedge = _hedge(sent, found)
    found.cues = list(dict.fromkeys(found.cues))
    return found


def _according_to(sent: Span) -> Span | None:
    for token in sent:
        if token.lower_ == "according" and token.i + 1 < sent.end:
            nxt = token.doc[token.i + 1]
            objects = [c for c in nxt.children if c.dep_ == "pobj"]
            if nxt.lower_ == "to" and objects:
                return _phrase(objects[0])
    return None


def _reporting_subject(sent: Span, found: Attribution) -> Span | None:
    """The subject of a reporting verb that governs a clause (or is the root)."""
    for token in sent:
        if token.pos_ not in {"VERB", "AUX"} or token.lemma_.lower() not in REPORTING_VERBS:
            continue
        governs = any(c.dep_ in {"ccomp", "xcomp", "parataxis", "dobj"} for c in token.children)
        if not (governs or token.dep_ in {"ROOT", "parataxis"}):
            continue
        if any(c.dep_ == "auxpass" for c in token.children):
            # "No deaths have been reported", "it is said that": the source is the agent
            # ("by X") or nobody named.
            found.cues.append(token.text)
            agent = next((c for c in token.children if c.dep_ == "agent"), None)
            objects = [c for c in agent.children if c.dep_ == "pobj"] if agent else []
            return _phrase(objects[0]) if objects else token.doc[token.i : token.i]
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        # A "subject" that opens with "While"/"Although" is a misparsed subordinate clause
        # ("While not a formal alliance ..., the two leaders see"), not who reports.
        if subjects and subjects[0].left_edge.pos_ == "SCONJ":
            continue
        if subjects and subjects[0].lower_ not in {"it", "this", "that", "which", "we", "i"}:
            found.cues.append(token.text)
            return _phrase(subjects[0])
    return None


def _phrase(head: Token) -> Span:
    """The subject's noun phrase without relative clauses or appositive tails."""
    left = head.left_edge.i
    right = head.i
    for child in head.rights:
        if child.dep_ in {"compound", "flat", "nmod", "appos"} or (
            child.dep_ == "prep" and child.lower_ == "of"
        ):
            right = child.right_edge.i
    return head.doc[left : right + 1]


def _set_source(
    found: Attribution, phrase: Span, last_person: str | None, names: dict[str, str]
) -> None:
    if not len(phrase):  # a passive report without an agent
        found.source, found.kind = "unnamed", "unnamed"
        return
    head = phrase.root
    if head.lower_ in _PRONOUNS and head.lower_ != "they":
        if last_person:
            found.source, found.kind = last_person, "named"
            found.cues.append(f"{head.text} = {last_person}")
        else:
            found.source, found.kind = head.text, "unnamed"
        return
    known = _known_name(phrase, names)
    if known:
        found.source, found.kind = known, "named"
        return
    entities = [e for e in phrase.ents if e.label_ in _NAMED_LABELS]
    person = next((e for e in entities if e.label_ == "PERSON"), None)
    heading = next((e for e in entities if e.start <= head.i < e.end), None)
    if person or (heading and head.tag_ != "NNS"):  # NER sometimes tags "Seismologists"
        found.source, found.kind = strip_possessive((person or heading).text), "named"
        return
    found.source = _trim_determiner(phrase.text)
    determiners = {t.lower_ for t in phrase if t.dep_ in {"det", "poss", "nummod"}}
    vague = determiners & _UNNAMED_DETERMINERS
    # "the mayor", "Kestria's civil protection agency": one identifiable source without a
    # name in the text; "officials", "an expert", "one member of the team", "Seismologists"
    # (a plural, whatever its capital letter), "Russian officials": nobody in particular.
    possessor = any(t.dep_ == "poss" and t.pos_ == "PROPN" for t in phrase)
    definite = bool(determiners & _DEFINITE) or possessor
    singular = head.tag_ in {"NN", "NNP"}
    found.kind = (
        "named" if singular and (head.pos_ == "PROPN" or definite) and not vague else "unnamed"
    )
    if vague:
        found.cues.append(" ".join(sorted(vague)))


def _known_name(phrase: Span, names: dict[str, str]) -> str | None:
    """The document's full name for a name written as the phrase's head ("Kozyrev", "Andrei
    Kozyrev"); modifiers do not count ("Russian officials" is not "Russia")."""
    head = phrase.root
    core = [t for t in phrase if t == head or (t.dep_ in {"compound", "flat"} and t.head == head)]
    written = " ".join(t.text for t in core).lower()
    if written in names:
        return names[written]
    if head.text[:1].isupper():
        return names.get(head.lower_)
    return None


def _hedge(sent: Span, found: Attribution) -> Hedge:
    speculative = [
        t.text
        for t in sent
        if (t.tag_ == "MD" and t.lower_ in _MODALS)
        or t.lower_ in _HEDGING_ADVERBS
        or t.lower_ in _SPECULATIVE_WORDS
        or (t.pos_ == "VERB" and t.lemma_.lower() in _HEDGING_VERBS)
    ]
    reported = [t.text for t in sent if t.lower_ in _REPORTED_ADVERBS]
    found.cues.extend(speculative + reported)
    if speculative:
        return "speculative"
    if reported or found.kind != "outlet":
        return "reported"
    return "fact"


def strip_possessive(text: str) -> str:
    """ "Kim's" -> "Kim", "Quillon Labs'" -> "Quillon Labs"."""
    for suffix in ("'s", "’s", "'", "’"):
        text = text.removesuffix(suffix)
    return text.strip()


def _trim_determiner(text: str) -> str:
    """ "An expert" -> "expert", "The mayor" -> "the mayor"."""
    first, _, rest = text.partition(" ")
    if not rest:
        return text
    if first.lower() in {"a", "an"}:
        return rest
    return f"the {rest}" if first == "The" else text
