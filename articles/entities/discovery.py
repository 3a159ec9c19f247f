"""Discovering entities the gazetteer lacks, from the ways Persian news introduces names.

«سخنگوی وزارت امور خارجه اسماعیل بقائی گفت»، «رئیس‌جمهور آمریکا دونالد ترامپ»، «آقای X»،
«خبرگزاری X»، «شهر X»، «X، وزیر …»: after (or before) a role or a title comes a name. Each word is
classed from hazm's lists (stopword, verb, common word, adjective-like, rare) and the archive's own
given names, and a candidate must look like a name: a rare word, or a given name vouching for the
word after it (علی باقری, حسن روحانی). Words are compared folded and glued, and patterns match
clause by clause like ``matcher.segments``, so every spelling of ZWNJ and Arabic letters works.

Discovery only writes ``EntityCandidate`` rows; editors decide (``curation.accept`` / ``merge`` /
``reject``).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

import persian
from articles.entities import extract as entities
from articles.entities.matcher import BREAK, Matcher
from articles.models import Article, Entity, EntityAlias, EntityCandidate

STOP, GIVEN, COMMON, ADJECTIVE, RARE = "stop", "given", "common", "adjective", "rare"
_TITLES = ("سید", "سیده", "حجت‌الاسلام", "آیت‌الله", "شیخ", "سردار", "سرلشکر", "سرتیپ", "دکتر", "مهندس", "حاج")
_MAX_RUN = 6  # words between a role and the verb: وزیر امور خارجه آمریکا آنتونی بلینکن


@dataclass(frozen=True)
class Pattern:
    label: str  # shown to editors
    triggers: tuple[str, ...]  # the trigger as written (every spelling folds to these)
    kind: str
    anchor: str = "start"  # "start": X follows the trigger; "end": X ends where the clause's words end
    before: bool = False  # X comes first: «X، سخنگوی …»
    keep: bool = False  # the trigger is part of the name: «سازمان X»
    title: bool = False  # the trigger vouches for the next word as a given name would: «آقای روحانی»


_ROLES = ("وزیر", "سخنگو", "سخنگوی", "رئیس", "رئیس‌جمهور", "معاون", "مشاور", "نماینده", "سفیر", "فرمانده", "دبیرکل")
PATTERNS = (
    Pattern("«رئیس‌جمهور X»", ("رئیس‌جمهور",), Entity.Kind.PERSON, anchor="end"),
    Pattern("«وزیر … X»", ("وزیر",), Entity.Kind.PERSON, anchor="end"),
    Pattern("«سخنگوی X»", ("سخنگو", "سخنگوی"), Entity.Kind.PERSON, anchor="end"),
    Pattern("«آقای/خانم X»", ("آقای", "خانم"), Entity.Kind.PERSON, title=True),
    Pattern("«خبرگزاری X»", ("خبرگزاری",), Entity.Kind.ORGANIZATION),
    Pattern("«سازمان X»", ("سازمان",), Entity.Kind.ORGANIZATION, keep=True),
    Pattern("«شهر X»", ("شهر",), Entity.Kind.PLACE),
    Pattern("«استان X»", ("استان",), Entity.Kind.PLACE),
    Pattern("«X، وزیر/سخنگوی/رئیس …»", _ROLES, Entity.Kind.PERSON, anchor="end", before=True),
)


@functools.cache
def _lexicon() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(stopwords, verb stems, common words) from hazm's lists, folded and glued like terms."""
    from hazm.utils import stopwords_list, verbs_list, words_list  # heavy import: discovery only

    stop = {persian.glued(w.replace("_", " ")) for w in stopwords_list()}
    verbs = {persian.glued(v.split("#")[0]) for v in verbs_list() if v.split("#")[0]}
    common = {persian.glued(word) for word, _, tags in words_list() if tags != ("0",)}
    return frozenset(stop), frozenset(verbs), frozenset(common)


@dataclass
class Word:
    term: str
    glued: str  # as written, folded, without spaces or half-spaces
    text: str  # as written
    cls: str = RARE


@dataclass
class Finding:
    key: str
    kind: str
    pattern: str
    names: Counter[str] = field(default_factory=Counter)  # spellings as written
    articles: list[int] = field(default_factory=list)


