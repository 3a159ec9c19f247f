"""The haystack index of articles, drafts included (editors search them; readers' searches
filter on ``status``).

Every text field is analyzed by ``persian.text`` (through the field's ``analyzer``), so the
index, the query parser and the highlighter agree on what a Persian word is.
"""

from haystack import indexes

from articles.jalali import naive_utc
from articles.models import Article
from articles.search.whoosh.analyzer import PersianAnalyzer


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    # Title, lead and body; see templates/search/indexes/articles/article_text.txt.
    text = indexes.CharField(document=True, use_template=True, analyzer=PersianAnalyzer())
    title = indexes.CharField(model_attr="title", analyzer=PersianAnalyzer())
    # Facets and filters are slugs in KEYWORD fields (multi-valued fields are KEYWORD on Whoosh).
    status = indexes.MultiValueField()  # one value; KEYWORD so it filters exactly
    source = indexes.MultiValueField()
    categories = indexes.MultiValueField()
    tags = indexes.MultiValueField()
    entities = indexes.MultiValueField()
    published = indexes.DateTimeField(null=True)
    # When the database row last changed: check_index compares it to find stale documents.
    updated = indexes.DateTimeField(null=True)

    def get_model(self) -> type[Article]:
        return Article

    def index_queryset(self, using=None):
        return (
            Article.objects.select_related("source")
            .prefetch_related("categories", "tags", "mentions__entity")
            .order_by("pk")
        )

    def read_queryset(self, using=None):
        return Article.objects.select_related("source")

    def prepare_status(self, obj: Article) -> list[str]:
        return [obj.status]

    def prepare_source(self, obj: Article) -> list[str]:
        return [obj.source.slug] if obj.source_id else []

    def prepare_categories(self, obj: Article) -> list[str]:
        return [c.slug for c in obj.categories.all()]

    def prepare_tags(self, obj: Article) -> list[str]:
        return [t.slug for t in obj.tags.all()]

    def prepare_published(self, obj: Article):
        return naive_utc(obj.published) if obj.published else None

    def prepare_updated(self, obj: Article):
        return naive_utc(obj.updated) if obj.updated else None

    def prepare_entities(self, obj: Article) -> list[str]:
        return [m.entity.slug for m in obj.mentions.all()]
