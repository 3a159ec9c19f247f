"""The Persian text pipeline: fold, tokenize, term. No Django, no search engine.

Index, query, highlighter, entity matcher and link resolver all call it, so a word written two
ways can never match in one place and miss in another. ``persian.text`` holds the pipeline's
public functions and its description; its steps are ``fold``, ``words`` (joining and splitting)
and ``stems`` (word → term), on the affix lists of ``morphology`` and the word lists of
``lexicon`` (hazm's data files and ``data/``); ``normalizer`` makes scraped text readable.
"""

from persian.lexicon import VARIANTS_FILE, ZWNJ
from persian.normalizer import display
from persian.text import (
    Token,
    cache_info,
    fold,
    glued,
    index_spans,
    load_variants,
    match_key,
    parts,
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
    "glued",
    "index_spans",
    "load_variants",
    "match_key",
    "parts",
    "protect",
    "spans",
    "term",
    "terms",
    "tokenize",
    "word_term",
]