class Discoverer:
    """Finds candidate names in texts; ``known`` keys (``match_key``) are never proposed."""

    def __init__(self, known: Iterable[str], given_names: Iterable[str], using: Matcher) -> None:
        self.stop, self.verbs, self.common = _lexicon()
        self.known = set(known)
        self.given = {persian.glued(n) for n in (*given_names, *_TITLES)}
        self.matcher = using
        self.triggers: dict[str, list[Pattern]] = defaultdict(list)
        for pattern in PATTERNS:
            for trigger in pattern.triggers:
                self.triggers[persian.glued(trigger)].append(pattern)
        self.findings: dict[str, Finding] = {}

    def scan(self, article_id: int, *texts: str) -> None:
        for text in texts:
            clauses = self._clauses(text or "")
            for i, (words, sep) in enumerate(clauses):
                following = clauses[i + 1][0] if sep and sep in "،," and i + 1 < len(clauses) else []
                for start, end, pattern, where in self._matches(words, following):
                    self._found(article_id, where, start, end, pattern)

    def _clauses(self, text: str) -> list[tuple[list[Word], str]]:
        parts = re.split(f"({BREAK.pattern})", text)
        parts.append("")
        return [
            ([self._word(t) for t in persian.tokenize(c)], sep.strip()[:1])
            for c, sep in zip(parts[::2], parts[1::2], strict=True)
        ]

    def _word(self, token: persian.Token) -> Word:
        word = Word(token.term, persian.glued(token.text), token.text)
        word.cls = self._class(word, glued_as_written=persian.ZWNJ not in token.text.strip(persian.ZWNJ))
        return word

    def _class(self, word: Word, glued_as_written: bool) -> str:
        glued, term = word.glued, word.term
        if not glued.isalpha() or {glued, term} & self.stop or term in self.verbs:
            return STOP
        if glued in self.given:
            return GIVEN
        if glued in self.common or term in self.common:  # کشورمان, نیروهای: a common word inflected
            return COMMON
        if self.stop & set(persian.fold(word.text).split(persian.ZWNJ)[:1]):
            return STOP  # به‌عنوان, آن‌طور
        if glued_as_written:  # اینبار, امورخارجه: common words run together, not a name
            for i in range(2, len(glued) - 1):
                if glued[:i] in self.stop and (glued[i:] in self.common or glued[i:] in self.stop):
                    return STOP
                if glued[:i] in self.common and glued[i:] in self.common:
                    return COMMON
        if any(glued.endswith(s) and glued[: -len(s)] in self.common for s in ("ی", "یی", "ای")):
            return ADJECTIVE  # ایرانی, اقتصادی — and many surnames: باقری needs a given name
        return RARE

    def _at(self, words: list[Word], i: int, before: bool) -> list[tuple[Pattern, int]]:
        """(pattern, trigger length) for triggers written at ``words[i]`` (one word or two: خبر گزاری)."""
        found = []
        for size in (1, 2):
            if i + size <= len(words):
                glued = "".join(w.glued for w in words[i : i + size])
                found += [(p, size) for p in self.triggers.get(glued, ()) if p.before == before]
        return found

    def _matches(self, words: list[Word], following: list[Word]) -> Iterator[tuple[int, int, Pattern, list[Word]]]:
        """(start, end, pattern, clause) of each name a trigger introduces in ``words``.

        ``following`` is the next clause when a comma ends this one: «سخنگوی وزارت خارجه، X» and
        «X، سخنگوی وزارت خارجه».
        """
        for i in range(len(words)):
            for pattern, size in self._at(words, i, before=False):
                run_end = self._run_end(words, i + size)
                span = self._name_span(words, run_end, pattern, first=i + size)
                if span:
                    yield (span[0] - size if pattern.keep else span[0]), span[1], pattern, words
                elif pattern.anchor == "end" and run_end == len(words) and following:
                    span = _first_name(following, self._run_end(following, 0))
                    if span:
                        yield *span, pattern, following
        if following:
            for pattern, _size in self._at(following, 0, before=True):
                span = self._name_span(words, len(words), pattern)
                if span:
                    yield *span, pattern, words

    def _run_end(self, words: list[Word], start: int) -> int:
        """Where the words after a trigger stop: a stopword, a verb, the clause end, or too far."""
        end = start
        while end < len(words) and end - start < _MAX_RUN and words[end].cls != STOP:
            end += 1
        # «… بقائی تاکید کرد»: the noun of a compound verb is not part of the name.
        if start < end < len(words) and words[end].term in self.verbs and words[end - 1].cls == COMMON:
            end -= 1
        return end

    def _name_span(self, words: list[Word], end: int, pattern: Pattern, first: int = 0) -> tuple[int, int] | None:
        """The name a pattern introduces between ``first`` and ``end``.

        Anchor start: the longest name (≤ 3 words) right at ``first``. Anchor end: the rightmost
        name, since the role's complement comes first and a time or place may follow the name
        («سخنگوی وزارت امور خارجه ناصر کنعانی روز دوشنبه گفت»).
        """
        if pattern.anchor == "start":
            return _first_name(words, end, first, titled=pattern.title)
        for stop in range(end, first, -1):
            for start in range(max(first, stop - 3), stop):
                if _looks_like_name([w.cls for w in words[start:stop]]):
                    return start, stop
        return None

    def _found(self, article_id: int, words: list[Word], start: int, end: int, pattern: Pattern) -> None:
        key = " ".join(w.term for w in words[start:end])
        if key in self.known or any(s < end and start < e for s, e, _ in self.matcher.spans([w.term for w in words])):
            return
        finding = self.findings.setdefault(key, Finding(key, pattern.kind, pattern.label))
        finding.names[" ".join(w.text for w in words[start:end])] += 1
        if not finding.articles or finding.articles[-1] != article_id:
            finding.articles.append(article_id)


