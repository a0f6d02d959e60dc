"""Users, roles granted per scope, and the one place where access is decided."""
