"""The «استناد» block: title, source, Jalali and Gregorian dates, the archive's absolute address,
and a plain-text citation to copy (a button does it with JavaScript; without, the text is there)."""

import html as htmllib
import re

import pytest
from django.contrib.staticfiles import finders

from articles.models import Article
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db

RECORD = {
    "id": "cite-1",
    "title": "برگزاري نشست شوراي شهر تهران",
    "lead": "نشست هفتگی شورا برگزار شد.",
    "body": "به گزارش ایرنا، نشست شورای شهر روز یکشنبه برگزار شد.",
    "date": "2025-01-20T09:30:00",
    "source": "عصر ایران",
    "url": "https://www.asriran.com/fa/news/2",
}


@pytest.fixture
def article(import_paths, tmp_path):
    import_paths(write_jsonl(tmp_path / "cite.jsonl", [RECORD, {**RECORD, "id": "cite-2", "date": None}]))
    return Article.objects.get(external_id="cite-1")


def _citation(html: str) -> str:
    return html[html.index('<section class="citation"') : html.index("</section>", html.index('class="citation"'))]


def test_article_page_has_a_citation_block(client, article):
    block = _citation(client.get(article.get_absolute_url()).content.decode())
    url = f"http://testserver/articles/{article.pk}/"
    assert '<h2 id="citation-h">استناد</h2>' in block
    assert "<dd>برگزاری نشست شورای شهر تهران</dd>" in block  # as readers see the title
    assert "<dd>عصر ایران</dd>" in block
    assert '<time datetime="2025-01-20">۱ بهمن ۱۴۰۳</time>' in block
    assert '<time datetime="2025-01-20">۲۰ ژانویه ۲۰۲۵</time>' in block
    assert f'<a href="{url}" dir="ltr">{url}</a>' in block
    pre = re.search(r'<pre id="citation-text"[^>]*>(.*?)</pre>', block, re.S)[1]
    assert f'<bdi dir="ltr">{url}</bdi>' in pre  # the address reads left to right in the line
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", pre))
    assert text == f"عصر ایران، «برگزاری نشست شورای شهر تهران»، ۱ بهمن ۱۴۰۳ (۲۰ ژانویه ۲۰۲۵)، آرشیو خبر فارسی، {url}."


def test_copy_button_is_hidden_until_its_script_shows_it(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'<button type="button" data-copy="citation-text"[^>]*hidden>', html)
    assert '<script src="/static/js/copy.js" defer></script>' in html  # no inline script (CSP)
    assert finders.find("js/copy.js")


def test_undated_article_cites_without_dates(client, article):
    undated = Article.objects.get(external_id="cite-2")
    block = _citation(client.get(undated.get_absolute_url()).content.decode())
    assert "تاریخ میلادی" not in block
    assert '«برگزاری نشست شورای شهر تهران»، آرشیو خبر فارسی، <bdi dir="ltr">http://testserver/articles/' in block
