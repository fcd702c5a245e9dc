"""Copies of `leader-election run` against a GistServer."""

from __future__ import annotations

from .bounds import Timings
from .gist_server import GistServer


def run_command(binary: str, identity: str, server: GistServer, timings: Timings | None, *extra: str,
                url: str | None = None) -> list[str]:
    """The command line of one copy: its identity, the server's gist and address, the timings (None:
    the app's defaults), then `extra`."""
    return [binary, "run", "--id", identity, "--gist", server.gist_id, "--github-api-url", url or server.url,
            *(timings.args() if timings else []), *extra]
