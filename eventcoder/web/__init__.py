"""The analysts' web page and REST API: `create_app(db)` returns the ASGI app `eventcoder serve` runs."""

from .app import create_app

__all__ = ["create_app"]
