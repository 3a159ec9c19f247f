"""The index follows the database: on commit, under concurrent writers, and by check_index --fix."""

import json
import re
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from articles.models import Article
from articles.search import indexing
from articles.search.service import SearchParams, run_search
from articles.tests.conftest import REPO, SEED, process_env, write_jsonl


def _found(q: str) -> list[int]:
    return [hit.article.pk for hit in run_search(SearchParams(q=q)).hits]


@pytest.mark.django_db(transaction=True)
def test_an_edit_is_searchable_once_it_commits(import_paths):
    import_paths(SEED)
    article = Article.objects.get()
    with transaction.atomic():
        article.title = "گفت‌وگوی تلفنی پوتین و ترامپ در آستانه تحلیف"
        article.save()
        assert _found("آستانه") == []  # not before the commit
    assert _found("آستانه") == [article.pk]

    with transaction.atomic():
        article.title = "عنوانی که هرگز ثبت نمی‌شود"
        article.save()
        transaction.set_rollback(True)
    assert _found("هرگز") == []  # a rolled-back edit never reaches the index


@pytest.mark.django_db(transaction=True)
def test_a_save_outside_a_transaction_writes_the_index_once_with_its_names(synthetic_archive):
    """A script's or the shell's save (autocommit): the index is written once, holding the new
    text and the names the text mentions now. Before, the save wrote the index at once and the
    names' change wrote it again."""
    from django.db.models import Count

    from articles.models import Entity
    from articles.search.engine import get_engine

    article = Article.objects.published().order_by("pk").first()
    entity = (
        Entity.objects.exclude(mentions__article=article)
        .annotate(n=Count("mentions"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    index = get_engine().backend.index
    generation = index.refresh()._index.latest_generation()
    article.body += f"\nدیدار با {entity.name} در گفت‌وگویی تلفنی"
    article.save()
    assert index.refresh()._index.latest_generation() == generation + 1
    assert article.mentions.filter(entity=entity).exists()
    assert article.pk in [hit.article.pk for hit in run_search(SearchParams(entity=(entity.slug,), page_size=500)).hits]
    report = indexing.compare()
    assert report.ok, (report.missing, report.stale)


@pytest.mark.django_db(transaction=True)
def test_unpublish_and_delete_leave_the_index(import_paths):
    import_paths(SEED)
    article = Article.objects.get()
    article.status = Article.Status.DRAFT
    article.save()
    assert _found("ریابکوف") == []
    article.status = Article.Status.PUBLISHED
    article.save()
    assert _found("ریابکوف") == [article.pk]
    article.delete()
    assert indexing.indexed_ids() == set()


@pytest.mark.django_db
def test_check_index_reports_and_fixes(import_paths, capsys):
    import_paths(SEED)
    article = Article.objects.get()
    call_command("check_index")
    assert "index matches the database" in capsys.readouterr().out

    indexing.remove_articles([article.pk])
    Article.objects.filter(pk=article.pk).update(title="تغییر بی‌خبر از نمایه")  # bypasses signals
    with pytest.raises(CommandError):
        call_command("check_index")
    assert "missing: 1" in capsys.readouterr().out

    call_command("check_index", "--fix")
    assert "fixed" in capsys.readouterr().out
    assert _found("بی‌خبر") == [article.pk]


WRITER = textwrap.dedent(
    """
    import os, sys, django
    sys.path.insert(0, {repo!r})
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsarchive.settings"
    django.setup()
    from articles.models import Article
    worker = int(sys.argv[1])
    for round in range(5):
        for article in Article.objects.filter(pk__in=[int(pk) for pk in sys.argv[2:]]):
            article.lead = f"ویرایش {{round}}: " + ["زمردین", "کهربایی", "لاجوردی", "شنگرفی"][worker]
            article.save()
    """
)


@pytest.mark.slow
def test_editors_saving_at_the_same_time_all_succeed(tmp_path):
    """Four processes save articles at once: no lock error, every last edit indexed."""
    env = process_env(tmp_path)
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=REPO)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=REPO, capture_output=True)
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(repo=str(REPO)), encoding="utf-8")
    workers = [
        subprocess.Popen([sys.executable, str(script), str(w), str(2 * w + 1), str(2 * w + 2)], env=env, cwd=REPO)
        for w in range(4)
    ]
    assert [p.wait(timeout=300) for p in workers] == [0, 0, 0, 0]
    check = subprocess.run([*manage, "check_index"], env=env, cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for w in range(4):
        word = ["زمردین", "کهربایی", "لاجوردی", "شنگرفی"][w]
        code = f"from articles.search.service import *; print(run_search(SearchParams(q='{word}')).count)"
        found = subprocess.run([*manage, "shell", "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
        assert found.stdout.split()[-1] == "2", found.stderr


def test_an_import_indexing_alongside_ends_with_every_article_searchable(tmp_path):
    """The second process indexes batches while the import saves; nothing is missed or stale.
    An id given twice in one run keeps its first article (the later one is reported, never saved
    over it, #16), so what is searchable is the first."""
    env = process_env(tmp_path)
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=REPO)
    demo = [json.loads(line) for line in (REPO / "demo" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    records = []
    for copy in range(4):
        for record in demo:
            records.append({**record, "id": f"{record['id']}-c{copy}", "body": f"{record['body']}\nنسخه‌ی {copy}"})
    first = {**records[0], "title": "نخستین عنوان یاقوتین"}
    last = {**records[0], "title": "گفتوگوی بازنویسی‌شده در همان درون‌ریزی"}  # the same id, later
    paths = [write_jsonl(tmp_path / "a.jsonl", [first, *records[1:]]), write_jsonl(tmp_path / "b.jsonl", [last])]
    done = subprocess.run(
        [*manage, "import_articles", *map(str, paths), "--index-alongside", "yes", "--index-batch", "50", "-v", "2"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert f"created {len(records)}, updated 0, unchanged 0, failed 0, duplicates 1" in done.stdout
    # -v 2: both processes' CPU time, who computed the lists, the larger process's peak memory.
    shares = re.search(
        r"CPU: import [\d.]+ s, indexing alongside [\d.]+ s; "
        r"more like this: (\d+) here, (\d+) alongside; peak memory (\d+) MB",
        done.stdout,
    )
    assert shares, done.stdout
    assert int(shares[1]) + int(shares[2]) == len(records) and 50 < int(shares[3]) < 4000
    check = subprocess.run([*manage, "check_index"], env=env, cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for words, count in (("یاقوتین", "1"), ("+گفت‌وگوی +بازنویسی", "0")):
        code = f"from articles.search.service import *; print(run_search(SearchParams(q='{words}')).count)"
        found = subprocess.run([*manage, "shell", "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
        assert found.stdout.split()[-1] == count, (words, found.stderr)


@pytest.mark.django_db(transaction=True)
def test_indexed_versions_read_segment_by_segment_are_the_whole_indexs(synthetic_archive):
    """``indexed_versions`` reads each segment's ids in that segment; the answer is what Whoosh
    gives when asked for each id's postings in the whole index (the live document's ``updated``),
    on an archive of several segments with drafts, an edited and a deleted article."""
    from haystack.constants import DJANGO_ID
    from whoosh.util.times import long_to_datetime

    backend = indexing._backend()
    expected = {}
    with backend.index.refresh().reader() as reader:
        assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
        updated = reader.column_reader("updated", translate=False)
        for term in reader.lexicon(DJANGO_ID):
            for docnum in reader.postings(DJANGO_ID, term).all_ids():
                if not reader.is_deleted(docnum):
                    expected[term.decode()] = long_to_datetime(updated[docnum])
    versions = backend.indexed_versions()
    assert versions == expected
    assert {int(pk) for pk in versions} == set(Article.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_indexing_alongside_shares_the_lists_with_the_import(search_index, monkeypatch):
    """Once the second process has indexed a batch, its "more like this" lists are pieces of work
    both processes take: the import's between two articles when the second process would not be
    done with them before the next batch (``help``), both at the end (``finish``). Every article
    gets its list once, the one the index gives."""
    from articles import similar
    from articles.ingest import readers as importers
    from articles.ingest.save import import_items
    from articles.models import SimilarArticle
    from articles.search.engine import get_engine

    monkeypatch.setattr(indexing, "LIST_CHUNK", 4)
    import_items(importers.iter_path(REPO / "demo" / "articles.jsonl"), index=False)  # committed, not indexed
    pks = sorted(Article.objects.values_list("pk", flat=True))
    threads = set(threading.enumerate())
    alongside = indexing.AlongsideIndexer()
    alongside.send(pks)
    deadline = time.monotonic() + 120
    while not alongside.listed_here and time.monotonic() < deadline:  # as the import's loop does
        alongside.help(left=0)  # the next batch is due: the second process has its hands full
        time.sleep(0.002)
    alongside.finish()
    # No thread of the import's is left (its job queue's feeder lingered): a process that goes on
    # after an import, as this one does, may fork again (Python warns of threads at a fork).
    assert set(threading.enumerate()) <= threads

    assert alongside.indexed == len(pks) and alongside.listed == len(pks)
    assert 0 < alongside.listed_here < len(pks)  # both processes computed some
    assert similar.missing() == [] and indexing.compare().ok
    engine = get_engine()
    for article in Article.objects.published():  # one commit wrote them all: the same index since
        rows = SimilarArticle.objects.filter(article=article).order_by("rank").values_list("similar_id", flat=True)
        assert list(rows) == [pk for pk, _ in engine.neighbours(article, similar.STORED)]


@pytest.mark.django_db(transaction=True)
def test_indexing_alongside_commits_once_a_job_whatever_its_size(search_index, monkeypatch):
    """A job of the second process (``--index-batch`` articles) is one index commit, so one
    segment: a larger batch means fewer segments, not more commits of ``COMMIT_EVERY`` each."""
    from articles.ingest import readers as importers
    from articles.ingest.save import import_items

    import_items(importers.iter_path(REPO / "demo" / "articles.jsonl"), index=False)  # committed, not indexed
    pks = sorted(Article.objects.values_list("pk", flat=True))
    monkeypatch.setattr(indexing, "COMMIT_EVERY", 4)  # the forked process inherits it
    index = indexing._backend().index
    generation = index.latest_generation()
    alongside = indexing.AlongsideIndexer(batch=len(pks))
    alongside.send(pks)
    alongside.finish()
    assert alongside.indexed == len(pks) and indexing.compare().ok
    assert index.latest_generation() == generation + 1


@pytest.mark.django_db(transaction=True)
def test_an_import_outlives_its_indexing_process(search_index, caplog):
    """A second process that dies (killed, out of memory) does not hang the import's end:
    ``finish`` notices, says so, and the import indexes what is missing itself."""
    from articles.ingest import readers as importers
    from articles.ingest.save import _index, import_items

    report = import_items(importers.iter_path(REPO / "demo" / "articles.jsonl"), index=False)
    alongside = indexing.AlongsideIndexer()
    alongside._process.kill()
    alongside._process.join()
    alongside.send(report.article_ids)
    started = time.monotonic()
    _index(report, set(report.article_ids), set(report.article_ids), alongside, None, {})
    assert time.monotonic() - started < 60
    assert "indexing process stopped early" in caplog.text
    assert indexing.compare().ok
    assert _found("آلودگی")
