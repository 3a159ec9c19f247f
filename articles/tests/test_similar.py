"""Stored "more like this" (``articles.similar``): computed when articles are indexed, read by the
article page in one query, on the real importer, Whoosh index and database."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles import similar
from articles.models import Article, SimilarArticle
from articles.search.engine import get_engine, key_text
from articles.search.whoosh import postings
from articles.search.whoosh.compile import TEXT
from articles.search.whoosh.key_terms import _weights, document_frequencies, key_terms
from articles.tests.conftest import REPO, committed_archive, import_files
from persian import prepared

pytestmark = pytest.mark.django_db

DEMO = REPO / "demo" / "articles.jsonl"
# The demo's Tehran air-pollution thread shares its vocabulary (some titles use Arabic ي).
POLLUTION = "ادامه تعطیلی‌ها در تهران؛ شاخص آلودگی هوا از 170 گذشت"


@pytest.fixture(scope="module")
def demo_archive(django_db_setup, django_db_blocker):
    """The demo set, imported once for the module (committed); a test that saves through the
    signals puts the article back as it was, so that the shared index stays as the database."""
    with committed_archive(django_db_blocker):
        import_files(DEMO)
        yield


@pytest.fixture
def demo(demo_archive) -> Article:
    return Article.objects.get(title=POLLUTION)


@contextmanager
def put_back(article: Article, capture):
    """Save ``article`` as it is now once the block ends, through the signals (the index too)."""
    saved = Article.objects.get(pk=article.pk)
    try:
        yield
    finally:
        with capture(execute=True):
            saved.save()


def stored(article: Article) -> list[int]:
    return list(SimilarArticle.objects.filter(article=article).order_by("rank").values_list("similar_id", flat=True))


def shown(client, article: Article) -> list[Article]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.context["similar"]


def test_the_import_stores_lists_and_the_page_shows_them(demo, client):
    published = set(Article.objects.published().values_list("pk", flat=True))
    assert set(SimilarArticle.objects.values_list("article_id", flat=True)) == published
    assert not SimilarArticle.objects.exclude(similar=None).exclude(similar_id__in=published).exists()
    ids = stored(demo)
    assert len(ids) == similar.STORED and demo.pk not in ids
    page = shown(client, demo)
    assert [a.pk for a in page] == ids[: similar.SHOWN]
    assert sum("آلودگی هوا" in a.title.replace("ي", "ی") for a in page) >= 2


def test_the_page_reads_its_list_in_one_query(demo):
    with CaptureQueriesContext(connection) as queries:
        found = similar.similar_articles(demo)
    assert len(found) == similar.SHOWN and len(queries) == 1


def test_an_unpublished_neighbour_is_left_out_and_a_draft_has_no_list(demo, client, django_capture_on_commit_callbacks):
    first = Article.objects.get(pk=stored(demo)[0])
    with put_back(first, django_capture_on_commit_callbacks):
        first.status = Article.Status.DRAFT
        with django_capture_on_commit_callbacks(execute=True):
            first.save()
        _draft_is_left_out(demo, first, client)


def _draft_is_left_out(demo: Article, first: Article, client) -> None:
    assert not SimilarArticle.objects.filter(article=first).exists()
    assert stored(demo)[0] == first.pk  # still stored: left out when read
    page = [a.pk for a in shown(client, demo)]
    assert first.pk not in page and page == stored(demo)[1 : similar.SHOWN + 1]
    assert similar.similar_articles(first) == []
    similar.store([demo])  # computed again: the draft is not found
    assert first.pk not in stored(demo)


def test_an_editors_save_stores_the_list_again(demo, django_capture_on_commit_callbacks):
    SimilarArticle.objects.filter(article=demo).delete()
    with put_back(demo, django_capture_on_commit_callbacks):
        demo.lead = "شاخص آلودگی هوا در تهران باز هم بالا رفت و مدرسه‌ها تعطیل ماندند."
        with django_capture_on_commit_callbacks(execute=True):
            demo.save()
        assert len(stored(demo)) == similar.STORED


def test_a_missing_list_is_computed_on_view_and_check_index_fills_the_rest(demo, client):
    other = Article.objects.published().exclude(pk=demo.pk).order_by("pk").first()
    SimilarArticle.objects.filter(article__in=[demo, other]).delete()
    page = [a.pk for a in shown(client, demo)]
    assert stored(demo) == [pk for pk, _ in get_engine().neighbours(demo, similar.STORED)]
    assert page == stored(demo)[: similar.SHOWN]
    out = io.StringIO()
    call_command("check_index", "--fix", stdout=out)
    assert "similar lists missing: 1" in out.getvalue()
    assert len(stored(other)) == similar.STORED and similar.missing() == []


def test_neighbours_read_only_rare_terms_postings(demo, monkeypatch):
    """The stored list's computation is bounded: with ``NEIGHBOUR_DF`` at 5, only key terms in at
    most five documents are read (ten at most, and the drafts' list): far fewer postings than
    the whole OR of ``similar`` reads, counted by the postings reader itself."""
    engine = get_engine()
    monkeypatch.setattr(type(engine), "NEIGHBOUR_DF", 5)
    drafts = Article.objects.filter(status=Article.Status.DRAFT).count()
    start = postings.read.count
    found = engine.neighbours(demo, similar.STORED)
    bounded = postings.read.count - start
    start = postings.read.count
    engine.similar(demo, similar.STORED)
    whole = postings.read.count - start
    assert found and demo.pk not in [pk for pk, _ in found]
    assert 0 < bounded <= 10 * 5 + drafts
    assert bounded < whole


def test_key_terms_are_whooshs_own_answer_read_once_per_searcher(demo_archive):
    """``key_terms`` keeps each word's frequency summed over segments; its answer is Whoosh's
    ``key_terms_from_text`` to the last digit, for every demo article (first read, then kept),
    for text the index has never seen and for messy spellings of indexed words."""
    engine = get_engine()
    if engine.transactional:
        pytest.skip("the Whoosh engine's (PostgreSQL's reads its own tables)")
    texts = [key_text(a) for a in Article.objects.order_by("pk")]
    texts += ["زرافه‌های ناشناخته‌ای كه ميكنند", "آلودگي هوای تهران ميشود ۱۷۰", ""]
    with engine._searcher() as searcher:
        for text in texts:
            expected = searcher.key_terms_from_text(TEXT, text, numterms=10, normalize=False)
            assert key_terms(searcher, TEXT, text, 10) == expected, text[:40]
            assert key_terms(searcher, TEXT, text, 10) == expected  # from the kept frequencies
        words = [word for word, _ in searcher.key_terms_from_text(TEXT, texts[0], numterms=10)]
        reader = searcher.reader()
        assert document_frequencies(searcher, TEXT, words) == {w: reader.doc_frequency(TEXT, w) for w in words}


def test_key_terms_weigh_each_word_as_the_index_does(demo_archive):
    """The words' weights summed from the analyzer's tokens, without encoding their positions,
    are what the field's ``index`` gives (the weights Whoosh's own key terms read), to the last
    digit: for every demo article, repeated and messy spellings; a field without positions (a
    facet's keywords) is read through ``index`` itself."""
    engine = get_engine()
    if engine.transactional:
        pytest.skip("the Whoosh engine's")
    with engine._searcher() as searcher:
        schema = searcher.schema
    texts = [key_text(a) for a in Article.objects.order_by("pk")]
    texts += ["تهران تهران طهران، تهرانی‌ها و تهرانيها", "ميكنند می‌کنند میکنند ۱۷۰ 170", ""]
    field = schema[TEXT]

    def indexed(text):
        expected = {}
        for word, _, weight, _ in field.index(text):
            expected[word] = expected.get(word, 0.0) + weight
        return expected

    for text in texts:
        assert _weights(field, text) == indexed(text), text[:40]
    assert any(weight > 1 for weight in _weights(field, texts[-3]).values())  # repeats add up
    # As an import computes them: from the lines the name finder analysed (kept without a
    # Whoosh token for each word), one line of each text edited since and analysed again.
    lines = prepared.Lines()
    for text in texts:
        for line in text.split("\n"):
            lines.spans(line)
    edited = [text.replace("\n", " ایران‌خودرو\n", 1) for text in texts]
    expected = {text: indexed(text) for text in texts + edited}  # analysed anew
    with prepared.using(lines.take()) as use:
        for text in texts + edited:
            assert _weights(field, text) == expected[text], text[:40]
    assert use.read > len(texts) and use.analysed == sum(e != t for e, t in zip(edited, texts, strict=True)) > 50
    keywords = schema["source"]
    assert type(keywords.format).__name__ != "Positions"
    assert _weights(keywords, "a,b,a") == {w: wt for w, _, wt, _ in keywords.index("a,b,a")}


@pytest.mark.django_db(transaction=True)
def test_key_terms_sums_are_kept_across_commits_and_start_again_after_a_merge(synthetic_archive, monkeypatch):
    """A segment's term statistics never change, so its frequencies are summed once and kept
    across searchers: after a commit adds a segment, only that segment is asked again; after a
    merge (segments gone) the sums start again. Every answer is Whoosh's own, to the last digit."""
    from whoosh.reading import SegmentReader

    engine = get_engine()
    asked: list[str] = []
    frequency = SegmentReader.frequency

    def counted(reader, fieldname, text):
        asked.append(reader.segment().segment_id())
        return frequency(reader, fieldname, text)

    monkeypatch.setattr(SegmentReader, "frequency", counted)
    texts = [key_text(a) for a in Article.objects.order_by("pk")[:30]]

    def check() -> set[str]:
        """Compares every text's key terms and document frequencies with Whoosh's; returns the
        segments asked for our sums (Whoosh's own answers are not counted)."""
        seen = set()
        with engine._searcher() as searcher:
            for text in texts:
                asked.clear()
                ours = key_terms(searcher, TEXT, text, 10)
                seen |= set(asked)
                assert ours == searcher.key_terms_from_text(TEXT, text, numterms=10, normalize=False)
                words = [word for word, _ in ours]
                reader = searcher.reader()
                assert document_frequencies(searcher, TEXT, words) == {w: reader.doc_frequency(TEXT, w) for w in words}
            segments = {sub.segment().segment_id() for sub, _ in searcher.reader().leaf_readers()}
        return seen, segments

    # One segment to start from: how the archive's own commits split it (and whether the next
    # commit merges small ones) is not this test's.
    engine.optimize()
    seen, before = check()
    assert len(before) == 1 and seen == before
    again, _ = check()
    assert again == set()  # the same searcher's segments: every sum kept

    for article in Article.objects.published().order_by("pk")[:2]:
        article.body += " زرافه‌های ناشناخته در باغ‌وحش ارم"
        # One transaction, as an editor's save: one commit of the index at its end, a new segment
        # (the article's old document deleted in its own). Without it the article's own save and
        # its mentions' would each commit, the second dropping the first's one-document segment.
        with transaction.atomic():
            article.save()
        seen, after = check()
        assert len(after) == len(before) + 1 and after > before
        assert seen and seen <= after - before  # the new segment only (its own list summed some)
        before = after

    engine.optimize()  # one segment: those the sums were over are gone
    seen, merged = check()
    assert len(merged) == 1 and seen == merged


@pytest.mark.postgres
def test_the_postgresql_engine_stores_lists_as_articles_are_saved(settings):
    """On PostgreSQL each save writes the index and the article's list in its own transaction
    (an import's too); ``fill_similar --all`` recomputes them once the archive is complete."""
    settings.NEWSARCHIVE_SEARCH_ENGINE = "articles.search.postgres.engine.PostgresSearchEngine"
    get_engine().clear()
    import_files(DEMO)
    demo = Article.objects.get(title=POLLUTION)
    last = Article.objects.published().order_by("pk").last()
    assert len(stored(last)) == similar.STORED  # saved last: the whole archive to choose from
    call_command("fill_similar", "--all", stdout=io.StringIO())
    ids = stored(demo)
    assert len(ids) == similar.STORED and demo.pk not in ids
    assert ids[:3] == [pk for pk, _ in get_engine().neighbours(demo, 3)]
    titles = [a.title.replace("ي", "ی") for a in similar.similar_articles(demo)]
    assert sum("آلودگی هوا" in title for title in titles) >= 2
    first = Article.objects.get(pk=ids[0])
    first.status = Article.Status.DRAFT
    first.save()
    assert not SimilarArticle.objects.filter(article=first).exists()
    assert first.pk not in [a.pk for a in similar.similar_articles(demo)]
    assert first.pk not in [pk for pk, _ in get_engine().neighbours(demo, similar.STORED)]


def test_missing_lists_are_found_by_an_anti_join(demo):
    """``missing()`` asks for articles with no list row (``NOT EXISTS``), which both databases
    answer by an anti-join whatever the number of rows. ``NOT IN`` over the list table made
    PostgreSQL, once the rows outgrew ``work_mem``, scan them again for every article:
    ``check_index`` never finished at 100,000 articles. Here ``work_mem`` is set as low as it
    goes (64 kB) so that a list table of this size would not be hashed either."""
    SimilarArticle.objects.filter(article=demo).delete()
    with CaptureQueriesContext(connection) as queries:
        assert similar.missing() == [demo.pk]
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert " NOT IN " not in sql.upper()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64kB'")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Anti Join" in plan and "SubPlan" not in plan, plan
