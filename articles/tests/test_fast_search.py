"""Plain conjunctions and ORs answered by ``fast_search`` find what Whoosh's own evaluation finds."""

from __future__ import annotations

import itertools

import pytest
from django.db.models import Count
from whoosh.query import Or, Term
from whoosh.searching import Searcher
from whoosh.sorting import Count as FacetCount
from whoosh.sorting import FieldFacet
from whoosh.util.times import long_to_datetime

from articles.models import Article, Entity
from articles.search import indexing, query
from articles.search.engine import get_engine, key_text
from articles.search.service import FACET_FIELDS, SearchParams, _facets, _request, run_search
from articles.search.whoosh import facets, fast_search, postings
from articles.search.whoosh.compile import compile_search
from articles.search.whoosh.engine import SORTS
from articles.tests.conftest import (
    REPO,
    SHARED,
    build_synthetic_archive,
    committed_archive,
    import_files,
    settle_archive,
)

DEMO = REPO / "demo" / "articles.jsonl"


@pytest.fixture(autouse=True)
def every_word_required(settings):
    """These tests compare the conjunction path (``match="all"``: every word required) with
    Whoosh; test_match_any.py compares the default ranking (an OR of the words) the same way."""
    settings.SEARCH_MATCH = "all"


def _engine_query(backend, params: SearchParams):
    parsed = query.parse(params.q)
    return compile_search(parsed, _request(params, parsed).filters).as_query()


def _whoosh(searcher, q, limit, sort):
    """Whoosh's own answer: every match scored and ranked (no block skipping), or sorted."""
    if sort is None:
        results = searcher.search(q, limit=None)
        return results.top_n[:limit], len(results)
    sortedby, reverse = SORTS[sort]  # the engine's keys: undated documents last both ways
    results = searcher.search(q, limit=limit, sortedby=sortedby, reverse=reverse)
    return results.top_n, len(results)


ARCHIVES = ["synthetic", pytest.param("corpus", marks=pytest.mark.corpus)]


def _build(kind: str, folder) -> None:
    """A few hundred articles (frequent words span several posting blocks), some drafts, several
    segments and deleted documents. "synthetic" is generated from the demo data (the fast tier, a
    fresh clone); "corpus" is 450 real Fars articles from ../shared/corpus (the slow tier)."""
    if kind == "synthetic":
        build_synthetic_archive(folder)
    else:
        _build_corpus_sample(folder)


