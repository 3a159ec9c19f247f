"""A search's result rows for a spreadsheet or a script (``/search/export/``), streamed.

The rows are those of the search page with the same parameters, in its order, at most
``EXPORT_LIMIT``; the engine hands over ids and scores, and articles are read ``CHUNK`` at a time
while the response is written, so no list of articles is held in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from articles import jalali
from articles.models import Article

EXPORT_LIMIT = 5000
CHUNK = 200
FIELDS = ["id", "title", "source", "published_jalali", "published", "url", "original_url", "lead", "score"]
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def rows(hits: list[tuple[int, float]], absolute: Callable[[str], str]) -> Iterator[dict]:
    """One dict per published article of ``hits`` (pk, score), in their order; ``absolute``
    turns the archive's path into a full address."""
    for start in range(0, len(hits), CHUNK):
        chunk = hits[start : start + CHUNK]
        found = Article.objects.published().for_listing().in_bulk([pk for pk, _ in chunk])
        for pk, score in chunk:
            article = found.get(pk)
            if article is None:  # deleted or unpublished since it was indexed
                continue
            yield {
                "id": article.pk,
                "title": article.title,
                "source": article.source.name if article.source else "",
                "published_jalali": jalali.iso_jalali(article.published) if article.published else "",
                "published": article.published.isoformat() if article.published else "",
                "url": absolute(article.get_absolute_url()),
                "original_url": article.url,
                "lead": article.lead,
                "score": round(score, 4),
            }


def truncation_note(count: int, limit: int) -> str:
    """What a capped export says at its end ("" when every match is in it)."""
    if count <= limit:
        return ""
    return f"فقط {jalali.persian_digits(limit)} نتیجهٔ نخست از {jalali.persian_digits(count)} نتیجه آمده است"


class _Line:
    """A file-like ``write`` that returns the line, for ``csv.writer`` in a generator."""

    def write(self, value: str) -> str:
        return value


def as_csv(records: Iterable[dict], note: str) -> Iterator[str]:
    yield "\ufeff"  # a BOM: spreadsheet programs then read the Persian as UTF-8
    writer = csv.writer(_Line())
    yield writer.writerow(FIELDS)
    for record in records:
        yield writer.writerow([record[name] for name in FIELDS])
    if note:
        yield writer.writerow(["#", note])


def as_jsonl(records: Iterable[dict], note: str) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"
    if note:
        yield json.dumps({"truncated": True, "note": note}, ensure_ascii=False) + "\n"
