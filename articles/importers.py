"""Parsing raw news files into plain dataclasses — no Django, so it tests fast and reads alone.

Inputs: scraped ``.txt`` pages (title line, ``SOURCE: lead`` line, one paragraph a line) and JSON
Lines exports (one article object a line; a ``.json`` list works too). Text is kept as written,
because editors see the original and search normalizes elsewhere; only site boilerplate and
"خبر مرتبط" blocks leave the body, the latter as ``ParsedLink`` rows.

``iter_path`` never raises for bad content: each problem becomes a ``ParseError`` naming
``path:line``, so one broken line or file costs only itself.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime

TEHRAN = ZoneInfo("Asia/Tehran")
MAX_LINE_BYTES = 4 * 2**20  # far above any real article (the corpus tops out near 85 KB)
MAX_FILE_BYTES = 256 * 2**20  # .txt pages and .json lists are read whole
TITLE_LIMIT = 90
NOTE_NO_TITLE = "عنوان ندارد؛ از متن برگرفته شد"
NOTE_ALSO_READ = "«بیشتر بخوانید» در میان متن مانده است؛ عنوان پیوند از متن جدا نشد"


@dataclass
class ParsedLink:
    title: str
    kind: str  # "related" (خبر مرتبط block), "also_read" (همچنین/بیشتر بخوانید), "inline" (a URL in the text)
    position: int  # 0-based order within the article
    url: str = ""
    lead: str = ""


@dataclass
class ParsedArticle:
    external_id: str  # JSONL `id`; .txt: "txt-" + sha1(title)[:16], so renaming the file keeps the key
    title: str
    body: str  # paragraphs joined with "\n\n"
    origin: str  # "path:line"
    lead: str = ""  # without the "SOURCE:" prefix
    source_name: str = ""  # publisher, e.g. "اقتصادنیوز"
    source_domain: str = ""
    agency: str = ""  # cited agency, from "به نقل از Y" (ایرنا)
    published: datetime | None = None  # aware, UTC
    url: str = ""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    links: list[ParsedLink] = field(default_factory=list)
    title_derived: bool = False
    review_notes: list[str] = field(default_factory=list)  # Persian, for editors


@dataclass
class ParseError:
    origin: str  # "path:line"
    reason: str


# --- Persian patterns --------------------------------------------------------------------------


def _fuzzy(phrase: str) -> str:
    """A regex for a phrase as scrapes write it: Arabic ي/ك, half-space lost, words glued."""
    classes = {"ی": "[یيى]", "ک": "[کك]", "\u200c": "[\u200c ]?", " ": "[\\s\u200c]*"}
    return "".join(classes.get(ch, re.escape(ch)) for ch in phrase)


_WS = "[\\s\u200c]*"
_ALSO_CORE = f"(?:{_fuzzy('همچنین بخوانید')}|{_fuzzy('بیشتر بخوانید')})"
_ALSO_READ = re.compile(rf"(?:>+{_WS})?(?:{_fuzzy('در همین رابطه')}{_WS})?\(?{_ALSO_CORE}\)?{_WS}[:؛،\-–]*{_WS}")
_ALSO_ANYWHERE = re.compile(_ALSO_CORE)
# Site footers that are cut wherever they end a paragraph ("…متر" + "مطالب مجله … دنبال کنید." glued).
_TAIL_PHRASES = "|".join(
    _fuzzy(p) for p in ("ما را در شبکه‌های اجتماعی دنبال کنید", "مطالب مجله تصویری سلاح را در این دنبال کنید")
)
_TAIL = re.compile(rf"(?:{_ALSO_READ.pattern}(?:{_WS}غیره)*|{_TAIL_PHRASES})[\s\u200c.:؛،!()»<>\-–]*$")
# Phrases that are only boilerplate when a line holds nothing else ("مدارک کپی شد" is prose).
_LINE_JUNK = re.compile(
    "|".join(
        [
            _TAIL_PHRASES,
            *(_fuzzy(p) for p in ("کپی شد", "لینک کوتاه", "اشتراک گذاری")),
            _fuzzy("بازگشت به صفحه نخست") + ".*",
        ]
    )
)
# "انتهای پیام/63002/" ends a wire story; "در انتهای پیام خود گفت" is prose, hence the guards.
# Both must open a line or follow a sentence's end (checked by _at_sentence_start).
_END_OF_MESSAGE = re.compile(rf"{_fuzzy('انتهای پیام')}(?=\s*(?:/|$|\d))")
_RELATED = re.compile(r"خبر[\s\u200c]*مرتبط(?![\w\u200c]|\s+با\s)[\s:]*")  # "خبر مرتبط با …" is prose
_ATTRIBUTION = re.compile(
    r"\s*به[\s\u200c]*گزارش[\s\u200c]*(?P<x>[^،,.:؛\n]{1,60}?)"
    r"(?:[\s\u200c]+و?[\s\u200c]*به[\s\u200c]+نقل[\s\u200c]+از[\s\u200c]*(?P<y>[^،,.:؛\n]{1,80}?))?[\s\u200c]*[،,]"
)
_PREFIX = re.compile(r"\s*([^:\-_–،\n]{1,50}?)\s*([:\-_–،])(?!//)\s*")  # "https://" opens no lead
_URL = re.compile(r"(?:https?://|www\.)[^\s<>«»\"']+")
_SHARE_URL = re.compile(r"share|intent/tweet|t\.me/|telegram\.me|whatsapp|wa\.me|facebook\.com|linkedin\.com", re.I)
_SPEECH_VERBS = {"گفت", "گفته", "افزود", "کرد", "داد", "نوشت", "داشت", "است", "شد", "اعلام"}
_KEY = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u200c": None})
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _key(name: str) -> str:
    """Comparison key for names only (never stored): Arabic letters, half-spaces, spaces folded."""
    return "".join(name.translate(_KEY).split()).casefold()


def _same_publisher(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)  # "فارس" names "خبرگزاری فارس"
    return bool(ka and kb) and (ka in kb or kb in ka)


def _looks_like_source(name: str, max_words: int = 4) -> bool:
    words = name.split()  # "وی گفت:" or "ساعت 10:" open prose, not a source
    return (
        0 < len(words) <= max_words
        and not any(w.isdigit() for w in words)  # "رویداد۲۴" is a name, "ساعت 10" is not
        and not re.search(r"[،,.؛«»()!؟?]", name)
        and _key(words[-1]) not in _SPEECH_VERBS
    )


def _lead_prefix(line: str, known: str = "", max_words: int = 4) -> tuple[str, str] | None:
    """Split "SOURCE: lead" into (source, lead), or None when the line does not open that way."""
    m = _PREFIX.match(line)
    if not m:
        return None
    name = m.group(1).strip()
    # A known publisher may use "-", "_" or "،" ("خبرگزاري فارس_ قيمت…"); a guessed one needs ":".
    ok = _same_publisher(name, known) if known else m.group(2) == ":" and _looks_like_source(name, max_words)
    return (name, line[m.end() :].strip()) if ok else None


def _attribution(paragraphs: list[str]) -> tuple[str, str]:
    """(X, Y) from "به گزارش X به نقل از Y،" opening one of the paragraphs, else ("", "")."""
    for text in paragraphs:
        m = _ATTRIBUTION.match(text)
        if m and len(m["x"].split()) <= 6:
            x = re.split(r"\s+از\s+", m["x"].strip())[0]  # "خبرگزاری فارس از قزوین"
            y = (m["y"] or "").strip()
            return x, y if len(y.split()) <= 8 else ""
    return "", ""


def _agency(x: str, y: str, source: str) -> str:
    # "به گزارش ایرنا،" in an اقتصادنیوز page names the agency too; "به گزارش (خبرنگار اجتماعی) فارس،"
    # in a Fars story is the publisher itself.
    own = _same_publisher(x, source) or _same_publisher(x.split()[-1] if x else "", source)
    return y or ("" if own else x)


def _at_sentence_start(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """First match that opens the text or follows a sentence's end ("…داد.خبر مرتبط")."""
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()].rstrip()  # a window: long lines stay linear
        if not before or before.endswith((".", "!", "؟", "?", "»")):
            return m
    return None


