"""Saving parsed articles: one idempotent function, and the import loop around it.

``save_parsed`` keys every article by its ``external_id``: importing the same file twice leaves
it unchanged (or updates it, when the file changed) instead of duplicating. Each article is saved
in its own transaction, so a failure loses that one article, never half of it.

``import_items`` passes every article through ``values.checked`` first, keeps the first of
several items with one id in a run (each later one is reported as a duplicate, never saved over
it), and stops cleanly when the disk is full: what was saved is whole, what was not is listed.
"""

from __future__ import annotations

import errno
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

from django.db import transaction

import persian
from articles.ingest import values
from articles.ingest.parsed import ParsedArticle, ParseError
from articles.models import Article, Category, RelatedLink, Source, Tag, unique_slug
from articles.search import indexing
from articles.terms import term_key
from persian import prepared
from persian.prepared import Lines

# Lines whose analysis an import indexing at its end keeps for that pass (a few thousand articles'
# worth, some tens of MB); past it the index analyses them again. Indexing alongside hands them
# on with each batch instead.
KEPT_LINES = 50_000


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    duplicates: int = 0  # items whose id an earlier item of the same run had: not saved
    not_imported: int = 0  # items never tried: the import stopped first (a full disk)
    held_for_review: int = 0
    invalid_links: int = 0  # links dropped for want of a title or a real address (links.keep_links)
    errors: list[ParseError] = field(default_factory=list)  # failed, duplicate and not imported items
    stopped: str = ""  # why the import stopped before its last item
    index_error: str = ""  # why the saved articles could not all be indexed
    article_ids: set[int] = field(default_factory=set)
    index_alongside_cpu_s: float = 0.0  # CPU time of the indexing process, when there was one
    # "More like this" lists computed by each process, when indexing alongside (they share them)
    lists_in_import: int = 0
    lists_alongside: int = 0

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed + self.duplicates + self.not_imported


def storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the disk is full: ``OSError(ENOSPC)`` from a
    file write (the index), SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(exc, "sqlite_errorcode", None) == 13 or getattr(exc, "sqlstate", None) == "53100":
            return True
        if "database or disk is full" in str(exc):  # SQLite, through a driver without the code
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def content_hash(parsed: ParsedArticle) -> str:
    data = asdict(parsed)
    data.pop("origin", None)  # the same article from a renamed file is unchanged
    data.pop("legacy_id", None)  # not content (and older hashes were made without it)
    data["published"] = parsed.published.isoformat() if parsed.published else None
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def source_key(name: str) -> str:
    """Publisher names compare without spaces or half-spaces: «تهران نگار» is «تهران‌نگار»."""
    return "".join(persian.fold(name).split()).replace("\u200c", "")


def _get_source(name: str, domain: str, cache: dict[str, Source]) -> Source | None:
    name = " ".join(name.split())
    if not name:
        return None
    if not cache:
        cache.update({source_key(s.name): s for s in Source.objects.all()})
    key = source_key(name)
    if key not in cache:
        cache[key] = Source.objects.create(name=name, slug=unique_slug(Source, name), domain=domain)
    source = cache[key]
    if domain and not source.domain:
        source.domain = domain
        source.save(update_fields=["domain"])
    return source


def _get_terms(model, names: Iterable[str], cache: dict[str, object]) -> list:
    """Categories or tags by name: one row however a name is spelled (``articles.terms``)."""
    terms = []
    for raw in names:
        key = (model.__name__, term_key(raw))
        if not key[1]:
            continue
        if key not in cache:
            cache[key] = model.objects.for_name(raw)
        terms.append(cache[key])
    return terms


def save_parsed(
    parsed: ParsedArticle, cache: dict | None = None, matcher=None, lines: Lines | None = None
) -> tuple[Article, Outcome]:
    """Create or update the article ``parsed.external_id`` with its source, terms and links.

    ``matcher``: an import's snapshot of the entities (default: the process's current one);
    ``lines``: where the import keeps each line's analysis for the index (``persian.prepared``).
    """
    cache = {} if cache is None else cache
    digest = content_hash(parsed)
    existing = find_existing(parsed)
    if existing is not None and existing.content_hash == digest:
        return existing, Outcome.UNCHANGED

    with transaction.atomic():
        fields = {  # within the columns' limits: import_items passed it through values.checked
            "external_id": parsed.external_id,
            "title": parsed.title,
            "title_derived": parsed.title_derived,
            "lead": parsed.lead,
            "body": parsed.body,
            "source": _get_source(parsed.source_name, parsed.source_domain, cache.setdefault("sources", {})),
            "agency": parsed.agency,
            "published": parsed.published,
            "url": parsed.url,
            "review_notes": "\n".join(parsed.review_notes),
            "content_hash": digest,
        }
        if existing is None:
            article = Article.objects.create(**fields)
            outcome = Outcome.CREATED
        else:
            article = existing
            for name, value in fields.items():
                setattr(article, name, value)
            article.save()
            outcome = Outcome.UPDATED
        terms = cache.setdefault("terms", {})
        categories = _get_terms(Category, parsed.categories, terms)
        tags = _get_terms(Tag, parsed.tags, terms)
        if outcome is Outcome.CREATED:  # nothing to replace: one insert per relation
            _add_new(Article.categories.through, article, "category", categories)
            _add_new(Article.tags.through, article, "tag", tags)
        else:
            article.categories.set(categories)
            article.tags.set(tags)
        _save_links(article, parsed, replace=outcome is not Outcome.CREATED)
        _after_save(article, matcher, parsed if outcome is Outcome.CREATED else None, lines)
    return article, outcome