def _build_corpus_sample(folder) -> None:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present")
    lines = (corpus / "fars-news.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "fars.jsonl").write_text("".join(lines[:450]), encoding="utf-8")
    import_files(DEMO, folder / "fars.jsonl")
    settle_archive()


def _opened():
    backend = indexing._backend()
    searcher = backend.index.searcher()._searcher
    assert searcher.reader().has_deletions() and len(searcher.leaf_searchers()) > 1
    return backend, searcher


@pytest.fixture(scope="module", params=ARCHIVES)
def archive(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The archive, built once for the module's read-only tests (plain ``django_db``)."""
    with committed_archive(django_db_blocker):
        _build(request.param, tmp_path_factory.mktemp("archive"))
        yield _opened()


@pytest.fixture(params=ARCHIVES)
def archive_to_edit(request, search_index, tmp_path):
    """The archive for one ``transaction=True`` test whose saves must reach the index."""
    if request.param == "synthetic":
        request.getfixturevalue("synthetic_archive")
    else:
        _build_corpus_sample(tmp_path)
    return _opened()


def _word_samples(searcher) -> tuple[list[str], list[str]]:
    reader = searcher.reader()
    by_frequency = sorted(
        ((reader.doc_frequency("text", term), term.decode()) for term in reader.lexicon("text")),
        reverse=True,
    )
    common = [term for _, term in by_frequency[:60] if len(term) > 3][:6]
    rare = [term for n, term in by_frequency if 3 <= n <= 8 and len(term) > 3][:4]
    return common, rare


@pytest.mark.django_db
def test_conjunctions_rank_count_and_sort_as_whoosh_does(archive):
    backend, searcher = archive
    common, rare = _word_samples(searcher)
    assert max(searcher.reader().doc_frequency("text", w) for w in common) > 128  # several blocks
    texts = [
        *common[:3],
        *rare[:2],
        " ".join(common[:2]),
        " ".join(common[1:4]),
        f"{common[0]} {rare[0]}",
        f"{common[0]} -{common[1]}",
        f"{common[2]} {common[3]} -{common[4]}",
        "وزارت امور خارجه",
        "ایران ایران",
    ]
    source = Article.objects.published().values_list("source__slug", flat=True).first()
    entity = Entity.objects.annotate(n=Count("mentions")).order_by("-n").values_list("slug", flat=True).first()
    filters = ({}, {"source": source}, {"entity": entity})
    checked = 0
    for text, sort, extra in itertools.product(texts, (None, "newest", "oldest"), filters):
        params = SearchParams(q=text, sort=sort or "relevance", **extra)
        q = _engine_query(backend, params)
        assert fast_search.plan(q) is not None, q
        expected, expected_count = _whoosh(searcher, q, 20, sort)
        sortedby, reverse = SORTS[sort] if sort else (None, False)
        found = fast_search.search(searcher, q, 20, sortedby, reverse=reverse)
        assert (found.top_n, len(found)) == (expected, expected_count), (text, sort, extra)
        checked += expected_count > 0
    assert checked > 30


@pytest.mark.django_db
def test_search_pages_show_whoosh_hits_in_whoosh_order(archive):
    backend, searcher = archive
    common, _ = _word_samples(searcher)
    for text, sort, page in [
        (common[0], "relevance", 1),
        (common[0], "relevance", 3),
        (f"{common[1]} {common[2]}", "newest", 2),
        (f'"{common[0]} {common[1]}"', "relevance", 1),  # a phrase: Whoosh answers it
    ]:
        params = SearchParams(q=text, sort=sort, page=page)
        q = _engine_query(backend, params)
        sort_key = None if sort == "relevance" else sort
        expected, count = _whoosh(searcher, q, page * params.page_size, sort_key)
        expected_pks = [int(searcher.stored_fields(docnum)["django_id"]) for _, docnum in expected]
        result = run_search(params)
        assert result.count == count
        assert [hit.article.pk for hit in result.hits] == expected_pks[(page - 1) * params.page_size :]


@pytest.mark.django_db
def test_queries_it_does_not_answer_go_to_whoosh(archive):
    backend, searcher = archive
    common, _ = _word_samples(searcher)
    phrase = backend.parser.parse(f'"{common[0]} {common[1]}"')
    either = backend.parser.parse(f"{common[0]} OR {common[1]}")
    boosted = Or([Term("text", common[0]), Term("text", common[1])], boost=2.0)
    negative = Or([Term("text", common[0]), Term("text", common[1], boost=-1.0)])
    assert fast_search.plan(phrase) is None and fast_search.search(searcher, phrase, 10) is None
    assert fast_search.plan(either) is None and fast_search.union_plan(either) is not None
    assert fast_search.search(searcher, either, 10, ["published"]) is None  # an OR is only ranked here
    assert fast_search.search(searcher, either, 10, mask=frozenset([1])) is None  # Whoosh rejects it
    assert fast_search.union_plan(boosted) is None and fast_search.search(searcher, boosted, 10) is None
    assert fast_search.union_plan(negative) is None and fast_search.search(searcher, negative, 10) is None


@pytest.fixture(params=["small segments", "large segments"])
def segment_size(request, monkeypatch):
    """Whoosh adds an OR's term scores one term after another over segments of up to 5,000
    documents (``PreloadedOr``), in a tree by term size over larger ones (``DefaultOr``): a
    50,000-article archive takes the tree. Whoosh reads the size through ``doc_count_all``."""
    if request.param == "large segments":
        monkeypatch.setattr(Searcher, "doc_count_all", lambda self: self._doccount + 5000)
    return request.param


@pytest.mark.django_db
def test_ors_of_boosted_terms_rank_and_count_as_whoosh_does(archive, segment_size):
    _, searcher = archive
    common, rare = _word_samples(searcher)
    reader = searcher.reader()
    by_frequency = {}
    for term in reader.lexicon("text"):
        by_frequency.setdefault(reader.doc_frequency("text", term), []).append(term.decode())
    equal = next(terms[:4] for n, terms in sorted(by_frequency.items()) if n > 1 and len(terms) >= 4)
    article = Article.objects.published().order_by("pk")[5]
    text = key_text(article)
    key_terms = searcher.key_terms_from_text("text", text, numterms=10, normalize=False)
    queries = [
        Or([Term("text", word, boost=weight) for word, weight in key_terms]),  # "more like this"
        Or([Term("text", w, boost=b) for w, b in zip(common + rare, itertools.cycle([1.0, 0.7, 2.5]))]),
        Or([Term("text", word, boost=0.9) for word in equal]),  # equal sizes: Whoosh's tree order
        Or([Term("text", common[0]), Term("text", "واژهاینجانیست"), Term("text", rare[0], boost=0.5)]),
        Or([Term("text", common[1]), Term("text", common[1]), Term("text", common[2], boost=1.3)]),
        Or([Term("text", common[2], boost=0.6), Term("text", rare[1])]),
        Or([Term("text", common[3], boost=1.7)]),
    ]
    drafts = set(searcher.docs_for_query(Term("status", Article.Status.DRAFT)))
    assert drafts
    checked = 0
    for q in queries:
        unmasked = searcher.search(q, limit=None)
        top = {docnum for _, docnum in unmasked.top_n[:3]}
        for mask, limit in itertools.product((None, drafts, drafts | top), (6, 20, None)):
            expected = searcher.search(q, limit=None, mask=mask)
            found = fast_search.search(searcher, q, limit, mask=mask)
            assert found.top_n == expected.top_n[:limit], (q, mask, limit)
            assert len(found) == len(expected) > 0, (q, mask, limit)
            checked += 1
    assert checked == len(queries) * 9


@pytest.mark.django_db
def test_similar_articles_are_the_ones_whoosh_ranks_first(archive, segment_size):
    _, searcher = archive
    for article in Article.objects.published().order_by("pk")[3:300:60]:
        identifier = f"articles.article.{article.pk}"
        text = key_text(article)
        key_terms = searcher.key_terms_from_text("text", text, numterms=10, normalize=False)
        q = Or([Term("text", word, boost=weight) for word, weight in key_terms])
        mask = set(searcher.docs_for_query(Term("status", Article.Status.DRAFT)))
        mask.add(searcher.document_number(id=identifier))
        assert fast_search.union_plan(q) is not None
        expected = searcher.search(q, limit=None, mask=mask).top_n[:6]
        expected_ids = [int(searcher.stored_fields(docnum)["django_id"]) for _, docnum in expected]
        assert len(expected_ids) == 6
        assert get_engine().similar(article, 6) == expected_ids


FACETS = ("source", "categories", "tags", "entities")


def _grouped_like_whoosh(searcher, q, sort):
    """``grouped_search`` and Whoosh's own ``search`` agree on haystack's facets: hits and counts."""
    groupedby = [FieldFacet(name, allow_overlap=True, maptype=FacetCount) for name in FACETS]
    sortedby = ["published"] if sort else None
    reverse = sort == "newest"
    expected = searcher.search(q, limit=20, sortedby=sortedby, reverse=reverse, groupedby=groupedby)
    found = facets.grouped_search(searcher, q, 20, groupedby, sortedby=sortedby, reverse=reverse)
    assert sorted(found.facet_names()) == sorted(expected.facet_names()) == sorted(FACETS)
    for name in FACETS:
        assert found.groups(name) == expected.groups(name), (q, name)
    assert (found.top_n[:20], len(found)) == (expected.top_n[:20], len(expected)), q
    return len(expected)


@pytest.mark.django_db(transaction=True)  # the edit at its end must reach the index
def test_facet_counts_are_whoosh_counts(archive_to_edit):
    backend, searcher = archive_to_edit
    common, rare = _word_samples(searcher)
    source = Article.objects.published().values_list("source__slug", flat=True).first()
    entity = Entity.objects.annotate(n=Count("mentions")).order_by("-n").values_list("slug", flat=True).first()
    cases = [
        (common[0], {}, None),
        (rare[0], {}, None),
        (" ".join(common[1:3]), {}, "newest"),
        (f"{common[0]} -{common[1]}", {}, None),
        (common[2], {"source": source}, "oldest"),
        (common[0], {"entity": entity}, None),
        (f'"{common[0]} {common[1]}"', {}, None),  # a phrase: Whoosh's hits, counted here
        ("", {"source": source}, "newest"),
        ("کلمه‌ای‌که‌نیست", {}, None),
    ]
    matched = 0
    for text, extra, sort in cases:
        q = _engine_query(backend, SearchParams(q=text, sort=sort or "relevance", **extra))
        matched += _grouped_like_whoosh(searcher, q, sort) > 0
    assert matched >= 7

    # After a commit the searcher is new but most segments are not: their values are reused.
    article = Article.objects.published().filter(source__slug=source).order_by("pk").first()
    article.title += f" {rare[1]}"
    article.save()
    searcher = backend.index.searcher()._searcher
    for text in (common[0], rare[1]):
        assert _grouped_like_whoosh(searcher, _engine_query(backend, SearchParams(q=text)), None)


@pytest.mark.django_db(transaction=True)  # the edit must reach the index
def test_postings_are_kept_across_commits_and_only_new_segments_decoded(archive_to_edit):
    """A segment's postings never change, so a commit (a new segment, an old document deleted)
    leaves the others' decoded postings usable: the next search decodes only the new segment's,
    and still ranks and counts as Whoosh does, the deleted document left out."""
    backend, searcher = archive_to_edit
    common, _ = _word_samples(searcher)
    conjunction = _engine_query(backend, SearchParams(q=" ".join(common[:2])))
    union = Or([Term("text", common[0], boost=1.5), Term("text", common[2], boost=0.5)])

    def searched(searcher) -> None:
        found = fast_search.search(searcher, conjunction, 20)
        assert (found.top_n, len(found)) == _whoosh(searcher, conjunction, 20, None)
        found = fast_search.search(searcher, union, 20)
        expected = searcher.search(union, limit=20)
        assert (found.top_n, len(found)) == (expected.top_n, len(expected))

    searched(searcher)
    article = Article.objects.published().order_by("pk").first()
    article.title += f" {common[0]} {common[1]} {common[2]}"
    article.save()  # its old document deleted in an old segment, the new one in a new segment
    fresh = backend.index.searcher()._searcher
    segments = lambda s: {sub.segment().segment_id(): sub for sub, _ in s.reader().leaf_readers()}  # noqa: E731
    new = [sub for name, sub in segments(fresh).items() if name not in segments(searcher)]
    assert new
    before = postings.read.decoded
    searched(fresh)
    words = set(common[:3])
    assert postings.read.decoded - before == sum(sub.doc_frequency("text", w) for sub in new for w in words)


@pytest.mark.django_db(transaction=True)  # the edit must reach the index
def test_a_word_a_segment_lacks_is_looked_up_there_once_and_idfs_are_whooshs(archive_to_edit, monkeypatch):
    """An OR's word missing from a segment costs one lookup of its term table there, then none
    (a rare word, the kind "more like this" reads, is missing from most); each term's idf comes
    from document frequencies kept across searchers, and is Whoosh's own to the last digit, for
    both weightings, present or absent words, before and after a commit adds a segment."""
    from whoosh.codec.whoosh3 import W3TermsReader

    from articles.search.whoosh import key_terms
    from articles.search.whoosh.engine import _lucene

    backend, searcher = archive_to_edit
    common, rare = _word_samples(searcher)
    lacking = next(
        word for word in rare if any(sub.doc_frequency("text", word) == 0 for sub, _ in searcher.leaf_searchers())
    )
    union = Or([Term("text", common[0], boost=1.2), Term("text", lacking, boost=2.0), Term("text", "واژهاینجانیست")])
    asked: list[tuple[int, bytes]] = []
    look_up = W3TermsReader.term_info

    def counted(terms, fieldname, text):
        asked.append((id(terms), text))
        return look_up(terms, fieldname, text)

    expected = searcher.search(union, limit=None)
    monkeypatch.setattr(W3TermsReader, "term_info", counted)
    postings.clear()  # nothing decoded yet
    for _ in range(2):
        found = fast_search.search(searcher, union, 20)
        assert (found.top_n, len(found)) == (expected.top_n[:20], len(expected))
    segments = len(searcher.leaf_searchers())
    assert len(asked) == len(set(asked)) == 3 * segments  # each word once a segment, absent or not

    def same_idfs(searcher) -> None:
        words = [*common[:3], *rare, lacking, "واژهاینجانیست"]
        for top in (searcher, _lucene(searcher)):
            for word in words:
                text = word.encode()
                assert key_terms.idf(top, "text", text) == top.idf("text", text), (type(top.weighting), word)

    same_idfs(searcher)
    article = Article.objects.published().order_by("pk").first()
    article.title += f" {lacking} واژهاینجانیست"
    article.save()
    same_idfs(backend.index.searcher()._searcher)


@pytest.mark.django_db
def test_posting_lists_read_from_their_blocks_are_whooshs_own(archive):
    """Each posting list, read from the term's entry and its blocks directly, is what Whoosh's
    own matcher walks (ids and weights, deleted documents left in, as before its deletion
    filter): every term of every field of every segment, lists of one block and of several
    among them; a term or field a segment lacks is None."""
    _, searcher = archive
    kinds = set()
    for sub, _ in searcher.leaf_searchers():
        reader = sub.reader()
        assert reader.has_deletions() or len(searcher.leaf_searchers()) > 1
        for fieldname, text in reader.all_terms():
            # The segment's own posting reader, before ``reader.postings`` filters deletions out.
            matcher = reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            assert postings._read(reader, (fieldname, text)) == (ids, weights), (fieldname, text)
            assert not reader.term_info(fieldname, text).is_inlined()  # Whoosh 2.7.4 never inlines
            kinds.add("blocks" if len(ids) > 128 else "block")
        assert postings._read(reader, ("text", "واژهاینجانیست".encode())) is None
        assert postings._read(reader, ("nosuchfield", b"x")) is None
    assert kinds == {"block", "blocks"}


@pytest.mark.django_db
def test_search_page_facets_count_what_whoosh_groups(archive):
    backend, searcher = archive
    common, _ = _word_samples(searcher)
    for text in (common[0], f"{common[1]} {common[2]}", f"{common[0]} -{common[3]}"):
        params = SearchParams(q=text)
        groupedby = [FieldFacet(name, allow_overlap=True, maptype=FacetCount) for name in FACET_FIELDS]
        groups = searcher.search(_engine_query(backend, params), limit=None, groupedby=groupedby)
        expected = _facets({name: list(groups.groups(name).items()) for name in FACET_FIELDS})
        page = run_search(params)
        assert page.facets == expected and any(page.facets.values()), text


@pytest.mark.django_db
def test_chart_dates_are_those_of_every_match(archive):
    backend, searcher = archive
    common, rare = _word_samples(searcher)
    dated = 0
    for text in (common[0], f"{common[1]} -{common[2]}", rare[0], '"وزارت امور خارجه"'):
        params = SearchParams(q=text)
        docs = sorted(searcher.docs_for_query(_engine_query(backend, params)))
        expected = [date for date in map(_published, itertools.repeat(searcher), docs) if date]
        assert get_engine().published_dates(run_search(params).request) == expected, text
        dated += len(expected) > 0
    assert dated == 4


def _published(searcher, docnum):
    value = searcher.reader().column_reader("published", translate=False)[docnum]
    try:  # an undated article holds the column's default
        date = long_to_datetime(value)
    except (OverflowError, ValueError):
        return None
    return date if date.year >= 1900 else None


@pytest.mark.django_db
def test_field_lengths_read_at_once_are_whooshs_own(archive):
    """Each document's field length, read from the length column in one slice, is what Whoosh's
    ``doc_field_length`` gives one document at a time, in every segment (deleted documents and
    documents without the field included) and every field, with or without lengths."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    from articles.search.whoosh import postings

    _, searcher = archive
    compared = 0
    for sub, _ in searcher.leaf_searchers():
        reader = sub.reader()
        assert type(reader._perdoc) is W3PerDocReader  # the column is read in one slice
        for fieldname in sub.schema.names():
            whooshs = [reader.doc_field_length(d, fieldname, 1) for d in range(reader.doc_count_all())]
            assert postings._read_lengths(reader, fieldname) == whooshs, fieldname
            compared += bool(sub.schema[fieldname].scorable)
    assert compared > len(searcher.leaf_searchers())
