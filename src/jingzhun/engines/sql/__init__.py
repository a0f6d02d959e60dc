"""The SQL engine: the standard compiled to set-based SQL for SQLite and PostgreSQL."""
