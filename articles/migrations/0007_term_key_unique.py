from django.db import migrations, models

HELP = "نام یکسان‌شده: املاهای دیگر همین نام را می‌یابند."


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_merge_term_spellings")]

    operations = [
        migrations.AlterField(
            model_name=name,
            name="key",
            field=models.CharField(editable=False, help_text=HELP, max_length=200, unique=True),
        )
        for name in ("category", "tag")
    ]
