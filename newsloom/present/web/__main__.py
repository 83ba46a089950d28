"""``python -m newsloom.present.web``: the same server as ``newsloom serve``, without the CLI."""

from __future__ import annotations

import argparse
import logging
import os

from .app import WebConfig
from .server import run_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newsloom.present.web", description=__doc__)
    parser.add_argument("--db", default=os.environ.get("NEWSLOOM_DB", "newsloom.db"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--token", default=os.environ.get("NEWSLOOM_TOKEN"))
    parser.add_argument("--max-upload-mb", type=float, default=50.0)
    parser.add_argument("--summaries", choices=("embed", "coverage"), default="embed")
    parser.add_argument("--refresh", type=float, default=10.0, help="seconds between checks for store changes")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    config = WebConfig(
        db=args.db, host=args.host, port=args.port, token=args.token or None,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024), summaries=args.summaries,
        refresh_seconds=args.refresh,
    )
    run_server(config, log_level=args.log_level)


if __name__ == "__main__":
    main()
