"""The dashboard's web server: Solara's app behind a read-only asset route and anti-framing headers.

Solara's own ``/_solara/cdn/`` route is a caching proxy: for a path it does not
have, it fetches from a CDN and writes the answer to disk, and for a path that
names a folder it deletes the folder. Here every request under that prefix is
answered from the asset store (``sim.dashboard.assets``) by exact lookup in the
list of the files unpacked there: a file of a verified package or a 404, with
nothing fetched, written or deleted. Every answer forbids framing the page.

    uvicorn --factory sim.dashboard.asgi:create_app     # as ``cfsim dashboard`` starts it
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Mount

from sim.dashboard.assets import asset_dir, served_files

CDN_PATH = "/_solara/cdn"
NO_FRAMING = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}


def asset_route(files: dict[str, Path]):
    """An ASGI app answering ``/_solara/cdn/<package>/<file>`` from ``files`` only, 404 for anything else."""
    # Solara's class keeps its compression and caching of pinned versions; only the lookup is replaced.
    from solara.server.starlette import StaticCdn

    class StoreFiles(StaticCdn):
        def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
            found = files.get(path)
            try:
                return (str(found), os.stat(found)) if found else ("", None)
            except OSError:
                return "", None

    return ExceptionMiddleware(Mount(CDN_PATH, app=StoreFiles()))


def deny_framing(app):
    """Wrap an ASGI app so every HTTP answer tells browsers not to show it inside another page."""
    async def framed(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in NO_FRAMING.items():
                    headers[name] = value
            await send(message)

        await app(scope, receive, send_with_headers)

    return framed


def create_app():
    """Solara's app with the read-only asset route in front and framing denied (settings come from the environment)."""
    from solara.server.starlette import app as solara_app

    assets = asset_route(served_files(asset_dir()))

    async def dashboard(scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == CDN_PATH or path.startswith(CDN_PATH + "/")):
            await assets(scope, receive, send)
        else:
            await solara_app(scope, receive, send)

    return deny_framing(dashboard)
