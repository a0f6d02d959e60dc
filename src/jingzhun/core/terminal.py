"""Progress on a terminal: the CLI's and the demo build's one-line progress bar (stderr)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_printer(label: str) -> Callable[[int, int, str], None]:
    """A one-line progress bar on stderr (a real bar on a terminal, periodic lines otherwise)."""
    tty = sys.stderr.isatty()
    state = {"last": -1}

    def show(done: int, total: int, message: str = "") -> None:
        pct = int(done * 100 / total) if total else 0
        if tty:
            bar = "█" * (pct // 4) + "░" * (25 - pct // 4)
            sys.stderr.write(f"\r{label} {bar} {pct:3d}% {done}/{total} {message[:40]:<40}")
            if total and done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif pct // 10 != state["last"] // 10 or (total and done >= total and state["last"] != 100):
            state["last"] = pct
            sys.stderr.write(f"{label} {pct}% ({done}/{total}) {message}\n")
            sys.stderr.flush()

    return show


# --- commands -----------------------------------------------------------------------------------
