"""Streaming segment merges (``articles.search.whoosh.merge``) write what Whoosh's own merge writes.

Real Whoosh indexes on disk with the app's Persian analyzer: documents added over several
commits, some deleted, then merged by the streaming writer, are compared with one index that
received the surviving documents in a single writer: every term's postings (documents, weights,
positions), stored fields, column values and search results.
"""

from __future__ import annotations

import itertools

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.qparser import QueryParser
from whoosh.query import Term

from articles.search.whoosh.analyzer import PersianAnalyzer
from articles.search.whoosh.merge import OPTIMIZE, StreamingWriter, tiered

SENTENCES = [
    "به گزارش ایسنا به نقل از روابط عمومی وزارت امور خارجه، سخنگوی وزارتخانه درباره تحریمها گفتوگو کرد.",
    "قیمت نفت در بازارهای جهانی امروز افزایش یافت و هفتههای آینده سرنوشتساز است.",
    "رئیس جمهور در سفر به استان خوزستان از طرحهای عمرانی بازدید میکند.",
    "بانک مرکزی نرخ ارز را اعلام کرد؛ دلار در بازار تهران ۴۲ هزار تومان شد.",
    "تیم ملی فوتبال ایران برای دیدار با کره جنوبی به سئول رفت.",
    "مجلس شورای اسلامی لایحه بودجه سال ۱۴۰۳ را بررسی می‌کند.",
    "سازمان هواشناسی از بارش باران در استانهای شمالی خبر داد.",
    "وزیر نفت گفت: صادرات گاز به ترکیه و عراق ادامه دارد.",
]


def _schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        text=TEXT(analyzer=PersianAnalyzer(), phrase=True),
        title=TEXT(analyzer=PersianAnalyzer(), stored=True),
        tags=KEYWORD(stored=True, commas=True),
        rank=NUMERIC(sortable=True, stored=True),
    )


def _doc(n: int) -> dict:
    sentences = [SENTENCES[(n * k + k) % len(SENTENCES)] for k in range(1, 2 + n % 4)]
    return {
        "id": f"doc{n}",
        "text": " ".join(sentences),
        "title": SENTENCES[n % len(SENTENCES)][:40],
        "tags": ",".join(sorted({f"tag{n % 3}", f"tag{n % 5}"})),
        "rank": n * 7 % 11,
    }


def _contents(ix) -> dict:
    """Everything a search can see, keyed by the documents' ids (document numbers differ)."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        postings = {}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            items = sorted((ids[docnum], weight, value) for docnum, weight, value in _items(matcher))
            if items:
                postings[(fieldname, text)] = items
        stored = {stored["id"]: stored for _, stored in reader.iter_docs()}
        ranks = {ids[docnum]: reader.column_reader("rank")[docnum] for docnum in ids}
        lengths = {ids[docnum]: reader.doc_field_length(docnum, "text") for docnum in ids}
    return {"postings": postings, "stored": stored, "ranks": ranks, "lengths": lengths}


def _items(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


def _search(ix, text: str) -> list[tuple[str, float]]:
    with ix.searcher() as searcher:
        query = QueryParser("text", ix.schema).parse(text)
        return [(hit["id"], round(hit.score, 6)) for hit in searcher.search(query, limit=None)]


def _build(folder, batches: list[list[int]], deleted: set[int], policy=None) -> whoosh_index.FileIndex:
    ix = whoosh_index.create_in(str(folder), _schema())
    for batch in batches:
        writer = StreamingWriter(ix)
        for n in batch:
            writer.add_document(**_doc(n))
        writer.commit(merge=False) if policy is None else writer.commit(mergetype=policy)
        ix = ix.refresh()
    if deleted:
        writer = StreamingWriter(ix)
        for n in deleted:
            writer.delete_by_term("id", f"doc{n}")
        writer.commit(merge=False)
    return ix.refresh()


def _reference(folder, docs: list[int]) -> whoosh_index.FileIndex:
    ix = whoosh_index.create_in(str(folder), _schema())
    writer = ix.writer()
    for n in docs:
        writer.add_document(**_doc(n))
    writer.commit()
    return ix


@pytest.fixture
def folders(tmp_path):
    counter = itertools.count()

    def make():
        path = tmp_path / f"ix{next(counter)}"
        path.mkdir()
        return path

    return make


QUERIES = ["وزارت امور خارجه", "تحریم", '"قیمت نفت"', "نفت NOT گاز", "کره جنوبی", "رئیس جمهور"]


def test_optimize_streams_the_same_index_as_whooshs_own_merge(folders):
    batches = [list(range(0, 40)), list(range(40, 55)), list(range(55, 90)), list(range(90, 100))]
    deleted = {3, 41, 42, 77, 99}
    ix = _build(folders(), batches, deleted)
    stock = _build(folders(), batches, deleted)
    assert len(ix._segments()) == 4
    StreamingWriter(ix).commit(mergetype=OPTIMIZE)
    stock.writer().commit(optimize=True)
    ix, stock = ix.refresh(), stock.refresh()
    assert len(ix._segments()) == len(stock._segments()) == 1
    assert ix.doc_count() == ix.doc_count_all() == 95  # deletions purged
    assert _contents(ix) == _contents(stock)
    # The totals BM25 averages over come out of the documents' stored lengths, which Whoosh
    # keeps rounded to a byte: after any merge they differ a little from a one-writer index, so
    # scores are compared with Whoosh's own merge, postings with a one-writer index too.
    assert _contents(ix) == _contents(_reference(folders(), [n for n in range(100) if n not in deleted]))
    for text in QUERIES:
        assert _search(ix, text) == _search(stock, text), text


def test_a_writers_own_documents_merge_with_the_segments_it_takes(folders):
    # Three small segments and a fourth batch in the same commit: the pool's postings and the
    # segments' streams meet in one merge.
    ix = _build(folders(), [list(range(0, 5)), list(range(5, 10)), list(range(10, 15))], deleted={7})
    writer = StreamingWriter(ix)
    for n in range(15, 22):
        writer.add_document(**_doc(n))
    writer.commit(mergetype=OPTIMIZE)
    ix = ix.refresh()
    assert len(ix._segments()) == 1
    assert _contents(ix) == _contents(_reference(folders(), [n for n in range(22) if n != 7]))
    stock = _build(folders(), [list(range(0, 5)), list(range(5, 10)), list(range(10, 15))], deleted={7})
    writer = stock.writer()
    for n in range(15, 22):
        writer.add_document(**_doc(n))
    writer.commit(optimize=True)
    for text in QUERIES:
        assert _search(ix, text) == _search(stock.refresh(), text), text


def _length_statistics(ix) -> dict:
    """Each term's totals and each of its posting blocks' shortest and longest document and top
    weight: what the writer derives from the documents' field lengths as it writes postings."""
    found = {}
    with ix.reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher, blocks = reader.postings(fieldname, text), []
            while not matcher._atend:  # W3LeafMatcher, a block at a time
                blocks.append((matcher.block_min_length(), matcher.block_max_length(), matcher.block_max_weight()))
                matcher._next_block()
            totals = (info.min_length(), info.max_length(), info.max_weight(), info.weight(), info.doc_frequency())
            found[(fieldname, text)] = (totals, blocks)
    return found


