"""Events and storylines: incremental cross-lingual clustering of articles.

Modules: ``features`` (what the clusterer sees and the pair features), ``cluster`` (the
incremental ``EventClusterer``), ``storylines`` (events linked over weeks and months),
``duplicates`` (exact, near and cross-language duplicates) and ``compare`` (one pair, with
evidence).
"""
