"""Named entities in articles: matching the gazetteer, keeping Mention rows, curating candidates.

Matching runs on search terms (``persian.terms``), never on raw text, so every spelling the search
treats as one word (Arabic ي/ك, a kasra, a lost or extra half-space) is one word here too, and a
name only matches whole terms: ``ایران`` is not found in ``ایرانی‌ها``.

Each distinct term of a gazetteer name becomes one symbol (a character), so a name is a short
string of symbols and a text is the string of its terms' symbols; one Aho–Corasick automaton over
all names then finds the leftmost-longest matches in one pass (``ولادیمیر پوتین`` counts once,
not also as ``پوتین``). Terms no name uses, and clause punctuation, become a filler symbol that no
name contains, so a name never spans ``روسیه، سفید``.

The automaton is built lazily once per process from the database and rebuilt when an entity or
alias changes (signals in this process, a cheap row-count signature for other processes).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles import indexing, persian
from articles.models import Article, Entity, EntityAlias, EntityCandidate, Mention, unicode_slug

log = logging.getLogger(__name__)

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer.jsonl"

# Clause punctuation (and line breaks): a name never spans it. A hyphen is not here (کووید-۱۹).
BREAK = re.compile(r"[.!?؟:;؛،,()«»\"“”\[\]{}|/\n–—]+")
_FILLER = " "  # the symbol of every term no name uses, and of a break
_FIRST_SYMBOL = 0x100  # symbols are characters from here on (no name ever reaches the surrogates)


def segments(*texts: str) -> list[list[str]]:
    """The terms of each clause of ``texts`` (title, lead, body …), clause by clause."""
    return [terms for text in texts if text for part in BREAK.split(text) if (terms := persian.terms(part))]


def article_segments(article: Article) -> list[list[str]]:
    """The article's own text and the titles of its related links: a «خبر مرتبط» teaser is
    part of the page as published (the seed names کی‌یف only there); the teaser's lead is not."""
    link_titles = [link.title for link in article.links.all()] if article.pk else []
    return segments(article.title, article.lead, article.body, *link_titles)


# ---------------------------------------------------------------------------------------------
# The matcher (no database: built from (entity id, name) pairs)


class Matcher:
    """Counts whole-term, leftmost-longest occurrences of many names in term sequences."""

    def __init__(self, names: Iterable[tuple[int, str]]) -> None:
        """``names``: (entity id, name or alias); the first entity to claim a spelling keeps it."""
        self._symbols: dict[str, str] = {}
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        for entity_id, name in names:
            terms = persian.terms(name)
            if not terms:
                continue
            pattern = "".join([self._symbol(term) for term in terms])
            if not self._automaton.exists(pattern):
                self._automaton.add_word(pattern, (entity_id, len(terms)))
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def _symbol(self, term: str) -> str:
        symbol = self._symbols.get(term)
        if symbol is None:
            symbol = self._symbols[term] = chr(_FIRST_SYMBOL + len(self._symbols))
        return symbol

    def _encode(self, segments: Iterable[Sequence[str]]) -> str:
        symbols = self._symbols
        return _FILLER.join(["".join([symbols.get(term, _FILLER) for term in terms]) for terms in segments])

    def count(self, segments: Iterable[Sequence[str]]) -> Counter[int]:
        """Mentions per entity id in clauses of terms (see ``segments``)."""
        counts: Counter[int] = Counter()
        if self.size:
            for _end, (entity_id, _length) in self._automaton.iter_long(self._encode(segments)):
                counts[entity_id] += 1
        return counts

    def spans(self, terms: Sequence[str]) -> list[tuple[int, int, int]]:
        """(start, end, entity id) of each match in one clause's terms, as term indexes."""
        if not self.size:
            return []
        found = self._automaton.iter_long(self._encode([terms]))
        return [(end + 1 - length, end + 1, entity_id) for end, (entity_id, length) in found]


# ---------------------------------------------------------------------------------------------
# Protecting names from the stemmer

_protected: set[str] = set()
_protect_lock = threading.Lock()


