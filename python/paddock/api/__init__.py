"""The HTTP API: a thin Litestar app over the hub, the store and the analysis stages."""

from paddock.api.app import create_app

__all__ = ["create_app"]
