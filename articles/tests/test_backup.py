"""export_archive → import_archive into an empty database reproduces the archive exactly."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from articles.entities import gazetteer
from articles.management.commands.export_archive import archive_models
from articles.models import Article, Entity, EntityAlias, Mention
from articles.tests.conftest import REPO

pytestmark = pytest.mark.django_db(transaction=True)


def _flush_archive():
    for model in reversed(archive_models()):
        model._default_manager.all().delete()


def test_export_then_import_reproduces_everything(import_paths, tmp_path):
    gazetteer.load_gazetteer(gazetteer.read_gazetteer())
    import_paths(REPO / "demo" / "articles.jsonl", REPO / "demo" / "raw", REPO / "demo" / "seed")
    editor = User.objects.create_user("nima", password="x-long-password-1403")
    article = Article.objects.order_by("pk").first()
    article._history_user = editor
    article.title += " (ویرایش شده)"
    article.save()
    first = tmp_path / "first.jsonl"
    call_command("export_archive", str(first))
    counts = {m.__name__: m._default_manager.count() for m in archive_models()}
    assert counts["Mention"] > 50 and counts["HistoricalArticle"] > counts["Article"]

    _flush_archive()
    assert Article.objects.count() == 0
    call_command("import_archive", str(first))
    second = tmp_path / "second.jsonl"
    call_command("export_archive", str(second))

    assert {m.__name__: m._default_manager.count() for m in archive_models()} == counts
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    restored = Article.objects.get(pk=article.pk)
    assert restored.title.endswith("(ویرایش شده)")
    assert restored.history.first().history_user.username == "nima"
    assert Mention.objects.filter(entity__in=Entity.objects.all()).count() == counts["Mention"]
    assert EntityAlias.objects.count() == counts["EntityAlias"]
    call_command("check_index")  # the index was rebuilt from the restored rows
