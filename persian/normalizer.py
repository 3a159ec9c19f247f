"""Scraped text made readable for the page (hazm's Normalizer); not part of the term path."""

from __future__ import annotations

import functools

from persian.lexicon import ZWNJ
from persian.stems import shared_lexicon


class _GluedVerbForms:
    """What hazm's Normalizer asks when it puts a half-space after می/نمی: is ``می‌X`` a verb?

    Answered from our lexicon's conjugations instead of hazm's Lemmatizer, whose table of every
    form of every verb (346,000 strings) costs each worker ~56 MB.
    """

    def __contains__(self, spaced: str) -> bool:
        prefix, _, rest = spaced.partition(ZWNJ)
        return prefix in ("می", "نمی") and bool(rest) and prefix + rest in shared_lexicon().verbs


@functools.cache
def _normalizer():
    from hazm import Normalizer  # imported on first use: hazm imports nltk, slow to load

    normalizer = Normalizer(seperate_mi=False)
    normalizer._seperate_mi, normalizer._verbs = True, _GluedVerbForms()
    return normalizer


@functools.lru_cache(maxsize=512)  # whole articles: ~10 KB each
def display(text: str) -> str:
    """Scraped text made readable (hazm's Normalizer: half-spaces, ی/ک, digits); keeps paragraphs."""
    normalize = _normalizer().normalize
    return "\n".join(normalize(line).strip() if line.strip() else "" for line in text.splitlines()).strip("\n")
