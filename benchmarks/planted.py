"""Large synthetic news corpora with planted derivation families, for reuse-detection scale runs.

Deterministic for a seed, pure Python (stdlib ``random`` only) and streamed: documents are made
one at a time and only a bounded window of recent ones is kept to derive from, so 1M documents
need no more memory than 10k.

Originals are written from per-event casts of invented names (composed from syllables, so there
are millions of distinct people, places and organisations), ten topics and several dozen
sentence templates with numbers and dates; 6-14 sentences over 3-6 paragraphs. Some events get
2-4 independent originals ("same event" reports): they share the event's cast, places and
numbers but use disjoint sets of templates, so a detector must not merge them.

About ``derivative_share`` of the documents are derivatives of a recent document, each labelled
with a style that mimics a content farm:

``copy``        the origin's sentences, maybe a new title, furniture lines, a sentence dropped;
``rewrite``     every sentence paraphrased (synonyms, "X said that Y" -> "Y, X said",
                active/passive swaps, adverbs dropped), order mostly kept;
``simplified``  shorter sentences (appositions and trailing clauses cut), rare words replaced,
                some sentences dropped;
``seo_padded``  a rewrite with generic filler sentences between paragraphs;
``summary``     2-4 of the origin's sentences, lightly reworded;
``chain``       a rewrite of a derivative (its root is the derivative's root);
``combined``    half of one original followed by half of another (two roots).

Ground truth per document: ``{"doc", "parents", "root_sources", "style", "event"}``; originals
have no parents, style ``None`` and are their own root. ``gold_pairs`` turns it into the
pairwise family-membership gold: a derivative is paired with each of its root sources and with
every other derivative sharing a root; two originals are never a pair.

Usage: python -m benchmarks.planted OUT_DIR --docs N [--seed S] [--derivative-share F]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations, pairwise
from pathlib import Path
from typing import NamedTuple

Paragraphs = list[list[str]]

STYLES = ("copy", "rewrite", "simplified", "seo_padded", "summary", "chain", "combined")
_STYLE_WEIGHTS = (25, 22, 12, 12, 10, 10, 9)
_WINDOW_ORIGINALS = 3000  # originals kept to derive from (content farms copy recent news)
_WINDOW_DERIVED = 800  # derivatives kept as parents for chains
_HOT = 40  # half of the picks come from this many most recent originals
_SAME_EVENT_RATE = 0.12  # share of new events that get 2-4 independent originals
_START = datetime(2023, 1, 2, 6, 0, tzinfo=UTC)
_STEP_S = 40  # seconds between consecutive documents (1M documents span about 15 months)

# -- invented names ------------------------------------------------------------------------
_ONSETS = ("b", "br", "c", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p",
           "r", "s", "st", "t", "tr", "v", "w", "z", "sh", "th", "", "", "")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "ia")
_CODAS = ("", "", "", "n", "r", "l", "s", "m", "nd", "rt", "lk", "sk", "st", "th")
_FIRST_ENDS = ("a", "o", "en", "ia", "el", "is", "an", "ine", "as", "e", "ur", "ika", "ov")
_LAST_ENDS = ("son", "ski", "ez", "ova", "berg", "ley", "mann", "ani", "ard", "ton", "ic",
              "ero", "well", "ovic", "sen", "ura", "ford", "escu", "ias", "more")  # fmt: skip
_PLACE_ENDS = ("ford", "haven", "burg", "mouth", "dale", "field", "wick", "stad", "polis",
               "mere", "bridge", "holm", "ton", "gate", "vale", "ora", "ino")  # fmt: skip
_PLACE_PREFIXES = ("North ", "South ", "Port ", "Lake ", "Upper ", "New ", "East ", "West ")
_ORG_PATTERNS = (
    "the {place} City Council", "the {place} Water Authority", "{last} Holdings",
    "{syl} Energy", "the {place} Teachers' Union", "{place} General Hospital",
    "the Ministry of {domain}", "the {place} Chamber of Commerce", "{syl} Logistics",
    "the {place} Port Authority", "{last} and {last2} Partners", "the {place} Tenants' Association",
    "the Regional Office for {domain}", "{syl} Group", "the {place} Police Department",
    "{syl}corp", "the {place} Farmers' Cooperative", "the National {domain} Agency",
)  # fmt: skip
_DOMAINS = ("Transport", "Health", "Housing", "Energy", "Education", "Agriculture",
            "Public Works", "Environment", "Trade", "Culture")  # fmt: skip
_OUTLET_PATTERNS = ("The {place} Courier", "{place} Daily", "The {place} Herald",
                    "{place} Evening Post", "{syl} News", "The {place} Observer",
                    "{place} Today", "Radio {place}")  # fmt: skip
_FARM_PATTERNS = ("{syl}buzz", "Daily{syl}", "{syl}hub News", "Trending{syl}", "{syl}viral",
                  "News{syl}24", "The {syl} Feed", "{syl}Updates")  # fmt: skip


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _first_name(rng: random.Random) -> str:
    return _cap(_syllable(rng) + rng.choice(_ONSETS[:25]) + rng.choice(_FIRST_ENDS))


def _last_name(rng: random.Random) -> str:
    return _cap(_syllable(rng) + rng.choice(_ONSETS[:25]) + rng.choice(_LAST_ENDS))


def _place(rng: random.Random) -> str:
    stem = _syllable(rng) + (_syllable(rng) if rng.random() < 0.4 else "")
    name = _cap(stem + rng.choice(_PLACE_ENDS))
    return rng.choice(_PLACE_PREFIXES) + name if rng.random() < 0.2 else name


def _org(rng: random.Random, place: str) -> str:
    return rng.choice(_ORG_PATTERNS).format(
        place=place, last=_last_name(rng), last2=_last_name(rng),
        syl=_cap(_syllable(rng) + _syllable(rng)), domain=rng.choice(_DOMAINS),
    )  # fmt: skip


def _outlets(rng: random.Random, patterns: tuple[str, ...], count: int) -> list[str]:
    return [
        rng.choice(patterns).format(place=_place(rng), syl=_cap(_syllable(rng) + _syllable(rng)))
        for _ in range(count)
    ]


# -- event vocabulary ----------------------------------------------------------------------
_TOPICS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("the tram extension", "the new ring road", "the rail depot", "the ferry service",
      "the bus network overhaul", "the airport expansion"),
     ("commuters", "bus drivers", "passengers", "taxi operators")),
    (("the hospital merger", "the new maternity ward", "the vaccination programme",
      "the ambulance contract", "the mental health service", "the clinic closure"),
     ("patients", "nurses", "doctors", "carers")),
    (("the wind farm", "the gas pipeline", "the solar park", "the power station upgrade",
      "the heating subsidy", "the grid connection"),
     ("households", "engineers", "landowners", "energy workers")),
    (("the school merger", "the university campus", "the teacher pay deal", "the exam reform",
      "the library closure", "the new curriculum"),
     ("teachers", "parents", "students", "school governors")),
    (("the housing estate", "the rent cap", "the tower block renovation",
      "the social housing scheme", "the land sale", "the eviction order"),
     ("tenants", "landlords", "homeowners", "builders")),
    (("the river clean-up", "the landfill site", "the logging permit", "the nature reserve",
      "the emissions zone", "the recycling plant"),
     ("fishermen", "farmers", "conservationists", "hikers")),
    (("the factory closure", "the merger deal", "the port privatisation", "the retail park",
      "the tax relief scheme", "the steelworks rescue"),
     ("workers", "shareholders", "suppliers", "small traders")),
    (("the police reorganisation", "the fire station closure", "the flood barrier",
      "the bridge repair", "the stadium security plan", "the curfew order"),
     ("officers", "firefighters", "shopkeepers", "volunteers")),
    (("the stadium renovation", "the arts festival", "the museum funding",
      "the marathon route", "the concert hall", "the sports academy"),
     ("fans", "artists", "organisers", "athletes")),
    (("the irrigation scheme", "the grain subsidy", "the livestock ban", "the market reform",
      "the water rights deal", "the crop insurance fund"),
     ("farmers", "growers", "traders", "rural families")),
)  # fmt: skip
_ROLES = ("a senior official", "the deputy mayor", "an independent analyst",
          "a local councillor", "the chief executive", "a spokeswoman for the authority",
          "a union representative", "a professor of economics", "the regional governor",
          "a community organiser", "the finance director", "an opposition lawmaker",
          "the project manager", "a former minister", "the head of the residents' group",
          "a legal adviser")  # fmt: skip
_OUTCOMES = ("be delayed until next year", "cost far more than planned",
             "go ahead despite objections", "be scaled back considerably",
             "be reviewed by an outside panel", "be completed ahead of schedule",
             "require additional public funding", "face legal challenges",
             "be put to a public vote", "proceed in several phases")  # fmt: skip
_ISSUES = ("traffic congestion", "rising rents", "poor water quality", "noise from the port",
           "unreliable bus services", "overcrowded classrooms", "long hospital waiting lists",
           "frequent power cuts", "flooding in low-lying streets",
           "the closure of local shops")  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_ORDINALS = ("second", "third", "fourth", "fifth")

# Sentence templates. Slots: p1-p3 people, s1-s3 their surnames, r1-r3 roles, org1-org3,
# place1-place2, thing/thing2, group/group2, issue, outcome, numbers n1/n1b (small), n2
# (hundreds to thousands), n3 (millions), pct, year, month, day (weekday), date, ordinal.
# "[a|b|c]" picks one alternative per sentence ("[x |]": an optional word).
_TEMPLATES = (
    "{p1}, {r1}, said [on {day}|late on {day}|in a statement] that {thing} would {outcome}.",
    "{org1} announced on {day} that it had [approved|signed off on|given the green light to] "
    "{thing} [for {place1}|after months of debate|despite the objections].",
    "Officials in {place1} confirmed that [{n2}|more than {n2}|at least {n2}] {group} were "
    "[affected by the decision|hit by the changes|caught up in the dispute].",
    "According to {p2}, the negotiations with {org2} lasted {n1} hours and ended "
    "[without an agreement|in deadlock|with only a partial deal].",
    "{org1} approved the [budget|spending plan|financing package] of {n3} million for {thing} "
    "[late on {day}|at a closed session|after a long debate].",
    "[Hundreds of|Dozens of|Angry] {group} gathered outside the [offices|headquarters] of "
    "{org1} in {place1} to protest against {thing}.",
    "The report, published by {org2} in {month}, lists {n1} [recommendations|proposals|"
    "measures] for [{place1}|the region|{thing}].",
    "{s1} told reporters that the [figures|numbers|estimates] were preliminary and could "
    "change substantially [before the end of the year|in the coming weeks|].",
    "Critics argue that {org1} moved [far too quickly|without proper scrutiny] and ignored "
    "[warnings from {group}|advice from its own experts|the concerns of {group}].",
    "{org2} rejected the proposal in a [statement|letter|brief statement] issued on {day}.",
    "The decision was criticised by {p3}, {r3}, who called it [short-sighted|reckless|"
    "a missed opportunity].",
    "Costs have [reportedly |]risen by {pct} percent since {year}, according to "
    "[documents seen by reporters|internal figures|an internal memo].",
    "{s2} said that {group} in {place2} had been waiting [far too long|years|months] for "
    "[answers|a decision|clarity].",
    "It is the {ordinal} time [this year|in two years|since {year}] that {thing} has been "
    "[delayed|put on hold|pushed back].",
    "[Local media|A regional newspaper|A local broadcaster] reported that {n2} people signed a "
    "petition demanding an independent inquiry.",
    "{org3} [quietly |]suspended the contract after [the|an internal|a routine] audit found "
    "serious irregularities.",
    "A spokesperson for {org1} declined to comment on the [allegations|claims|report].",
    "The initial estimate of {n3} million was subsequently revised [upward|downward|twice].",
    "{p2} warned that {thing2} could face [similar problems|the same fate|lengthy delays] unless "
    "funding increased.",
    "Residents of {place1} have [long|repeatedly|for years] complained about {issue}.",
    "The mayor of {place1}, {p1}, defended the plan during a [tense|lengthy|heated] meeting on "
    "{day}.",
    "Opposition members accused {org1} of [hiding|downplaying|misrepresenting] the true cost "
    "[from the public|of {thing}].",
    "{org2} launched an investigation into {thing} [shortly after the incident|on {day}|"
    "following complaints from {group}].",
    "Nearly {pct} percent of {group} surveyed by {org3} said they [opposed|supported|"
    "had doubts about] the changes.",
    "Work on {thing2} is expected to commence in {month} and last approximately {n1} months.",
    "{s1} [later |]said that the timeline remained realistic despite the [setbacks|delays|"
    "criticism].",
    "In {place2}, a similar scheme was abandoned in {year} after [protests by {group2}|"
    "a court ruling|costs spiralled].",
    "The [government|regional administration|council] has promised to publish a detailed "
    "response within {n1} days.",
    "Analysts at {org3} estimate that the changes will affect roughly {n2} [households|"
    "businesses|families].",
    "Speaking at a press conference in {place1}, {p3} said that the situation was [under "
    "control|being monitored closely|improving].",
    "{org1} has [repeatedly |]denied any wrongdoing in connection with {thing}.",
    "The vote in the municipal chamber was {n1} to {n1b}, with several members "
    "[abstaining|absent|walking out].",
    "Emergency services were called to [{place2}|the site|the town centre] shortly before "
    "[midnight|dawn|noon] on {day}.",
    "{p2} described the [outcome|ruling|vote] as a significant [victory|setback] for {group}.",
    "Funding for {thing} comes largely from a [regional|national|European] grant worth {n3} "
    "million.",
    "The project had originally been scheduled for completion in {year}[| but ran into "
    "trouble| and was then redesigned].",
    "Documents obtained by {org3} show that [warnings|concerns] were [issued|raised] as early "
    "as {month}.",
    "Several {group} said they had not been consulted before the decision was made.",
    "{org2} blocked the sale of {thing2} pending a [further|full|legal] review.",
    "The dispute has divided opinion across {place1} for [months|weeks|most of the year].",
    "{s3} said that negotiations would resume [next week|on {day}|after the holidays] in {place2}.",
    "A separate inquiry by {org3} is examining the role of [private contractors|senior "
    "managers|outside consultants].",
    "The authority will hold a public consultation on {thing2} beginning on {date}.",
    "Prices in {place1} rose sharply in the [weeks|days|months] after the announcement.",
    "{p1} insisted that the decision had been made in the interest of [{group}|the wider "
    "public|future generations].",
    "The incident was first reported by a [local radio station|resident|community website] in "
    "{place2}.",
    "Campaigners in {place2} plan to [march|rally|hold a vigil] on {date} to demand a change of "
    "course.",
    "{org1} postponed the final decision on {thing} until [after the summer|the new year|"
    "further notice].",
    "The new rules, which take effect on {date}, will apply to all {group} in the [region|"
    "district|country].",
    "Asked about the delays, {s2} said that the contractor had underestimated the work.",
    "Unemployment in {place1} currently stands at {pct} percent, well [above|below] the "
    "national average.",
    "Representatives of {group} met {p3} privately on {day} to discuss their [concerns|"
    "demands|proposals].",
    "The budget allocated {n2} thousand for additional [staff and training|equipment|maintenance].",
    "{org2} endorsed the plan, calling it a necessary step toward [long-term stability|"
    "recovery|fairer rules].",
    "Observers noted that turnout at the meeting was unusually [high|low].",
    "Police said that {n1} people were detained during the demonstration in {place1}[| on "
    "{day}| but later released].",
    "{s1} has served as {r2} since {year} and is widely expected to [seek another term|"
    "step down soon].",
    "{org3} reported a [loss|profit] of {n3} million for the [first|second] half of the year.",
    "Engineers inspected {thing2} on {day} and found no immediate danger to the public.",
    "According to {org3}, about {n2} complaints were received in the past [year|six months].",
    "Questions remain about how {org1} will finance the remaining work.",
    "The ministry said that it would appoint an independent commissioner to oversee {thing}.",
    "{p3} said in an interview that more resignations were [likely|possible|expected].",
    "Expenditure on {thing} has grown considerably, even as {issue} worsened.",
    "{org2} criticised the timetable and called for a full audit of {thing}.",
    "Members of {org3} voted overwhelmingly to [support|reject] {thing2} on {day}.",
    "{s3} noted that {place2} had faced the same difficulties with {issue}.",
    "The measure was implemented in {place2} in {year} with [mixed|encouraging|poor] results.",
    "A court in {place1} is due to rule on the [case|appeal] in {month}.",
    "{group} from {place2} travelled to {place1} to [join the protest|attend the hearing].",
    "The last comparable project in the region took {n1} months to finish.",
    "[Turnout|Attendance] at the public hearing on {day} was the highest in a decade.",
    "Insurance claims linked to {issue} have doubled since {year}.",
    "{s2} accused {org2} of stalling and said that patience was running out.",
    "The figures will be presented to the [council|board] at its next session on {date}.",
    "Volunteers have collected {n2} signatures in support of an alternative plan.",
)
_ALTERNATIVES = re.compile(r"\[([^\]]*)\]")
Template = tuple[str | tuple[str, ...], ...]


def _compile(template: str) -> Template:
    """Literal pieces and tuples of alternatives, alternating."""
    pieces = _ALTERNATIVES.split(template)
    return tuple(p if i % 2 == 0 else tuple(p.split("|")) for i, p in enumerate(pieces))


_COMPILED: tuple[Template, ...] = tuple(_compile(t) for t in _TEMPLATES)
_TITLES = (
    "{place1} approves {bare} despite protests",
    "Row over {bare} deepens in {place1}",
    "{s1} defends {bare} as costs climb",
    "{org1} under fire over {bare}",
    "{n2} {group} affected as {place1} delays {bare}",
    "What the decision on {bare} means for {place1}",
    "{group} in {place1} protest against {bare}",
    "Inquiry ordered into {bare} in {place1}",
    "Cost of {bare} soars to {n3} million",
    "{org2} rejects {place1} proposal on {bare}",
    "Questions mount over {bare} after {s2} remarks",
    "{place1}: {s1} says {bare} will go ahead",
    "{place1} council split on {bare}",
    "Deadline looms for {bare} in {place1}",
)


@dataclass(slots=True)
class _Event:
    key: str
    slots: dict[str, str]
    titles: list[str] = field(default_factory=list)


def _new_event(rng: random.Random, key: str) -> _Event:
    things, groups = rng.choice(_TOPICS)
    thing, thing2 = rng.sample(things, 2)
    group, group2 = rng.sample(groups, 2)
    place1, place2 = _place(rng), _place(rng)
    people = [(_first_name(rng), _last_name(rng)) for _ in range(3)]
    r1, r2, r3 = rng.sample(_ROLES, 3)
    n1 = rng.randint(2, 60)
    slots = {
        "thing": thing, "thing2": thing2, "bare": thing.removeprefix("the "),
        "group": group, "group2": group2, "place1": place1, "place2": place2,
        "org1": _org(rng, place1), "org2": _org(rng, place2), "org3": _org(rng, _place(rng)),
        "r1": r1, "r2": r2, "r3": r3,
        "issue": rng.choice(_ISSUES), "outcome": rng.choice(_OUTCOMES),
        "n1": str(n1), "n1b": str(rng.randint(1, n1)), "n2": f"{rng.randint(100, 9000):,}",
        "n3": str(rng.randint(2, 900)), "pct": str(rng.randint(2, 85)),
        "year": str(rng.randint(2008, 2022)), "month": rng.choice(_MONTHS),
        "day": rng.choice(_WEEKDAYS), "date": f"{rng.randint(1, 28)} {rng.choice(_MONTHS)}",
        "ordinal": rng.choice(_ORDINALS),
    }  # fmt: skip
    for i, (first, last) in enumerate(people, start=1):
        slots[f"p{i}"] = f"{first} {last}"
        slots[f"s{i}"] = last
    return _Event(key, slots)


def _fill(template: str, slots: dict[str, str]) -> str:
    return _cap(template.format_map(slots))


def _split_paragraphs(rng: random.Random, sentences: list[str], low: int, high: int) -> Paragraphs:
    """``sentences`` in order, cut into between ``low`` and ``high`` non-empty paragraphs."""
    count = min(len(sentences), rng.randint(low, high))
    if count <= 1:
        return [sentences]
    cuts = sorted(rng.sample(range(1, len(sentences)), count - 1))
    bounds = [0, *cuts, len(sentences)]
    return [sentences[a:b] for a, b in pairwise(bounds)]


def _expand(rng: random.Random, template: Template) -> str:
    return "".join(p if isinstance(p, str) else rng.choice(p) for p in template)


def _write_original(
    rng: random.Random, event: _Event, templates: list[Template]
) -> tuple[str, Paragraphs]:
    count = min(len(templates), rng.randint(6, 14))
    chosen = rng.sample(templates, count)
    sentences = [_fill(_expand(rng, t), event.slots) for t in chosen]
    unused = [t for t in _TITLES if t not in event.titles] or list(_TITLES)
    title_template = rng.choice(unused)
    event.titles.append(title_template)
    return _fill(title_template, event.slots), _split_paragraphs(rng, sentences, 3, 6)


# -- paraphrase operations -----------------------------------------------------------------
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "noted"), "announced": ("unveiled", "revealed"),
    "confirmed": ("verified", "acknowledged"), "officials": ("authorities",),
    "residents": ("locals", "inhabitants"), "decision": ("ruling", "move"),
    "proposal": ("plan", "scheme"), "plan": ("proposal", "scheme"), "report": ("study",),
    "people": ("individuals", "persons"), "protest": ("rally",),
    "warned": ("cautioned",), "criticised": ("condemned", "attacked"),
    "quickly": ("rapidly", "hastily"), "expected": ("anticipated", "projected"),
    "roughly": ("about", "approximately"),
    "nearly": ("almost",), "later": ("afterwards",), "several": ("a number of", "multiple"),
    "inquiry": ("investigation", "probe"), "concerns": ("worries", "fears"),
    "costs": ("expenses",), "risen": ("climbed", "increased"), "rose": ("climbed", "jumped"),
    "complained": ("grumbled",), "meeting": ("session", "gathering"),
    "statement": ("press release",), "documents": ("records", "papers"),
    "issued": ("released",), "estimate": ("forecast",),
    "affect": ("hit", "impact"), "households": ("homes", "families"),
    "questions": ("doubts",), "finance": ("fund", "pay for"), "appoint": ("name",),
    "oversee": ("supervise", "monitor"), "detained": ("arrested", "held"),
    "loss": ("deficit",), "engineers": ("technicians", "specialists"),
    "inspected": ("examined", "checked"), "danger": ("risk", "threat"),
    "complaints": ("grievances",), "received": ("logged", "recorded"),
    "resignations": ("departures",), "likely": ("probable",), "campaigners": ("activists",),
    "march": ("rally",), "rules": ("regulations",), "region": ("area",),
    "representatives": ("delegates",), "discuss": ("talk about", "address"),
    "additional": ("extra",), "staff": ("employees", "workers"),
    "necessary": ("needed", "essential"), "noted": ("observed", "remarked"),
    "unusually": ("remarkably",), "agreement": ("deal", "accord"),
    "ended": ("finished", "concluded"), "gathered": ("assembled", "rallied"),
    "offices": ("headquarters",), "lists": ("sets out", "contains"),
    "figures": ("numbers", "data"), "argue": ("contend", "claim"),
    "ignored": ("disregarded", "dismissed"), "warnings": ("alerts",),
    "answers": ("explanations",), "delayed": ("postponed", "held up"),
    "demanding": ("calling for",), "suspended": ("halted", "paused"),
    "contract": ("deal",), "audit": ("review", "inspection"), "serious": ("grave", "major"),
    "initial": ("original", "first"), "revised": ("adjusted",),
    "problems": ("difficulties", "issues"), "funding": ("financing", "money"),
    "increased": ("grew", "rose"), "defended": ("justified",), "tense": ("heated",),
    "hiding": ("concealing",), "true": ("real", "actual"), "investigation": ("probe",),
    "incident": ("episode", "event"), "surveyed": ("polled", "questioned"),
    "opposed": ("rejected", "objected to"), "changes": ("reforms", "measures"),
    "abandoned": ("dropped", "scrapped"), "promised": ("pledged", "vowed"),
    "detailed": ("thorough", "full"), "response": ("reply",),
    "described": ("characterised",), "victory": ("win", "success"),
    "largely": ("mostly", "mainly"), "worth": ("valued at",), "originally": ("initially",),
    "scheduled": ("planned", "set"), "show": ("reveal", "indicate"),
    "consulted": ("asked",), "blocked": ("halted", "stopped"), "divided": ("split",),
    "opinion": ("views",), "resume": ("restart", "continue"),
    "examining": ("investigating", "studying"), "contractors": ("builders", "firms"),
    "hold": ("host",), "beginning": ("starting",), "sharply": ("steeply", "dramatically"),
    "insisted": ("maintained", "stressed"), "postponed": ("delayed", "pushed back"),
    "currently": ("now", "presently"), "privately": ("behind closed doors",),
    "step": ("move", "measure"), "widely": ("broadly", "generally"),
    "reported": ("recorded", "posted"), "immediate": ("imminent",),
    "remaining": ("outstanding",), "launched": ("opened", "started"),
    "endorsed": ("backed", "supported"), "approved": ("backed", "cleared"),
    "rejected": ("dismissed", "turned down"),
    "difficulties": ("problems", "troubles"), "timetable": ("schedule",),
    "negotiations": ("talks",), "setbacks": ("obstacles",), "worsened": ("deteriorated",),
    "petition": ("appeal",), "signed": ("backed",),
    "protests": ("demonstrations",), "far": ("much",),
}  # fmt: skip
_SIMPLE: dict[str, str] = {
    "substantially": "a lot", "preliminary": "early", "irregularities": "problems",
    "significant": "big", "negotiations": "talks", "approximately": "about",
    "consultation": "review", "demonstration": "protest", "allegations": "claims",
    "investigation": "probe", "recommendations": "ideas", "commence": "start",
    "subsequently": "later", "considerably": "a lot", "allocated": "set aside",
    "expenditure": "spending", "municipal": "city", "implemented": "used",
    "commissioner": "official", "realistic": "doable", "abstaining": "not voting",
    "underestimated": "misjudged", "irregular": "odd", "representatives": "members",
    "overwhelmingly": "strongly", "surveyed": "asked",
    "endorsed": "backed", "resignations": "exits", "wrongdoing": "fault",
}  # fmt: skip
_ADVERBS = frozenset({
    "reportedly", "quietly", "repeatedly", "sharply", "largely", "substantially", "widely",
    "considerably", "overwhelmingly", "originally", "currently", "privately", "unusually",
    "subsequently", "quickly", "approximately", "roughly", "nearly", "later", "shortly",
})  # fmt: skip
_NOUN_ONLY = frozenset({"plan", "proposal", "report", "protest", "estimate"})
_KEEP_ADVERB = frozenset({"far", "later"})  # would leave a broken phrase if dropped alone
_SAID = r"(?:said|stated|noted|insisted|warned|told reporters|remarked|observed|maintained)"
_VERBS = (
    r"(?:approved|rejected|criticised|suspended|launched|postponed|blocked|endorsed|backed|"
    r"cleared|dismissed|halted|condemned|opened|delayed|supported|inspected|examined)"
)
_TAIL = r"(?P<tail> (?:in|at|after|late on|pending|shortly after|until|during) .+)?"
_SUBJECT = r"(?:(?! and | said | that | they )[^,])+?"  # one noun phrase, no clause
_SAID_THAT = re.compile(
    rf"^(?P<s>{_SUBJECT}(?:, [^,]+,)?) (?P<v>{_SAID})(?P<when> (?:on|late on|in) [^,]+?| later)?"
    r" that (?P<c>.+)\.$"
)
_ACCORDING = re.compile(r"^According to (?P<s>[^,]+), (?P<c>.+)\.$")
_SAID_AFTER = re.compile(rf"^(?P<c>[^,].+), (?P<s>{_SUBJECT}) (?P<v>{_SAID})\.$")
_ACCORDING_AFTER = re.compile(r"^(?P<c>.+), according to (?P<s>[^,]+)\.$")
_PHRASE = r"(?:(?! and )[^,])+?"  # no comma, no second clause
_ACTIVE = re.compile(rf"^(?P<s>{_SUBJECT}) (?P<v>{_VERBS}) (?P<o>(?:the|a|an) {_PHRASE}){_TAIL}\.$")
_PASSIVE = re.compile(rf"^(?P<o>[^,]+?) was (?P<v>{_VERBS}) by (?P<s>{_PHRASE}){_TAIL}\.$")
_APPOSITION = re.compile(r"^(?P<head>[^,]{3,60}), (?:[^,]{3,60}), ")
_LEADING = re.compile(r"^(?:Speaking at [^,]+|Asked about [^,]+|In [A-Z][^,]+), ")
_TRAILING = re.compile(r", (?:who|with|calling|according to|even as|well above) [^,]+\.$")
_ARTICLE = re.compile(r"\b([Aa])n? (?=(\w+))")
_COMMON_STARTS = frozenset({
    "The", "A", "An", "It", "Its", "This", "Costs", "Work", "Prices", "Nearly", "Several",
    "Hundreds", "Police", "Officials", "Residents", "Local", "Funding", "Unemployment",
    "Engineers", "Questions", "Opposition", "Critics", "Observers", "Campaigners",
    "Representatives", "Emergency", "Documents", "Analysts", "Members", "Expenditure", "More",
})  # fmt: skip


def _articles(text: str) -> str:
    """Fix "a"/"an" after words were swapped ("an probe" -> "a probe")."""
    return _ARTICLE.sub(lambda m: m[1] + ("n " if _vowel_sound(m[2]) else " "), text)


def _vowel_sound(word: str) -> bool:
    low = word.lower()
    return low[0] in "aeio" or (low[0] == "u" and not low.startswith(("uni", "use", "usu")))


def _decap(text: str) -> str:
    """Lower-case the first letter unless the first word looks like a proper noun."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first in _COMMON_STARTS else text