def protectable_words(name: str, kind: str) -> list[str]:
    """Words of a name the pipeline would change, and that must stay as written.

    Only a person's names and single-word names: ``پزشکیان`` must not become ``پزشکی`` nor
    ``امارات`` become ``امار`` (آمار), but the words of ``نیروهای مسلح`` or ``وزارت امور خارجه`` are
    ordinary words and keep their ordinary terms, so search for ``نیرو`` still finds ``نیروهای``.
    A person's half-spaced word (``تخت‌روانچی``) is protected too, so it is one word when written
    spaced; a place's is not: «سیستان و بلوچستان» must stay three words, or «بلوچستان» alone would
    no longer find it.
    """
    words = [word.strip(persian.ZWNJ) for word in persian.fold(name).split()]
    person = kind == Entity.Kind.PERSON
    if not person and len(words) != 1:
        return []
    return [w for w in words if _needs_protection(w, compound=person)]


def _needs_protection(word: str, compound: bool) -> bool:
    glued = word.replace(persian.ZWNJ, "")
    if not glued.isalpha():
        return False
    terms = persian.terms(word)
    # A verb form (کنی in مهدوی کنی, برهم) stays a verb: protecting it would change every «کنی».
    changed = terms != [glued] and not (len(terms) == 1 and terms[0] in _verb_stems())
    return changed or (compound and persian.ZWNJ in word)


@functools.cache
def _verb_stems() -> frozenset[str]:
    """Past and present stems of hazm's verbs (what ``persian.terms`` makes of a verb form), read
    directly: importing hazm itself would pull in nltk."""
    data = Path(importlib.util.find_spec("hazm").submodule_search_locations[0]) / "data" / "verbs.dat"
    stems = (stem for line in data.read_text(encoding="utf-8").splitlines() for stem in line.split("#"))
    return frozenset(persian.fold(stem).replace(persian.ZWNJ, "") for stem in stems if stem.strip())


def protect_names(names: Iterable[tuple[str, str]]) -> int:
    """``persian.protect`` the protectable words of (name, kind) pairs; returns how many were new.

    Protection changes the terms of those words everywhere, the search index included: an index
    built before must be rebuilt (``rebuild_index``).
    """
    with _protect_lock:
        new = {w for name, kind in names for w in protectable_words(name, kind)} - _protected
        if new:
            persian.protect(sorted(new))
            _protected.update(new)
    return len(new)


def read_gazetteer(path: str | Path = GAZETTEER) -> list[dict]:
    """The gazetteer's records (one JSON object a line; blank lines and ``#`` lines skipped)."""
    records = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: {exc.msg}") from exc
    return records


_gazetteer_protected = False


def ensure_protected() -> None:
    """Protect the shipped gazetteer's names, once per process (cheap after the first call).

    The protected set depends on the gazetteer file only, never on the database, so every process
    (web, import, indexing) that calls this gives the same terms.
    """
    global _gazetteer_protected
    if not _gazetteer_protected:
        protect_names(
            (name, record.get("kind", "other"))
            for record in read_gazetteer()
            for name in [record["name"], *record.get("aliases", [])]
        )
        _gazetteer_protected = True


# ---------------------------------------------------------------------------------------------
# The process's matcher, from the database


_matcher: tuple[tuple, Matcher] | None = None
_matcher_lock = threading.Lock()


def _signature() -> tuple:
    """Changes when any process adds or deletes an entity or alias (renames: see ``invalidate``)."""
    return (
        *Entity.objects.aggregate(n=Count("id"), top=Max("id")).values(),
        *EntityAlias.objects.aggregate(n=Count("id"), top=Max("id")).values(),
    )


def _build() -> Matcher:
    ensure_protected()
    # Aliases first: their keys are unique in the database, so a name another entity holds as an
    # alias does not steal it. Canonical names count too, for entities an editor made by hand.
    aliases = EntityAlias.objects.order_by("pk").values_list("entity_id", "name")
    names = Entity.objects.order_by("pk").values_list("pk", "name")
    return Matcher([*aliases, *names])


