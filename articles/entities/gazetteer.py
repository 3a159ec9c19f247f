"""The gazetteer of named entities: reading it, protecting its names from the stemmer, loading it.

``data/gazetteer.jsonl`` holds one entity a line (name, kind, aliases, description). Its names are
protected from the Persian pipeline's stemmer in every process (``ensure_protected``, called at
startup), and ``load_gazetteer`` creates or updates the Entity and EntityAlias rows
(``manage.py load_gazetteer``).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

import persian
from articles.models import Entity, EntityAlias, unicode_slug

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.jsonl"


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
