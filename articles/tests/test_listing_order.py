"""On PostgreSQL, listings (newest first, undated last) read an index in their own order."""

from __future__ import annotations

import pytest
from django.db import connection

from articles.models import Article, Source

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]  # deselected on SQLite (conftest)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # With sorting priced out, the planner sorts only where no index gives the order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_home_and_source_listings_need_no_sort():
    source = Source.objects.create(name="خبرگزاری فارس", slug="fars")
    for n in range(30):
        Article.objects.create(
            external_id=f"order-{n}", title=f"گزارش شماره {n} از بازار", body="متن خبر دربارهٔ بازار ارز.", source=source
        )
    home = Article.objects.published().for_listing().newest_first()[:20]
    by_source = Article.objects.published().filter(source=source).newest_first()[40:60]
    for plan in (_plan(home), _plan(by_source)):
        assert "Sort" not in plan and "Index Scan" in plan, plan
