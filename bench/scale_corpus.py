"""Make a large, realistic-looking archive from the shared corpus, for benchmarks at scale.

The shared corpus has 6,456 real articles; an archive holds 100,000 and more. Copies would give an
unrealistic index (identical documents, identical dates), so each generated article is a new
recombination within one source:

* its body: as many sentences as a template article of that source has, drawn from the whole
  source's sentence pool (the template's first sentence kept, so "به گزارش X، …" attributions
  and the parser's work stay realistic), regrouped into paragraphs;
* its title: the first half of the template's title glued to the second half of another title of
  the same source (an untitled template stays untitled, as 157 real articles are);
* its lead (Fars): the "خبرگزاري فارس:" prefix and a sentence of another lead;
* numbers inside the text are re-drawn half of the time (so the vocabulary grows with the
  archive, as names and figures do in a real one);
* a fresh ``id``, a unique ``url`` and a ``date`` spread uniformly over 2003–2024;
* categories and tags: the template's.

Deterministic: the same ``--seed`` and size give byte-identical output.

    .venv/bin/python bench/scale_corpus.py 100000 --out /tmp/scaled-100k.jsonl [--seed 1403]

Never write the output into the repository (the corpus' licences and size): the default is a
temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared")) / "corpus"
SEED = 1403
DATE_FROM = dt.datetime(2003, 1, 1, 6, 0)
DATE_TO = dt.datetime(2024, 12, 31, 20, 0)

_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")
_NUMBER = re.compile(r"[0-9۰-۹]{2,}")
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
# Kept as they are: the reader's fields that need no recombination.
_COPIED = ("source", "source_domain", "category", "tags")


def read_corpus(corpus: Path) -> list[dict]:
    files = sorted(corpus.glob("*.jsonl")) if corpus.is_dir() else [corpus]
    records = []
    for path in files:
        with path.open(encoding="utf-8") as lines:
            records.extend(json.loads(line) for line in lines if line.strip())
    if not records:
        raise SystemExit(f"no articles in {corpus}")
    return records


def sentences(text: str) -> list[str]:
    return [s.strip() for line in (text or "").splitlines() for s in _SENTENCE_END.split(line) if s.strip()]


class _Pool:
    """One source's material: its articles (templates), sentences, title halves and leads."""

    def __init__(self) -> None:
        self.templates: list[dict] = []
        self.sentences: list[str] = []
        self.title_tails: list[str] = []
        self.lead_sentences: list[str] = []

    def add(self, record: dict) -> None:
        self.templates.append(record)
        self.sentences.extend(sentences(record.get("body") or ""))
        words = (record.get("title") or "").split()
        if len(words) >= 2:
            self.title_tails.append(" ".join(words[len(words) // 2 :]))
        lead = record.get("lead") or ""
        _, colon, rest = lead.partition(":")
        self.lead_sentences.extend(sentences(rest if colon else lead))


def _renumber(text: str, rng: random.Random) -> str:
    def swap(m: re.Match[str]) -> str:
        if rng.random() < 0.5:
            return m.group()
        digits = "".join(str(rng.randrange(10)) for _ in m.group())
        if m.group()[0] in _PERSIAN_DIGITS:
            digits = digits.translate(str.maketrans("0123456789", _PERSIAN_DIGITS))
        return digits

    return _NUMBER.sub(swap, text)


def _paragraphs(parts: list[str], rng: random.Random) -> str:
    paragraphs, i = [], 0
    while i < len(parts):
        n = rng.randint(1, 4)
        paragraphs.append(" ".join(parts[i : i + n]))
        i += n
    return "\n".join(paragraphs)


def generate(records: list[dict], size: int, seed: int = SEED):
    """Yield ``size`` new article dicts (JSONL records) recombined from ``records``."""
    rng = random.Random(seed)
    pools: dict[str, _Pool] = defaultdict(_Pool)
    for record in records:
        pools[record.get("source") or ""].add(record)
    # Templates in a fixed shuffled order, cycled: every real article is used about equally.
    order = list(records)
    rng.shuffle(order)
    span = (DATE_TO - DATE_FROM).total_seconds()
    for i in range(size):
        template = order[i % len(order)]
        pool = pools[template.get("source") or ""]
        own = sentences(template.get("body") or "")
        count = max(1, len(own))
        body_parts = own[:1] + [rng.choice(pool.sentences) for _ in range(count - 1)] if pool.sentences else own
        title = template.get("title")
        if title:
            words = title.split()
            head = " ".join(words[: max(1, len(words) // 2)])
            tail = rng.choice(pool.title_tails) if pool.title_tails else ""
            title = _renumber(f"{head} {tail}".strip(), rng)
        lead = template.get("lead") or ""
        if lead and pool.lead_sentences:
            prefix, colon, _ = lead.partition(":")
            lead = f"{prefix}{colon} " if colon else ""
            lead += rng.choice(pool.lead_sentences)
        when = DATE_FROM + dt.timedelta(seconds=rng.randrange(int(span)))
        url = template.get("url") or f"https://example.invalid/{i}"
        article = {
            "id": f"scaled-{i:07d}",
            "title": title,
            "lead": _renumber(lead, rng),
            "body": _renumber(_paragraphs(body_parts, rng), rng),
            "date": when.isoformat(timespec="minutes"),
            "url": f"{url}{'&' if '?' in url else '?'}scaled={i}",
        }
        article.update({key: template.get(key) for key in _COPIED})
        yield article


def write(path: Path, records: list[dict], size: int, seed: int = SEED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for article in generate(records, size, seed):
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, help="how many articles to generate")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder (or file) of .jsonl")
    parser.add_argument("--out", type=Path, help="output .jsonl (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="newsarchive-scaled-")) / f"scaled-{args.size}.jsonl"
    if out.resolve().is_relative_to(REPO) and not os.environ.get("SCALE_CORPUS_ALLOW_REPO"):
        parser.error("refusing to write corpus text into the repository; choose --out outside it")
    write(out, read_corpus(args.corpus), args.size, args.seed)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
