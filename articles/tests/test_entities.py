"""Entities: the real gazetteer found in real Persian text, however it is spelled; candidates."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.entities import curation as entity_curation
from articles.entities import discovery
from articles.entities import extract as entities
from articles.entities import matcher as entity_matcher
from articles.entities.gazetteer import load_gazetteer, read_gazetteer
from articles.ingest import parsed
from articles.ingest import readers as importers
from articles.models import Article, Entity, EntityAlias, EntityCandidate, Mention
from articles.tests.conftest import SEED, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def gazetteer(django_db_setup, django_db_blocker):
    """The shipped gazetteer, loaded once for this module (each test still rolls back its own rows)."""
    with django_db_blocker.unblock():
        report = load_gazetteer(read_gazetteer())
    yield report
    with django_db_blocker.unblock():
        EntityCandidate.objects.all().delete()
        Mention.objects.all().delete()
        EntityAlias.objects.all().delete()
        Entity.objects.all().delete()


def mentions(article: Article) -> dict[str, int]:
    return dict(article.mentions.values_list("entity__name", "count"))


def make_article(external_id: str, title: str, body: str, lead: str = "") -> Article:
    return Article.objects.create(external_id=external_id, title=title, lead=lead, body=body)


# --- the seed ----------------------------------------------------------------------------------


def test_seed_mentions_its_people_places_and_agency(gazetteer, import_paths):
    import_paths(SEED)
    article = Article.objects.get()
    found = {m.entity.name: (m.entity.kind, m.count) for m in article.mentions.select_related("entity")}

    for name in ["سرگئی ریابکوف", "ولادیمیر پوتین", "دونالد ترامپ", "جو بایدن", "مایک والتز"]:
        assert found[name][0] == Entity.Kind.PERSON
    for name in ["روسیه", "ایالات متحده آمریکا", "اوکراین", "مسکو", "واشنگتن"]:
        assert found[name][0] == Entity.Kind.PLACE
    assert found["خبرگزاری جمهوری اسلامی"] == (Entity.Kind.ORGANIZATION, 1)  # «به نقل از ایرنا»
    # Counted by hand over the title, lead and body: ترامپ once in the title and nine times in
    # the body («دونالد ترامپ» three times, counted once each); پوتین in the title, twice as
    # «ولادیمیر پوتین» and once alone; روسیه eight times, آمریکا five. The «خبر مرتبط» teaser's
    # title adds one ترامپ, one روسیه, one اوکراین and the only کی‌یف.
    assert found["دونالد ترامپ"][1] == 11
    assert found["ولادیمیر پوتین"][1] == 4
    assert found["روسیه"][1] == 9
    assert found["ایالات متحده آمریکا"][1] == 5
    assert found["مسکو"][1] == found["واشنگتن"][1] == 2
    assert found["اوکراین"][1] == 3
    assert found["کی‌یف"] == (Entity.Kind.PLACE, 1)
    assert found["جو بایدن"][1] == found["مایک والتز"][1] == found["سرگئی ریابکوف"][1] == 1


def test_kyiv_comes_from_the_related_teasers_title_not_its_lead(gazetteer, import_paths):
    """The page's «خبر مرتبط» teaser is a RelatedLink: its title is on the page, its lead is not."""
    import_paths(SEED)
    article = Article.objects.get()
    assert mentions(article)["کی‌یف"] == 1
    assert "نخبگان" in article.links.get().lead and "کرملین" not in mentions(article)


def test_the_entity_filter_of_search_finds_the_seed(gazetteer, import_paths):
    import_paths(SEED)
    from haystack.inputs import Exact
    from haystack.query import SearchQuerySet

    slug = Entity.objects.get(name="مایک والتز").slug
    results = SearchQuerySet().models(Article).filter(entities=Exact(slug))
    assert [int(r.pk) for r in results] == [Article.objects.get().pk]


