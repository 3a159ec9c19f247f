"""Category and tag names: one term however it is spelled, named in Persian.

Sites write the same section «بین الملل» and «بین‌الملل», «بورس» and «بـــورس» (kashida), with
Arabic ي/ك or Persian ی/ک, or as an English slug (``world``, ``province``). A term's ``key`` is
its Persian name folded by ``persian.text.glued`` (no spaces, half-spaces or kashida, one ی and
one ک), so every spelling finds the same row; English section names get the Persian name of
``data/term_names.tsv``. The first spelling seen names the term; its slug never changes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

from persian.text import glued

NAMES_FILE = Path(__file__).resolve().parent / "data" / "term_names.tsv"
NAME_LENGTH = 200
TATWEEL = "\u0640"
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
_NUMBERED_SLUG = re.compile(r"-\d+$")


@cache
def persian_names() -> dict[str, str]:
    """English section name (lower case) → Persian name, from ``data/term_names.tsv``."""
    names = {}
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, persian = line.split("\t")
            names[english.strip().lower()] = persian.strip()
    return names


def display_name(raw: object) -> str:
    """The name a reader sees: spaces collapsed, kashida dropped, Persian ی/ک, English section
    slugs in Persian ("" for a blank name)."""
    name = " ".join(str(raw).replace(TATWEEL, "").split())[:NAME_LENGTH]
    return persian_names().get(name.lower(), name.translate(_ARABIC_LETTERS))


def term_key(raw: object) -> str:
    """What two spellings of one term share (``بین الملل``, ``بین‌الملل`` and ``world`` alike)."""
    return glued(display_name(raw))[:NAME_LENGTH]


def key_of_slug(slug: str) -> str:
    """The key a slug was made from, for the old address of a merged term (``بین-الملل-2``)."""
    return term_key(_NUMBERED_SLUG.sub("", slug).replace("-", " "))


def merge_spellings(model, through, field: str) -> set[int]:
    """Merge the rows of ``model`` (Category or Tag) whose names share a key into one, re-pointing
    their articles (``through``: the many-to-many table, ``field``: its column for the term);
    rename each to its display name and store its key. Returns the ids of the articles whose
    terms changed (their index documents hold the merged slugs).

    The row with most articles is kept (then the oldest), so the busiest address stays.
    Works on the migration's historical models too.
    """
    uses = Counter(through.objects.values_list(f"{field}_id", flat=True))
    groups: dict[str, list] = defaultdict(list)
    for term in model.objects.order_by("pk"):
        groups[term_key(term.name)].append(term)
    changed: set[int] = set()
    for key, terms in groups.items():
        terms.sort(key=lambda t: (-uses[t.pk], t.pk))
        keeper, others = terms[0], terms[1:]
        for other in others:
            changed.update(through.objects.filter(**{field: other}).values_list("article_id", flat=True))
            tagged = through.objects.filter(**{field: keeper}).values_list("article_id", flat=True)
            through.objects.filter(**{field: other}).exclude(article_id__in=list(tagged)).update(**{field: keeper})
            other.delete()  # its remaining rows named articles the keeper already has
        keeper.name, keeper.key = display_name(keeper.name), key  # English names become Persian
        keeper.save(update_fields=["name", "key"])
    return changed
