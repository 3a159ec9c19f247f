"""Did-you-mean: how many real-looking typos of corpus words it corrects, and how fast.

    .venv/bin/python bench/did_you_mean.py                    # scratch archive of the corpus, then measure
    .venv/bin/python bench/did_you_mean.py --var DIR          # an archive already imported (NEWSARCHIVE_VAR_DIR)
    .venv/bin/python bench/did_you_mean.py --make-typos       # rewrite bench/queries/typos.tsv (seed 1403)

The typo set (``queries/typos.tsv``: typo, intended word, kind) is made from words of the shared
corpus that readers would search (4+ letters, one term in 20+ articles, no verb forms with می): a letter dropped, two
neighbours swapped, a letter replaced by its keyboard neighbour or a look-alike, a letter doubled,
a space inserted, two words glued. A typo is kept only if the analyzer reads it differently from
the word (otherwise search finds it as typed) and it is not itself a word of 3+ corpus articles.

A typo counts as corrected when the suggestion for it, as a one-typo query, has the intended
word's terms. Also reported: the share of the intended words themselves that get no suggestion
(a correct word must be left alone), how many of 100 of the archive's rarest words (in 1–2 articles: names,
rare words and printed typos) get one, and latency: warm (each typo's first call in a process that
has answered others) and cold (a fresh process, its first call: the index opened, nothing cached).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_CORPUS = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared")) / "corpus"
TYPOS = REPO / "bench" / "queries" / "typos.tsv"
SEED = 1403
PER_KIND = 40
KEYBOARD_ROWS = ["ضصثقفغعهخحجچ", "شسیبلاتنمکگ", "ظطزرذدپو"]  # Persian standard layout
LOOK_ALIKE = ["بپتث", "جچحخ", "دذ", "رزژ", "سش", "صض", "طظ", "عغ", "فق", "کگ"]
ZWNJ = "\u200c"
# Typos the script made that are real Persian words (in fewer than 3 corpus articles), removed on
# review: a reader typing them may mean them.
REAL_WORDS = frozenset(["قال", "تغلب", "خزیدیم", "اینور", "شهرا"])
_KEYBOARD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})


def _neighbour_letters(letter: str) -> str:
    near = ""
    for row in KEYBOARD_ROWS:
        if letter in row:
            i = row.index(letter)
            near += row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
    for group in LOOK_ALIKE:
        if letter in group:
            near += group.replace(letter, "")
    return near


def _typo(word: str, kind: str, rng: random.Random) -> str | None:
    letters = word.replace(ZWNJ, "")
    n = len(letters)
    at = rng.randrange(n)
    if kind == "drop":
        return letters[:at] + letters[at + 1 :]
    if kind == "swap" and n > 1:
        at = min(at, n - 2)
        return (
            None if letters[at] == letters[at + 1] else letters[:at] + letters[at + 1] + letters[at] + letters[at + 2 :]
        )
    if kind == "replace":
        near = _neighbour_letters(letters[at])
        return letters[:at] + rng.choice(near) + letters[at + 1 :] if near else None
    if kind == "double":
        return letters[: at + 1] + letters[at] + letters[at + 1 :]
    if kind == "space" and n > 3:
        at = rng.randrange(2, n - 1)
        return letters[:at] + " " + letters[at:]
    return None


def make_typos(corpus: Path, out: Path) -> None:
    import persian

    df: Counter[str] = Counter()  # term → articles
    forms: Counter[str] = Counter()  # a word as written (keyboard letters) → occurrences
    pairs: Counter[str] = Counter()  # two consecutive one-term words, spaced
    for path in sorted(corpus.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            text = "\n".join(record.get(k) or "" for k in ("title", "lead", "body")).translate(_KEYBOARD)
            tokens = persian.tokenize(text)
            df.update({token.term for token in tokens})
            forms.update(token.text for token in tokens)
            pairs.update(f"{a.text} {b.text}" for a, b in itertools.pairwise(tokens) if b.start == a.end + 1)
    letters = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآ" + ZWNJ)

    def searchable(word: str) -> bool:
        """A word a reader might search for: not a verb form, cleanly written, in 20+ articles."""
        if word.startswith(("می", "نمی")) or ZWNJ * 2 in word or word.strip(ZWNJ) != word:
            return False
        terms = persian.terms(word)
        return len(word.replace(ZWNJ, "")) >= 4 and set(word) <= letters and len(terms) == 1 and df[terms[0]] >= 20

    words = sorted(w for w, count in forms.items() if count >= 3 and searchable(w))
    glued_pairs = sorted(p for p, count in pairs.items() if count >= 3 and all(searchable(w) for w in p.split()))
    rng = random.Random(SEED)
    rows, seen = [], set()
    for kind in ("drop", "swap", "replace", "double", "space", "glued"):
        made = 0
        while made < PER_KIND:
            if kind == "glued":  # a space lost between two words: they read as one unknown word
                intended = rng.choice(glued_pairs)
                typo = intended.replace(" ", "")
            else:
                intended = rng.choice(words)
                typo = _typo(intended, kind, rng)
            if not typo or typo in seen or typo in REAL_WORDS or persian.terms(typo) == persian.terms(intended):
                continue  # the analyzer reads it as the word: search already finds it
            if max((df[t] for t in persian.terms(typo)), default=0) >= 3 and kind != "glued":
                continue  # a real word of the archive, not a typo to correct
            if kind == "glued" and min(df[t] for t in persian.terms(typo)) > 0:
                continue  # the analyzer splits it back into known words
            seen.add(typo)
            rows.append((typo, intended, kind))
            made += 1
    out.write_text(
        "typo\tintended\tkind\n" + "".join(f"{t}\t{i}\t{k}\n" for t, i, k in rows),
        encoding="utf-8",
    )
    print(f"{len(rows)} typos from {len(words)} words and {len(glued_pairs)} pairs → {out}")


def read_typos(path: Path) -> list[tuple[str, str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(line.split("\t")) for line in lines if line.strip() and not line.startswith("#")]


def _setup(var: Path) -> None:
    os.environ["NEWSARCHIVE_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsarchive.settings")
    import django

    django.setup()


def import_corpus(corpus: Path, var: Path) -> None:
    env = {**os.environ, "NEWSARCHIVE_VAR_DIR": str(var)}
    manage = [sys.executable, str(REPO / "manage.py")]
    for args in (["migrate", "-v0"], ["import_articles", *map(str, sorted(corpus.glob("*.jsonl"))), "-v0"]):
        subprocess.run([*manage, *args], env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def measure(var: Path, typos: list[tuple[str, str, str]], failures: int) -> dict:
    _setup(var)
    import persian
    from articles.search import query, service

    rows, times = [], []
    for typo, intended, kind in typos:
        parsed = query.parse(typo)
        started = time.perf_counter()
        suggestion = service.did_you_mean(parsed)
        times.append((time.perf_counter() - started) * 1000)
        ok = bool(suggestion) and persian.terms(suggestion) == persian.terms(intended)
        rows.append({"typo": typo, "intended": intended, "kind": kind, "suggestion": suggestion, "ok": ok})
    quiet = [not service.did_you_mean(query.parse(intended)) for intended in sorted({t[1] for t in typos})]
    by_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in rows):
        of_kind = [r["ok"] for r in rows if r["kind"] == kind]
        by_kind[kind] = f"{sum(of_kind)}/{len(of_kind)}"
    rare = _rare_words(100)
    changed = [(word, service.did_you_mean(query.parse(word))) for word in rare]
    changed = [f"{word} → {fix}" for word, fix in changed if fix]
    misses = [r for r in rows if not r["ok"]]
    return {
        "typos": len(rows),
        "corrected": sum(r["ok"] for r in rows),
        "rate": round(sum(r["ok"] for r in rows) / len(rows), 3),
        "by_kind": by_kind,
        "correct_words_left_alone": f"{sum(quiet)}/{len(quiet)}",
        "rare_words_changed": f"{len(changed)}/{len(rare)}",
        "rare_words_changed_examples": changed[:failures],
        "warm_ms_p50": round(statistics.median(times), 1),
        "warm_ms_p95": round(sorted(times)[int(len(times) * 0.95)], 1),
        "misses": [f"{r['typo']} → {r['suggestion'] or '∅'} (want {r['intended']}, {r['kind']})" for r in misses][
            :failures
        ],
    }


def _rare_words(count: int) -> list[str]:
    """``count`` words (seeded sample) of the archive's rarest terms (in 1–2 articles), as an
    article writes them: names and rare words, and the archive's own printed typos. The rule
    "a rare word next to a far more common one is corrected" changes some of them."""
    try:
        from articles.search.engine import get_engine
    except ImportError:  # code before it existed
        return []
    engine = get_engine()
    with engine.backend.index.searcher() as searcher:  # the Whoosh engine's vocabulary
        reader = searcher.reader()
        terms = [
            text.decode()
            for text in reader.lexicon("text")
            if len(text) >= 8 and reader.doc_frequency("text", text) <= 2  # 4+ letters (UTF-8)
        ]
    letters = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیء")
    terms = sorted(t for t in terms if set(t) <= letters)
    words = []
    for term in random.Random(SEED).sample(terms, min(count, len(terms))):
        forms = engine.written_forms(term)
        if forms:
            words.append(forms[0].translate(_KEYBOARD))
    return words


def cold(var: Path, typos: list[tuple[str, str, str]], runs: int) -> dict:
    """Each of ``runs`` typos in a fresh process, its first did-you-mean: as a page calls it, after
    the page's search opened the index (``cold_ms``), and with the index still closed."""
    after_search, closed = [], []
    for typo, _, _ in random.Random(SEED).sample(typos, runs):
        for opened, times in ((True, after_search), (False, closed)):
            command = [sys.executable, __file__, "--var", str(var), "--cold-one", typo]
            done = subprocess.run(
                command + (["--index-open"] if opened else []), cwd=REPO, check=True, capture_output=True, text=True
            )
            times.append(float(done.stdout.strip().splitlines()[-1]))
    return {
        "cold_ms_p50": round(statistics.median(after_search), 1),
        "cold_ms_max": round(max(after_search), 1),
        "cold_index_closed_ms_p50": round(statistics.median(closed), 1),
        "cold_index_closed_ms_max": round(max(closed), 1),
        "cold_runs": runs,
    }


