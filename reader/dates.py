"""Dates: the article's own date, and a time expression resolved against it.

The article date is its `published` field when that parses, else a dateline near the top: one
of the first few lines that starts with a full date, after an optional upper-case place name
("OTTAWA, 8 February 2026", "Friday, July 21, 2017", "Thursday, May 7, 2015 On Tuesday, ...",
"Published 12 January 2026").

A time expression is resolved by `dateparser` (RELATIVE_BASE = the article date,
PREFER_DATES_FROM = future), which also says how much of the calendar it names (a day, week,
month or year); the result is that day, or that period as a range "start/end". What dateparser
does not read is reduced to something it does, by rules about the words, not about dates:

* "by" / "before" / "until" / "no later than" X: a deadline, the range from the article date
  to the end of X ("before 4 February" ends the day before);
* "within" N units: from the article date to N units later; "in" N units: that day;
* "the end of" X / "X end": the last day of X; "the year" / "the month": this year / month;
* "early" / "mid" / "late" X (also "the start / middle of"): the first, middle or last third of
  a year (January-April, May-August, September-December) or of a month (days 1-10, 11-20, 21
  to the end); "later" X: all of X;
* "the first quarter of 2027", "Q3", "the second half of next year": those months (a quarter or
  half without a year is the next one to end on or after the article date);
* recurring ("every week"), open ("after the deadline") and vague ("soon") times: None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re

LEADING_LINES = 4
# Place names in datelines: upper-case words, maybe with commas, dots or brackets ("WASHINGTON
# (Reuters)"); then a separator.
_PLACE = r"(?:[A-Z][A-Z.'’\- ]+(?:\([^)]*\))?\s*[,—–:-]\s*)?"
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # July 21, 2017
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"  # 8 February 2026
    r"|\d{4}-\d{2}-\d{2})"  # 2026-02-08
)
# A line that says when the article appeared: "Published 12 January 2026", "Updated: May 3, 2025"
_STAMP = r"(?:(?:Published|Updated|Posted|First published|Last updated)(?:\s+on)?:?\s+)?"
_DATELINE = re.compile(rf"^\s*{_PLACE}{_STAMP}{_WEEKDAY}({_DATE})\b")

_DEADLINE = ("by", "before", "until", "till", "through", "no later than", "not later than", "ahead of")
_POINT = ("on", "in", "at", "during", "from", "starting", "beginning", "effective", "commencing", "around", "about",
          "as of", "as early as", "starting from", "starting on", "starting in", "beginning in", "beginning on")
_OPEN = ("after", "since", "from now")
_RECURRING = re.compile(r"\b(every|each|per|weekly|daily|monthly|annually|yearly|nightly|hourly)\b", re.I)
_QUALIFIER = re.compile(r"^(?:earlier|early|later|late|mid|the middle of|the start of|the beginning of)\b\s*-?\s*", re.I)
_THIRD = {"early": 0, "the start of": 0, "the beginning of": 0, "mid": 1, "the middle of": 1, "late": 2}
_PART = re.compile(
    r"^(?:the\s+)?(?:(first|second|third|fourth|1st|2nd|3rd|4th)\s+(quarter|half)|q([1-4])|h([12]))"
    r"(?:\s+(?:of\s+)?(?:(\d{4})|(this|next|last)\s+year))?$", re.I)
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_END = re.compile(r"^(?:the\s+)?(?:very\s+)?end\s+of\s+(?:the\s+)?(.+)$|^(?:the\s+)?(.+?)[\s-]end$", re.I)
_DURATION = re.compile(
    r"^(?:(?:the\s+)?(?:next|coming)\s+)?(a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"a few|a couple of|several|\d+(?:\.\d+)?)\s+(hours?|days?|weeks?|months?|years?|decades?)$"
    r"|^the\s+(?:next|coming)\s+(hour|day|week|month|year|decade)$",  # not "next month": that is a month
    re.I,
)
_BARE_UNIT = {"year": "this year", "month": "this month", "week": "this week", "day": "today", "tonight": "today"}
_MONTH_ONLY = re.compile(rf"^(?:in\s+)?{_MONTH}$", re.I)


# "July 21, 2017", "14 January 2026", "Sept. 3, 2024" (after commas and full stops become spaces);
# strptime reads English month names in the C locale, which Python keeps unless a program sets another.
_PLAIN_FORMS = ("%B %d %Y", "%d %B %Y", "%b %d %Y", "%d %b %Y")


def article_date(text: str, published: str | None = None) -> dt.date | None:
    """The date an article speaks from: `published`, else its dateline; None when neither."""
    if published:
        found = _parse_absolute(published.strip()[:40])
        if found is not None:
            return found
    lines = [line for line in (text or "").splitlines() if line.strip()][:LEADING_LINES]
    for line in lines:
        m = _DATELINE.match(line[:120])
        if m:
            found = _parse_absolute(m.group(1))
            if found is not None:
                return found
    return None


def _parse_absolute(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    plain = " ".join(value.replace(".", " ").replace(",", " ").split())
    for form in _PLAIN_FORMS:  # the usual dateline, without dateparser's first-call cost (0.5 s)
        try:
            return dt.datetime.strptime(plain, form).date()
        except ValueError:
            continue
    parser = _parser(None)
    data = parser.get_date_data(value)
    if data and data.date_obj is not None and data.period == "day" and re.search(r"\d{4}", value):
        return data.date_obj.date()
    return None


@functools.lru_cache(maxsize=64)
def _parser(base: dt.date | None):
    """A dateparser reader for English, relative to `base` (cached: building one is not free)."""
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": "future", "RETURN_TIME_AS_PERIOD": True}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en"], settings=settings)


def resolve(when: str | None, base: dt.date | None, entity: str | None = None) -> str | None:
    """An ISO date or "start/end" range for a time expression; None when it cannot be resolved.

    when: the expression as written; entity: the DATE/TIME entity spaCy found inside it, which
    is what gets parsed when present (the words around it only say how)."""
    if not when or len(when) > 120:
        return None
    try:
        return _resolve(when.strip(), base, entity)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None


def _resolve(when: str, base: dt.date | None, entity: str | None) -> str | None:
    if _RECURRING.search(when):
        return None
    lead, core = _split_lead(when)
    if entity and len(entity) >= 3:
        _, core = _split_lead(entity)
    if lead in _OPEN:
        return None  # open-ended: "after the deadline"
    if base is None and not re.search(r"\b\d{4}\b", core):
        return None  # a relative time with nothing to be relative to
    duration = _DURATION.match(core)
    if duration:
        # "within 48 hours", "over the next two years": from now to then; "in two weeks": that
        # day; "for 25 years": how long, not when
        if lead == "for" or lead in _DEADLINE:
            return None
        amount = re.sub(r"^(?:the\s+)?(?:next|coming)\s+", "", core, flags=re.I)
        if duration.group(3):
            amount = "1 " + amount  # "the next decade": one of them
        amount = re.sub(r"(\w+)\s+decades?$", lambda m: f"{_times_ten(m.group(1))} years", amount)
        target = _parse(f"in {amount}", base)
        if target is None:
            return None
        day = target[0]
        ranged = lead in ("within", "over", "throughout") or core.lower().startswith(("the next", "the coming", "next", "coming"))
        return _fmt(base, day) if ranged else _fmt(day, day)
    if lead in ("for", "over", "throughout"):
        return None
    period = _period(core, base)
    if period is None:
        return None
    start, end = period
    if lead in _DEADLINE:
        if lead == "before" and start == end and not _END.match(core):
            end = end - dt.timedelta(days=1)
        if base is None or end < base:
            return _fmt(end, end)
        return _fmt(base, end)
    return _fmt(start, end)


def _times_ten(number: str) -> str:
    """ "two decades" -> "20 years" for dateparser, which has no decades."""
    words = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "1": 1}
    n = words.get(number.lower())
    if n is None and number.isdigit():
        n = int(number)
    return str(10 * n) if n else number


def _split_lead(text: str) -> tuple[str, str]:
    low = text.lower()
    for word in sorted(_DEADLINE + _POINT + _OPEN + ("within", "for", "over", "throughout"), key=len, reverse=True):
        if low.startswith(word + " "):
            return word, text[len(word) + 1:].strip()
    return "", text


def _period(core: str, base: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The calendar period an expression names: (first day, last day)."""
    core = core.strip().strip(".,")
    m = _END.match(core)
    if m:
        inner = (m.group(1) or m.group(2) or "").strip()
        inner = _BARE_UNIT.get(inner.lower(), inner)
        inner_period = _period(inner, base)
        return None if inner_period is None else (inner_period[1], inner_period[1])
    part = _part_of_year(core, base)
    if part is not None:
        return part
    qualifier = _QUALIFIER.match(core)
    third = _THIRD.get(qualifier.group(0).strip(" -").lower()) if qualifier else None
    core = _QUALIFIER.sub("", core)
    core = re.sub(r"^the\s+", "", core, flags=re.I) if core.lower() in ("the year", "the month", "the week") else core
    core = _BARE_UNIT.get(core.lower(), core)
    parsed = _parse(core, base)
    if parsed is None:
        return None
    day, kind = parsed
    if third is not None and kind in ("month", "year"):
        return _third(day, kind, third)
    if kind == "month" and base is not None and _MONTH_ONLY.match(core) and (day.year, day.month) == (base.year + 1, base.month):
        day = day.replace(year=base.year)  # a month named in that same month means this one
    if kind in ("day", "time"):
        return day, day
    if kind == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if kind == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if kind == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return None


