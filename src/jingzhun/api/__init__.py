"""The HTTP API (django-ninja) under /api/v1/, OpenAPI docs at /api/docs."""
