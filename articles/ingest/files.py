"""Files and folders an import reads: only regular files, opened so that nothing can hang it.

A path named ``*.txt`` may be a FIFO (opening it waits for a writer forever), a device
(``/dev/zero`` never ends), a socket, a symlink loop or a folder. Each file's kind is checked
with ``stat`` before it is opened, and again on the open descriptor (opened non-blocking, so a
FIFO swapped in between cannot block either); anything but a regular file is refused with a
reason. Text is decoded as UTF-8 or UTF-16 (by its BOM); nothing here knows about articles.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

MAX_LINE_BYTES = 4 * 2**20  # far above any real article (the corpus tops out near 85 KB)
MAX_FILE_BYTES = 256 * 2**20  # .txt pages and .json lists are read whole

_KINDS = [
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
]


class Unreadable(ValueError):
    """A file that cannot be read at all; its message is the reason."""


def _refuse_kind(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise Unreadable(f"{kind}, not a regular file")


def reason(exc: OSError) -> str:
    """Why reading failed, in words."""
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    return f"cannot read file: {exc.strerror or exc}"


def open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for reading, if it is a regular file (symlinks followed); else ``Unreadable``."""
    try:
        _refuse_kind(os.stat(path).st_mode)  # before opening: opening a device may itself act
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Unreadable(reason(exc)) from None
    try:
        _refuse_kind(os.fstat(fd).st_mode)  # what was opened, should the path have changed
        os.set_blocking(fd, True)
        return open(fd, "rb", closefd=True)  # the caller closes it
    except BaseException:
        os.close(fd)
        raise


def encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF32_LE):  # checked first: it begins like the UTF-16 one
        raise Unreadable("UTF-32 text is not supported; save the file as UTF-8")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:  # binary, unless it is UTF-8 text with stray NULs (removed as it is read)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # not merely a character cut at the head's end
                raise Unreadable("binary file, not text") from None
    return "utf-8"


def read_text(path: Path) -> str:
    """A whole file's text; the size limit holds even where ``stat`` says 0 (``/proc``)."""
    try:
        with open_regular(path) as raw:
            too_large = os.fstat(raw.fileno()).st_size > MAX_FILE_BYTES
            data = b"" if too_large else raw.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Unreadable(reason(exc)) from None
    if too_large or len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"file too large (over {MAX_FILE_BYTES // 2**20} MB)")
    name = encoding(data[:4096])
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not {name.upper().removesuffix('-SIG')} text (bad byte at offset {exc.start})") from None
    return text


def lines(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, text, error) for each line of a JSONL file; a bad line costs only itself."""
    with open_regular(path) as raw:
        if encoding(raw.peek(4096)[:4096]) == "utf-16":  # rare: decoded whole
            yield from ((n, line, "") for n, line in enumerate(read_text(path).split("\n"), 1))
            return
        lineno = 0
        while chunk := raw.readline(MAX_LINE_BYTES + 1):
            lineno += 1
            if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
                while chunk and not chunk.endswith(b"\n"):
                    chunk = raw.readline(2**20)  # skip the rest of the oversized line
                yield lineno, "", f"line too long (over {MAX_LINE_BYTES // 2**20} MB)"
                continue
            try:
                yield lineno, chunk.decode("utf-8-sig" if lineno == 1 else "utf-8"), ""
            except UnicodeDecodeError as exc:
                yield lineno, "", f"not UTF-8 text (bad byte at column {exc.start + 1})"


def walk(folder: Path, seen: set[Path]) -> Iterator[Path | tuple[Path, str]]:
    """Files under a folder, sorted, hidden ones skipped, each real folder visited once;
    a folder that cannot be listed comes out as (folder, reason)."""
    if (real := folder.resolve()) in seen:  # a symlink loop
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield folder, f"cannot read folder: {exc.strerror or exc}"
        return
    for entry in entries:
        if not entry.name.startswith("."):
            # A folder named "x.txt" is still a folder: its pages are imported, not skipped.
            yield from walk(entry, seen) if entry.is_dir() else [entry]


def count_lines(path: Path, needle: bytes) -> int:
    """How many times ``needle`` occurs in a regular file (1 for anything unreadable)."""
    count, last = 0, b"\n"
    try:
        with open_regular(path) as raw:
            while chunk := raw.read(2**20):
                count, last = count + chunk.count(needle), chunk[-1:]
    except (OSError, Unreadable):
        return 1  # reported as one error when read
    return max(1, count + (needle == b"\n" and last != b"\n"))
