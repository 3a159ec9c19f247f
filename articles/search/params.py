"""What a reader asked of a search: the query and filters read from a URL (``SearchParams``).

Apart from ``articles.search.service`` (which runs a search) so that what a URL may say, and how
a nonsense value falls back to its default, reads in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import QueryDict

from articles import jalali
from articles.search import query
from articles.text_safety import strip_unsafe

MAX_PAGE_SIZE = 100
SORTS = {"relevance": "مرتبط‌ترین", "newest": "جدیدترین", "oldest": "قدیمی‌ترین"}


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(jalali.latin_digits(value or ""))
    except ValueError:
        return default
    return min(max(number, low), high)


FILTER_NAMES = ("source", "category", "tag", "entity")  # URL parameters, each repeatable
FACET_PARAMS = {"source": "source", "categories": "category", "entities": "entity"}  # facet → its parameter
FILTER_VALUES = 20  # values a URL may choose per filter (the rest are dropped)

BAD_DATE = (
    "تاریخ «{}» خوانده نشد یا بیرون از سال‌های آرشیو (۱۲۷۹ تا ۱۴۷۹ خورشیدی، ۱۹۰۰ تا ۲۱۰۰ میلادی) است؛ نادیده گرفته شد."
)
REVERSED_RANGE = "آغاز بازهٔ تاریخ پس از پایان آن بود؛ بازهٔ تاریخ نادیده گرفته شد."


def _date(value: str, end: bool, ignored: list[str]) -> dt.date | None:
    """A filter's date, or None; a value given but not used is said in ``ignored``."""
    day = jalali.parse_date(value, end=end)
    if value and (day is None or not jalali.in_range(day)):
        ignored.append(BAD_DATE.format(value))
        return None
    return day


@dataclass
class SearchParams:
    """What a reader asked for. Each filter holds the slugs chosen for it (``source=a&source=b``:
    any of them); a single string is read as one value, for callers that choose one."""

    q: str = ""
    source: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    entity: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    include_drafts: bool = False  # editors' searches only; never set from a reader's URL
    ignored: list[str] = field(default_factory=list)  # what of the URL was not used, said on the page

    def __post_init__(self) -> None:
        for name in FILTER_NAMES:
            value = getattr(self, name)
            if value is None or isinstance(value, str):
                setattr(self, name, (value,) if value else ())

    @classmethod
    def from_query(cls, data: QueryDict, default_page_size: int = 20) -> SearchParams:
        """Read the GET parameters; a nonsense value falls back to its default, never an error."""

        def text(name: str, limit: int = 200) -> str:
            return " ".join(strip_unsafe(str(data.get(name, ""))).split())[:limit]

        def values(name: str) -> tuple[str, ...]:
            cleaned = (" ".join(strip_unsafe(str(value)).split())[:200] for value in data.getlist(name))
            return tuple(dict.fromkeys(value for value in cleaned if value))[:FILTER_VALUES]

        sort = text("sort")
        ignored: list[str] = []
        date_from, date_to = _date(text("from"), False, ignored), _date(text("to"), True, ignored)
        if date_from and date_to and date_from > date_to:
            ignored.append(REVERSED_RANGE)
            date_from = date_to = None
        return cls(
            # Control characters mean nothing in a query, and PostgreSQL refuses NUL in any text.
            q=strip_unsafe(str(data.get("q", "")))[: query.MAX_QUERY_CHARS].strip(),
            source=values("source"),
            category=values("category"),
            tag=values("tag"),
            entity=values("entity"),
            date_from=date_from,
            date_to=date_to,
            ignored=ignored,
            sort=sort if sort in SORTS else "relevance",
            page=_int(data.get("page"), 1, 1, 10_000),
            page_size=_int(data.get("page_size"), default_page_size, 1, MAX_PAGE_SIZE),
        )

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        """The chosen filters: URL parameter → its values."""
        return {name: getattr(self, name) for name in FILTER_NAMES if getattr(self, name)}

    @property
    def filter_pairs(self) -> list[tuple[str, str]]:
        """``(parameter, value)`` for each chosen value, as a URL repeats them (for templates)."""
        return [(name, value) for name, values in self.filters.items() for value in values]

    @property
    def is_blank(self) -> bool:
        return not (self.q or self.filters or self.date_from or self.date_to)
