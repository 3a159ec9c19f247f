"""What parsing a news file yields: plain dataclasses, no Django.

``importers`` (files, JSON records) and ``scraped`` (the text of scraped pages) both build these;
``ingest`` saves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ParsedLink:
    title: str
    kind: str  # "related" (خبر مرتبط block), "also_read" (همچنین/بیشتر بخوانید), "inline" (a URL in the text)
    position: int  # 0-based order within the article
    url: str = ""
    lead: str = ""


@dataclass
class ParsedArticle:
    external_id: str  # JSONL `id`; .txt: "txt-" + a hash of its URL, title + date or title + text (scraped.page_id)
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
    legacy_id: str = ""  # .txt: the key earlier versions gave the page (sha1 of its title alone)


@dataclass
class ParseError:
    origin: str  # "path:line"
    reason: str
