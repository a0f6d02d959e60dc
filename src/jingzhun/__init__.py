"""精准 (jingzhun) — the information system a county runs targeted poverty alleviation with."""

__version__ = "0.1.0"
