"""Registry pages: household list, household page, and the forms that change the registry."""
