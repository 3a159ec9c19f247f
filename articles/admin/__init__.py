"""The editors' desk: the Django admin in Persian and Jalali, quick at archive scale.

One module per part of the desk; importing them registers their models with ``admin.site``
(``articles.admin_site.ArchiveAdminSite``).
"""

from articles.admin import articles, entities, imports, sources  # noqa: F401