def test_a_writers_segment_has_whooshs_own_length_statistics(folders):
    """The streaming writer reads the new segment's field lengths a column at a time, not a
    document at a time for every posting: the statistics it writes are those of Whoosh's own
    writer, term by term and block by block (several blocks for the frequent terms)."""
    docs = range(400)
    ours = whoosh_index.create_in(str(folders()), _schema())
    writer = StreamingWriter(ours)
    for n in docs:
        writer.add_document(**_doc(n))
    writer.commit(merge=False)
    stock = _reference(folders(), list(docs))
    found = _length_statistics(ours.refresh())
    assert found == _length_statistics(stock)
    assert max(len(blocks) for _, blocks in found.values()) > 2
    assert _contents(ours.refresh()) == _contents(stock)


def test_tiered_keeps_segments_few_and_leaves_big_ones_alone(folders):
    policy = tiered(fanout=3, below=20)
    big = list(range(0, 30))  # at or over ``below``: never merged again
    singles = [[n] for n in range(30, 50)]  # twenty one-document commits (editors' saves)
    ix = _build(folders(), [big, *singles], deleted=set(), policy=policy)
    sizes = sorted(s.doc_count() for s in ix._segments())
    assert 30 in sizes  # the big segment as it was
    small = [size for size in sizes if size < 20]
    # At most fanout - 1 segments per size class are left waiting.
    classes = {}
    for size in small:
        classes.setdefault(next(k for k in range(10) if size < 3 ** (k + 1)), []).append(size)
    assert all(len(members) < 3 for members in classes.values()), sizes
    assert len(ix._segments()) < 8
    assert _contents(ix) == _contents(_reference(folders(), list(range(50))))


def test_tiered_drops_wholly_deleted_segments(folders):
    ix = _build(folders(), [list(range(0, 30)), [30, 31], [32]], deleted={30, 31}, policy=None)
    assert len(ix._segments()) == 3
    writer = StreamingWriter(ix)
    writer.add_document(**_doc(33))
    writer.commit(mergetype=tiered(fanout=3, below=20))
    ix = ix.refresh()
    assert all(s.doc_count() for s in ix._segments())
    with ix.searcher() as searcher:
        assert not list(searcher.documents(id="doc30"))
        assert [hit["id"] for hit in searcher.search(Term("id", "doc33"))] == ["doc33"]
    assert _contents(ix) == _contents(_reference(folders(), [*range(30), 32, 33]))


def test_a_cancelled_merge_leaves_the_index_as_it_was(folders):
    ix = _build(folders(), [list(range(0, 5)), list(range(5, 10))], deleted=set())
    before = _contents(ix)
    writer = StreamingWriter(ix)
    OPTIMIZE(writer, ix._segments())  # readers opened and documents copied, then given up
    writer.cancel()
    ix = ix.refresh()
    assert len(ix._segments()) == 2
    assert _contents(ix) == before


def test_merging_only_deleted_segments_leaves_no_empty_segment(folders):
    ix = _build(folders(), [list(range(0, 30)), [30, 31], [32, 33]], deleted={30, 31, 32, 33})
    assert len(ix._segments()) == 3
    StreamingWriter(ix).commit(mergetype=tiered(fanout=3, below=20))  # a commit with nothing added
    ix = ix.refresh()
    assert [s.doc_count_all() for s in ix._segments()] == [30]
    assert _contents(ix) == _contents(_reference(folders(), list(range(30))))
