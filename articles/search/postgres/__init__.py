"""The server engine: the archive's search index in PostgreSQL, where every web machine reaches it.

``persian`` analyzes in Python exactly as for Whoosh; PostgreSQL only stores and matches the
terms (``tsvector`` literals built here, ``simple`` configuration never consulted) and sums BM25
from a postings table. Index rows change in the transaction that changes the article
(``articles.search.indexing.schedule``), so they cannot drift from it.

- ``documents``: an article → its analyzed fields (terms, positions, lengths), as SQL literals
- ``compile``: the parsed query and filters → SQL conditions and scored clauses
- ``writer``: index rows, term statistics and totals, updated together
- ``engine``: ``PostgresSearchEngine``, what the app calls
- ``neighbours``: more like this and did-you-mean's reads
- ``shared``: what one worker computed for a search (facets, chart, top hits), for every worker
"""
