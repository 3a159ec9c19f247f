"""The values an import may store: text cleaned of control characters, visible titles, dates in
range, and every bounded field within its column — no Django, so it tests fast and reads alone.

Readers clean each string as they read it (``clean``), so parsing never sees a control
character; ``checked`` is the gate every parsed article passes before it is saved, whatever
built it. A value longer than its column refuses the article with a reason instead of being cut,
because SQLite would store it and PostgreSQL would refuse it: the same files must import the
same way on both. Only a title is shortened (it identifies nothing; an editor is told).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime

from articles.ingest.parsed import ParsedArticle, ParsedLink, ParseError
from articles.text_safety import strip_unsafe

# C0 controls but tab and newline, DEL, lone surrogates (JSON "\ud800") and the two
# non-characters: XML forbids them all, so one of them in a stored title broke every feed.
# Shown as nothing, though not whitespace: fillers that some sites put in an empty title.
_FILLERS = set("\u115f\u1160\u3164\uffa0\u2800\u0640")
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"}

# The columns' max_length (articles/models.py; test_import_values checks they agree).
ID_LIMIT = 200
TITLE_LIMIT = 500
URL_LIMIT = 1000
NAME_LIMIT = 200  # Source.name, Source.domain, Article.agency, Category.name, Tag.name
NOTE_TITLE_SHORTENED = "عنوان بیش از اندازه بلند بود و کوتاه شد"
NOTE_LINK_DROPPED = "پیوندی با نشانی بیش از اندازه بلند کنار گذاشته شد؛ نشانی در متن مانده است"

TEHRAN = ZoneInfo("Asia/Tehran")
DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def clean(text: str) -> str:
    """``text`` without control characters (``articles.text_safety``) and carriage returns (a
    page's ``\r\n`` is a line end); tab and newline stay."""
    return strip_unsafe(text).replace("\r", "")


def visible(text: str) -> bool:
    """Whether ``text`` shows anything: ZWNJ, RLM/LRM, bidi embeddings, spaces, a lone
    combining mark or a Hangul filler alone make an invisible title."""
    return any(ch not in _FILLERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES for ch in text)


# --- dates -------------------------------------------------------------------------------------


def to_utc(raw: str, jalali: bool) -> datetime | None:
    """A Gregorian ISO date/time or a Jalali ``YYYY-MM-DD`` (Persian digits welcome) in UTC."""
    value = raw.strip().translate(DIGITS)
    try:
        if jalali:
            if not (m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value)):
                return None
            day = jdatetime.date(*map(int, m.groups())).togregorian()
        else:
            parsed = datetime.fromisoformat(value)
            day = parsed.date() if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", value) else None
    except ValueError:
        return None
    if day is not None:
        # A bare date becomes noon in Tehran: the same calendar day in Tehran and in UTC.
        return datetime.combine(day, time(12), TEHRAN).astimezone(UTC)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=TEHRAN)).astimezone(UTC)


def in_range(when: datetime) -> bool:
    """Dates an archive can show: from 1900 to tomorrow (later ones are typos or clock errors)."""
    return EARLIEST <= when <= datetime.now(UTC) + timedelta(days=1)


# --- the gate before saving --------------------------------------------------------------------


def _too_long(name: str, value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"field {name}: {len(value):,} characters, the limit is {limit:,}"
    return None


def _clean_link(link: ParsedLink) -> ParsedLink:
    return replace(link, title=clean(link.title)[:TITLE_LIMIT], url=clean(link.url), lead=clean(link.lead))


def checked(parsed: ParsedArticle) -> ParsedArticle | ParseError:
    """``parsed`` cleaned and within the columns' limits, or why it cannot be saved.

    Cut silently, an id or a URL would name another story; a source, category or tag name
    another page: those refuse the article. A link whose URL is too long is dropped (the URL
    stays in the text) and an over-long title is shortened, each with a note for the editor.
    """
    external_id, url = clean(parsed.external_id).strip(), clean(parsed.url).strip()
    names = {
        "source": " ".join(clean(parsed.source_name).split()),
        "source_domain": clean(parsed.source_domain).strip(),
        "agency": clean(parsed.agency).strip(),
    }
    terms = {
        name: [term for term in (" ".join(clean(t).split()) for t in values) if visible(term)]
        for name, values in (("category", parsed.categories), ("tags", parsed.tags))
    }
    problems = [
        _too_long("id", external_id, ID_LIMIT),
        _too_long("url", url, URL_LIMIT),
        *(_too_long(name, value, NAME_LIMIT) for name, value in names.items()),
        *(_too_long(name, term, NAME_LIMIT) for name, values in terms.items() for term in values),
    ]
    if not external_id:
        problems.insert(0, "missing field: id")
    if reason := next((p for p in problems if p), None):
        return ParseError(parsed.origin, reason)
    title, notes = clean(parsed.title).strip(), [clean(n) for n in parsed.review_notes]
    if not visible(title):
        return ParseError(parsed.origin, "missing title and body")
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1].rstrip() + "…"
        notes.append(NOTE_TITLE_SHORTENED)
    links = [_clean_link(link) for link in parsed.links]
    kept = [link for link in links if len(link.url) <= URL_LIMIT]
    if len(kept) < len(links):
        notes.append(NOTE_LINK_DROPPED)
    return replace(
        parsed,
        external_id=external_id,
        title=title,
        body=clean(parsed.body),
        lead=clean(parsed.lead),
        source_name=names["source"],
        source_domain=names["source_domain"],
        agency=names["agency"],
        url=url,
        categories=terms["category"],
        tags=terms["tags"],
        links=[replace(link, position=n) for n, link in enumerate(kept)],
        review_notes=notes,
    )