def cold_one(var: Path, typo: str, index_open: bool) -> None:
    _setup(var)
    from haystack import connections

    from articles.search import query, service

    query.parse("ایران")  # loads the Persian lexicon, as the page's own query parse has
    if index_open:
        connections["default"].get_backend().doc_count()  # the page's search opened the index
    parsed = query.parse(typo)
    started = time.perf_counter()
    service.did_you_mean(parsed)
    print((time.perf_counter() - started) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--typos", type=Path, default=TYPOS)
    parser.add_argument("--var", type=Path, help="an imported archive (else one is built in a temporary folder)")
    parser.add_argument("--make-typos", action="store_true")
    parser.add_argument("--cold-runs", type=int, default=8)
    parser.add_argument("--failures", type=int, default=40, help="misses listed")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--cold-one", help=argparse.SUPPRESS)
    parser.add_argument("--index-open", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.make_typos:
        make_typos(opts.corpus, opts.typos)
        return
    if opts.cold_one:
        cold_one(opts.var, opts.cold_one, opts.index_open)
        return
    var = opts.var or Path(tempfile.mkdtemp(prefix="newsarchive-dym-")) / "var"
    if not opts.var:
        print(f"importing {opts.corpus} into {var}", file=sys.stderr)
        import_corpus(opts.corpus, var)
    typos = read_typos(opts.typos)
    result = {**measure(var, typos, opts.failures), **cold(var, typos, opts.cold_runs)}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if opts.json:
        opts.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