def find_existing(parsed: ParsedArticle) -> Article | None:
    """The stored article ``parsed`` is, by its id; for a ``.txt`` page also by the key earlier
    versions gave it (a hash of its title alone), when the stored article is that same page.

    A page found by its old key takes its new one; when nothing but the key changed, quietly
    (no history row, reported unchanged). Another page of the same title (yesterday's
    «قیمت طلا و ارز امروز») is not the same page: it becomes an article of its own.
    """
    existing = Article.objects.filter(external_id=parsed.external_id).first()  # unique
    if existing is not None or not parsed.legacy_id:
        return existing
    old = Article.objects.filter(external_id=parsed.legacy_id).first()
    if old is None:
        return None
    if old.content_hash == content_hash(replace(parsed, external_id=parsed.legacy_id)):
        old.content_hash = content_hash(parsed)
        Article.objects.filter(pk=old.pk).update(external_id=parsed.external_id, content_hash=old.content_hash)
        old.external_id = parsed.external_id
        return old
    return old if _same_page(old, parsed) else None  # found, it is saved under its new key (an update)


def _same_page(old: Article, parsed: ParsedArticle) -> bool:
    """Whether ``old``, stored by an older version, is the page ``parsed``: the same title, and
    the same words but for a few (older versions kept a page's URL and date lines, and a lead
    after them with its "SOURCE:", in the text). Another day's page differs in its figures."""
    if " ".join(old.title.split()) != " ".join(parsed.title.split()):
        return False
    was, now = f"{old.lead} {old.body}".split(), f"{parsed.lead} {parsed.body}".split()
    return set(now) <= set(was) and len(was) - len(now) <= 8


def _add_new(through, article: Article, name: str, targets: list) -> None:
    """Rows of a many-to-many relation for a just-created article (``set()`` would query first)."""
    unique = {target.pk: target for target in targets}
    if unique:
        through.objects.bulk_create(through(article=article, **{name: target}) for target in unique.values())


def _save_links(article: Article, parsed: ParsedArticle, replace: bool = True) -> None:
    from articles.links import keep_links, link_key

    if replace:
        article.links.all().delete()
    kept, _ = keep_links(parsed.links)
    if not kept:
        return
    RelatedLink.objects.bulk_create(
        RelatedLink(
            from_article=article,
            title=link.title,
            title_key=link_key(link.title)[:500],
            url=link.url,
            lead=link.lead,
            kind=link.kind if link.kind in RelatedLink.Kind.values else RelatedLink.Kind.INLINE,
            position=position,
        )
        for position, link in enumerate(kept)
    )


def _after_save(
    article: Article, matcher=None, created_from: ParsedArticle | None = None, lines: Lines | None = None
) -> None:
    """Derived data every saved article needs: its links resolved, links to it resolved, and
    its mentions (with ``matcher``, an import's snapshot of the entities, when given).

    ``created_from``: the parsed article it was just created from (no mentions to read back).
    """
    from articles import links
    from articles.entities import extract as entities

    if created_from is None or created_from.links:
        links.resolve_from(article)
    links.resolve_to(article)
    # After the links: their titles count (see entities.article_segments).
    if created_from is not None:
        titles = [link.title for link in created_from.links]
        entities.extract_for_new(article, titles, using=matcher, lines=lines)
    else:
        entities.extract_for(article, using=matcher, lines=lines)


