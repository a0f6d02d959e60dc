"""Cross-cutting pieces: the audit trail (痕迹管理), security headers, shared view helpers."""
