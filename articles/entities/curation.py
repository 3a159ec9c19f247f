"""What editors decide about entities: accepting, merging or rejecting a name discovery proposed,
and folding duplicate entities into one. Accepting or merging a candidate re-extracts the articles
that name it; folding moves their Mention rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

import persian
from articles.entities.extract import ExtractReport, extract_all, invalidate
from articles.models import Article, Entity, EntityAlias, EntityCandidate, Mention, unique_slug

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Curation: what an editor decides about a candidate


def accept(candidate: EntityCandidate, name: str = "", kind: str = "") -> Entity:
    """Make the candidate an entity (its name as an alias too) and find it in the articles naming it."""
    name = " ".join((name or candidate.name).split())[:200]
    with transaction.atomic():
        entity = Entity.objects.create(name=name, slug=unique_slug(Entity, name), kind=kind or candidate.kind)
        for spelling in dict.fromkeys([name, candidate.name]):
            _add_alias(entity, spelling)
        _decide(candidate, EntityCandidate.Status.ACCEPTED, entity)
        reextract([name, candidate.name], also=[candidate.example_article_id])
    return entity


def merge(candidate: EntityCandidate, entity: Entity) -> EntityAlias:
    """Add the candidate's name as an alias of ``entity`` and find it in the articles naming it."""
    with transaction.atomic():
        alias = _add_alias(entity, candidate.name)
        _decide(candidate, EntityCandidate.Status.MERGED, entity)
        reextract([candidate.name], also=[candidate.example_article_id])
    return alias


def reject(candidate: EntityCandidate) -> None:
    """Not an entity; discovery will not propose it again."""
    _decide(candidate, EntityCandidate.Status.REJECTED, None)


def _decide(candidate: EntityCandidate, status: str, entity: Entity | None) -> None:
    candidate.status, candidate.merged_into = status, entity
    candidate.save(update_fields=["status", "merged_into"])


def _add_alias(entity: Entity, name: str) -> EntityAlias:
    key = persian.match_key(name)[:200]
    alias = EntityAlias.objects.filter(key=key).select_related("entity").first()
    if alias is None:
        return EntityAlias.objects.create(entity=entity, name=name)
    if alias.entity_id != entity.pk:
        raise ValueError(f"«{name}» already names «{alias.entity}»")
    return alias


def reextract(names: Iterable[str], also: Iterable[int | None] = ()) -> ExtractReport:
    """Re-extract the articles whose text contains any of ``names`` (found through the index).

    Only published articles are indexed: a draft naming a new entity picks it up on its next save
    or with ``manage.py extract_entities``. When the index cannot answer, every article is redone.
    """
    ids = {pk for pk in also if pk}
    try:
        ids |= _indexed_articles_with(names)
    except Exception:  # a broken or missing index: slower, never wrong
        log.exception("index search failed; re-extracting every article")
        return extract_all()
    return extract_all(Article.objects.filter(pk__in=ids))


def _indexed_articles_with(names: Iterable[str]) -> set[int]:
    from haystack.inputs import Exact
    from haystack.query import SQ, SearchQuerySet

    query = None
    for name in names:
        clause = SQ(content=Exact(name))
        query = clause if query is None else query | clause
    if query is None:
        return set()
    return {int(result.pk) for result in SearchQuerySet().models(Article).filter(query)}


def merge_entities(target: Entity, others: Iterable[Entity]) -> int:
    """Fold duplicate entities into ``target``: their names become its aliases, their aliases and
    mentions move to it (counts added per article), then they are deleted. Nothing is lost: the
    history keeps the deleted rows. Returns how many mentions moved."""
    moved = 0
    with transaction.atomic():
        for other in others:
            if other.pk == target.pk:
                continue
            for alias in list(other.aliases.all()):
                alias.entity = target
                alias.save()
            if not EntityAlias.objects.filter(key=persian.match_key(other.name)[:200]).exists():
                EntityAlias.objects.create(entity=target, name=other.name)
            for mention in list(other.mentions.all()):
                kept, created = Mention.objects.get_or_create(
                    article_id=mention.article_id, entity=target, defaults={"count": mention.count}
                )
                if not created:
                    kept.count += mention.count
                    kept.save(update_fields=["count"])
                mention.delete()
                moved += 1
            EntityCandidate.objects.filter(merged_into=other).update(merged_into=target)
            other.delete()
    invalidate()
    return moved
