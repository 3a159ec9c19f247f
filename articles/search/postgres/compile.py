"""The parsed query and filters → SQL over ``search_document d``, from terms already analyzed.

Each clause becomes a ``tsquery`` literal of quoted lexemes (``'a' <-> 'b'`` for a phrase) matched
against the field's ``tsvector``; PostgreSQL never parses or normalizes a term. Clauses on one
field are joined into one ``tsquery`` (one GIN scan); exclusions become one anti-join per field,
evaluated as a set (the Whoosh engine's mask), not a ``!`` rechecked on every candidate. Which
clauses match follows ``articles.search.whoosh.compile`` exactly; which clauses score is returned
apart (``scored``) for BM25.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from articles.search.engine import Filters
from articles.search.postgres.documents import TEXT, TITLE, quote
from articles.search.query import Clause, ParsedQuery

COLUMNS = {TEXT: "d.text_vector", TITLE: "d.title_vector"}


def field_of(c: Clause) -> str:
    return TITLE if c.field == "title" else TEXT


def key(c: Clause) -> tuple[str, tuple[str, ...]]:
    """What a clause matches (as Whoosh's query objects compare): not how it was typed."""
    return (field_of(c), c.terms)


def tsquery(c: Clause) -> str:
    return " <-> ".join(quote(term) for term in c.terms)


@dataclass
class Compiled:
    where: list[str] = field(default_factory=list)  # SQL conditions on ``d``, all required
    params: list = field(default_factory=list)
    scored: list[Clause] = field(default_factory=list)  # summed for the score (repeats count again)
    certain: set[tuple] = field(default_factory=set)  # keys of scored clauses every match holds

    def sql(self) -> str:
        return " AND ".join(self.where) or "TRUE"

    def add(self, condition: str, *params) -> None:
        self.where.append(condition)
        self.params.extend(params)


def _match(compiled: Compiled, groups: list[list[Clause]]) -> None:
    """Every group must match (one of its clauses); groups on one field share one ``@@``."""
    per_field: dict[str, list[str]] = {}
    for group in groups:
        fields = {field_of(c) for c in group}
        if len(fields) == 1:
            part = " | ".join(f"({tsquery(c)})" for c in group)
            per_field.setdefault(fields.pop(), []).append(f"({part})" if len(group) > 1 else part)
        else:  # title:a OR b
            ors = {name: " | ".join(f"({tsquery(c)})" for c in group if field_of(c) == name) for name in sorted(fields)}
            compiled.add("(" + " OR ".join(f"{COLUMNS[n]} @@ %s::tsquery" for n in ors) + ")", *ors.values())
    for name, parts in per_field.items():
        compiled.add(f"{COLUMNS[name]} @@ %s::tsquery", " & ".join(parts))


def _exclude(compiled: Compiled, clauses: list[Clause]) -> None:
    """One anti-join per field: plain words from their postings (an index-only scan), phrases
    from the GIN index (a candidate's vector is read to check its positions)."""
    for name in (TEXT, TITLE):
        words = sorted({c.terms[0] for c in clauses if field_of(c) == name and not c.is_phrase})
        phrases = [c for c in clauses if field_of(c) == name and c.is_phrase]
        if words:
            compiled.add(
                "d.article_id NOT IN (SELECT p.article_id FROM search_term t JOIN search_posting p ON p.term_id = t.id"
                " WHERE t.field = %s AND t.term = ANY(%s))",
                name,
                words,
            )
        if phrases:
            compiled.add(
                f"d.article_id NOT IN (SELECT article_id FROM search_document d WHERE {COLUMNS[name]} @@ %s::tsquery)",
                " | ".join(f"({tsquery(c)})" for c in phrases),
            )


def _related(table: str, column: str, target: str) -> str:
    """Articles related (through ``table``) to a row of ``target`` among the given slugs: read live."""
    return (
        f"d.article_id IN (SELECT r.article_id FROM {table} r JOIN {target} t ON t.id = r.{column}"
        " WHERE t.slug = ANY(%s))"
    )


def _filters(compiled: Compiled, filters: Filters) -> None:
    from articles.models import Article, Category, Entity, Mention, Source, Tag

    if filters.sources:
        sources = Source._meta.db_table
        compiled.add(f"d.source_id IN (SELECT id FROM {sources} WHERE slug = ANY(%s))", list(filters.sources))
    for value, table, column, target in (
        (filters.categories, Article.categories.through._meta.db_table, "category_id", Category._meta.db_table),
        (filters.tags, Article.tags.through._meta.db_table, "tag_id", Tag._meta.db_table),
        (filters.entities, Mention._meta.db_table, "entity_id", Entity._meta.db_table),
    ):
        if value:
            compiled.add(_related(table, column, target), list(value))
    if filters.published_from:
        compiled.add("d.published >= %s", _aware(filters.published_from))
    if filters.published_before:
        compiled.add("d.published < %s", _aware(filters.published_before))
    if not filters.include_drafts:
        compiled.add("d.status <> %s", Article.Status.DRAFT)


def _aware(value):
    from articles.jalali import aware_utc

    return aware_utc(value)


def compile_search(parsed: ParsedQuery, filters: Filters, relaxed: bool = False) -> Compiled:
    """``match="all"``: every clause and filter required (``relaxed``: any of the plain words)."""
    compiled = Compiled()
    plain = parsed.plain_terms()
    groups: list[list[Clause]] = []
    if relaxed and len(plain) > 1:
        groups.append(plain)
        groups.extend([c] for c in parsed.required if c not in plain)
    else:
        groups.extend([c] for c in parsed.required)
    groups.extend(parsed.any_of)
    _match(compiled, groups)
    compiled.scored = [c for group in groups for c in group]
    compiled.certain = {key(group[0]) for group in groups if len(group) == 1}
    _exclude(compiled, parsed.excluded)
    _filters(compiled, filters)
    return compiled


def compile_any(parsed: ParsedQuery, filters: Filters) -> Compiled:
    """``match="any"``: an OR of the clauses, ``+`` clauses required; all of them scored (once)."""
    compiled = Compiled()
    clauses = parsed.required + [c for group in parsed.any_of for c in group]
    must = [c for c in clauses if c.must]
    unique: dict[tuple, Clause] = {}
    for c in clauses:
        if not c.must:
            unique.setdefault(key(c), c)  # a repeated word counts once
    should = list(unique.values())
    if must:
        _match(compiled, [[c] for c in must])
    elif should:
        _match(compiled, [should])
    compiled.scored = must + should
    compiled.certain = {key(c) for c in must + (should if len(should) == 1 and not must else [])}
    _exclude(compiled, parsed.excluded)
    _filters(compiled, filters)
    return compiled
