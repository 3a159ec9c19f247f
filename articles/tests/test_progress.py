"""The long commands draw a progress bar on a terminal, stay quiet in a log, and print a summary."""

import fcntl
import io
import os
import pty
import select
import struct
import termios

import pytest
from django.core.management import call_command

from articles.entities.gazetteer import load_gazetteer, read_gazetteer
from articles.models import Article, EntityCandidate, Mention
from articles.tests.conftest import SEED, write_jsonl

pytestmark = pytest.mark.django_db

RECORD = {
    "id": "t-1",
    "title": "سخنگوی وزارت خارجه روسیه درباره اوکراین سخن گفت",
    "body": "به گزارش ایرنا، ماریا زاخارووا سخنگوی وزارت خارجه روسیه در مسکو گفت: گفت‌وگو با آمریکا ادامه دارد.",
    "date": "2024-05-01T10:00:00",
    "source": "عصر ایران",
}


def terminal_output(command: str, *args: str, **options) -> str:
    """What a command draws on a terminal: its stderr is a pseudo-terminal we read back."""
    reader, writer = pty.openpty()
    fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    with os.fdopen(writer, "w", encoding="utf-8") as terminal:
        call_command(command, *args, stderr=terminal, **options)
    chunks = []
    while select.select([reader], [], [], 0.1)[0]:
        try:
            chunk = os.read(reader, 65536)
        except OSError:  # the writer's end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(reader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_import_draws_a_bar_on_a_terminal(tmp_path, search_index, capsys):
    path = write_jsonl(tmp_path / "a.jsonl", [RECORD, {**RECORD, "id": "t-2", "title": "خبر دوم"}])
    drawn = terminal_output("import_articles", str(path), index_alongside="no")
    assert "import" in drawn and "2/2" in drawn and "100%" in drawn
    assert "created 2, updated 0, unchanged 0, failed 0" in capsys.readouterr().out


def test_progress_is_quiet_in_a_log_and_at_verbosity_0(tmp_path, search_index):
    path = write_jsonl(tmp_path / "a.jsonl", [RECORD])
    log = io.StringIO()
    call_command("import_articles", str(path), stderr=log)
    assert log.getvalue() == ""
    write_jsonl(path, [{**RECORD, "title": "خبر دیگر"}])
    assert "import" not in terminal_output("import_articles", str(path), verbosity=0)
    assert Article.objects.get().title == "خبر دیگر"


def test_extract_and_discover_draw_bars_and_summaries(tmp_path, import_paths, capsys):
    load_gazetteer(read_gazetteer())
    import_paths(SEED, write_jsonl(tmp_path / "a.jsonl", [RECORD]))
    Mention.objects.all().delete()
    capsys.readouterr()

    drawn = terminal_output("extract_entities")
    assert "extract" in drawn and "2/2" in drawn
    assert "2 articles, 2 changed" in capsys.readouterr().out
    assert Mention.objects.values("article").distinct().count() == 2  # both articles name someone

    drawn = terminal_output("discover_entities", min_articles=1)
    assert "discover" in drawn and "2/2" in drawn
    out = capsys.readouterr().out
    assert out.startswith("2 articles:") and f"{EntityCandidate.objects.count()} new candidates" in out


def test_export_draws_a_bar_and_counts_its_rows(tmp_path, import_paths, capsys):
    import_paths(SEED)
    path = tmp_path / "backup.jsonl"
    drawn = terminal_output("export_archive", str(path))
    rows = len(path.read_text(encoding="utf-8").splitlines())
    assert "export" in drawn and f"{rows}/{rows}" in drawn
    assert f"exported {rows} rows" in capsys.readouterr().out