def test_the_entity_page_shows_its_timeline_and_the_names_it_keeps_company_with(
    gazetteer, client, monkeypatch, search_index, django_capture_on_commit_callbacks
):
    """The timeline is counted from the search index, which follows each commit."""
    from articles import views

    def article(n: int, day: str, body: str) -> Article:
        made = make_article(f"page-{n}", f"خبر شماره {n}", body)
        made.status, made.published = Article.Status.PUBLISHED, f"2024-{day}T08:00:00+00:00"
        made.save()
        entities.extract_for(made)
        return made

    with django_capture_on_commit_callbacks(execute=True):
        article(1, "03-10", "پوتین در مسکو با ترامپ گفتوگو کرد.")  # اسفند ۱۴۰۲
        article(2, "03-25", "پوتین و ترامپ باز هم تماس های تلفنی داشتند.")  # فروردین ۱۴۰۳
        article(3, "04-02", "پوتین در کرملین سخنرانی کرد.")
    url = Entity.objects.get(name="ولادیمیر پوتین").get_absolute_url()
    response = client.get(url)
    page = response.content.decode()
    assert "اسفند ۱۴۰۲" in page and "فروردین ۱۴۰۳" in page
    assert [(key, n) for key, _, n in response.context["timeline"]] == [("1402-12", 1), ("1403-01", 2)]
    assert "دونالد ترامپ" in page and "خبر تازه‌تر" not in page

    monkeypatch.setattr(views, "CO_MENTION_SCOPE", 1)  # only the newest article (no ترامپ in it)
    page = client.get(url).content.decode()
    assert "دونالد ترامپ" not in page and "در ۱ خبر تازه‌تر" in page


# --- matching ----------------------------------------------------------------------------------


def test_spelling_variants_count_for_one_entity(gazetteer):
    article = make_article(
        "variants",
        "پوتين و ترامپ",  # Arabic yeh
        "ولادیمیر پوتین گفت. پوتینِ خسته پاسخ داد. سخنان پوتين در مسكو و کی یف و کییف بازتاب یافت.",
    )
    found = entities.extract_for(article)
    by_name = mentions(article)
    assert by_name["ولادیمیر پوتین"] == 4  # full name once, kasra, Arabic yeh (title and body)
    assert by_name["مسکو"] == 1  # Arabic kaf
    assert by_name["کی‌یف"] == 2  # ZWNJ lost: spaced and glued
    assert by_name["دونالد ترامپ"] == 1
    assert sum(found.values()) == 8


def test_a_name_matches_whole_words_only(gazetteer):
    article = make_article(
        "whole-words",
        "ایرانی‌ها و ایرانیها در سفر",
        "ایرانی ها در آمار رسمی دانشکده پزشکی را دیدند.",
    )
    entities.extract_for(article)
    # Not ایران in ایرانی‌ها, nor امارات (stemmed to امار) in آمار, nor پزشکیان in پزشکی.
    assert mentions(article) == {}
    article.body += "\nسفر به ایران و امارات و دیدار با مسعود پزشکیان."
    entities.extract_for(article)
    assert mentions(article) == {"ایران": 1, "امارات متحده عربی": 1, "مسعود پزشکیان": 1}


def test_the_longest_alias_wins(gazetteer):
    article = make_article(
        "longest",
        "سفر ولادیمیر پوتین",
        "دونالد ترامپ در کاخ سفید به جمهوری اسلامی ایران پیام داد.",
    )
    entities.extract_for(article)
    assert mentions(article) == {
        "ولادیمیر پوتین": 1,  # not also پوتین
        "دونالد ترامپ": 1,
        "کاخ سفید": 1,
        "ایران": 1,  # «جمهوری اسلامی ایران» is one alias of ایران, not also «ایران»
    }


def test_a_name_does_not_span_punctuation(gazetteer):
    article = make_article("clauses", "خبر", "نمایندگان روسیه، سفید و سیاه را گفتند.")
    entities.extract_for(article)
    assert mentions(article) == {"روسیه": 1}  # not «روسیه سفید» (بلاروس)


# --- Mention rows ------------------------------------------------------------------------------


def test_extraction_twice_writes_nothing_the_second_time(gazetteer):
    article = make_article("idempotent", "ترامپ و پوتین", "ترامپ در واشنگتن با پوتین دیدار کرد.")
    first = entities.extract_for(article)
    rows = list(Mention.objects.filter(article=article).values_list("pk", "entity_id", "count"))

    with CaptureQueriesContext(connection) as queries:
        again = entities.extract_for(article)

    assert again == first
    assert list(Mention.objects.filter(article=article).values_list("pk", "entity_id", "count")) == rows
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_editing_an_article_and_extracting_updates_its_counts(gazetteer):
    article = make_article("edited", "ترامپ", "ترامپ در مسکو.")
    entities.extract_for(article)
    assert mentions(article) == {"دونالد ترامپ": 2, "مسکو": 1}

    article.body = "ترامپ و بایدن در واشنگتن؛ ترامپ دوباره سخن گفت."
    article.save()
    entities.extract_for(article)

    assert mentions(article) == {"دونالد ترامپ": 3, "جو بایدن": 1, "واشنگتن": 1}