def import_items(
    items: Iterable[ParsedArticle | ParseError],
    on_progress: Callable[[ImportReport], None] | None = None,
    on_index_progress: Callable[[int, int], None] | None = None,
    index: bool = True,
    index_alongside: int = 0,
) -> ImportReport:
    """Save every parsed article, collect every error; index what changed.

    By default the index is written in one pass at the end. ``index_alongside=N`` indexes saved
    articles N at a time in a second process while the import goes on (a second core's work;
    the caller must not be inside a transaction, since that process reads what was committed).
    ``index=False`` leaves the index alone (the caller rebuilds it, e.g. ``rebuild_index``).
    """
    from articles.entities import extract as entities

    report = ImportReport()
    cache: dict = {}
    first_seen: dict[str, str] = {}  # id → where this run first had it
    # One snapshot of the entities for the whole import: checking for editors' changes costs two
    # queries an article. Entities added while it runs reach these articles on their next save.
    matcher = entities.matcher()
    alongside = indexing.AlongsideIndexer(index_alongside) if index and index_alongside > 0 else None
    # Each line read for the name finder is kept for the index, which then need not read it again;
    # handed on with each batch, or kept (up to a bound) for the indexing pass at the end.
    lines = Lines() if alongside is not None else Lines(limit=KEPT_LINES if index else 0)
    sent: set[int] = set()
    with indexing.suspended() as touched:
        for item in items:
            _import_one(item, report, first_seen, cache, matcher, lines)
            if alongside is not None:
                if len(touched) - len(sent) >= alongside.batch:
                    batch = touched - sent
                    alongside.send(batch, lines.take())
                    sent |= batch
                alongside.help(left=alongside.batch - (len(touched) - len(sent)))  # lists of indexed batches
            if on_progress:
                on_progress(report)
        changed = set(touched)
    if not index:
        return report
    try:
        _index(report, changed, sent, alongside, on_index_progress, lines.take())
    except Exception as exc:
        if not storage_full(exc):
            raise
        report.index_error = f"the disk is full ({exc})"
    return report


def _import_one(item, report: ImportReport, first_seen: dict[str, str], cache: dict, matcher, lines: Lines) -> None:
    if isinstance(item, ParsedArticle):
        item = values.checked(item)
    if isinstance(item, ParseError):
        report.failed += 1
        report.errors.append(item)
        return
    if (first := first_seen.get(item.external_id)) is not None:
        # The first one wins, as it would had the files been imported one at a time in order;
        # this one is reported, never saved over it.
        report.duplicates += 1
        report.errors.append(ParseError(item.origin, f"duplicate id {item.external_id}: {first} has it (kept)"))
        return
    first_seen[item.external_id] = item.origin
    if report.stopped:  # checked and listed all the same, so that the user knows what to import again
        report.not_imported += 1
        report.errors.append(ParseError(item.origin, "not imported: the import stopped"))
        return
    try:
        article, outcome = save_parsed(item, cache, matcher, lines)
    except Exception as exc:  # one bad article must not stop the import
        cache.clear()  # it may hold rows its rolled-back transaction created
        if storage_full(exc):  # every later write fails too: stop here (this item is the next run's)
            report.stopped = f"the disk is full ({exc})"
            report.not_imported += 1
            report.errors.append(ParseError(item.origin, "not imported: the disk is full"))
        else:
            del first_seen[item.external_id]  # not saved: a later item with its id may be
            report.failed += 1
            report.errors.append(ParseError(item.origin, f"could not save: {exc}"))
        return
    report.count(outcome)
    report.article_ids.add(article.pk)
    if outcome in (Outcome.CREATED, Outcome.UPDATED):
        from articles.links import keep_links

        report.invalid_links += keep_links(item.links)[1]
    if article.title_derived or article.review_notes:
        report.held_for_review += 1


def _index(report: ImportReport, changed: set[int], sent: set[int], alongside, on_index_progress, kept: dict) -> None:
    if alongside is not None:
        alongside.send(changed - sent, kept)
        kept = {}  # the second process has them
        alongside.finish(on_index_progress, len(changed))
        report.index_alongside_cpu_s = alongside.cpu_s
        report.lists_in_import, report.lists_alongside = alongside.listed_here, alongside.listed - alongside.listed_here
        # Whatever the second process missed (an error, or an article saved again after its
        # batch was sent) shows up as missing or stale, and is indexed here.
        differences = indexing.compare()
        changed = (differences.missing | differences.stale) & (changed | report.article_ids)
        missing: set[int] = set()
    else:
        # Unchanged articles too, when the index lacks them (an import killed before its
        # indexing pass, then run again): the import ends with its articles searchable.
        missing = report.article_ids - {int(pk) for pk in indexing.indexed_ids()}
    if changed | missing:
        with prepared.using(kept):
            indexing.index_articles(changed | missing, on_progress=None if alongside else on_index_progress)
    # No merge into one segment afterwards: it cost as much as the indexing (nine minutes at
    # 100,000 articles) and searching the import's segments is as quick (see whoosh_merge).
