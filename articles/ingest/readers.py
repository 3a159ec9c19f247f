"""Reading raw news files into plain dataclasses — no Django, so it tests fast and reads alone.

Inputs: scraped ``.txt`` pages (recognized by ``scraped.parse_text_page``) and JSON Lines exports
(one article object a line; a ``.json`` list works too), in UTF-8 or UTF-16, one file or a folder
tree. A JSON record's text fields go through the same scraped-text cleaning as a page's.

``iter_path`` never raises for bad content: each problem becomes a ``ParseError`` naming
``path:line``, so one broken line or file costs only itself.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime

from articles.ingest.parsed import ParsedArticle, ParseError
from articles.ingest.scraped import agency, attribution, clean_body, derive_title, lead_prefix, parse_text_page

TEHRAN = ZoneInfo("Asia/Tehran")
MAX_LINE_BYTES = 4 * 2**20  # far above any real article (the corpus tops out near 85 KB)
MAX_FILE_BYTES = 256 * 2**20  # .txt pages and .json lists are read whole
NOTE_NO_TITLE = "عنوان ندارد؛ از متن برگرفته شد"
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_SURROGATE = re.compile("[\ud800-\udfff]")

# --- records -----------------------------------------------------------------------------------


def _type_name(value: object) -> str:
    return {dict: "object", list: "list", bool: "boolean"}.get(type(value), type(value).__name__)


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a numeric title is still a title
    if not isinstance(value, str):
        raise ValueError(f"field {name}: expected text, got {_type_name(value)}")
    if _SURROGATE.search(value):
        raise ValueError(f"field {name}: broken unicode (lone surrogate)")
    return value


def _terms(record: dict, name: str) -> list[str]:
    value = record.get(name)
    if value is None:
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]  # "category": "sport" means ["sport"]
    if not isinstance(value, list):
        raise ValueError(f"field {name}: expected a list, got {_type_name(value)}")
    terms: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int | float | None):
            raise ValueError(f"field {name}: expected a list of text, found {_type_name(item)}")
        if item is not None and (term := str(item).strip()) and term not in terms:
            terms.append(term)
    return terms


def _to_utc(raw: str, jalali: bool) -> datetime | None:
    value = raw.strip().translate(_DIGITS)
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


def _published(record: dict, notes: list[str]) -> datetime | None:
    """`date` wins, else `date_jalali`; naive times are Tehran time; absurd dates are dropped."""
    when, tried = None, False
    for name, jalali in (("date", False), ("date_jalali", True)):
        raw = record.get(name)
        if raw is not None and not isinstance(raw, str):
            raise ValueError(f"field {name}: expected a date string, got {_type_name(raw)}")
        if when is None and raw and raw.strip():
            when, tried = _to_utc(raw, jalali), True
            if when is None:
                notes.append(f"تاریخ نامعتبر: {raw[:40]}")
    if when is None:
        if not tried:
            notes.append("تاریخ انتشار ندارد")
        return None
    if not datetime(1900, 1, 1, tzinfo=UTC) <= when <= datetime.now(UTC) + timedelta(days=1):
        notes.append(f"تاریخ خارج از بازه‌ی پذیرفتنی: {when.date().isoformat()}")
        return None
    return when


def parse_json_record(record: object, origin: str) -> ParsedArticle:
    """One article object of a JSONL export; raises ValueError with a readable reason."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {_type_name(record)}")
    raw_id = record.get("id")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
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


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF32_LE):  # checked first: it begins like the UTF-16 one
        raise ValueError("UTF-32 text is not supported; save the file as UTF-8")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ValueError("binary file, not text")
    return "utf-8"


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"file too large (over {MAX_FILE_BYTES // 2**20} MB)")
    data = path.read_bytes()
    encoding = _encoding(data[:4096])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not {encoding.upper().removesuffix('-SIG')} text (bad byte at offset {exc.start})") from None
    if "\x00" in text:
        raise ValueError("binary file, not text")
    return text


def _checked(record: object, origin: str, line: int, first_seen: dict[str, int]) -> ParsedArticle | ParseError:
    try:
        article = parse_json_record(record, origin)
    except ValueError as exc:
        return ParseError(origin, str(exc))
    except Exception as exc:  # a bug tripped by one odd record must not stop a long import
        return ParseError(origin, f"unexpected error: {exc!r}")
    first = first_seen.setdefault(article.external_id, line)
    if first != line:
        return ParseError(origin, f"duplicate id {article.external_id} (first at line {first})")
    return article