def test_a_new_alias_is_found_at_the_next_extraction(gazetteer):
    article = make_article("new-alias", "خبر", "اسماعیل بقائی گفت و بقائی افزود.")
    entities.extract_for(article)
    assert mentions(article) == {"اسماعیل بقائی": 1}

    EntityAlias.objects.create(entity=Entity.objects.get(name="اسماعیل بقائی"), name="بقائی")
    entities.extract_for(article)

    assert mentions(article) == {"اسماعیل بقائی": 2}


def test_import_extracts_and_reimport_keeps_the_rows(gazetteer, import_paths):
    import_paths(SEED)
    rows = set(Mention.objects.values_list("pk", "entity_id", "count"))
    report = import_paths(SEED)
    assert report.unchanged == 1
    assert set(Mention.objects.values_list("pk", "entity_id", "count")) == rows


def test_extract_all_reports_what_changed(gazetteer):
    make_article("all-1", "ترامپ", "پوتین")
    make_article("all-2", "خبر اقتصادی", "قیمت طلا بالا رفت.")
    Mention.objects.all().delete()  # saving extracted them already; start from none
    report = entities.extract_all()
    assert (report.articles, report.changed, report.mentions) == (2, 1, 2)
    assert entities.extract_all().changed == 0


# --- the gazetteer -----------------------------------------------------------------------------


def test_load_gazetteer_twice_creates_nothing_new(gazetteer, capsys):
    assert gazetteer.created >= 1500 and gazetteer.skipped == 0
    entity_rows, alias_rows = Entity.objects.count(), EntityAlias.objects.count()

    call_command("load_gazetteer")

    out = capsys.readouterr().out
    assert f"created 0, updated 0, unchanged {entity_rows}" in out
    assert "aliases: created 0" in out
    assert (Entity.objects.count(), EntityAlias.objects.count()) == (entity_rows, alias_rows)


def test_load_gazetteer_updates_by_slug_and_skips_a_taken_alias(gazetteer, tmp_path, capsys):
    path = write_jsonl(
        tmp_path / "more.jsonl",
        [
            {"name": "مسکو", "kind": "place", "aliases": ["مسکوا"], "description": "پایتخت فدراسیون روسیه"},
            {"name": "پوتین‌شهر", "kind": "place", "aliases": ["پوتین"], "description": "نامی ساختگی"},
            {"name": "بی‌نوع", "kind": "planet", "aliases": []},
        ],
    )
    call_command("load_gazetteer", str(path))
    captured = capsys.readouterr()

    assert "created 1, updated 1, unchanged 0, skipped 1" in captured.out
    assert "«پوتین» of «پوتین‌شهر» skipped: it already names «ولادیمیر پوتین»" in captured.err
    moscow = Entity.objects.get(name="مسکو")
    assert moscow.description == "پایتخت فدراسیون روسیه"
    assert set(moscow.aliases.values_list("name", flat=True)) == {"مسکو", "مسکوا"}
    assert EntityAlias.objects.get(name="پوتین").entity.name == "ولادیمیر پوتین"


# --- discovery and curation --------------------------------------------------------------------

SPOKESMAN_NEWS = [
    {
        "id": "spokesman-1",
        "title": "واکنش تهران به بیانیه اروپا",
        "body": "سخنگوی وزارت امور خارجه فرهاد کیانوش‌راد روز دوشنبه در نشست خبری گفت که ایران "
        "به بیانیه سه کشور اروپایی پاسخ خواهد داد.",
    },
    {
        "id": "spokesman-2",
        "title": "تاكيد بر ادامه مذاكرات",
        # Arabic ي/ك and the half-space lost: the same name for discovery and for extraction.
        "body": "فرهاد كيانوشراد، سخنگوي وزارت امور خارجه، تاكيد كرد: مذاكرات ادامه مي يابد.",
    },
    {
        "id": "spokesman-3",
        "title": "سفر به مسکو",
        "body": "سخنگوی وزارت امور خارجه، فرهاد کیانوش‌راد درباره سفر به مسکو توضیح داد. "
        "به گفته آقای کیانوش‌راد این سفر دو روزه است.",
    },
]