def _third(day: dt.date, kind: str, third: int) -> tuple[dt.date, dt.date]:
    """The first, middle or last third of the month or year `day` falls in ("mid-2027")."""
    if kind == "year":
        first = dt.date(day.year, 4 * third + 1, 1)
        last_month = 4 * third + 4
        return first, dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=10 * third + 1), day.replace(day=last if third == 2 else 10 * third + 10)


def _part_of_year(core: str, base: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """A quarter or half of a year: "the first quarter of 2027", "Q3", "the second half of next
    year"; without a year, the next one to end on or after the article date."""
    m = _PART.match(core)
    if m is None:
        return None
    if m.group(3) or m.group(2) and m.group(2).lower() == "quarter":
        size, n = 3, int(m.group(3) or _ORDINAL[m.group(1).lower()])
    else:
        size, n = 6, int(m.group(4) or _ORDINAL[m.group(1).lower()])
    if n > 12 // size:
        return None  # "the third half"
    if m.group(5):
        years = [int(m.group(5))]
    elif base is None:
        return None
    elif m.group(6):
        years = [base.year + {"this": 0, "next": 1, "last": -1}[m.group(6).lower()]]
    else:
        years = [base.year, base.year + 1]
    for year in years:
        end_month = size * n
        span = (dt.date(year, end_month - size + 1, 1), dt.date(year, end_month, calendar.monthrange(year, end_month)[1]))
        if base is None or span[1] >= base or year == years[-1]:
            return span
    return None


def _parse(text: str, base: dt.date | None) -> tuple[dt.date, str] | None:
    if not text or not re.search(r"[A-Za-z0-9]", text):
        return None
    if base is None:
        year = re.search(r"\b(\d{4})\b", text)
        base = dt.date(int(year.group(1)), 1, 1) if year else None
    data = _parser(base).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.date(), data.period or "day"


def _fmt(start: dt.date | None, end: dt.date) -> str:
    if start is None or start == end:
        return end.isoformat()
    if start > end:
        start, end = end, start
    return f"{start.isoformat()}/{end.isoformat()}"
