"""Responsibility and help (五个责任, 帮扶): helpers paired with households, and later visits and measures."""
