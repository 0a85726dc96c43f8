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
from dataclasses import dataclass
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
    "today|tonight|yesterday|tomorrow|now|currently|current|recently|recent|nowadays|"
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
        ("mdy", rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+({_YEAR})\b"),
        ("dmy", rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH}),?\s+({_YEAR})\b"),
        (
            "md",
            rf"\b((?:early|late|mid)[- ])?({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)",
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
        ("bare_unit", r"\b(days|weeks|months|years|decades|centuries)\b"),
        ("year_ago", r"\byear-(earlier|ago)\b"),
        ("set", rf"\b({_SETS})\b"),
        ("clock", r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.m\.|p\.m\.|am|pm)(?=\W|$)|\b(noon|midnight)\b"),
    ]
]
_FUTURE = re.compile(
    r"\b(?:will|won't|shall|is due|are due|is expected to|are expected to|is scheduled|"
    r"are scheduled|plans? to|upcoming)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|said|told|met|went|came|left|took|made|gave|saw|began|became|"
    r"\w+ed)\b",
    re.IGNORECASE,
)
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
    return sorted(taken, key=lambda t: t.start)


def _tense(text: str, position: int) -> str:
    """ "future", "past" or "" for the sentence around ``position``: which way a month or
    a day without a year points from the anchor ("in July, the minister visited")."""
    start = max(text.rfind(". ", 0, position), text.rfind("\n", 0, position)) + 1
    ends = [i for i in (text.find(". ", position), text.find("\n", position)) if i >= 0]
    sentence = text[start : min(ends, default=len(text))]
    if _FUTURE.search(sentence):
        return "future"
    return "past" if _PAST.search(sentence) else ""


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
    if m[1]:
        return None  # "late May 5" is odd; let other rules take it
    month, day = _month(m[2]), int(m[3])
    if not 1 <= day <= 31:
        return None
    if anchor is None:
        return "DATE", "", "unresolved"
    return "DATE", _ymd(_nearest_year(anchor, month, day, tense), month, day), "day"


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
    target = _WEEKDAYS[m[2].lower()]
    delta = (anchor.weekday() - target) % 7
    if modifier == "next":
        day = anchor + timedelta(days=(target - anchor.weekday()) % 7 or 7)
    elif modifier == "last":
        day = anchor - timedelta(days=delta or 7)
    else:
        day = anchor - timedelta(days=delta)
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
        "nowadays": "PRESENT_REF", "recently": "PAST_REF", "recent": "PAST_REF",
        "formerly": "PAST_REF", "lately": "PAST_REF", "the past": "PAST_REF",
        "the future": "FUTURE_REF",
    }  # fmt: skip
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
    return "TIME", f"{anchor.isoformat()}T{hour:02d}:{minute:02d}", "time"


def _the_period(m: re.Match[str], anchor: date | None, tense: str = ""):
    unit = m[2].lower()
    if anchor is None:
        return "DATE", "", "unresolved"
    if unit == "quarter":  # in business news "the quarter" is the one just reported
        quarter = (anchor.month - 1) // 3 - 1
        return "DATE", f"{anchor.year + quarter // 4:04d}-Q{quarter % 4 + 1}", "quarter"
    if unit == "period":
        return "DATE", "PAST_REF", "approximate"
    return "DATE", *_shift(anchor, {"week": "W", "month": "M", "year": "Y"}[unit], 0)


def _bare_unit(m: re.Match[str], anchor: date | None, tense: str = ""):
    return "DURATION", _duration(None, _unit(m[1])), "duration"


def _year_ago(m: re.Match[str], anchor: date | None, tense: str = ""):
    if anchor is None:
        return "DATE", "", "unresolved"
    return "DATE", f"{anchor.year - 1:04d}", "year"


_HANDLERS = {
    "iso": _iso, "mdy": _mdy, "dmy": _dmy, "md": _md, "dm": _dm, "my": _my, "ago": _ago,
    "span": _span, "duration": _duration_rule, "weekday": _weekday,
    "relative_unit": _relative_unit, "quarter": _quarter, "fiscal": _fiscal,
    "decade": _decade, "season": _season, "month": _month_rule, "year": _year,
    "word": _word, "set": _set, "clock": _clock, "the_period": _the_period,
    "bare_unit": _bare_unit, "year_ago": _year_ago,
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