def _restructure(rng: random.Random, sentence: str) -> str:
    """One clause-level change where a pattern fits: move the speaker, swap active/passive."""
    if m := _SAID_THAT.match(sentence):
        when = m["when"] or ""
        return f"{_cap(m['c'])}, {_decap(m['s'])} {m['v']}{when}."
    if m := _ACCORDING.match(sentence):
        return f"{_cap(m['c'])}, according to {m['s']}."
    if m := _SAID_AFTER.match(sentence):
        return f"{_cap(m['s'])} {m['v']} that {_decap(m['c'])}."
    if m := _ACCORDING_AFTER.match(sentence):
        return f"According to {m['s']}, {_decap(m['c'])}."
    if (m := _ACTIVE.match(sentence)) and rng.random() < 0.8:
        return f"{_cap(m['o'])} was {m['v']} by {_decap(m['s'])}{m['tail'] or ''}."
    if (m := _PASSIVE.match(sentence)) and rng.random() < 0.8:
        return f"{_cap(m['s'])} {m['v']} {_decap(m['o'])}{m['tail'] or ''}."
    return sentence


def _reword(rng: random.Random, sentence: str, rate: float, drop_adverbs: float) -> str:
    """Swap words for synonyms with probability ``rate``; drop adverbs with ``drop_adverbs``."""
    out: list[str] = []
    tokens = sentence.split(" ")
    for i, token in enumerate(tokens):
        word = token.rstrip(",.;:")
        low = word.lower()
        if low in _NOUN_ONLY and i + 1 < len(tokens) and tokens[i + 1] == "to":
            out.append(token)  # "plan to march": a verb here, the synonyms are nouns
            continue
        if low in _ADVERBS and low not in _KEEP_ADVERB and rng.random() < drop_adverbs:
            if token != word and out:  # keep the punctuation the adverb carried
                out[-1] += token[len(word) :]
            continue
        choices = _SYNONYMS.get(low)
        if choices and rng.random() < rate:
            new = rng.choice(choices)
            if word[:1].isupper():
                new = _cap(new)
            token = new + token[len(word) :]
        out.append(token)
    return _articles(_cap(" ".join(out)))


