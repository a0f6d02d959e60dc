"""Ledgers (台账与督办): one engine for problems, petitions, directives, task indicators and discipline cases."""
