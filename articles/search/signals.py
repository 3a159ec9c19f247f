"""Signal handlers: every saved or deleted article (or its facets) reaches the index on commit,
and its entity mentions follow its text."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles.entities import extract as entities
from articles.models import Article, Mention
from articles.search import indexing

TEXT_FIELDS = {"title", "lead", "body"}


@receiver(post_save, sender=Article)
def article_saved(sender, instance: Article, raw: bool = False, update_fields=None, **kwargs) -> None:
    """Every save (import, admin, revert, shell) re-indexes; a text change also re-extracts names.

    Outside a transaction (a script, the shell) the indexing and the names' change are one
    transaction, so the index is written once, at its commit, with the new names: before, the
    save wrote the index at once and the names' change wrote it again (a segment each). If the
    name finder fails, the article is still indexed, and the error goes on to the caller.
    """
    if raw:
        return
    # An import extracts after it has saved the article's links too (ingest._after_save).
    extract = not indexing.is_suspended() and (update_fields is None or TEXT_FIELDS & set(update_fields))
    if not extract or transaction.get_connection().in_atomic_block:
        indexing.schedule(instance.pk, saved=instance)
        if extract:
            entities.extract_for(instance)
        return
    try:
        with transaction.atomic():
            indexing.schedule(instance.pk, saved=instance)
            entities.extract_for(instance)
    except Exception:
        indexing.schedule(instance.pk, saved=instance)  # outside the rolled-back block: now
        raise


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance: Article, **kwargs) -> None:
    indexing.schedule(instance.pk, deleted=True)


@receiver(m2m_changed, sender=Article.categories.through)
@receiver(m2m_changed, sender=Article.tags.through)
def article_terms_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # a category or tag changed its articles
        for pk in pk_set or ():
            indexing.schedule(pk)
    else:
        indexing.schedule(instance.pk)


@receiver(post_save, sender=Mention)
@receiver(post_delete, sender=Mention)
def mention_changed(sender, instance: Mention, raw: bool = False, **kwargs) -> None:
    if not raw:
        indexing.schedule(instance.article_id)
