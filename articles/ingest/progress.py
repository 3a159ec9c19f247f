"""A progress line for long commands: a bar on a terminal, a line every 10% in a log."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total, self.label = max(total, 0), label
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.started = self.last_draw = time.monotonic()
        self.done = 0
        self.first: int | None = None  # the count at the first update
        self._next_decile = 1

    def update(self, done: int, extra: str = "") -> None:
        if self.first is None:
            self.first = done
        self.done = done
        now = time.monotonic()
        if self.interactive:
            if now - self.last_draw >= 0.2 or done >= self.total:
                self.stream.write("\r" + self._line(extra))
                self.stream.flush()
                self.last_draw = now
        elif self.total and done * 10 >= self._next_decile * self.total:
            self._next_decile = done * 10 // self.total + 1
            self.stream.write(self._line(extra) + "\n")

    def _line(self, extra: str) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (self.done - (self.first or 0)) / elapsed  # a bar may start with work already done
        if self.total:
            filled = min(30, 30 * self.done // self.total)
            bar = "#" * filled + "." * (30 - filled)
            pct = 100 * self.done / self.total
            text = f"{self.label} [{bar}] {self.done}/{self.total} {pct:5.1f}% {rate:,.0f}/s"
        else:
            text = f"{self.label} {self.done} {rate:,.0f}/s"
        return f"{text} {extra}".rstrip()

    def finish(self) -> float:
        if self.interactive:
            self.stream.write("\n")
        return time.monotonic() - self.started
