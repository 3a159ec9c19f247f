"""Progress bars for the long commands (import, extract, discover, export), drawn by tqdm."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand
from tqdm import tqdm


def progress_bar(command: BaseCommand, total: int, desc: str, verbosity: int = 1) -> tqdm:
    """A bar on the command's stderr, or nothing at verbosity 0 and when stderr is not a
    terminal: a log or a test keeps only the summary line each command prints on stdout."""
    stream = command.stderr._out
    quiet = verbosity == 0 or not (hasattr(stream, "isatty") and stream.isatty())
    return tqdm(total=total, desc=desc, file=stream, disable=quiet, mininterval=0.2, dynamic_ncols=True)


def advance_to(bar: tqdm, done: int) -> None:
    """Move the bar to ``done`` (our callbacks report a running total, tqdm counts steps)."""
    bar.update(done - bar.n)


def default_jobs() -> int:
    """Processes for work that can be shared out (the more-like-this lists): up to two cores."""
    return max(1, min(2, os.cpu_count() or 1))
