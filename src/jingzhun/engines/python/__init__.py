"""The Python engine: household, village and county rules evaluated over plain data (no Django)."""
