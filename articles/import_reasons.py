"""The importer's reasons, in Persian for the editors' desk.

The importer (``articles.ingest``) words its reasons in English: ``manage.py import_articles``
prints them to a developer's terminal, and its tests read them. An editor reads the same reasons
on an upload's report, so they are put into Persian there, piece by piece: each pattern below is
one reason the importer gives (``test_import_reasons`` feeds it every kind of broken input and
checks that nothing reaches an editor untranslated); what follows a colon that comes from
elsewhere (a database's or the system's message) is kept as it is.
"""

from __future__ import annotations

import re

from articles import jalali

_TYPES = {
    "object": "شیء",
    "list": "فهرست",
    "boolean": "درست/نادرست",
    "number": "عدد",
    "number NaN": "عدد NaN",
    "number Infinity": "عدد Infinity",
    "number -Infinity": "عدد -Infinity",
    "str": "متن",
}

_FIELDS = {
    "id": "شناسه (id)",
    "title": "عنوان (title)",
    "lead": "لید (lead)",
    "body": "متن (body)",
    "source": "منبع (source)",
    "source_domain": "دامنه‌ی منبع (source_domain)",
    "agency": "خبرگزاری (agency)",
    "url": "نشانی (url)",
    "category": "دسته (category)",
    "tags": "برچسب‌ها (tags)",
    "date": "تاریخ (date)",
    "date_jalali": "تاریخ شمسی (date_jalali)",
}

_EXPECTED = {  # what a field should have held
    "text": "متن",
    "a list": "فهرست",
    "a list of text": "فهرستی از متن",
    "a date string": "تاریخ به صورت متن",
    "text or an integer": "متن یا عدد صحیح",
}

_KINDS = {
    "a FIFO (named pipe)": "یک لوله‌ی نام‌دار (FIFO)",
    "a character device": "یک دستگاه نویسه‌ای",
    "a block device": "یک دستگاه بلوکی",
    "a socket": "یک سوکت",
    "a folder": "یک پوشه",
    "not a regular file": "پرونده‌ی معمولی نیست",
}


def _type(name: str) -> str:
    return _TYPES.get(name, name)


def _field(name: str) -> str:
    return _FIELDS.get(name, name)


def _number(text: str) -> str:
    return jalali.persian_digits(text.replace(",", "٬"))


# (pattern, Persian) in the order tried; the groups are given to the Persian side.
_REASONS: list[tuple[re.Pattern, object]] = [
    (r"missing field: id", "شناسه (id) ندارد"),
    (r"missing title and body", "نه عنوان دارد نه متن"),
    (r"empty page", "صفحه خالی است"),
    (r"empty file: no articles", "پرونده خالی است: هیچ خبری ندارد"),
    (r"no such file or folder", "چنین پرونده یا پوشه‌ای نیست"),
    (r"a symlink loop", "پیوند نمادین به خودش برمی‌گردد"),
    (r"invalid JSON: the list is not closed", "JSON نادرست: فهرست بسته نشده است"),
    (r"invalid JSON: (.*) at column (\d+)", lambda m: f"JSON نادرست در ستون {_number(m[2])} ({m[1]})"),
    (r"invalid JSON: (.*)", lambda m: f"JSON نادرست ({m[1]})"),
    (r"expected a JSON object, got (.+)", lambda m: f"باید یک شیء JSON باشد، {_type(m[1])} است"),
    (
        r"field (\w+): expected (text|a list|a list of text|a date string|text or an integer), (got|found) (.+)",
        lambda m: f"{_field(m[1])} باید {_EXPECTED[m[2]]} باشد، {_type(m[4])} {'در آن ' if m[3] == 'found' else ''}است",
    ),
    (
        r"field (\w+): ([\d,]+) characters, the limit is ([\d,]+)",
        lambda m: f"{_field(m[1])} {_number(m[2])} نویسه است؛ بیشینه {_number(m[3])} نویسه",
    ),
    (
        r"duplicate id (.*): (.*) has it \(kept\)",
        lambda m: f"شناسه‌ی تکراری {m[1]}: {m[2]} همین شناسه را دارد (آن نگه داشته شد)",
    ),
    (r"not imported: the import stopped", "درون‌ریزی نشد: کار پیش از این خبر ایستاد"),
    (r"not imported: the disk is full", "درون‌ریزی نشد: دیسک پر است"),
    (r"could not save: (.*)", lambda m: f"ذخیره نشد: {m[1]}"),
    (r"cannot read file: (.*)", lambda m: f"پرونده خوانده نشد: {m[1]}"),
    (r"cannot read folder: (.*)", lambda m: f"پوشه خوانده نشد: {m[1]}"),
    (r"unsupported file type: (.*)", lambda m: f"نوع پرونده پشتیبانی نمی‌شود: {m[1]}"),
    (r"file too large \(over (\d+) MB\)", lambda m: f"پرونده بزرگ‌تر از {_number(m[1])} مگابایت است"),
    (r"line too long \(over (\d+) MB\)", lambda m: f"سطر بلندتر از {_number(m[1])} مگابایت است"),
    (
        r"not (\S+) text \(bad byte at (offset|column) (\d+)\)",
        lambda m: f"متن {m[1]} نیست (بایت نادرست در {'جای' if m[2] == 'offset' else 'ستون'} {_number(m[3])})",
    ),
    (r"(.+), not a regular file", lambda m: f"{_KINDS.get(m[1], m[1])} است، نه پرونده‌ی معمولی"),
    (r"unexpected error: (.*)", lambda m: f"خطای پیش‌بینی‌نشده: {m[1]}"),
]
_REASONS = [(re.compile(pattern, re.S), persian) for pattern, persian in _REASONS]


def in_persian(reason: str) -> str:
    """``reason`` as an editor reads it; a reason already in Persian, or unknown, is kept."""
    for pattern, persian in _REASONS:
        if m := pattern.fullmatch(reason):
            return persian(m) if callable(persian) else persian
    return reason


def known(reason: str) -> bool:
    """Whether ``reason`` is one of the importer's that this module words in Persian (or is Persian)."""
    return in_persian(reason) != reason or bool(re.search("[\u0600-\u06ff]", reason))
