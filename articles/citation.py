"""The «استناد» block of an article page: what a researcher needs to cite an archived article."""

from __future__ import annotations

from dataclasses import dataclass

import persian
from articles import jalali
from articles.models import Article

GREGORIAN_MONTHS = (
    "ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن",
    "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر",
)  # fmt: skip


@dataclass
class Citation:
    title: str
    source: str
    jalali_date: str  # ۱ بهمن ۱۴۰۳
    gregorian_date: str  # ۲۰ ژانویه ۲۰۲۵ (the same Tehran day)
    iso_date: str  # 2025-01-20, for <time datetime>
    archive_url: str  # absolute
    original_url: str

    @property
    def text(self) -> str:
        """One plain-text line to paste into a paper: source, «title», dates, archive address."""
        return "".join(self.parts())

    def parts(self) -> tuple[str, str, str]:
        """``text`` as (before the address, the address, after it): the page sets the address
        left to right, or a right-to-left line shows ``/…/articles/1`` with its slash in front."""
        before = [self.source] if self.source else []
        before.append(f"«{self.title}»")
        if self.jalali_date:
            before.append(f"{self.jalali_date} ({self.gregorian_date})")
        before.append("آرشیو خبر فارسی، ")
        return "، ".join(before), self.archive_url, "."


def gregorian_date(article: Article) -> tuple[str, str]:
    """``(۲۰ ژانویه ۲۰۲۵, 2025-01-20)``: the day in Tehran, as the Jalali date shows it."""
    if article.published is None:
        return "", ""
    day = article.published.astimezone(jalali.TEHRAN).date()
    return jalali.persian_digits(f"{day.day} {GREGORIAN_MONTHS[day.month - 1]} {day.year}"), day.isoformat()


def cite(article: Article, archive_url: str) -> Citation:
    from articles.links import web_address

    gregorian, iso = gregorian_date(article)
    return Citation(
        title=persian.display(article.title),
        source=article.source.name if article.source else "",
        jalali_date=jalali.format_date(article.published),
        gregorian_date=gregorian,
        iso_date=iso,
        archive_url=archive_url,
        original_url=web_address(article.url),
    )
