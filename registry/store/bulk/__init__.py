"""Bulk paths: chunked loads, export and import of archives, UN status tables, fixture scripts."""
