"""Framework-free helpers (no Django imports here)."""