def _simplify(rng: random.Random, sentence: str) -> str:
    """A shorter, plainer sentence: cut appositions and side clauses, replace rare words."""
    if m := _LEADING.match(sentence):
        sentence = _cap(sentence[m.end() :])
    if m := _APPOSITION.match(sentence):
        sentence = f"{m['head']} {sentence[m.end() :]}"
    if (m := _TRAILING.search(sentence)) and m.start() > 25:
        sentence = sentence[: m.start()] + "."
    words = []
    for token in sentence.split(" "):
        word = token.rstrip(",.;:")
        low = word.lower()
        if low in _ADVERBS and low not in _KEEP_ADVERB:
            continue
        simple = _SIMPLE.get(low)
        words.append(simple + token[len(word) :] if simple else token)
    return _articles(_cap(" ".join(words)))


def _paraphrase(rng: random.Random, sentence: str) -> str:
    return _reword(rng, _restructure(rng, sentence), rate=0.75, drop_adverbs=0.8)


# -- derivative styles ---------------------------------------------------------------------
_FILLERS = (
    "Here is everything you need to know.", "Stay tuned for more updates.",
    "Keep reading to find out more.", "This is a developing story.",
    "Let us know what you think in the comments below.",
    "Bookmark this page for the latest information.",
    "We will update this article as more details emerge.",
    "Don't forget to share this story with your friends.", "Read on for the full details.",
    "Below, we break down what happened.", "Here's what we know so far.",
    "The story continues below.", "Follow us for breaking news and analysis.",
    "It remains to be seen what happens next.",
    "Many readers have been asking about this topic.",
    "Subscribe to our newsletter so you never miss an update.",
    "This topic has been trending all week.", "Scroll down for the details.",
)  # fmt: skip
_FURNITURE_TOP = ("Advertisement", "Photo: file image", "By Staff Writer", "Breaking")
_FURNITURE_END = ("Share this article", "Follow us on social media", "Click here to subscribe",
                  "Comments are closed.", "Share on Facebook | Share on X")  # fmt: skip
