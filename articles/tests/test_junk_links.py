"""Only real web addresses become related links: scraped junk is dropped at import, counted, and
cleaned from what was stored before; a page never shows an empty link."""

import re

import pytest
from django.core.management import call_command

from articles.links import clean_stored, is_web_url, web_address
from articles.models import Article, RelatedLink
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

# As scraped in the shared corpus (ir-news-dataset): the address with a space after its dot.
SAHAM = (
    "به گزارش عصر ایران، مشمولان سهام عدالت که مدیریت مستقیم را انتخاب کرده‌اند، می‌توانند با مراجعه "
    "به درگاه https://sahamedalat. ir از وضعیت دارایی خود در ۳۶ شرکت بورسی آگاه شوند.\n"
    "اطلاعات بیشتر در نشانی www.SID.ir و سامانه http://www.farhang.gov.ir آمده است."
)


@pytest.mark.parametrize(
    "url",
    ["https://sahamedalat", "http://www", "https://195", "https://sahamedalat. ir", "javascript:alert(1)",
     "ftp://files.example.ir", "https://", "http://a..ir", "http://x.ir:port/"],
)  # fmt: skip
def test_junk_addresses_are_not_web_urls(url):
    assert not is_web_url(url)
    assert web_address(url) == ""


@pytest.mark.parametrize(
    "url",
    ["https://www.asriran.com/fa/news/2", "http://185.126.202.195/iarll", "http://edu-economics.atu.ac.ir/",
     "https://xn--mgba3a4f16a.ir/", "https://ایران.ir/"],
)  # fmt: skip
def test_real_addresses_are_web_urls(url):
    assert is_web_url(url)


def test_www_without_scheme_gains_one():
    assert web_address("www.SID.ir") == "http://www.SID.ir"


@pytest.fixture
def saham(import_paths, tmp_path):
    record = {
        "id": "junk-1",
        "title": "ارزش سهام عدالت مشمولان اعلام شد",
        "body": SAHAM,
        "date": "2020-05-10T09:30:00",
        "source": "عصر ایران",
        "url": "https://www.asriran.com/fa/news/725000",
    }
    report = import_paths(write_jsonl(tmp_path / "junk.jsonl", [record]))
    return report, Article.objects.get(external_id="junk-1")


def test_import_drops_junk_links_and_counts_them(saham):
    report, article = saham
    assert report.invalid_links == 1
    assert sorted(article.links.values_list("url", flat=True)) == ["http://www.SID.ir", "http://www.farhang.gov.ir"]
    assert "sahamedalat. ir" in article.body  # the text itself stays as written


def test_import_command_summary_names_invalid_links(tmp_path, search_index, capsys):
    record = {"id": "junk-2", "title": "سامانه سهام عدالت", "body": SAHAM, "source": "عصر ایران"}
    call_command("import_articles", str(write_jsonl(tmp_path / "j.jsonl", [record])))
    assert "پیوند نامعتبر) 1" in capsys.readouterr().out


def test_article_page_never_shows_an_empty_link(client, saham):
    _, article = saham
    RelatedLink.objects.create(from_article=article, url="https://sahamedalat", position=10)  # stored before
    html = client.get(article.get_absolute_url()).content.decode()
    assert not re.search(r"<a\b[^>]*>\s*</a>", html)
    assert 'href="https://sahamedalat"' not in html
    assert ">http://www.farhang.gov.ir</a>" in html  # an untitled link shows its address


def test_stored_junk_links_are_cleaned(saham):
    _, article = saham
    RelatedLink.objects.create(from_article=article, url="https://sahamedalat", position=10)
    RelatedLink.objects.create(from_article=article, url="http://www", title="سامانه سجام", position=11)
    RelatedLink.objects.create(from_article=article, url="www.tibf.ir", position=12)
    assert clean_stored(RelatedLink.objects.all()) == (1, 2, 1)
    links = dict(article.links.values_list("position", "url"))
    assert 10 not in links and links[11] == "" and links[12] == "http://www.tibf.ir"
    assert clean_stored(RelatedLink.objects.all()) == (0, 0, 0)  # idempotent


def test_clean_links_command_reports(saham, capsys):
    _, article = saham
    RelatedLink.objects.create(from_article=article, url="https://sahamedalat", position=10)
    call_command("clean_links", "--dry-run")
    assert "would delete 1 junk links" in capsys.readouterr().out
    assert article.links.filter(url="https://sahamedalat").exists()
    call_command("clean_links")
    assert not article.links.filter(url="https://sahamedalat").exists()
