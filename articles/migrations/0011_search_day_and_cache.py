"""The PostgreSQL engine's ``search_document`` keeps each article's Tehran day of publication, and
``search_cache`` keeps what one worker computed for a search for every other (``postgres.shared``);
an index of the drafts.

The attention chart counts matches per Tehran day: grouped where they are stored, a search that
finds tens of thousands of articles sends a few hundred days, not every date. The day is
computed in Python (``articles.search.postgres.writer.tehran_day``), with the time zone data the
Whoosh engine's chart uses, never by PostgreSQL's. On SQLite this migration does nothing.
"""

from django.db import migrations

BATCH = 5000
CACHE = """
CREATE UNLOGGED TABLE search_cache (
    slot integer PRIMARY KEY,     -- of a bounded number: a write replaces the slot's value
    key varchar(40) NOT NULL,     -- sha1 of the key's repr
    version bigint NOT NULL,      -- search_totals.version when it was computed
    value bytea NOT NULL          -- pickled
);
-- Did-you-mean counts the drafts (a common word's df less them is its published count): read from
-- this index, not by a scan of every row (20 ms at 10,000 articles on a busy machine).
CREATE INDEX search_document_drafts ON search_document (article_id) WHERE status = 'draft';
"""


def add(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from articles.search.postgres.writer import tehran_day

    schema_editor.execute(CACHE)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_document ADD COLUMN published_day date")
        cursor.execute("SELECT article_id, published FROM search_document WHERE published IS NOT NULL")
        rows = cursor.fetchall()
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.execute(
                "UPDATE search_document d SET published_day = c.day"
                " FROM unnest(%s::bigint[], %s::date[]) AS c(article_id, day) WHERE d.article_id = c.article_id",
                [[pk for pk, _ in batch], [tehran_day(published) for _, published in batch]],
            )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_cache")
        schema_editor.execute("DROP INDEX IF EXISTS search_document_drafts")
        schema_editor.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS published_day")


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_editors_desk")]

    operations = [migrations.RunPython(add, drop, elidable=False)]