_FARM_TITLES = ("{t}", "{t} - here's what we know", "BREAKING: {t}", "{t} (Update)",
                "Watch: {t}", "{t}: everything you need to know", "Just in: {t}",
                "{t} | Full story")  # fmt: skip
_SUMMARY_TITLES = ("{t}: the short version", "In brief: {t}", "{t} - quick summary",
                   "Explained in 60 seconds: {t}")  # fmt: skip


@dataclass(slots=True)
class _Doc:
    key: str
    title: str
    paragraphs: Paragraphs
    roots: list[str]
    event: str
    source: str


def _sentences(paragraphs: Paragraphs) -> list[str]:
    return [s for p in paragraphs for s in p]


def _farm_title(rng: random.Random, title: str, keep: float) -> str:
    return title if rng.random() < keep else rng.choice(_FARM_TITLES).format(t=title)


def _drop_some(rng: random.Random, paragraphs: Paragraphs, most: int) -> Paragraphs:
    """``paragraphs`` with up to ``most`` sentences dropped (never the first sentence)."""
    spots = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p)) if i or j]
    gone = (
        set(rng.sample(spots, max(0, min(len(spots) - 3, rng.randint(0, most)))))
        if spots
        else set()
    )
    kept = [[s for j, s in enumerate(p) if (i, j) not in gone] for i, p in enumerate(paragraphs)]
    return [p for p in kept if p]


