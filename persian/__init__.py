"""The Persian text pipeline: fold, tokenize, term. No Django, no search engine.

Index, query, highlighter, entity matcher and link resolver all call it, so a word written two
ways can never match in one place and miss in another. ``persian.text`` holds the pipeline,
``persian.lexicon`` the word lists it is built on (hazm's data files and ``data/``).
"""

from persian.lexicon import VARIANTS_FILE, ZWNJ
from persian.text import (
    Token,
    cache_info,
    display,
    fold,
    load_variants,
    match_key,
    protect,
    spans,
    term,
    terms,
    tokenize,
    word_term,
)

__all__ = [
    "VARIANTS_FILE",
    "ZWNJ",
    "Token",
    "cache_info",
    "display",
    "fold",
    "load_variants",
    "match_key",
    "protect",
    "spans",
    "term",
    "terms",
    "tokenize",
    "word_term",
]
