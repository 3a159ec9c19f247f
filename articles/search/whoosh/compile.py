"""The parsed query and filters → Whoosh query objects, from terms already analyzed.

Terms come from ``articles.search.query`` (through ``persian``) and go into ``Term`` and
``Phrase`` as they are: never into a query string that Whoosh's parser would analyze again (the
analyzer is not idempotent, so «سال‌های آتی» analyzed twice missed its own article). What must not
match (drafts, ``-words``) is returned apart, to be evaluated once as a set of documents (a
mask), not as one ``Not`` per word inside the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq

from articles.search.engine import Filters
from articles.search.query import Clause, ParsedQuery

TEXT = "text"  # the document field: title, lead and body
DRAFT = "draft"  # Article.Status.DRAFT (the index's ``status`` values)


@dataclass
class Compiled:
    query: wq.Query  # what must match, scored
    excluded: list[wq.Query]  # any of these removes a document (evaluated as one mask)
    allowed: list[wq.Query] = field(default_factory=list)  # a document must match all (unscored)

    def as_query(self) -> wq.Query:
        """One Whoosh query matching the same documents (each exclusion a ``Not``): what Whoosh's
        own evaluation is compared with in tests."""
        parts = {wq.Every: [], wq.And: list(getattr(self.query, "subqueries", ()))}.get(type(self.query), [self.query])
        parts += self.allowed + [wq.Not(q) for q in self.excluded]
        return wq.And(parts) if len(parts) > 1 else parts[0] if parts else wq.Every()


def clause(c: Clause) -> wq.Query:
    name = c.field or TEXT
    return wq.Phrase(name, list(c.terms)) if c.is_phrase else wq.Term(name, c.terms[0])


def text_parts(parsed: ParsedQuery, relaxed: bool = False) -> list[wq.Query]:
    """The reader's words: all required, or (``relaxed``) any of the plain words with the rest required."""
    plain = parsed.plain_terms()
    parts: list[wq.Query] = []
    if relaxed and len(plain) > 1:
        parts.append(wq.Or([clause(c) for c in plain]))
        parts.extend(clause(c) for c in parsed.required if c not in plain)
    else:
        parts.extend(clause(c) for c in parsed.required)
    parts.extend(wq.Or([clause(c) for c in group]) for group in parsed.any_of)
    return parts


def filter_parts(filters: Filters) -> list[wq.Query]:
    """Each field's values as an OR (any of them), the fields together as an AND."""
    parts: list[wq.Query] = []
    fields = (
        ("source", filters.sources),
        ("categories", filters.categories),
        ("tags", filters.tags),
        ("entities", filters.entities),
    )
    for name, values in fields:
        terms = [wq.Term(name, slug) for slug in dict.fromkeys(values)]
        if terms:
            parts.append(terms[0] if len(terms) == 1 else wq.Or(terms))
    if filters.published_from or filters.published_before:
        parts.append(wq.DateRange("published", filters.published_from, filters.published_before, endexcl=True))
    return parts


def _and(parts: list[wq.Query]) -> wq.Query:
    if not parts:
        return wq.Every()
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _excluded(parsed: ParsedQuery, filters: Filters) -> list[wq.Query]:
    excluded = [clause(c) for c in parsed.excluded]
    if not filters.include_drafts:
        excluded.append(wq.Term("status", DRAFT))
    return excluded


def compile_search(parsed: ParsedQuery, filters: Filters, relaxed: bool = False) -> Compiled:
    """``match="all"``: every clause and filter required (``relaxed``: most of the plain words)."""
    return Compiled(_and(text_parts(parsed, relaxed) + filter_parts(filters)), _excluded(parsed, filters))


def compile_any(parsed: ParsedQuery, filters: Filters) -> Compiled:
    """``match="any"``: an OR of the words, phrases and fields (one of each ``a OR b`` group),
    ranked by their summed scores; ``+`` clauses required and scored too. Filters only narrow:
    they are a set of allowed documents, so a plain OR keeps ``fast_search``'s path."""
    clauses = parsed.required + [c for group in parsed.any_of for c in group]
    must = [clause(c) for c in clauses if c.must]
    should = list(dict.fromkeys(clause(c) for c in clauses if not c.must))  # a repeated word counts once
    if must and should:
        q: wq.Query = wq.AndMaybe(_and(must), should[0] if len(should) == 1 else wq.Or(should))
    elif should:
        q = should[0] if len(should) == 1 else wq.Or(should)
    else:
        q = _and(must)
    return Compiled(q, _excluded(parsed, filters), filter_parts(filters))
