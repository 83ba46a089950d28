"""Enrichment of cleaned articles: language, publication date, and what later stages add.

Language identification is in :mod:`newsloom.enrich.language`, the publication date in
:mod:`newsloom.enrich.published`.
"""
