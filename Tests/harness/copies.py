"""Copies of `leader-election run` against a GistServer."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from .bounds import Timings
from .gist_server import GistServer


def run_command(binary: str, identity: str, server: GistServer, timings: Timings | None, *extra: str,
                url: str | None = None) -> list[str]:
    """The command line of one copy: its identity, the server's gist and address, the timings (None:
    the app's defaults), then `extra`."""
    return [binary, "run", "--id", identity, "--gist", server.gist_id, "--github-api-url", url or server.url,
            *(timings.args() if timings else []), *extra]


class LoggedCopy:
    """One running `leader-election` whose stderr goes to the file `log`."""

    def __init__(self, command: list[str], log: Path, env: dict[str, str]):
        self.log = log
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log.open("w"), env=env)

    def text(self) -> str:
        """Its stderr so far."""
        return self.log.read_text()

    def still_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout: float = 15):
        """Sends `sig` unless it has ended, and waits up to `timeout` seconds for it to end."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
