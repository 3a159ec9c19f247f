from django.db import migrations, models

HELP = "نام یکسان‌شده: املاهای دیگر همین نام را می‌یابند."


class Migration(migrations.Migration):
    """A key per category and tag (``articles.terms``), filled by 0006, unique from 0007."""

    dependencies = [("articles", "0004_mention_listing")]

    operations = [
        migrations.AddField(
            model_name=name,
            name="key",
            field=models.CharField(default="", editable=False, help_text=HELP, max_length=200),
            preserve_default=False,
        )
        for name in ("category", "tag")
    ]
