"""Recognizing scraped news text: the conventions of Persian news pages as scrapes leave them.

A scraped ``.txt`` page is a title line, an optional ``SOURCE: lead`` line, then one paragraph a
line; JSON exports carry the same scraped text in their fields. Here: the ``SOURCE:`` lead, the
«به گزارش X به نقل از Y» attribution (publisher and cited agency), «خبر مرتبط» and «بیشتر بخوانید»
blocks (glued into the text or not) turned into ``ParsedLink`` rows, site boilerplate and wire
trailers cut, and a title derived from the text when a record has none. Text is otherwise kept as
written, because editors see the original and search normalizes elsewhere.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from articles.ingest.parsed import ParsedArticle, ParsedLink
from articles.ingest.values import DIGITS, clean, in_range, to_utc, visible

TITLE_LIMIT = 90
NOTE_ALSO_READ = "«بیشتر بخوانید» در میان متن مانده است؛ عنوان پیوند از متن جدا نشد"

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


def lead_prefix(line: str, known: str = "", max_words: int = 4) -> tuple[str, str] | None:
    """Split "SOURCE: lead" into (source, lead), or None when the line does not open that way."""
    m = _PREFIX.match(line)
    if not m:
        return None
    name = m.group(1).strip()
    # A known publisher may use "-", "_" or "،" ("خبرگزاري فارس_ قيمت…"); a guessed one needs ":".
    ok = _same_publisher(name, known) if known else m.group(2) == ":" and _looks_like_source(name, max_words)
    return (name, line[m.end() :].strip()) if ok else None


def attribution(paragraphs: list[str]) -> tuple[str, str]:
    """(X, Y) from "به گزارش X به نقل از Y،" opening one of the paragraphs, else ("", "")."""
    for text in paragraphs:
        m = _ATTRIBUTION.match(text)
        if m and len(m["x"].split()) <= 6:
            x = re.split(r"\s+از\s+", m["x"].strip())[0]  # "خبرگزاری فارس از قزوین"
            y = (m["y"] or "").strip()
            return x, y if len(y.split()) <= 8 else ""
    return "", ""


def agency(x: str, y: str, source: str) -> str:
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
class Body:
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


def _take_related(line: str, m: re.Match[str], nxt: str, source: str, body: Body) -> tuple[str, bool]:
    """Turn a خبر مرتبط block into a link; return (text before the block, next line used)."""
    before, block, used = line[: m.start()].strip(), line[m.end() :].strip(), False
    if not block:
        block, nxt, used = nxt, "", True
    title, lead = _split_related(block, source)
    if not lead and (prefix := lead_prefix(nxt, source, max_words=1)):
        lead, used = prefix[1], True
    if not lead and len(title) > 200:  # prose that happens to start so: keep it in the body
        return line, False
    if title:
        body.link("related", _strip_tail(title), lead=lead)
    return before, used


def _take_also_read(rest: str, line: str, nxt: str, body: Body) -> tuple[str, bool]:
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


def clean_body(raw_lines: list[str], source: str) -> Body:
    body = Body()
    lines, dropped = _split_end_of_message([s.strip() for s in raw_lines if visible(s)])
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


def derive_title(lead: str, paragraphs: list[str]) -> str:
    text = lead or (paragraphs[0] if paragraphs else "")
    if m := _ATTRIBUTION.match(text):
        text = text[m.end() :]  # "به گزارش ایرنا،" is no headline
    sentence = re.split(r"(?<=[.!؟?])\s|\n", text.strip(), maxsplit=1)[0]
    return _clip(sentence.strip().rstrip("."))


# --- pages -------------------------------------------------------------------------------------

# Lines right after a page's title that say where and when it was published ("https://…",
# "2024-05-01", "تاریخ: ۱۴۰۳/۰۲/۱۲"): they identify the story, so they become its URL and date.
_LABEL = r"(?:(?:url|link|date|نشانی|لینک(?:[\s\u200c]*خبر)?|تاریخ(?:[\s\u200c]*انتشار)?)\s*[:：]\s*)?"
_PAGE_URL = re.compile(rf"{_LABEL}(https?://\S+)", re.I)
_PAGE_DATE = re.compile(rf"{_LABEL}([\d۰-۹]{{4}}[-/][\d۰-۹]{{1,2}}[-/][\d۰-۹]{{1,2}}(?:[ T][\d۰-۹:.+\-Z]+)?)", re.I)


def _page_meta(lines: list[str], notes: list[str]) -> tuple[str, datetime | None, list[str]]:
    """(URL, date, the lines after them) from the lines after a page's title."""
    url, when = "", None
    while lines and len(lines[0]) < 200:
        if not url and (m := _PAGE_URL.fullmatch(lines[0])) and not _SHARE_URL.search(m[1]):
            url = m[1]
        elif when is None and (m := _PAGE_DATE.fullmatch(lines[0])):
            raw = m[1].translate(DIGITS)
            jalali = int(raw[:4]) < 1700
            when = to_utc(re.split(r"[ T]", raw)[0] if jalali else raw, jalali)  # a Jalali day: its time unread
            if when is None or not in_range(when):
                notes.append(f"تاریخ نامعتبر: {m[1][:40]}")
                when = None
        else:
            break
        lines = lines[1:]
    return url, when, lines


def page_id(title: str, url: str = "", published: datetime | None = None, text: str = "") -> str:
    """A page's key, from what identifies its story: its URL, else its title and date, else its
    title and text. A daily «قیمت طلا و ارز امروز» is one page a day, not one page."""
    title = " ".join(title.split())
    if url:
        key = f"url\n{url}"
    elif published is not None:
        key = f"date\n{title}\n{published.isoformat()}"
    else:
        key = f"text\n{title}\n{' '.join(text.split())}"
    return "txt-" + hashlib.sha1(key.encode()).hexdigest()[:16]


def legacy_page_id(title: str) -> str:
    """The key earlier versions gave every page: its title alone (see save.find_existing)."""
    return "txt-" + hashlib.sha1(" ".join(title.split()).encode()).hexdigest()[:16]


def parse_text_page(text: str, origin: str) -> ParsedArticle:
    """A scraped page: title line, optional URL and date lines, optional "SOURCE: lead" line,
    then one paragraph a line. Lines that show nothing (only ZWNJ, RLM …) count as blank."""
    lines = [clean(s).strip() for s in text.lstrip("\ufeff").splitlines()]
    lines = [s for s in lines if visible(s)]
    if not lines:
        raise ValueError("empty page")
    notes: list[str] = []
    title = lines[0]
    url, published, rest = _page_meta(lines[1:], notes)
    source, lead = "", ""
    if rest and (prefix := lead_prefix(rest[0])):
        (source, lead), rest = prefix, rest[1:]
    body = clean_body(rest, source)
    x, y = attribution(body.paragraphs[:3])
    source = source or x
    notes = [*body.notes, *notes, *([] if published else ["تاریخ انتشار ندارد"])]
    if len(title) > 200:
        notes.append("عنوان بیش از اندازه بلند است؛ شاید صفحه عنوان ندارد")
    if not body.paragraphs:
        notes.append("متن خبر خالی است")
    paragraphs = "\n\n".join(body.paragraphs)
    return ParsedArticle(
        external_id=page_id(title, url, published, f"{lead}\n{paragraphs}"),
        title=title,
        body=paragraphs,
        origin=origin,
        lead=lead,
        source_name=source,
        agency=agency(x, y, source),
        published=published,
        url=url,
        links=body.links,
        review_notes=notes,
        legacy_id=legacy_page_id(title),
    )