def matcher() -> Matcher:
    global _matcher
    signature = _signature()
    current = _matcher
    if current is None or current[0] != signature:
        with _matcher_lock:
            current = _matcher
            if current is None or current[0] != signature:
                current = _matcher = (signature, _build())
    return current[1]


@receiver(post_save, sender=Entity)
@receiver(post_delete, sender=Entity)
@receiver(post_save, sender=EntityAlias)
@receiver(post_delete, sender=EntityAlias)
def invalidate(**kwargs) -> None:
    """Drop this process's matcher; the next extraction rebuilds it."""
    global _matcher
    _matcher = None


# ---------------------------------------------------------------------------------------------
# Extraction: Mention rows follow the text


def count_mentions(article: Article, using: Matcher | None = None) -> Counter[int]:
    """Mentions per entity id in the article's title, lead and body (no writes)."""
    return (using or matcher()).count(article_segments(article))


def extract_for(article: Article, using: Matcher | None = None) -> dict[int, int]:
    """Replace the article's Mention rows with what its text mentions now; returns {entity id: count}.

    Idempotent: rows already right are left alone, so a second run writes nothing.
    """
    if article.pk is None:
        raise ValueError("save the article before extracting its mentions")
    counts = count_mentions(article, using)
    _apply({article.pk: counts})
    return dict(counts)


@dataclass
class ExtractReport:
    articles: int = 0
    changed: int = 0  # articles whose Mention rows changed
    mentions: int = 0  # Mention rows the articles have now


def extract_all(
    queryset: QuerySet[Article] | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 500,
) -> ExtractReport:
    """``extract_for`` every article of ``queryset`` (default: all), one transaction per batch.

    Changed articles are scheduled for re-indexing; wrap the call in ``indexing.suspended()`` to
    index them in one pass afterwards instead.
    """
    queryset = Article.objects.all() if queryset is None else queryset
    articles = queryset.only("pk", "title", "lead", "body").order_by("pk")
    total = articles.count()
    current = matcher()
    report = ExtractReport()
    if progress:
        progress(0, total)
    batch: dict[int, Counter[int]] = {}
    for article in articles.iterator(chunk_size=batch_size):
        batch[article.pk] = current.count(article_segments(article))
        if len(batch) >= batch_size:
            _flush_batch(batch, report, progress, total)
    _flush_batch(batch, report, progress, total)
    return report


def _flush_batch(
    batch: dict[int, Counter[int]], report: ExtractReport, progress: Callable[[int, int], None] | None, total: int
) -> None:
    if not batch:
        return
    report.changed += len(_apply(batch))
    report.articles += len(batch)
    report.mentions += sum(len(counts) for counts in batch.values())
    batch.clear()
    if progress:
        progress(report.articles, total)


def _apply(wanted: dict[int, Counter[int]]) -> set[int]:
    """Make the Mention rows of these articles equal ``wanted``; returns the ids that changed."""
    have: dict[int, dict[int, Mention]] = defaultdict(dict)
    for mention in Mention.objects.filter(article_id__in=list(wanted)).only("pk", "article_id", "entity_id", "count"):
        have[mention.article_id][mention.entity_id] = mention
    create, update, delete, changed = [], [], [], set()
    for article_id, counts in wanted.items():
        rows = have.get(article_id, {})
        for entity_id, mention in rows.items():
            if entity_id not in counts:
                delete.append(mention.pk)
            elif mention.count != counts[entity_id]:
                mention.count = counts[entity_id]
                update.append(mention)
            else:
                continue
            changed.add(article_id)
        for entity_id, count in counts.items():
            if entity_id not in rows:
                create.append(Mention(article_id=article_id, entity_id=entity_id, count=count))
                changed.add(article_id)
    if changed:
        with transaction.atomic():
            Mention.objects.filter(pk__in=delete).delete()
            Mention.objects.bulk_update(update, ["count"], batch_size=500)
            Mention.objects.bulk_create(create, batch_size=500)
            # Bulk writes send no post_save, so the index hears about them here (on commit).
            for article_id in changed:
                indexing.schedule(article_id)
    return changed


