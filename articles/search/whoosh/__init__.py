"""The embedded search engine: Whoosh 2.7.4, driven through haystack's backend.

Several modules here lean on Whoosh 2.7.4's internals (reading segment files in place, tracking
their mappings, decoding posting blocks): ``install()`` applies their patches once, from
``ArticlesConfig.ready()``, and refuses any other Whoosh version.
"""

from __future__ import annotations

import sys
import types

import whoosh
from django.core.exceptions import ImproperlyConfigured

WHOOSH_VERSION = "2.7.4"

_installed = False


def install() -> None:
    """Apply every Whoosh patch exactly once, and let indexes written by older layouts open."""
    global _installed
    if _installed:
        return
    if whoosh.versionstring() != WHOOSH_VERSION:
        raise ImproperlyConfigured(
            f"Whoosh {whoosh.versionstring()} is installed; the archive's search engine reads "
            f"Whoosh {WHOOSH_VERSION}'s internals and needs exactly that version (pip install Whoosh=={WHOOSH_VERSION})"
        )
    from articles.search.whoosh import files, index_pages

    files.install()
    index_pages.install()
    _alias_old_modules()
    _installed = True


def _alias_old_modules() -> None:
    """Whoosh pickles the schema's classes by module path into the index: an archive indexed before
    the move into packages names ``articles.persian`` and ``articles.search_backend``. Those
    names point at the classes' new homes, so such an index opens without a rebuild."""
    from articles.search.whoosh import analyzer, schema

    old = {
        "articles.persian": {
            "PersianTokenizer": analyzer.PersianTokenizer,
            "PersianAnalyzer": analyzer.PersianAnalyzer,
        },
        "articles.search_backend": {
            "FacetKeyword": schema.FacetKeyword,
            "FacetListColumn": schema.FacetListColumn,
            "FacetListReader": schema.FacetListReader,
        },
    }
    for name, attributes in old.items():
        if name in sys.modules:
            continue
        module = types.ModuleType(name, f"Alias for unpickling old search indexes ({__name__}).")
        module.__dict__.update(attributes)
        sys.modules[name] = module