def _record(text: str, origin: str, line: int, first_seen: dict[str, int]) -> ParsedArticle | ParseError:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseError(origin, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except (ValueError, RecursionError) as exc:  # absurd nesting, huge numbers
        return ParseError(origin, f"invalid JSON: {type(exc).__name__}")
    return _checked(record, origin, line, first_seen)


def _lines(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, text, error) for each line of a JSONL file; a bad line costs only itself."""
    with path.open("rb") as raw:
        if _encoding(raw.peek(4096)[:4096]) == "utf-16":  # rare: decoded whole
            yield from ((n, line, "") for n, line in enumerate(_read_text(path).split("\n"), 1))
            return
        lineno = 0
        while chunk := raw.readline(MAX_LINE_BYTES + 1):
            lineno += 1
            if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
                while chunk and not chunk.endswith(b"\n"):
                    chunk = raw.readline(2**20)  # skip the rest of the oversized line
                yield lineno, "", f"line too long (over {MAX_LINE_BYTES // 2**20} MB)"
                continue
            try:
                yield lineno, chunk.decode("utf-8-sig" if lineno == 1 else "utf-8"), ""
            except UnicodeDecodeError as exc:
                yield lineno, "", f"not UTF-8 text (bad byte at column {exc.start + 1})"


def _read_jsonl(path: Path) -> Iterator[ParsedArticle | ParseError]:
    first_seen: dict[str, int] = {}
    found = False
    for lineno, text, error in _lines(path):
        if error or text.strip():  # blank lines separate nothing
            found, origin = True, f"{path}:{lineno}"
            yield ParseError(origin, error) if error else _record(text, origin, lineno, first_seen)
    if not found:
        yield ParseError(f"{path}:1", "empty file: no articles")


def _read_json(path: Path) -> Iterator[ParsedArticle | ParseError]:
    """A .json file: one article object, or a list of them whose origins still name their lines."""
    text, first_seen = _read_text(path), {}
    if not text.strip():
        yield ParseError(f"{path}:1", "empty file: no articles")
    elif not text.lstrip().startswith("["):
        yield _record(text, f"{path}:1", 1, first_seen)
    else:
        decoder, gap = json.JSONDecoder(), re.compile(r"[\s,]*")
        pos, seen, line = text.index("[") + 1, 0, 1
        while (pos := gap.match(text, pos).end()) < len(text) and text[pos] != "]":
            line, seen = line + text.count("\n", seen, pos), pos
            try:
                record, pos = decoder.raw_decode(text, pos)
            except (ValueError, RecursionError) as exc:
                yield ParseError(f"{path}:{line}", f"invalid JSON: {getattr(exc, 'msg', type(exc).__name__)}")
                return
            yield _checked(record, f"{path}:{line}", line, first_seen)
        if pos >= len(text):
            yield ParseError(f"{path}:{line}", "invalid JSON: the list is not closed")


def _read_page(path: Path) -> Iterator[ParsedArticle]:
    yield parse_text_page(_read_text(path), f"{path}:1")


_READERS = {".txt": _read_page, ".jsonl": _read_jsonl, ".json": _read_json}


def _read_file(path: Path) -> Iterator[ParsedArticle | ParseError]:
    reader = _READERS.get(path.suffix.lower())
    try:
        if reader is None:
            raise ValueError(f"unsupported file type: {path.suffix or 'no extension'}")
        if not path.is_file():
            raise ValueError("not a regular file")
        yield from reader(path)
    except OSError as exc:
        yield ParseError(f"{path}:1", f"cannot read file: {exc.strerror or exc}")
    except ValueError as exc:  # the whole file is unusable: empty page, binary, wrong encoding
        yield ParseError(f"{path}:1", str(exc))


def _walk(folder: Path, seen: set[Path]) -> Iterator[Path | ParseError]:
    """Files under a folder, sorted, hidden ones skipped, each real folder visited once."""
    if (real := folder.resolve()) in seen:  # a symlink loop
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield ParseError(f"{folder}:1", f"cannot read folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if not entry.name.startswith("."):
            yield from _walk(entry, seen) if entry.is_dir() else [entry]


def iter_path(path: str | Path) -> Iterator[ParsedArticle | ParseError]:
    """Every article (or error) in a file or a folder tree; never raises for bad content."""
    path = Path(path)
    if not path.exists():
        yield ParseError(f"{path}:1", "no such file or folder")
        return
    for item in _walk(path, set()) if path.is_dir() else [path]:
        yield from [item] if isinstance(item, ParseError) else _read_file(item)


def count_items(path: str | Path) -> int:
    """A cheap estimate for a progress bar: JSONL lines, ids in a .json file, one per other file."""
    path = Path(path)
    if path.is_dir():
        return sum(1 if isinstance(p, ParseError) else count_items(p) for p in _walk(path, set()))
    needle = {".jsonl": b"\n", ".json": b'"id"'}.get(path.suffix.lower())
    count, last = 0, b"\n"
    try:
        with path.open("rb") as raw:
            while needle and (chunk := raw.read(2**20)):
                count, last = count + chunk.count(needle), chunk[-1:]
    except OSError:
        return 1  # iter_path reports it as one error
    return max(1, count + (needle == b"\n" and last != b"\n"))
