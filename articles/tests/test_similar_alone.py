"""An article with no neighbour at all: its "more like this" is stored empty, not missing (its
own archive: the one of ``test_similar.py`` is shared by that module's tests)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import similar
from articles.models import Article, SimilarArticle
from articles.tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db


def test_an_article_with_no_neighbour_keeps_an_empty_list_not_a_missing_one(import_paths, tmp_path):
    """Alone in its archive, an article has no neighbour: one row without one says its list is
    stored, so no page view computes it again and ``check_index`` does not call it missing."""
    import_paths(
        write_jsonl(
            tmp_path / "alone.jsonl",
            [{"id": "alone-1", "title": "کاوش تازه در زیگورات چغازنبیل", "body": "باستان‌شناسان در شوش کار کردند."}],
        )
    )
    alone = Article.objects.get(external_id="alone-1")
    assert list(SimilarArticle.objects.filter(article=alone).values_list("similar_id", flat=True)) == [None]
    assert similar.missing() == []
    with CaptureQueriesContext(connection) as queries:
        assert similar.similar_articles(alone) == []
    assert len(queries) == 2  # the list, then that it is stored empty: nothing computed
