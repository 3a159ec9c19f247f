"""The PostgreSQL search engine's tables (``articles.search.postgres``), on PostgreSQL only.

They are not Django models: no other app code reads them, ``export_archive`` must not dump them
(the index is derived data) and SQLite has no ``tsvector``. On SQLite this migration does nothing.
"""

from django.db import migrations

CREATE = """
-- One row per indexed article (drafts included): what matches, filters and sorts.
CREATE TABLE search_document (
    article_id bigint PRIMARY KEY,
    text_vector tsvector NOT NULL,   -- our terms with positions (phrases), never PostgreSQL's analysis
    title_vector tsvector NOT NULL,  -- title: clauses
    text_length integer NOT NULL,
    title_length integer NOT NULL,
    digest varchar(40) NOT NULL,     -- of the indexed text: an unchanged text is not analyzed again
    status varchar(20) NOT NULL,     -- copies of the article's row, kept by every save
    published timestamptz,
    source_id bigint,
    updated timestamptz              -- the version indexed (check_index)
);
-- Matching: a tsquery over the text, or over the title for title: clauses.
CREATE INDEX search_document_text ON search_document USING gin (text_vector);
CREATE INDEX search_document_title ON search_document USING gin (title_vector);
-- The source filter and the date filter without words.
CREATE INDEX search_document_source ON search_document (source_id);
CREATE INDEX search_document_published ON search_document (published);

-- Document frequency of each term per field (BM25's idf); rows go when df reaches 0.
CREATE TABLE search_term (
    id serial PRIMARY KEY,
    field varchar(10) NOT NULL,
    term text NOT NULL,
    df integer NOT NULL,
    CONSTRAINT search_term_field_term UNIQUE (field, term)
);

-- tf of each term in each document, with the field's length there: a query's BM25 is summed
-- from an index-only scan of its terms' entries.
CREATE TABLE search_posting (
    term_id integer NOT NULL,
    article_id bigint NOT NULL,
    tf integer NOT NULL,
    length integer NOT NULL,
    CONSTRAINT search_posting_pk PRIMARY KEY (term_id, article_id) INCLUDE (tf, length)
);

-- One row: the collection's size and lengths (BM25's N and average lengths), and a version
-- that changes with every index change (per-process caches key on it). Writers lock this row
-- first, so index writes are serialized and statistics never race.
CREATE TABLE search_totals (
    id smallint PRIMARY KEY CHECK (id = 1),
    documents bigint NOT NULL,
    text_length bigint NOT NULL,
    title_length bigint NOT NULL,
    version bigint NOT NULL
);
INSERT INTO search_totals VALUES (1, 0, 0, 0, 0);

-- TRUNCATE of the articles (Django's flush) fires no row signal: the index goes with them.
CREATE FUNCTION search_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_document, search_posting, search_term;
    UPDATE search_totals SET documents = 0, text_length = 0, title_length = 0, version = version + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER search_clear_on_truncate AFTER TRUNCATE ON articles_article
    FOR EACH STATEMENT EXECUTE FUNCTION search_clear();
"""

DROP = """
DROP TRIGGER IF EXISTS search_clear_on_truncate ON articles_article;
DROP FUNCTION IF EXISTS search_clear();
DROP TABLE IF EXISTS search_document, search_term, search_posting, search_totals;
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_undated_last_and_junk_links")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
