"""The web app (``newsloom serve``) and the pieces it shares with the static report.

Modules that need FastAPI live in ``app``, ``api``, ``pages``, ``ingest`` and ``server``; the rest
(``timeline``, ``catalog``, ``views``, ``rendering``) are plain Python so the HTML report can use
them without the web stack installed. Import the app with ``from newsloom.present.web.app import
create_app``.
"""