# ---------------------------------------------------------------------------------------------
# Loading the gazetteer


@dataclass
class GazetteerReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # records not loaded (see warnings)
    aliases_created: int = 0
    aliases_skipped: int = 0  # spellings that already name another entity
    warnings: list[str] = field(default_factory=list)


def load_gazetteer(records: Iterable[dict]) -> GazetteerReport:
    """Create or update entities by slug and add their aliases; safe to run again.

    An entity's own name is stored as an alias too, so the unique alias key keeps two entities
    from claiming one spelling. Aliases are only ever added: editors' additions survive a reload.
    """
    records = list(records)
    # Before any key is computed: a protected name's key is its protected terms.
    protect_names((str(n), str(r.get("kind", ""))) for r in records for n in [r.get("name", ""), *r.get("aliases", [])])
    report = GazetteerReport()
    entities = {e.slug: e for e in Entity.objects.all()}
    owner = {key: entity_id for key, entity_id in EntityAlias.objects.values_list("key", "entity_id")}
    for entity in entities.values():
        owner.setdefault(persian.match_key(entity.name)[:200], entity.pk)
    seen: dict[str, str] = {}
    with transaction.atomic():
        for number, record in enumerate(records, 1):
            entity = _load_entity(record, number, entities, seen, report)
            if entity is not None:
                for alias in [entity.name, *record.get("aliases", [])]:
                    _load_alias(entity, str(alias), owner, report)
    return report


def _load_entity(
    record: dict, number: int, entities: dict[str, Entity], seen: dict[str, str], report: GazetteerReport
) -> Entity | None:
    name = " ".join(str(record.get("name", "")).split())[:200]
    kind = record.get("kind", Entity.Kind.OTHER)
    slug = unicode_slug(name, fallback="")
    if not slug or kind not in Entity.Kind.values:
        report.skipped += 1
        report.warnings.append(f"record {number}: skipped, needs a name and a kind of {Entity.Kind.values}")
        return None
    if slug in seen:  # two records, one slug (کی‌یف / کی یف): the first one wins
        report.skipped += 1
        report.warnings.append(f"record {number}: skipped «{name}», its slug is taken by «{seen[slug]}»")
        return None
    seen[slug] = name
    fields = {"name": name, "kind": kind, "description": str(record.get("description", ""))[:300]}
    entity = entities.get(slug)
    if entity is None:
        entity = entities[slug] = Entity.objects.create(slug=slug, **fields)
        report.created += 1
    elif any(getattr(entity, k) != v for k, v in fields.items()):
        for k, v in fields.items():
            setattr(entity, k, v)
        entity.save()
        report.updated += 1
    else:
        report.unchanged += 1
    return entity


def _load_alias(entity: Entity, name: str, owner: dict[str, int], report: GazetteerReport) -> None:
    name = " ".join(name.split())[:200]
    key = persian.match_key(name)[:200]
    if not key:
        return
    holder = owner.get(key)
    if holder is None:
        EntityAlias.objects.create(entity=entity, name=name)
        owner[key] = entity.pk
        report.aliases_created += 1
    elif holder != entity.pk:
        report.aliases_skipped += 1
        other = Entity.objects.filter(pk=holder).values_list("name", flat=True).first()
        report.warnings.append(f"alias «{name}» of «{entity.name}» skipped: it already names «{other}»")


# ---------------------------------------------------------------------------------------------
# Curation: what an editor decides about a candidate


def accept(candidate: EntityCandidate, name: str = "", kind: str = "") -> Entity:
    """Make the candidate an entity (its name as an alias too) and find it in the articles naming it."""
    name = " ".join((name or candidate.name).split())[:200]
    with transaction.atomic():
        entity = Entity.objects.create(name=name, slug=_free_slug(name), kind=kind or candidate.kind)
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


def _free_slug(name: str) -> str:
    base = unicode_slug(name)
    slug, n = base, 2
    while Entity.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


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
