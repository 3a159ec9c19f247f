"""The archive's records: sources, articles, the related-link graph and named entities.

Text is stored as written (editors see the original); search and matching normalize it through
``persian.text`` instead.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from articles.querysets import ArticleQuerySet, EntityCandidateQuerySet, EntityQuerySet, MentionQuerySet, TermQuerySet
from articles.terms import term_key
from articles.text_safety import strip_unsafe
from persian.text import match_key

SLUG_LENGTH = 200


@receiver(pre_save)
def strip_unsafe_characters(sender, instance: models.Model, **kwargs) -> None:
    """Every text field of the archive's models, on every save (admin, importer, shell): no
    control character, NUL or lone surrogate is stored (``articles.text_safety``)."""
    if sender._meta.app_label != "articles":
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, strip_unsafe(value))


def unicode_slug(text: str, fallback: str = "item") -> str:
    """A readable slug that keeps Persian letters (``اقتصادنیوز`` → ``اقتصادنیوز``)."""
    return slugify(text.replace("\u200c", "-"), allow_unicode=True)[:SLUG_LENGTH] or fallback


def unique_slug(model: type[models.Model], name: str) -> str:
    """``name``'s slug, numbered (``-2``, ``-3`` …) past the slugs ``model`` already has."""
    base = unicode_slug(name)
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = base[: SLUG_LENGTH - len(suffix)] + suffix, n + 1  # a long name still fits
    return slug


class NamedPage(models.Model):
    """A name with a page listing its articles: a source, a category or a tag."""

    url_name: str  # the page's URL pattern, which takes the slug

    name = models.CharField("نام", max_length=200, unique=True)
    slug = models.SlugField("نامک", max_length=SLUG_LENGTH, unique=True, allow_unicode=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, args=[self.slug])


class Source(NamedPage):
    """A publisher whose pages were scraped, e.g. اقتصادنیوز or عصر ایران."""

    url_name = "articles:source"

    name = models.CharField("نام", max_length=200, unique=True, help_text="نام ناشر، مانند «عصر ایران».")
    domain = models.CharField("دامنه", max_length=200, blank=True, help_text="دامنه سایت، مانند asriran.com")

    class Meta(NamedPage.Meta):
        verbose_name = "منبع"
        verbose_name_plural = "منابع"