@pytest.fixture
def spokesman(gazetteer, import_paths, tmp_path):
    import_paths(write_jsonl(tmp_path / "spokesman.jsonl", SPOKESMAN_NEWS))
    discovery.discover(min_articles=2)
    return EntityCandidate.objects.get(key="فرهاد کیانوشراد")


def test_discovery_proposes_a_spokesman_the_gazetteer_lacks(spokesman):
    assert spokesman.status == EntityCandidate.Status.PROPOSED
    assert spokesman.kind == Entity.Kind.PERSON
    assert spokesman.article_count == 3
    assert spokesman.name in {"فرهاد کیانوش‌راد", "فرهاد کیانوشراد"}
    assert spokesman.example_article.external_id.startswith("spokesman-")
    assert not EntityAlias.objects.filter(key="فرهاد کیانوشراد").exists()  # never added silently
    # Known names (مسکو, ایران) and roles are not proposed; one mention alone is below the bar.
    proposed = set(EntityCandidate.objects.values_list("key", flat=True))
    assert proposed == {"فرهاد کیانوشراد"}


def test_discovery_again_updates_the_same_candidate(spokesman):
    report = discovery.discover(min_articles=2)
    assert (report.created, report.updated) == (0, 1)
    assert EntityCandidate.objects.count() == 1


def test_accepting_a_candidate_makes_an_entity_found_in_its_articles(spokesman):
    entity = entity_curation.accept(spokesman)

    assert entity.kind == Entity.Kind.PERSON
    spokesman.refresh_from_db()
    assert (spokesman.status, spokesman.merged_into) == (EntityCandidate.Status.ACCEPTED, entity)
    counts = dict(Mention.objects.filter(entity=entity).values_list("article__external_id", "count"))
    assert counts == {"spokesman-1": 1, "spokesman-2": 1, "spokesman-3": 1}


def test_merging_a_candidate_adds_an_alias_to_an_existing_entity(spokesman):
    spokesman_entity = Entity.objects.get(name="اسماعیل بقائی")

    entity_curation.merge(spokesman, spokesman_entity)

    spokesman.refresh_from_db()
    assert spokesman.status == EntityCandidate.Status.MERGED
    assert spokesman_entity.aliases.filter(key="فرهاد کیانوشراد").exists()
    assert Mention.objects.filter(entity=spokesman_entity).count() == 3


def test_rejected_candidates_are_not_proposed_again(spokesman):
    entity_curation.reject(spokesman)
    report = discovery.discover(min_articles=2)
    assert (report.created, report.decided) == (0, 1)
    assert EntityCandidate.objects.get().status == EntityCandidate.Status.REJECTED
    assert not EntityAlias.objects.filter(key="فرهاد کیانوشراد").exists()


def test_a_title_introduces_a_surname(gazetteer):
    found = discovery.Discoverer(set(), ["فرهاد"], entities.matcher())
    found.scan(1, "آقای کیانوش‌راد گفت و خانم شیرین کاظم‌نژاد پاسخ داد. آقای وزیر سکوت کرد.")
    assert set(found.findings) == {"کیانوشراد", "شیرین کاظمنژاد"}


# --- the shared corpus -------------------------------------------------------------------------


@pytest.mark.corpus
def test_extraction_speed_over_the_corpus(gazetteer, corpus_dir, capsys):
    articles = []
    for path in sorted(corpus_dir.glob("*.jsonl")):
        for number, item in enumerate(importers.iter_path(path)):
            if number % 5 == 0 and not isinstance(item, parsed.ParseError):  # a fifth of each file
                articles.append(item)
    matcher = entities.matcher()

    started = time.perf_counter()
    counts = [matcher.count(entity_matcher.segments(a.title, a.lead, a.body)) for a in articles]
    pure = len(articles) / (time.perf_counter() - started)

    Article.objects.bulk_create(
        Article(external_id=a.external_id, title=a.title[:500], lead=a.lead, body=a.body) for a in articles
    )
    started = time.perf_counter()
    report = entities.extract_all()
    with_db = report.articles / (time.perf_counter() - started)

    with capsys.disabled():  # the speed is reported, not asserted: it measures the machine's load too
        print(f"\nentity extraction: {len(articles)} articles, {pure:,.0f}/s terms only, {with_db:,.0f}/s with DB")
    assert report.articles == len(articles) and report.mentions == sum(len(c) for c in counts)
    assert sum(1 for c in counts if c) > 0.9 * len(articles)  # nearly every article names someone