def _make_copy(rng: random.Random, origin: _Doc, other_title: str) -> tuple[str, Paragraphs]:
    paragraphs = _drop_some(rng, origin.paragraphs, 2)
    if rng.random() < 0.3:
        paragraphs.insert(0, [rng.choice(_FURNITURE_TOP)])
    tail = rng.sample(_FURNITURE_END, rng.randint(0, 2))
    if rng.random() < 0.5:
        tail.append(f"Read more: {other_title}")
    if rng.random() < 0.2:
        tail.append(f"Source: {origin.source}")
    paragraphs += [[line] for line in tail]
    return _farm_title(rng, origin.title, 0.5), paragraphs


def _make_rewrite(rng: random.Random, origin: _Doc) -> tuple[str, Paragraphs]:
    paragraphs = []
    for para in origin.paragraphs:
        new = [_paraphrase(rng, s) for s in para]
        if len(new) > 2 and rng.random() < 0.15:  # an occasional swap of two sentences
            i = rng.randrange(1, len(new) - 1)
            new[i], new[i + 1] = new[i + 1], new[i]
        paragraphs.append(new)
    return _reword(rng, _farm_title(rng, origin.title, 0.3), 0.5, 1.0), paragraphs


def _make_simplified(rng: random.Random, origin: _Doc) -> tuple[str, Paragraphs]:
    sentences = _sentences(origin.paragraphs)
    kept = [s for i, s in enumerate(sentences) if i == 0 or rng.random() < 0.7]
    short = [_simplify(rng, s) for s in kept]
    return _simplify(rng, origin.title), _split_paragraphs(rng, short, 2, 5)