class Term(NamedPage):
    """A category or a tag: one row however its name is spelled (``articles.terms``)."""

    key = models.CharField(
        max_length=200, unique=True, editable=False, help_text="نام یکسان‌شده: املاهای دیگر همین نام را می‌یابند."
    )

    objects = TermQuerySet.as_manager()

    class Meta(NamedPage.Meta):
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.key = term_key(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        other = type(self).objects.filter(key=term_key(self.name)).exclude(pk=self.pk).first()
        if other is not None:
            raise ValidationError({"name": f"«{other.name}» همین نام است با املایی دیگر."})


class Category(Term):
    url_name = "articles:category"

    class Meta(Term.Meta):
        verbose_name = "دسته"
        verbose_name_plural = "دسته‌ها"


class Tag(Term):
    url_name = "articles:tag"

    class Meta(Term.Meta):
        verbose_name = "برچسب"
        verbose_name_plural = "برچسب‌ها"


# The article's fields its Mention rows copy, for the entity page's index (see Mention).
LISTING_FIELDS = {"published", "status"}


class Article(models.Model):
    _saved_listing: tuple | None = None  # (published, status) as last read or written

    class Status(models.TextChoices):
        DRAFT = "draft", "پیش‌نویس"
        PUBLISHED = "published", "منتشرشده"

    external_id = models.CharField(
        "شناسه خارجی",
        max_length=200,
        unique=True,
        help_text="کلید پایداری که مقاله با آن درون‌ریزی شد؛ درون‌ریزی دوباره همین رکورد را به‌روز می‌کند.",
    )
    title = models.CharField("عنوان", max_length=500)
    title_key = models.CharField(max_length=500, blank=True, editable=False)
    title_derived = models.BooleanField(
        "عنوان برگرفته از متن",
        default=False,
        help_text="منبع عنوانی نداشت و عنوان از متن ساخته شد؛ ویراستار باید بازبینی کند.",
    )
    lead = models.TextField("لید", blank=True, help_text="خلاصه آغاز خبر.")
    body = models.TextField("متن", blank=True, help_text="بندها با یک خط خالی از هم جدا می‌شوند.")
    source = models.ForeignKey(
        Source, verbose_name="منبع", on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    agency = models.CharField(
        "خبرگزاری مرجع", max_length=200, blank=True, help_text="مانند «ایرنا» در «به نقل از ایرنا»."
    )
    published = models.DateTimeField("زمان انتشار", null=True, blank=True)
    url = models.URLField("نشانی اصلی", max_length=1000, blank=True)
    categories = models.ManyToManyField(Category, verbose_name="دسته‌ها", blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, verbose_name="برچسب‌ها", blank=True, related_name="articles")
    status = models.CharField("وضعیت", max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    review_notes = models.TextField(
        "یادداشت بازبینی", blank=True, help_text="آنچه درون‌ریزی برای بازبینی ویراستار علامت زد."
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    created = models.DateTimeField("ایجاد", auto_now_add=True)
    updated = models.DateTimeField("به‌روزرسانی", auto_now=True)

    objects = ArticleQuerySet.as_manager()

    history = HistoricalRecords()  # who changed what, when; compare and revert in the admin

    class Meta:
        # Undated articles after dated ones on every database (PostgreSQL puts NULLs first).
        ordering = [models.F("published").desc(nulls_last=True), "-id"]
        verbose_name = "مقاله"
        verbose_name_plural = "مقاله‌ها"
        indexes = [
            # Home page, archive pages and feeds: published articles, newest first.
            models.Index(fields=["status", "-published"], name="article_status_published"),
            # Source pages: one source's articles, newest first.
            models.Index(fields=["source", "-published"], name="article_source_published"),
            # Link resolution: by URL, else by the title's match key.
            models.Index(fields=["url"], name="article_url"),
            models.Index(fields=["title_key"], name="article_title_key"),
            # The admin's article list, newest first (its default order), and the Jalali year
            # filter's first and last dates.
            models.Index(fields=["-published", "-id"], name="article_published"),
            # The dashboard's count of articles held for review (the admin's "review" filter).
            models.Index(
                fields=["-published"],
                condition=models.Q(title_derived=True) | models.Q(review_notes__gt=""),
                name="article_held_for_review",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.title_key = match_key(self.title)[:500]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_key"}
        existed = self.pk is not None
        super().save(*args, **kwargs)
        if update_fields is not None and not LISTING_FIELDS & set(update_fields):
            return
        listing = self._listing()
        # A new article has no mentions yet; an unchanged date and status need no write.
        if existed and listing is not None and listing != self._saved_listing:
            Mention.objects.filter(article_id=self.pk).update(published=self.published, status=self.status)
        self._saved_listing = listing

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._saved_listing = article._listing()
        return article

    def _listing(self) -> tuple | None:
        """The fields its Mention rows copy, as saved; None when they were not loaded."""
        if LISTING_FIELDS & self.get_deferred_fields():
            return None
        return (self.published, self.status)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n") if p.strip()]


class RelatedLink(models.Model):
    """An edge of the story graph: an article points at another, or at a title not yet archived."""

    class Kind(models.TextChoices):
        RELATED = "related", "خبر مرتبط"
        ALSO_READ = "also_read", "همچنین بخوانید"
        INLINE = "inline", "پیوند درون متن"

    from_article = models.ForeignKey(Article, verbose_name="از مقاله", on_delete=models.CASCADE, related_name="links")
    to_article = models.ForeignKey(
        Article,
        verbose_name="به مقاله",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_from",
        help_text="خالی یعنی مقصد هنوز در آرشیو نیست.",
    )
    title = models.CharField("عنوان مقصد", max_length=500, blank=True)
    title_key = models.CharField(max_length=500, blank=True, editable=False)
    url = models.URLField("نشانی مقصد", max_length=1000, blank=True)
    lead = models.TextField("لید مقصد", blank=True)
    kind = models.CharField("نوع", max_length=20, choices=Kind.choices, default=Kind.RELATED)
    position = models.PositiveIntegerField("ترتیب", default=0)

    history = HistoricalRecords()  # who changed what, when; compare and revert in the admin

    class Meta:
        ordering = ["from_article", "position"]
        verbose_name = "پیوند مرتبط"
        verbose_name_plural = "پیوندهای مرتبط"
        constraints = [
            models.UniqueConstraint(fields=["from_article", "position"], name="relatedlink_unique_position"),
        ]
        indexes = [
            # Resolving unresolved links when their target arrives: by normalized title.
            models.Index(fields=["title_key"], name="relatedlink_title_key"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class Entity(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "شخص"
        PLACE = "place", "مکان"
        ORGANIZATION = "organization", "سازمان"
        OTHER = "other", "دیگر"

    name = models.CharField("نام", max_length=200, help_text="نام رسمی، همان‌گونه که ویراستار می‌نویسد.")
    slug = models.SlugField("نامک", max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField("نوع", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField("توضیح", max_length=300, blank=True)

    objects = EntityQuerySet.as_manager()

    history = HistoricalRecords()  # who changed what, when; compare and revert in the admin

    class Meta:
        ordering = ["name"]
        verbose_name = "موجودیت"
        verbose_name_plural = "موجودیت‌ها"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:entity", args=[self.slug])


class EntityAlias(models.Model):
    entity = models.ForeignKey(Entity, verbose_name="موجودیت", on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("نام دیگر", max_length=200, help_text="املای دیگر یا نام کوتاه، مانند «پوتین».")
    key = models.CharField(max_length=200, unique=True, editable=False, help_text="شکل یکسان‌شده برای تطبیق.")

    history = HistoricalRecords()  # who changed what, when; compare and revert in the admin

    class Meta:
        ordering = ["entity", "name"]
        verbose_name = "نام دیگر"
        verbose_name_plural = "نام‌های دیگر"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.key = match_key(self.name)[:200]
        super().save(*args, **kwargs)


class Mention(models.Model):
    article = models.ForeignKey(Article, verbose_name="مقاله", on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey(Entity, verbose_name="موجودیت", on_delete=models.CASCADE, related_name="mentions")
    count = models.PositiveIntegerField("شمار", default=1)
    # Copies of the article's date and status, so that an entity's newest published articles come
    # straight from one index (see Meta.indexes) instead of sorting all of its articles. Article.save
    # keeps them in step; a QuerySet.update() of articles does not (``manage.py extract_entities``
    # repairs them).
    published = models.DateTimeField(
        "زمان انتشار مقاله", null=True, blank=True, editable=False, help_text="رونوشت زمان انتشار مقاله."
    )
    status = models.CharField(
        "وضعیت مقاله",
        max_length=20,
        choices=Article.Status.choices,
        blank=True,
        editable=False,
        help_text="رونوشت وضعیت مقاله.",
    )

    Status = Article.Status  # its status is a copy of the article's

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["-count", "entity__name"]
        verbose_name = "اشاره"
        verbose_name_plural = "اشاره‌ها"
        constraints = [
            models.UniqueConstraint(fields=["article", "entity"], name="mention_unique_article_entity"),
        ]
        indexes = [
            # Entity page: an entity's published articles, newest first, and how many there are
            # (Article.objects.naming, Mention.objects…newest_first), read from the index alone.
            models.Index(fields=["entity", "status", "-published", "-article"], name="mention_entity_listing"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} × {self.count}"

    def save(self, *args, **kwargs) -> None:
        if not self.status:  # made one by one (merging entities, a shell): copy the article's
            if Mention.article.is_cached(self):
                self.published, self.status = self.article.published, self.article.status
            else:
                self.published, self.status = Article.objects.values_list("published", "status").get(pk=self.article_id)
        super().save(*args, **kwargs)


class EntityCandidate(models.Model):
    """A name the gazetteer lacks, proposed by ``manage.py discover_entities`` for an editor to judge.

    Candidates never become entities by themselves: ``articles.entities.curation.accept`` / ``merge`` /
    ``reject`` record the editor's decision.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "پیشنهادی"
        ACCEPTED = "accepted", "پذیرفته"
        REJECTED = "rejected", "ردشده"
        MERGED = "merged", "ادغام‌شده"

    name = models.CharField("نام", max_length=200, help_text="نام همان‌گونه که در متن آمده است.")
    key = models.CharField(max_length=200, editable=False, help_text="شکل یکسان‌شده برای تطبیق.")
    kind = models.CharField(
        "نوع حدسی", max_length=20, choices=Entity.Kind.choices, default=Entity.Kind.OTHER, help_text="حدس الگو."
    )
    pattern = models.CharField("الگو", max_length=100, help_text="الگویی که نام را یافت، مانند «سخنگوی X».")
    example_article = models.ForeignKey(
        Article,
        verbose_name="نمونه",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="یکی از خبرهایی که نام در آن یافت شد.",
    )
    article_count = models.PositiveIntegerField("شمار خبرها", default=0)
    status = models.CharField("وضعیت", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    merged_into = models.ForeignKey(
        Entity,
        verbose_name="موجودیت",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidates",
        help_text="موجودیتی که این نام شد یا در آن ادغام شد.",
    )
    created = models.DateTimeField("ایجاد", auto_now_add=True)

    objects = EntityCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-article_count", "name"]
        verbose_name = "نامزد موجودیت"
        verbose_name_plural = "نامزدهای موجودیت"
        constraints = [
            models.UniqueConstraint(fields=["key"], name="entitycandidate_unique_key"),
        ]
        indexes = [
            # The editors' queue: proposed candidates, most frequent first.
            models.Index(fields=["status", "-article_count"], name="entitycandidate_queue"),
        ]

    def __str__(self) -> str:
        return self.name


from articles.import_runs import ImportRun  # noqa: E402, F401  (a model of this app: imports' records)
from articles.similar import SimilarArticle  # noqa: E402, F401  (a model of this app: "more like this", stored)
