"""Reading raw news files into plain dataclasses — no Django, so it tests fast and reads alone.

Inputs: scraped ``.txt`` pages (recognized by ``scraped.parse_text_page``) and JSON Lines exports
(one article object a line; a ``.json`` list works too), in UTF-8 or UTF-16, one file or a folder
tree. A JSON record's text fields go through the same scraped-text cleaning as a page's.

``iter_path`` never raises for bad content: each problem becomes a ``ParseError`` naming
``path:line``, so one broken line or file costs only itself.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from articles.ingest import files
from articles.ingest.parsed import ParsedArticle, ParseError
from articles.ingest.scraped import agency, attribution, clean_body, derive_title, lead_prefix, parse_text_page
from articles.ingest.values import clean, in_range, to_utc, visible

NOTE_NO_TITLE = "عنوان ندارد؛ از متن برگرفته شد"

# --- records -----------------------------------------------------------------------------------


def _type_name(value: object) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return f"number {value}".replace("inf", "Infinity").replace("nan", "NaN")  # JSON's spelling
    return {dict: "object", list: "list", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def _text(record: dict, name: str) -> str:
    """A text field: text or null; a number is refused (JSON NaN must not become the title "nan").
    Control characters go; text that shows nothing (only ZWNJ, RLM …) counts as empty."""
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"field {name}: expected text, got {_type_name(value)}")
    value = clean(value)
    return value if visible(value) else ""


def _terms(record: dict, name: str) -> list[str]:
    value = record.get(name)
    if value is None:
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]  # "category": "sport" means ["sport"] (and a float is refused below)
    if not isinstance(value, list):
        raise ValueError(f"field {name}: expected a list, got {_type_name(value)}")
    terms: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int | None):  # a year may be a number
            raise ValueError(f"field {name}: expected a list of text, found {_type_name(item)}")
        if item is not None and (term := clean(str(item)).strip()) and visible(term) and term not in terms:
            terms.append(term)
    return terms


def _published(record: dict, notes: list[str]) -> datetime | None:
    """`date` wins, else `date_jalali`; naive times are Tehran time; absurd dates are dropped."""
    when, tried = None, False
    for name, jalali in (("date", False), ("date_jalali", True)):
        raw = record.get(name)
        if raw is not None and not isinstance(raw, str):
            raise ValueError(f"field {name}: expected a date string, got {_type_name(raw)}")
        if when is None and raw and raw.strip():
            when, tried = to_utc(raw, jalali), True
            if when is None:
                notes.append(f"تاریخ نامعتبر: {raw[:40]}")
    if when is None:
        if not tried:
            notes.append("تاریخ انتشار ندارد")
        return None
    if not in_range(when):
        notes.append(f"تاریخ خارج از بازه‌ی پذیرفتنی: {when.date().isoformat()}")
        return None
    return when


def parse_json_record(record: object, origin: str) -> ParsedArticle:
    """One article object of a JSONL export; raises ValueError with a readable reason."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {_type_name(record)}")
    raw_id = record.get("id")
    if isinstance(raw_id, str):
        raw_id = clean(raw_id)
    if raw_id is None or (isinstance(raw_id, str) and not visible(raw_id)):
        raise ValueError("missing field: id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        raise ValueError(f"field id: expected text or an integer, got {_type_name(raw_id)}")
    title, lead, raw_body = (_text(record, name).strip() for name in ("title", "lead", "body"))
    if not title and not raw_body:
        raise ValueError("missing title and body")
    source = _text(record, "source").strip()
    while prefix := lead_prefix(lead, source):  # twice in some Fars leads: "خبرگزاري فارس:\n\nخبرگزاري فارس: …"
        lead, source = prefix[1], source or prefix[0]
    body = clean_body(raw_body.splitlines(), source)
    notes = body.notes
    published = _published(record, notes)
    x, y = attribution(body.paragraphs[:1])
    derived = not title
    if derived:
        title = derive_title(lead, body.paragraphs)
        if not title:  # the body was only boilerplate ("."): nothing to show
            raise ValueError("missing title and body")
        notes.insert(0, NOTE_NO_TITLE)
    if not body.paragraphs:
        notes.append("متن خبر خالی است")
    return ParsedArticle(
        external_id=str(raw_id).strip(),
        title=title,
        body="\n\n".join(body.paragraphs),
        origin=origin,
        lead=lead,
        source_name=source or x,
        source_domain=_text(record, "source_domain").strip(),
        agency=_text(record, "agency").strip() or agency(x, y, source),
        published=published,
        url=_text(record, "url").strip(),
        categories=_terms(record, "category"),
        tags=_terms(record, "tags"),
        links=body.links,
        title_derived=derived,
        review_notes=notes,
    )


# --- files -------------------------------------------------------------------------------------
# Duplicate ids are not caught here but by the import (``save.import_items``), across every file
# of a run: the first occurrence wins, each later one is reported where it stands.


def _checked(record: object, origin: str) -> ParsedArticle | ParseError:
    try:
        return parse_json_record(record, origin)
    except ValueError as exc:
        return ParseError(origin, str(exc))
    except Exception as exc:  # a bug tripped by one odd record must not stop a long import
        return ParseError(origin, f"unexpected error: {exc!r}")


def _record(text: str, origin: str) -> ParsedArticle | ParseError:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseError(origin, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except (ValueError, RecursionError) as exc:  # absurd nesting, huge numbers
        return ParseError(origin, f"invalid JSON: {type(exc).__name__}")
    return _checked(record, origin)


def _read_jsonl(path: Path) -> Iterator[ParsedArticle | ParseError]:
    found = False
    for lineno, text, error in files.lines(path):
        if error or text.strip():  # blank lines separate nothing
            found, origin = True, f"{path}:{lineno}"
            yield ParseError(origin, error) if error else _record(text, origin)
    if not found:
        yield ParseError(f"{path}:1", "empty file: no articles")


def _read_json(path: Path) -> Iterator[ParsedArticle | ParseError]:
    """A .json file: one article object, or a list of them, each named by its line and its
    place in the list (``x.json:1 (element 3)``: a list written on one line is all line 1)."""
    text = files.read_text(path)
    if not text.strip():
        yield ParseError(f"{path}:1", "empty file: no articles")
    elif not text.lstrip().startswith("["):
        yield _record(text, f"{path}:1")
    else:
        decoder, gap = json.JSONDecoder(), re.compile(r"[\s,]*")
        pos, seen, line, element = text.index("[") + 1, 0, 1, 0
        while (pos := gap.match(text, pos).end()) < len(text) and text[pos] != "]":
            line, seen, element = line + text.count("\n", seen, pos), pos, element + 1
            origin = f"{path}:{line} (element {element})"
            try:
                record, pos = decoder.raw_decode(text, pos)
            except (ValueError, RecursionError) as exc:
                yield ParseError(origin, f"invalid JSON: {getattr(exc, 'msg', type(exc).__name__)}")
                return
            yield _checked(record, origin)
        if pos >= len(text):
            yield ParseError(f"{path}:{line}", "invalid JSON: the list is not closed")


def _read_page(path: Path) -> Iterator[ParsedArticle]:
    yield parse_text_page(files.read_text(path), f"{path}:1")


_READERS = {".txt": _read_page, ".jsonl": _read_jsonl, ".json": _read_json}


def _read_file(path: Path) -> Iterator[ParsedArticle | ParseError]:
    reader = _READERS.get(path.suffix.lower())
    try:
        if reader is None:
            raise ValueError(f"unsupported file type: {path.suffix or 'no extension'}")
        yield from reader(path)
    except OSError as exc:  # while reading a JSONL file line by line
        yield ParseError(f"{path}:1", f"cannot read file: {exc.strerror or exc}")
    except ValueError as exc:  # the whole file is unusable: a FIFO, empty page, binary, wrong encoding
        yield ParseError(f"{path}:1", str(exc))


def iter_path(path: str | Path) -> Iterator[ParsedArticle | ParseError]:
    """Every article (or error) in a file or a folder tree; never raises for bad content."""
    path = Path(path)
    try:
        os.stat(path)
    except OSError as exc:  # missing, a dangling symlink, a symlink loop
        yield ParseError(f"{path}:1", "no such file or folder" if not path.is_symlink() else files.reason(exc))
        return
    for item in files.walk(path, set()) if path.is_dir() else [path]:
        if isinstance(item, tuple):
            yield ParseError(f"{item[0]}:1", item[1])
        else:
            yield from _read_file(item)


def count_items(path: str | Path) -> int:
    """A cheap estimate for a progress bar: JSONL lines, ids in a .json file, one per other file.
    Never opens anything but a regular file (a FIFO would block)."""
    path = Path(path)
    if path.is_dir():
        return sum(1 if isinstance(p, tuple) else count_items(p) for p in files.walk(path, set()))
    needle = {".jsonl": b"\n", ".json": b'"id"'}.get(path.suffix.lower())
    return files.count_lines(path, needle) if needle else 1