def _strip_tail(text: str) -> str:
    # Footers are short: searching only the last 400 characters keeps long one-line bodies fast.
    while m := _TAIL.search(text, max(0, len(text) - 400)):
        text = text[: m.start()].rstrip()
    return text


def _looks_like_title(line: str) -> bool:
    """A line after a bare "بیشتر بخوانید": a headline, not a paragraph or another footer."""
    return (
        0 < len(line) <= 150
        and not line.endswith((".", ":"))
        and not _ALSO_ANYWHERE.search(line)
        and _strip_tail(line) == line
        and not _is_junk_line(line)
    )


def _clip(text: str, limit: int = TITLE_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # never end on half a word
    return cut.rstrip(" ،,:؛-") + "…"


# --- body cleaning -----------------------------------------------------------------------------


@dataclass
class _Body:
    paragraphs: list[str] = field(default_factory=list)
    links: list[ParsedLink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def link(self, kind: str, title: str, lead: str = "", url: str = "") -> None:
        self.links.append(ParsedLink(title=title, kind=kind, position=len(self.links), url=url, lead=lead))

    def add(self, text: str) -> None:
        if _ALSO_ANYWHERE.search(text) and NOTE_ALSO_READ not in self.notes:
            self.notes.append(NOTE_ALSO_READ)
        for url in _URL.findall(text):
            self.link("inline", "", url=url.rstrip(".,،)"))
        self.paragraphs.append(text)


def _is_junk_line(line: str) -> bool:
    """Boilerplate or share links only: nothing an editor would miss."""
    rest = _URL.sub("", line)
    if len(rest) > 200 or re.search(r"[^\W_]", _LINE_JUNK.sub("", rest)):  # footers are short
        return False
    return all(_SHARE_URL.search(url) for url in _URL.findall(line))


def _split_related(block: str, source: str) -> tuple[str, str]:
    """Split "<title><SOURCE>: <lead>": the related title ends where its lead's source begins."""
    for m in re.finditer(":", block):
        head, lead = block[: m.start()].rstrip(), block[m.end() :].strip()
        if source and head.endswith(source) and head[: -len(source)].strip():
            return head[: -len(source)].strip(), lead
        glued = re.search(r"[؟?!.»]\s*([^\s\d؟?!.»،:][^؟?!.»،:]*)$", head)  # "…میکند؟اقتصادنیوز"
        if glued and _looks_like_source(glued[1]) and head[: glued.start(1)].strip():
            return head[: glued.start(1)].strip(), lead
    # Last resort: one word before the first colon names the source, if a real lead follows.
    head, colon, lead = block.partition(":")
    title, _, word = head.strip().rpartition(" ")
    if colon and len(title.split()) >= 2 and _looks_like_source(word) and len(lead.strip()) >= 40:
        return title.strip(), lead.strip()
    return block, ""


def _take_related(line: str, m: re.Match[str], nxt: str, source: str, body: _Body) -> tuple[str, bool]:
    """Turn a خبر مرتبط block into a link; return (text before the block, next line used)."""
    before, block, used = line[: m.start()].strip(), line[m.end() :].strip(), False
    if not block:
        block, nxt, used = nxt, "", True
    title, lead = _split_related(block, source)
    if not lead and (prefix := _lead_prefix(nxt, source, max_words=1)):
        lead, used = prefix[1], True
    if not lead and len(title) > 200:  # prose that happens to start so: keep it in the body
        return line, False
    if title:
        body.link("related", _strip_tail(title), lead=lead)
    return before, used


def _take_also_read(rest: str, line: str, nxt: str, body: _Body) -> tuple[str, bool]:
    """Handle a line opening with بیشتر بخوانید: its title is the rest of the line or the next line."""
    title = _strip_tail(rest).strip()
    if len(title) > 200:  # a paragraph glued after the marker, not a title: keep it all
        return line, False
    if title:
        body.link("also_read", title)
        return "", False
    if _looks_like_title(nxt):
        body.link("also_read", nxt)
        return "", True
    return "", False


def _split_end_of_message(lines: list[str]) -> tuple[list[str], list[str]]:
    """Cut at "انتهای پیام"; what follows is wire trailer (channel ads, stray codes)."""
    for i, line in enumerate(lines):
        if m := _at_sentence_start(_END_OF_MESSAGE, line):
            kept = [*lines[:i], line[: m.start()].strip()]
            return [k for k in kept if k], lines[i + 1 :]
    return lines, []


def _clean_body(raw_lines: list[str], source: str) -> _Body:
    body = _Body()
    lines, dropped = _split_end_of_message([s.strip() for s in raw_lines if s.strip()])
    if re.search(r"[^\W\d_]", " ".join(dropped)):
        body.notes.append(f"متن پس از «انتهای پیام» کنار گذاشته شد: {_clip(' '.join(dropped), 120)}")
    i = 0
    while i < len(lines):
        line, nxt = lines[i], lines[i + 1] if i + 1 < len(lines) else ""
        i += 1
        if _is_junk_line(line):
            continue
        if related := _at_sentence_start(_RELATED, line):
            line, used = _take_related(line, related, nxt, source, body)
        elif also := _ALSO_READ.match(line):
            line, used = _take_also_read(line[also.end() :], line, nxt, body)
        else:
            stripped = _strip_tail(line)
            # "…پایان داد. بیشتر بخوانید:" with the title on the next line
            used = bool(_ALSO_ANYWHERE.search(line[len(stripped) :])) and _looks_like_title(nxt)
            if used:
                body.link("also_read", nxt)
            line = stripped
        i += used
        if line:
            body.add(line)
    return body


def _derive_title(lead: str, paragraphs: list[str]) -> str:
    text = lead or (paragraphs[0] if paragraphs else "")
    if m := _ATTRIBUTION.match(text):
        text = text[m.end() :]  # "به گزارش ایرنا،" is no headline
    sentence = re.split(r"(?<=[.!؟?])\s|\n", text.strip(), maxsplit=1)[0]
    return _clip(sentence.strip().rstrip("."))


# --- records -----------------------------------------------------------------------------------


def parse_text_page(text: str, origin: str) -> ParsedArticle:
    """A scraped page: title line, optional "SOURCE: lead" line, then one paragraph a line."""
    lines = [s.strip() for s in text.lstrip("\ufeff").splitlines() if s.strip()]
    if not lines:
        raise ValueError("empty page")
    title, rest, source, lead = lines[0], lines[1:], "", ""
    if rest and (prefix := _lead_prefix(rest[0])):
        (source, lead), rest = prefix, rest[1:]
    body = _clean_body(rest, source)
    x, y = _attribution(body.paragraphs[:3])
    source = source or x
    notes = [*body.notes, "تاریخ انتشار ندارد"]
    if len(title) > 200:
        notes.append("عنوان بیش از اندازه بلند است؛ شاید صفحه عنوان ندارد")
    if not body.paragraphs:
        notes.append("متن خبر خالی است")
    digest = hashlib.sha1(" ".join(title.split()).encode()).hexdigest()[:16]
    return ParsedArticle(
        external_id=f"txt-{digest}",
        title=title,
        body="\n\n".join(body.paragraphs),
        origin=origin,
        lead=lead,
        source_name=source,
        agency=_agency(x, y, source),
        links=body.links,
        review_notes=notes,
    )


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
    while prefix := _lead_prefix(lead, source):  # twice in some Fars leads: "خبرگزاري فارس:\n\nخبرگزاري فارس: …"
        lead, source = prefix[1], source or prefix[0]
    body = _clean_body(raw_body.splitlines(), source)
    notes = body.notes
    published = _published(record, notes)
    x, y = _attribution(body.paragraphs[:1])
    derived = not title
    if derived:
        title = _derive_title(lead, body.paragraphs)
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
        agency=_text(record, "agency").strip() or _agency(x, y, source),
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
