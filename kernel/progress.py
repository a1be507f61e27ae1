"""Progress for long loops: a redrawn bar on a terminal, periodic plain lines elsewhere
(Kaggle and CI logs keep every line, so a bar would flood them)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None, every_s: float = 30.0,
                 lines: bool = False) -> None:
        """lines: periodic lines even on a terminal (for work that runs beside another bar)."""
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.tty = not lines and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every_s = 0.1 if self.tty else every_s
        self.t0 = self._last = time.monotonic()
        self.note = ""

    def update(self, n: int = 1, note: str | None = None) -> None:
        self.done += n
        if note is not None:
            self.note = note
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self._draw(final=False)

    def _line(self) -> str:
        elapsed = time.monotonic() - self.t0
        frac = self.done / self.total if self.total else 1.0
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        note = f"  {self.note}" if self.note else ""
        return f"{self.label}: {self.done}/{self.total} ({frac:.0%}) {elapsed:.0f}s elapsed, ~{eta:.0f}s left{note}"

    def _draw(self, final: bool) -> None:
        if self.tty:
            width = 24
            filled = int(width * (self.done / self.total if self.total else 1))
            self.stream.write("\r[" + "#" * filled + "." * (width - filled) + "] " + self._line() + "\033[K")
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(self._line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        self._draw(final=True)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
