"""Running the web app: ``newsloom serve`` and ``python -m newsloom.present.web``."""

from __future__ import annotations

import logging

from .app import WebConfig, create_app, is_loopback

log = logging.getLogger(__name__)


def run_server(config: WebConfig, *, log_level: str = "info") -> None:
    """Serve ``config.db`` with uvicorn until interrupted."""
    import uvicorn

    if not is_loopback(config.host) and not config.token:
        log.warning(
            "listening on %s without --token: the pages and the API are readable by anyone who can reach it, "
            "and ingest is disabled", config.host,
        )
    app = create_app(config)
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level=log_level,
        server_header=False,
        proxy_headers=False,
        forwarded_allow_ips="",
    )