def _first_name(words: list[Word], end: int, first: int = 0, titled: bool = False) -> tuple[int, int] | None:
    """The longest name (≤ 3 words) starting at ``first`` and ending by ``end``."""
    title = [GIVEN] if titled else []
    for stop in range(min(end, first + 3), first, -1):
        classes = [w.cls for w in words[first:stop]]
        if titled and (classes[-1] == COMMON or classes == [ADJECTIVE]):
            continue  # «آقای وزیر»: a title; «آقای صادقی»: which one? the full name says
        if _looks_like_name(title + classes):
            return first, stop
    return None


def _looks_like_name(classes: list[str]) -> bool:
    """Rare words, or given names vouching for the word after them: علی باقری, حسن روحانی, and
    علی اکبر ولایتی (given, common, adjective-like); never a given name alone."""
    if not classes or classes[-1] == GIVEN or STOP in classes:
        return False
    for i, cls in enumerate(classes):
        before = classes[max(i - 2, 0) : i]
        if (
            cls in (COMMON, ADJECTIVE)
            and before[-1:] != [GIVEN]
            and not (cls == ADJECTIVE and before == [GIVEN, COMMON])
        ):
            return False
    return True


@dataclass
class DiscoveryReport:
    articles: int = 0
    found: int = 0  # distinct names found (before the article threshold)
    created: int = 0
    updated: int = 0
    decided: int = 0  # found again, but an editor already accepted, rejected or merged them


def discover(
    queryset: QuerySet[Article] | None = None,
    min_articles: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> DiscoveryReport:
    """Propose EntityCandidate rows for names found in at least ``min_articles`` articles.

    Never creates an entity: editors decide with ``accept``, ``merge`` or ``reject``.
    """
    current = entities.matcher()
    known = {persian.match_key(name) for name in EntityAlias.objects.values_list("name", flat=True)}
    known |= {persian.match_key(name) for name in Entity.objects.values_list("name", flat=True)}
    discoverer = Discoverer(known, _given_names(), current)
    articles = (Article.objects.all() if queryset is None else queryset).only("pk", "title", "lead", "body")
    total = articles.count()
    report = DiscoveryReport()
    for article in articles.order_by("pk").iterator(chunk_size=500):
        discoverer.scan(article.pk, article.title, article.lead, article.body)
        report.articles += 1
        if progress and (report.articles % 100 == 0 or report.articles == total):
            progress(report.articles, total)
    report.found = len(discoverer.findings)
    _save_findings([f for f in discoverer.findings.values() if len(f.articles) >= min_articles], report)
    return report


def _given_names() -> set[str]:
    """First names of the people the archive knows (علی, محمدرضا, دونالد …), titles skipped."""
    titles = {persian.glued(t) for t in _TITLES}
    names = set()
    for name in Entity.objects.filter(kind=Entity.Kind.PERSON).values_list("name", flat=True):
        words = [w for w in name.split() if persian.glued(w) not in titles]
        names.update(words[:-1])
    return names


def _save_findings(findings: list[Finding], report: DiscoveryReport) -> None:
    existing = {c.key: c for c in EntityCandidate.objects.filter(key__in=[f.key[:200] for f in findings])}
    create, update = [], []
    for finding in findings:
        candidate = existing.get(finding.key[:200])
        if candidate is None:
            name = persian.display(finding.names.most_common(1)[0][0])[:200]
            create.append(
                EntityCandidate(
                    name=name,
                    key=finding.key[:200],
                    kind=finding.kind,
                    pattern=finding.pattern,
                    example_article_id=finding.articles[0],
                    article_count=len(finding.articles),
                )
            )
        elif candidate.status == EntityCandidate.Status.PROPOSED:
            candidate.article_count = len(finding.articles)
            candidate.example_article_id = candidate.example_article_id or finding.articles[0]
            update.append(candidate)
        else:
            report.decided += 1
    with transaction.atomic():
        EntityCandidate.objects.bulk_create(create)
        EntityCandidate.objects.bulk_update(update, ["article_count", "example_article_id"])
    report.created, report.updated = len(create), len(update)
