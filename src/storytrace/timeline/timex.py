"""Temporal expressions: find them in text and give each a TIMEX3 value.

Rules in the style of HeidelTime (patterns for dates, weekdays, relative and fuzzy
references, durations, quarters, seasons and sets), normalised against an *anchor* (the
document's date). Values follow TimeML: ``2024-06-19``, ``2024-06``, ``2024``,
``2024-W25``, ``2024-Q2``, ``2024-SU``, ``P2D``, ``PT5H``, ``PXY``, ``PRESENT_REF``,
``PAST_REF``, ``FUTURE_REF``, ``P1D`` for sets with ``XXXX``.

An expression that needs an anchor ("on Wednesday", "last year") and has none stays
*unresolved* (empty value, precision ``unresolved``): it is never guessed. A weekday on
its own is taken as the last such day up to the anchor (news reports what happened),
and says so (precision ``day``, ``estimated`` True).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

Precision = str  # "day", "month", "year", "week", "quarter", "season", "decade", "time",
# "approximate", "duration", "set", "unresolved"

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip
_VAGUE_NUMBERS = ("several", "few", "a few", "many", "some")
_UNITS = {
    "second": "S", "minute": "M", "hour": "H", "day": "D", "week": "W", "month": "M",
    "year": "Y", "decade": "DE", "century": "CE",
}  # fmt: skip
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
             "4th": 4}  # fmt: skip

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_DAYPART = r"(?:morning|afternoon|evening|night)"
_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|several|few|a few|many|some)"  # noqa: E501
_UNIT = r"(?:second|minute|hour|day|week|month|year|decade|centur(?:y|ie))s?"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
_RELATIVE = (
    "last|this|next|previous|coming|earlier this|later this|early this|early next|late last|"
    "late this|early last"
)
_PERIOD = "week|weekend|month|year|quarter|decade|century|spring|summer|fall|autumn|winter"
# "previously", "soon" and a bare "future" are left out: TimeBank's annotators tag them
# far less often than they occur (20, 13 and 13 unmatched hits against 3-4 gold each).
_WORDS = (
    "today|tonight|yesterday|tomorrow|now|currently|current|recently|recent|nowadays|these days|"
    "formerly|lately|the past|the future|"
    "this (?:morning|afternoon|evening)|last night|the weekend"
)
_SETS = (
    "daily|weekly|monthly|annually|yearly|hourly|every (?:day|week|month|year)|"
    "each (?:day|week|month|year)|a (?:day|week|month|year)"
)


@dataclass(frozen=True, slots=True)
class TimeExpression:
    start: int
    end: int
    text: str
    type: str  # DATE, TIME, DURATION, SET
    value: str  # TIMEX3 value; "" when unresolved
    precision: Precision
    estimated: bool = False  # the value rests on an assumption (a bare weekday)


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in [
        ("iso", r"\b(\d{4})-(\d{2})-(\d{2})\b"),
        ("mdy", rf"\b(?:{_WEEKDAY},?\s+)?({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+({_YEAR})\b"),
        ("dmy", rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH}),?\s+({_YEAR})\b"),
        (
            "md",
            rf"\b(?:{_WEEKDAY},?\s+)?((?:early|late|mid)[- ]|(?:last|next|this)\s+)?({_MONTH})\s+"
            r"(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)",
        ),
        ("dm", rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b(?!\s*,?\s*\d)"),
        ("my", rf"\b((?:early|late|mid)[- ])?({_MONTH}),?\s+({_YEAR})\b"),
        ("ago", rf"\b({_NUM})\s+({_UNIT})\s+(ago|earlier|before|later)\b"),
        (
            "span",
            rf"\b(?:the\s+)?(past|last|next|coming|previous|first|latest)\s+({_NUM})\s+({_UNIT})\b",
        ),
        (
            "duration",
            rf"\b({_NUM})(?:[- ](?:and[- ]a[- ]half[- ])?)({_UNIT})(?:[- ]long|[- ]old)?\b",
        ),
        ("weekday", rf"\b((?:last|next|this|early|late)\s+)?({_WEEKDAY})(\s+{_DAYPART})?\b"),
        ("relative_unit", rf"\b({_RELATIVE})\s+({_PERIOD})\b"),
        ("quarter", r"\b(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter\b"),
        ("fiscal", rf"\bfiscal\s+(?:year\s+)?({_YEAR})\b"),
        ("decade", r"\b(?:the\s+)?(?:mid-|early\s+|late\s+)?(1[6-9]\d0|20\d0)'?s\b"),
        (
            "season",
            rf"\b(?:(last|this|next)\s+)?(spring|summer|fall|autumn|winter)(?:\s+(?:of\s+)?({_YEAR}))?\b",
        ),
        ("month", rf"\b((?:last|next|this|early|late|mid)[- ])?({_MONTH})\b"),
        ("year", rf"\b((?:early|late|mid)[- ]|the end of\s+)?({_YEAR})\b(?![-/]\d)"),
        ("word", rf"\b({_WORDS})\b"),
        (
            "the_period",
            r"\bthe\s+(latest\s+|current\s+|fiscal\s+|full\s+|same\s+)?(quarter|year|week|month|period)\b",
        ),
        # not the unit of an age ("52 years old"), which the duration rule leaves alone
        ("bare_unit", r"\b(days|weeks|months|years|decades|centuries)\b(?![- ]old\b)"),
        ("recent_units", r"\b(?:recent|past|coming)\s+(days|weeks|months|years|decades)\b"),
        (
            "year_ago",
            r"\b(?:the\s+(?:comparable\s+)?)?year-(?:earlier|ago)"
            r"(?:\s+(?:(first|second|third|fourth)\s+)?(quarter|period))?\b",
        ),
        ("quarter_ago", r"\bthe\s+(?:same\s+)?quarter\s+(?:a|one)\s+year\s+(?:ago|earlier)\b"),
        ("set", rf"\b({_SETS})\b"),
        ("holiday", r"\b(?:(last|next|this)\s+)?(thanksgiving|christmas|new year's)(?:\s+day)?\b"),
        (
            "anaphor",
            # "that day" alone is left out: mostly an event's day ("the victims of that day"),
            # and "the next year" is next year from now
            r"\b(?:(?:earlier|later) that|that same|the same|that|"
            r"the (?:following|previous|preceding))\s+(?:week|month|year)\b"
            r"|\b(?:(?:earlier|later) that|that same|the same|"
            r"the (?:following|previous|preceding|next))\s+day\b",
        ),
        (
            "clock",
            r"\b(?:(\d{1,2})(?::(\d{2}))?\s*(a\.m\.|p\.m\.|am|pm)(?=\W|$)|(noon|midnight)\b)"
            rf"(?:\s+(?:[ECMP][SD]T\s+)?(?:on\s+)?({_WEEKDAY}|today|yesterday|tomorrow)\b)?",
        ),
    ]
]
_FUTURE = re.compile(
    r"\b(?:will|won't|shall|is due|are due|is expected to|are expected to|is scheduled|"
    r"are scheduled|plans? to|upcoming)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|said|told|met|went|came|left|took|made|gave|saw|began|became|"
    # irregular past forms common in news; ones that are also present ("set", "cut") are not
    r"been|brought|bought|sold|fell|rose|won|lost|paid|held|led|spent|sent|built|struck|"
    r"kept|fought|found|grew|drew|flew|ran|wrote|spoke|broke|chose|stood|shot|fled|sought|"
    r"caught|got|knew|thought|felt|\w+ed)\b",
    re.IGNORECASE,
)
# Words just before a weekday or a date that point it forward ("plans to leave on
# Thursday"), whatever the tense of the rest of the sentence.
_AHEAD = re.compile(
    r"\b(?:will|would|shall|plan(?:s|ned|ning)? to|scheduled|(?:due|set|expected|slated) to|"
    r"(?:is|are) to)\b[^.;:]*$",
    re.IGNORECASE,
)
# Stronger still, and stronger than a past verb: a schedule ("expected Friday", "postponed
# until May 3"), a deadline or a start ("payable Dec. 7", "effective Feb. 1"), "as soon as".
_AHEAD_HERE = re.compile(
    r"\b(?:scheduled|expected|slated|postponed|delayed|deferred|adjourned|rescheduled|"
    r"put off)\s+(?:(?:on|in|until|till|to|for)\s+)?$"
    r"|\b(?:payable|effective|expires?|extended to|by)\s+(?:on\s+|around\s+)?$"
    r"|\bas (?:soon|early) as\b[^.;:]*$",
    re.IGNORECASE,
)
# The verb right before a date, and the word before it ("will be paid Dec. 14" is no past).
_VERB_BEFORE = re.compile(r"(?:\b(\w+)\s+)?\b(\w+)\s+(?:(?:on|in)\s+)?$")
_NOT_PAST = {"be", "to", "will", "would", "shall"}
# an anaphoric period, matched again on its own text: (following|previous|next, unit)
_ANAPHOR = re.compile(
    r"(?:(?:earlier|later) that|that same|the same|that|the (following|previous|preceding|next))"
    r"\s+(day|week|month|year)",
    re.IGNORECASE,
)
_CALENDAR = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?(?:T.*)?$")
# Earnings stories compare a quarter with the same quarter a year before.
_QUARTER_TALK = re.compile(r"\bquarter", re.IGNORECASE)
_QUARTER_CONTEXT = 1000  # characters looked back for talk of quarters
_LONGER_PERIOD = re.compile(
    r"\b(?:nine|six) months\b|\b(?:fiscal|full|the) year\b(?!-)|\byear to date\b", re.IGNORECASE
)
# The reporting verb of a news sentence is in the past tense whatever the time of what is
# reported ("the company said the dividend is payable Dec. 7"): it says nothing of a date.
_REPORTING = re.compile(
    r"\b(?:said|told|reported|announced|added|noted|stated|declared|disclosed)\b", re.IGNORECASE
)
_PERIOD_ENDED = re.compile(r"\s+end(?:ed|ing)\b", re.IGNORECASE)
# "may" is a month only with a number or a modifier next to it: it is mostly a modal verb.
_BARE_MAY = re.compile(r"^may$", re.IGNORECASE)


def find_timexes(text: str, anchor: date | None) -> list[TimeExpression]:
    """Temporal expressions in ``text``, in order, none overlapping (longest wins)."""
    candidates: list[TimeExpression] = []
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found = _normalise(name, match, anchor, _tense(text, match.start()))
            if found is not None:
                candidates.append(found)
    candidates.sort(key=lambda t: (-(t.end - t.start), t.start))
    taken: list[TimeExpression] = []
    for candidate in candidates:
        if all(candidate.end <= t.start or candidate.start >= t.end for t in taken):
            taken.append(candidate)
    return _resolve_anaphora(sorted(taken, key=lambda t: t.start))


def _resolve_anaphora(found: list[TimeExpression]) -> list[TimeExpression]:
    """ "Later that year", "the following month": the year or month of the last calendar
    date named before (a narrative moves on from it), or unresolved when there is none."""
    resolved: list[TimeExpression] = []
    for expression in found:
        match = _ANAPHOR.fullmatch(expression.text)
        if match is not None:
            reference = next((t for t in reversed(resolved) if _CALENDAR.match(t.value)), None)
            value = _from_reference(match, reference.value) if reference else ""
            precision = match[2].lower() if value else "unresolved"
            expression = replace(expression, value=value, precision=precision)
        resolved.append(expression)
    return resolved


def _from_reference(match: re.Match[str], reference: str) -> str:
    """The period ``match`` names, counted from a calendar ``reference`` ("1995-05-22")."""
    unit, word = match[2].lower(), (match[1] or "").lower()
    step = {"following": 1, "next": 1, "previous": -1, "preceding": -1}.get(word, 0)
    parts = [int(part[:2]) if i else int(part) for i, part in enumerate(reference.split("-"))]
    if len(parts) < {"year": 1, "month": 2, "week": 3, "day": 3}[unit]:
        return ""  # "that same day" after "in October": not a day we know
    day = date(*parts, *[1] * (3 - len(parts)))
    return _shift(day, {"year": "Y", "month": "M", "week": "W", "day": "D"}[unit], step)[0]


def _sentence(text: str, position: int) -> str:
    start = max(text.rfind(". ", 0, position), text.rfind("\n", 0, position)) + 1
    ends = [i for i in (text.find(". ", position), text.find("\n", position)) if i >= 0]
    return text[start : min(ends, default=len(text))]


def _tense(text: str, position: int) -> str:
    """ "future", "past" or "" for the sentence around ``position``: which way a month or
    a day without a year points from the anchor ("in July, the minister visited")."""
    local = _direction(text[max(0, position - 60) : position])
    if local:
        return local
    sentence = _REPORTING.sub("", _sentence(text, position))
    if _FUTURE.search(sentence):
        return "future"
    return "past" if _PAST.search(sentence) else ""


def _direction(before: str) -> str:
    """Which way the words just before an expression point it: the verb it hangs on says
    more than the rest of the sentence ("they would appeal the ruling, announced Wednesday")
    - a word of schedule ("expected Friday", "postponed until May 3") looks ahead, a past
    verb ("met Monday", "announced in July") looks back, then a plan or a deadline."""
    if _AHEAD_HERE.search(before):
        return "future"
    verb = _VERB_BEFORE.search(before)
    if verb and _PAST.fullmatch(verb[2]) and (verb[1] or "").lower() not in _NOT_PAST:
        return "past"
    return "future" if _AHEAD.search(before) else ""


def _normalise(
    name: str, match: re.Match[str], anchor: date | None, tense: str = ""
) -> TimeExpression | None:
    handler = _HANDLERS[name]
    result = handler(match, anchor, tense)
    if result is None:
        return None
    kind, value, precision, *rest = result
    if value == "" and precision != "unresolved":
        return None
    return TimeExpression(
        match.start(), match.end(), match.group(0), kind, value, precision, bool(rest and rest[0])
    )


# -- handlers: (type, value, precision[, estimated]) or None -------------------------------
def _iso(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", f"{m[1]}-{m[2]}-{m[3]}", "day"


def _mdy(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", _ymd(int(m[3]), _month(m[1]), int(m[2])), "day"


def _dmy(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", _ymd(int(m[3]), _month(m[2]), int(m[1])), "day"


def _md(m: re.Match[str], anchor: date | None, tense: str = ""):
    modifier = (m[1] or "").strip().lower()
    if modifier.rstrip("-") in {"early", "late", "mid"}:
        return None  # "late May 5" is odd; let other rules take it
    month, day = _month(m[2]), int(m[3])
    if not 1 <= day <= 31:
        return None
    if anchor is None:
        return "DATE", "", "unresolved"
    year = _nearest_year(anchor, month, day, modifier or tense)
    return "DATE", _ymd(year, month, day), "day"


def _dm(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    day, month = int(m[1]), _month(m[2])
    if not 1 <= day <= 31:
        return None
    return "DATE", _ymd(_nearest_year(anchor, month, day, tense), month, day), "day"


def _my(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", f"{int(m[3]):04d}-{_month(m[2]):02d}", "month"


def _ago(m: re.Match[str], anchor: date | None, tense: str = ""):
    amount, unit = _amount(m[1]), _unit(m[2])
    if unit in {"S", "M_min", "H"}:
        return None
    if anchor is None:
        return "DATE", "", "unresolved"
    if amount is None:
        return "DATE", "PAST_REF" if m[3].lower() != "later" else "FUTURE_REF", "approximate"
    sign = 1 if m[3].lower() == "later" else -1
    if (amount, unit, sign) == (1, "Y", -1):
        return "DATE", *_year_before(m, anchor)
    return "DATE", *_shift(anchor, unit, sign * amount)


def _span(m: re.Match[str], anchor: date | None, tense: str = ""):
    amount, unit = _amount(m[2]), _unit(m[3])
    return "DURATION", _duration(amount, unit), "duration"


def _duration_rule(m: re.Match[str], anchor: date | None, tense: str = ""):
    if m[0].lower().endswith("old"):
        return None  # an age ("6-year-old"), not a time
    return "DURATION", _duration(_amount(m[1]), _unit(m[2])), "duration"


def _weekday(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    modifier = (m[1] or "").strip().lower()
    day = _named_day(m[2], anchor, m.string[: m.start()], modifier)
    value = day.isoformat()
    if m[3]:
        value += (
            "T"
            + {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}[
                m[3].strip().lower()
            ]
        )
        return "TIME", value, "time", modifier not in {"next", "last"}
    return "DATE", value, "day", modifier not in {"next", "last"}


def _named_day(name: str, anchor: date, before: str, modifier: str = "") -> date:
    """The date of a weekday (or "today", "yesterday", "tomorrow") named in the text."""
    if name.lower() in {"today", "yesterday", "tomorrow"}:
        return anchor + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[name.lower()])
    target = _WEEKDAYS[name.lower()]
    ahead = (target - anchor.weekday()) % 7
    if modifier == "next":
        return anchor + timedelta(days=ahead or 7)
    if modifier == "last":
        return anchor - timedelta(days=(7 - ahead) % 7 or 7)
    if _direction(before[-60:]) == "future":
        # "talks are set to resume on Monday", "as soon as Tuesday": the coming one
        return anchor + timedelta(days=ahead)
    return anchor - timedelta(days=(7 - ahead) % 7)


def _relative_unit(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    modifier, unit = m[1].lower(), m[2].lower()
    step = -1 if modifier in {"last", "previous", "late last", "early last"} else 0
    step = 1 if modifier in {"next", "coming", "early next"} else step
    if unit in _SEASONS:
        return "DATE", f"{anchor.year + step:04d}-{_SEASONS[unit]}", "season"
    if unit == "weekend":
        week = anchor + timedelta(weeks=step)
        return "DATE", f"{_week(week)}-WE", "week"
    if unit == "quarter":
        quarter = (anchor.month - 1) // 3 + step
        year = anchor.year + quarter // 4
        return "DATE", f"{year:04d}-Q{quarter % 4 + 1}", "quarter"
    if unit == "decade":
        return "DATE", f"{(anchor.year // 10 + step):03d}", "decade"
    if unit == "century":
        return "DATE", f"{(anchor.year // 100 + step):02d}", "decade"
    return "DATE", *_shift(anchor, {"week": "W", "month": "M", "year": "Y"}[unit], step)


def _quarter(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    quarter = _QUARTERS[m[1].lower()]
    current = (anchor.month - 1) // 3 + 1
    year = anchor.year if quarter <= current else anchor.year - 1
    return "DATE", f"{year:04d}-Q{quarter}", "quarter"


def _fiscal(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", m[1], "year"


def _decade(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", m[1][:3], "decade"


def _season(m: re.Match[str], anchor: date | None, tense: str = ""):
    if not m[1] and not m[3] and m[2].lower() == "fall":
        return None  # "fall" alone is mostly the verb
    code = _SEASONS[m[2].lower()]
    if m[3]:
        return "DATE", f"{m[3]}-{code}", "season"
    if anchor is None:
        return "DATE", "", "unresolved"
    step = {"last": -1, "next": 1}.get((m[1] or "").lower(), 0)
    return "DATE", f"{anchor.year + step:04d}-{code}", "season"


def _month_rule(m: re.Match[str], anchor: date | None, tense: str = ""):
    modifier = (m[1] or "").strip(" -").lower()
    if not modifier and (_BARE_MAY.match(m[2]) or not m[2][0].isupper()):
        return None  # "may" the verb, "march" the noun: a bare month is capitalised
    if anchor is None:
        return "DATE", "", "unresolved"
    month = _month(m[2])
    year = _nearest_year(anchor, month, 15, modifier or tense)
    return "DATE", f"{year:04d}-{month:02d}", "month"


def _nearest_year(anchor: date, month: int, day: int, modifier: str = "") -> int:
    """The year that puts (month, day) nearest the anchor; "last" takes the latest one
    before it, "next" the first one after; the sentence's tense ("past", "future") rules
    out the other side (news speaks of both past and coming dates)."""
    if modifier == "this":  # "this September": the one in the anchor's year
        return anchor.year
    options = [date(anchor.year + k, month, min(day, 28)) for k in (-1, 0, 1)]
    if modifier == "last":
        return max(d for d in options if d < anchor).year
    if modifier == "next":
        return min(d for d in options if d > anchor).year
    if modifier == "past":  # said in the past tense: not a month still to come
        return max(d for d in options if d.replace(day=1) <= anchor).year
    if modifier == "future":
        return min(d for d in options if d >= anchor.replace(day=1)).year
    return min(options, key=lambda d: abs((d - anchor).days)).year


def _year(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", m[2], "year"


def _word(m: re.Match[str], anchor: date | None, tense: str = ""):
    word = m[1].lower()
    fixed = {
        "now": "PRESENT_REF", "currently": "PRESENT_REF", "current": "PRESENT_REF",
        "nowadays": "PRESENT_REF", "these days": "PRESENT_REF", "recently": "PAST_REF",
        "recent": "PAST_REF",
        "formerly": "PAST_REF", "lately": "PAST_REF", "the past": "PAST_REF",
        "the future": "FUTURE_REF",
    }  # fmt: skip
    if word == "now" and _opens_sentence(m) and m.string[m.end() : m.end() + 1] == ",":
        return None  # "Now, the critics say ...": a discourse marker, not a time
    if word in fixed:
        return "DATE", fixed[word], "approximate"
    if anchor is None:
        return "DATE", "", "unresolved"
    if word in {"today", "yesterday", "tomorrow"}:
        shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[word]
        return "DATE", (anchor + timedelta(days=shift)).isoformat(), "day"
    if word == "the weekend":
        return "DATE", f"{_week(anchor)}-WE", "week"
    if word in {"tonight", "last night"}:
        day = anchor - timedelta(days=1 if word == "last night" else 0)
        return "TIME", f"{day.isoformat()}TNI", "time"
    part = {"morning": "MO", "afternoon": "AF", "evening": "EV"}[word.split()[-1]]
    return "TIME", f"{anchor.isoformat()}T{part}", "time"


def _opens_sentence(m: re.Match[str]) -> bool:
    """Whether the match starts a sentence (quotes and spaces aside)."""
    before = m.string[max(0, m.start() - 8) : m.start()].rstrip(" \t\"'`")
    return before.endswith((".", "!", "?", "\n")) or (m.start() < 8 and not before)


def _set(m: re.Match[str], anchor: date | None, tense: str = ""):
    word = m[1].lower()
    unit = next(
        (code for name, code in _UNITS.items() if name in word),
        {"daily": "D", "weekly": "W", "monthly": "M", "annually": "Y", "yearly": "Y",
         "hourly": "H"}.get(word, "D"),
    )  # fmt: skip
    return "SET", f"P1{unit}" if unit != "H" else "PT1H", "set"


def _clock(m: re.Match[str], anchor: date | None, tense: str = ""):
    if m[4]:
        hour, minute = (12, 0) if m[4].lower() == "noon" else (0, 0)
    else:
        hour, minute = int(m[1]) % 12, int(m[2] or 0)
        if m[3].lower().startswith("p"):
            hour += 12
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    if anchor is None:
        return "TIME", "", "unresolved"
    day = _named_day(m[5], anchor, m.string[: m.start()]) if m[5] else anchor
    return "TIME", f"{day.isoformat()}T{hour:02d}:{minute:02d}", "time"


def _the_period(m: re.Match[str], anchor: date | None, tense: str = ""):
    unit = m[2].lower()
    if anchor is None:
        return "DATE", "", "unresolved"
    modifier = (m[1] or "").strip().lower()
    if unit == "year" and _PERIOD_ENDED.match(m.string, m.end()):
        return "DURATION", "P1Y", "duration"  # "for the year ended March 31": a span
    if unit == "quarter" and modifier == "current":
        return "DATE", f"{anchor.year:04d}-Q{(anchor.month - 1) // 3 + 1}", "quarter"
    # in business news "the quarter", and "the latest period" in a story about quarterly
    # results, is the quarter just reported
    if unit == "quarter" or (
        unit == "period" and modifier == "latest" and _about_quarters(m.string, m.start())
    ):
        return "DATE", _last_quarter(anchor), "quarter"
    if unit == "period":
        return "DATE", "PAST_REF", "approximate"
    return "DATE", *_shift(anchor, {"week": "W", "month": "M", "year": "Y"}[unit], 0)


def _bare_unit(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DURATION", _duration(None, _unit(m[1])), "duration"


def _recent_units(m: re.Match[str], anchor: date | None, tense: str = ""):
    # "in recent years", "in coming months": an unspecified stretch up to or from now
    return "DURATION", _duration(None, _unit(m[1])), "duration"


def _year_ago(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    if m[1]:  # "the year-earlier third quarter" names its quarter
        return "DATE", f"{anchor.year - 1:04d}-Q{_QUARTERS[m[1].lower()]}", "quarter"
    if (m[2] or "").lower() == "quarter":
        return "DATE", _year_earlier(_last_quarter(anchor)), "quarter"
    return "DATE", *_year_before(m, anchor)


def _quarter_ago(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    return "DATE", _year_earlier(_last_quarter(anchor)), "quarter"


def _year_before(m: re.Match[str], anchor: date) -> tuple[str, Precision]:
    """ "A year ago" is last year, except in a story about quarterly results, where it
    compares with the same quarter a year before ("net rose from $5 million a year ago")."""
    if _about_quarters(m.string, m.start()):
        return _year_earlier(_last_quarter(anchor)), "quarter"
    return f"{anchor.year - 1:04d}", "year"


def _about_quarters(text: str, position: int) -> bool:
    """Whether the text just before ``position`` speaks of quarters, and the sentence does
    not compare a longer period ("for the nine months ... a year earlier" is a year back)."""
    if _LONGER_PERIOD.search(_sentence(text, position)):
        return False
    return bool(_QUARTER_TALK.search(text[max(0, position - _QUARTER_CONTEXT) : position + 80]))


def _last_quarter(anchor: date) -> str:
    """The last quarter completed before the anchor: the one business news reports on."""
    quarter = (anchor.month - 1) // 3 - 1
    return f"{anchor.year + quarter // 4:04d}-Q{quarter % 4 + 1}"


def _year_earlier(quarter: str) -> str:
    return f"{int(quarter[:4]) - 1:04d}{quarter[4:]}"


def _holiday(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    name = m[2].lower()
    month, day = {"thanksgiving": (11, 25), "christmas": (12, 25), "new year's": (1, 1)}[name]
    year = _nearest_year(anchor, month, day, (m[1] or "").lower() or tense)
    if name == "thanksgiving":  # the fourth Thursday of November (the US holiday)
        day = 22 + (3 - date(year, 11, 1).weekday()) % 7
    return "DATE", _ymd(year, month, day), "day"


def _anaphor(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DATE", "", "unresolved"  # resolved against the text before: _resolve_anaphora


_HANDLERS = {
    "iso": _iso, "mdy": _mdy, "dmy": _dmy, "md": _md, "dm": _dm, "my": _my, "ago": _ago,
    "span": _span, "duration": _duration_rule, "weekday": _weekday,
    "relative_unit": _relative_unit, "quarter": _quarter, "fiscal": _fiscal,
    "decade": _decade, "season": _season, "month": _month_rule, "year": _year,
    "word": _word, "set": _set, "clock": _clock, "the_period": _the_period,
    "bare_unit": _bare_unit, "year_ago": _year_ago, "recent_units": _recent_units,
    "quarter_ago": _quarter_ago, "holiday": _holiday, "anaphor": _anaphor,
}  # fmt: skip


# -- helpers -------------------------------------------------------------------------------
def _month(text: str) -> int:
    return _MONTHS[
        text.lower().rstrip(".")[:4].rstrip("t")
        if text.lower().startswith("sept")
        else text.lower().rstrip(".")
    ]


def _ymd(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def _amount(text: str) -> int | None:
    text = text.lower()
    if text.isdigit():
        return int(text)
    return None if text in _VAGUE_NUMBERS else _NUMBERS.get(text)


def _unit(text: str) -> str:
    base = text.lower().rstrip("s")
    base = "century" if base.startswith("centur") else base
    return "M_min" if base == "minute" else _UNITS[base]


def _duration(amount: int | None, unit: str) -> str:
    count = "X" if amount is None else str(amount)
    if unit in {"H", "M_min", "S"}:
        return f"PT{count}{'M' if unit == 'M_min' else unit}"
    return f"P{count}{unit}"


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _shift(anchor: date, unit: str, amount: int) -> tuple[str, Precision]:
    if unit == "D":
        return (anchor + timedelta(days=amount)).isoformat(), "day"
    if unit == "W":
        return _week(anchor + timedelta(weeks=amount)), "week"
    if unit == "M":
        index = anchor.year * 12 + anchor.month - 1 + amount
        return f"{index // 12:04d}-{index % 12 + 1:02d}", "month"
    if unit == "Y":
        return f"{anchor.year + amount:04d}", "year"
    if unit == "DE":
        return f"{(anchor.year + 10 * amount) // 10:03d}", "decade"
    return f"{(anchor.year + 100 * amount) // 100:02d}", "decade"
