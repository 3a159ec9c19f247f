"""A synthetic archive of real Persian sentences, for tests that need hundreds of articles in a
fresh clone (no ``../shared/corpus``).

The sentences come from the repository's own demo data (``demo/articles.jsonl``, ``demo/raw``,
``demo/seed``: CC0, written for the project), recombined by a seeded ``random.Random`` into new
articles. Sentences are drawn with Zipf-like weights, so some words end up in most articles
(posting lists of several blocks), others in a handful: the spread of frequencies a real archive
has and a ranking test needs.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "demo"
_SENTENCE_END = re.compile(r"(?<=[.؟!])\s+")
_NOT_TEXT = ("http", "بخوانید", "بخوانيد", "کپی شد", "دنبال کنید", "دنبال كنيد")


def _split(text: str | None) -> list[str]:
    parts = (s.strip() for line in (text or "").splitlines() for s in _SENTENCE_END.split(line))
    return [s for s in parts if len(s) > 25 and not any(marker in s for marker in _NOT_TEXT)]


def demo_records() -> list[dict]:
    lines = (DEMO / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def demo_sentences() -> list[str]:
    """Every sentence of the demo data, in file order, without duplicates."""
    texts = [f"{r.get('lead') or ''}\n{r.get('body') or ''}" for r in demo_records()]
    texts += [path.read_text(encoding="utf-8") for path in sorted((DEMO / "raw").glob("*.txt"))]
    texts += [path.read_text(encoding="utf-8") for path in sorted((DEMO / "seed").glob("*.txt"))]
    return list(dict.fromkeys(s for text in texts for s in _split(text)))


def synthetic_records(count: int, seed: int = 13) -> list[dict]:
    """``count`` JSON records in the corpus format (``demo/README.md``), new text each, same seed
    same records. A few are undated; sources, categories and tags come from the demo records."""
    rng = random.Random(seed)
    records, sentences = demo_records(), demo_sentences()
    rng.shuffle(sentences)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(sentences))]
    start = datetime(2022, 3, 21, 8, 0)
    out = []
    for n in range(count):
        model = rng.choice(records)  # lends the article its source, categories, tags and a title
        body = rng.choices(sentences, weights, k=rng.randint(4, 12))
        rng.shuffle(body)
        lead = rng.choice(sentences)
        title_words = (model.get("title") or lead).split()
        cut = rng.randint(min(4, len(title_words)), len(title_words))
        title = " ".join(title_words[:cut] + rng.choice(sentences).split()[:3])
        date = start + timedelta(days=rng.randint(0, 1400), minutes=rng.randint(0, 1439))
        out.append(
            {
                "id": f"synthetic-{seed}-{n:04d}",
                "title": title,
                "lead": lead,
                "body": "\n".join(body),
                "date": None if n % 37 == 5 else date.isoformat(timespec="minutes"),
                "date_jalali": None,
                "source": model["source"],
                "source_domain": model.get("source_domain"),
                "url": f"https://{model.get('source_domain') or 'example.ir'}/synthetic/{seed}/{n}",
                "category": model.get("category") or [],
                "tags": rng.sample(model.get("tags") or [], k=min(2, len(model.get("tags") or []))),
            }
        )
    return out