def _make_seo(rng: random.Random, origin: _Doc) -> tuple[str, Paragraphs]:
    title, paragraphs = _make_rewrite(rng, origin)
    fillers = rng.sample(_FILLERS, min(len(_FILLERS), len(paragraphs) + 2))
    padded = [[fillers.pop()]]
    for para in paragraphs:
        padded.append(para)
        if rng.random() < 0.8:
            padded.append([fillers.pop()])
    padded.append([fillers.pop()])
    return rng.choice(_FARM_TITLES[1:]).format(t=title), padded


def _make_summary(rng: random.Random, origin: _Doc) -> tuple[str, Paragraphs]:
    sentences = _sentences(origin.paragraphs)
    picks = sorted(rng.sample(range(1, len(sentences)), min(len(sentences) - 1, rng.randint(1, 3))))
    chosen = [_reword(rng, sentences[i], 0.3, 0.5) for i in (0, *picks)]
    paragraphs = [chosen] if rng.random() < 0.5 else [chosen[:1], chosen[1:]]
    return rng.choice(_SUMMARY_TITLES).format(t=origin.title), paragraphs


def _make_combined(rng: random.Random, a: _Doc, b: _Doc) -> tuple[str, Paragraphs]:
    first, second = _sentences(a.paragraphs), _sentences(b.paragraphs)
    half_a = first[: (len(first) + 1) // 2]
    half_b = second[len(second) // 2 :]
    paragraphs = _split_paragraphs(rng, half_a, 1, 3) + _split_paragraphs(rng, half_b, 1, 3)
    return f"{a.title}; {b.title}", paragraphs


# -- the generator -------------------------------------------------------------------------
class PlantedDoc(NamedTuple):
    """One generated document with its metadata and ground-truth record."""

    key: str
    title: str
    text: str
    published: str
    source: str
    truth: dict[str, object]


class _Ring:
    """The last ``size`` items added, for cheap random picks among recent documents."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: list[_Doc] = []
        self.pos = 0

    def add(self, item: _Doc) -> None:
        if len(self.items) < self.size:
            self.items.append(item)
        else:
            self.items[self.pos] = item
            self.pos = (self.pos + 1) % self.size

    def recent(self, back: int) -> _Doc:
        """The item ``back`` places before the newest (0 is the newest)."""
        if len(self.items) < self.size:
            return self.items[-1 - back]
        return self.items[(self.pos - 1 - back) % self.size]

    def pick(self, rng: random.Random) -> _Doc:
        if rng.random() < 0.5:
            return self.recent(rng.randrange(min(_HOT, len(self.items))))
        return rng.choice(self.items)

    def __len__(self) -> int:
        return len(self.items)


def generate_documents(
    n: int, seed: int = 7, derivative_share: float = 0.3
) -> Iterator[PlantedDoc]:
    """Yield ``n`` documents with titles, dates, outlets and truth, in publication order.

    Keys are ``d0000000``, ``d0000001``, ...; every parent precedes its derivatives in key
    order and in ``published`` time. The same arguments always give the same corpus.
    """
    if not 0.0 <= derivative_share < 1.0:
        raise ValueError(f"derivative_share must be in [0, 1), got {derivative_share}")
    rng = random.Random(seed)
    outlets = _outlets(rng, _OUTLET_PATTERNS, 400)
    farms = _outlets(rng, _FARM_PATTERNS, 150)
    originals = _Ring(_WINDOW_ORIGINALS)
    derived = _Ring(_WINDOW_DERIVED)
    pending: list[tuple[_Event, list[Template]]] = []  # further reports on a same-event group
    events = 0
    for index in range(n):
        key = f"d{index:07d}"
        published = _START + timedelta(seconds=index * _STEP_S + rng.randrange(_STEP_S))
        if len(originals) >= 2 and rng.random() < derivative_share:
            doc, truth = _derivative(rng, key, originals, derived, farms, outlets)
            derived.add(doc)
        else:
            if pending and rng.random() < 0.5:
                event, templates = pending.pop(0)
            else:
                event = _new_event(rng, f"e{events:07d}")
                events += 1
                templates = list(_COMPILED)
                if rng.random() < _SAME_EVENT_RATE:
                    rng.shuffle(templates)
                    size = rng.randint(2, 4)
                    parts = [templates[i::size] for i in range(size)]
                    templates = parts[0]
                    pending.extend((event, part) for part in parts[1:])
            title, paragraphs = _write_original(rng, event, templates)
            doc = _Doc(key, title, paragraphs, [key], event.key, rng.choice(outlets))
            originals.add(doc)
            truth = {"doc": key, "parents": [], "root_sources": [key], "style": None,
                     "event": event.key}  # fmt: skip
        text = "\n\n".join(" ".join(p) for p in doc.paragraphs)
        stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        yield PlantedDoc(key, doc.title, text, stamp, doc.source, truth)


_StyleMaker = Callable[[random.Random, _Doc], tuple[str, Paragraphs]]
_SINGLE: dict[str, _StyleMaker] = {
    "rewrite": _make_rewrite,
    "simplified": _make_simplified,
    "seo_padded": _make_seo,
    "summary": _make_summary,
    "chain": _make_rewrite,
}


def _derivative(
    rng: random.Random,
    key: str,
    originals: _Ring,
    derived: _Ring,
    farms: list[str],
    outlets: list[str],
) -> tuple[_Doc, dict[str, object]]:
    style = rng.choices(STYLES, _STYLE_WEIGHTS)[0]
    origin = originals.pick(rng)
    if style == "chain":
        candidates = [derived.recent(i) for i in range(min(_HOT * 5, len(derived)))]
        candidates = [d for d in candidates if len(d.roots) == 1]
        if candidates:
            origin = rng.choice(candidates)
        else:
            style = "rewrite"
    source = rng.choice(farms) if rng.random() < 0.7 else rng.choice(outlets)
    if style == "combined":
        other = originals.pick(rng)
        for _ in range(5):
            if other.event != origin.event:
                break
            other = originals.pick(rng)
        if other.event == origin.event:
            style = "copy"
        else:
            title, paragraphs = _make_combined(rng, origin, other)
            roots = [origin.key, other.key]
            doc = _Doc(key, title, paragraphs, roots, f"{origin.event}+{other.event}", source)
            truth = {"doc": key, "parents": roots, "root_sources": roots, "style": style,
                     "event": doc.event}  # fmt: skip
            return doc, truth
    if style == "copy":
        title, paragraphs = _make_copy(rng, origin, originals.pick(rng).title)
    else:
        title, paragraphs = _SINGLE[style](rng, origin)
    doc = _Doc(key, title, paragraphs, list(origin.roots), origin.event, source)
    truth = {"doc": key, "parents": [origin.key], "root_sources": list(origin.roots),
             "style": style, "event": origin.event}  # fmt: skip
    return doc, truth


def generate(
    n: int, seed: int = 7, derivative_share: float = 0.3
) -> Iterator[tuple[str, str, dict[str, object]]]:
    """Yield ``(doc_key, text, truth_record)`` for ``n`` documents in publication order.

    ``text`` is the article body (paragraphs separated by blank lines, title not included; see
    ``generate_documents`` for titles, dates and outlets). ``truth_record`` is
    ``{"doc", "parents", "root_sources", "style", "event"}``; originals have ``parents == []``,
    ``root_sources == [doc]`` and ``style is None``. About ``derivative_share`` of the
    documents are derivatives.
    """
    for doc in generate_documents(n, seed, derivative_share):
        yield doc.key, doc.text, doc.truth


def write_corpus(folder: Path, n: int, seed: int = 7, derivative_share: float = 0.3) -> Path:
    """Write ``folder/docs.jsonl`` and ``folder/truth.jsonl`` for ``n`` documents; return folder.

    Each docs line is ``{"id", "title", "text", "published", "source"}``, field names that
    storytrace's JSONL reader takes as title, text, date and outlet. Both files are streamed.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with (
        (folder / "docs.jsonl").open("w", encoding="utf-8") as docs,
        (folder / "truth.jsonl").open("w", encoding="utf-8") as truth,
    ):
        for doc in generate_documents(n, seed, derivative_share):
            row = {"id": doc.key, "title": doc.title, "text": doc.text,
                   "published": doc.published, "source": doc.source}  # fmt: skip
            docs.write(json.dumps(row, ensure_ascii=False) + "\n")
            truth.write(json.dumps(doc.truth) + "\n")
    return folder


def gold_pairs(truth: Iterable[dict]) -> set[frozenset[str]]:
    """Pairwise family-membership gold from truth records.

    A record with parents is a derivative; it is paired with each of its root sources, and
    with every other derivative that shares one of its roots. Two originals (records without
    parents, or documents only named as roots) are never a pair, even as the two roots of one
    combined derivative.
    """
    by_root: defaultdict[str, list[str]] = defaultdict(list)
    for record in truth:
        if not record.get("parents"):
            continue
        for root in record["root_sources"]:
            by_root[root].append(record["doc"])
    pairs: set[frozenset[str]] = set()
    for root, members in by_root.items():
        for member in members:
            if member != root:
                pairs.add(frozenset((member, root)))
        for a, b in combinations(members, 2):
            if a != b:
                pairs.add(frozenset((a, b)))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder for docs.jsonl and truth.jsonl")
    parser.add_argument("--docs", type=int, default=10_000, help="number of documents")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--derivative-share", type=float, default=0.3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    write_corpus(args.out_dir, args.docs, args.seed, args.derivative_share)
    elapsed = time.perf_counter() - started
    styles: Counter[str] = Counter()
    events: Counter[str] = Counter()
    with (args.out_dir / "truth.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            styles[record["style"] or "original"] += 1
            if record["style"] is None:
                events[record["event"]] += 1
    grouped = sum(count for count in events.values() if count > 1)
    print(f"wrote {args.docs:,} documents to {args.out_dir} in {elapsed:.1f}s (seed {args.seed})")
    print(f"  originals: {styles.pop('original', 0):,} ({grouped:,} in same-event groups)")
    for style in STYLES:
        print(f"  {style}: {styles[style]:,}")
    for name in ("docs.jsonl", "truth.jsonl"):
        size = (args.out_dir / name).stat().st_size
        print(f"  {name}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
