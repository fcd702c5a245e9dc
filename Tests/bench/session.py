"""What each benchmark's main does around its measurements (bench.py for the gist, etcd_bench.py for
etcd): signals that end the run cleanly, a fresh log folder, the processes stopped whatever happens, and
the figures written with the machine they were measured on."""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from processes import ProcessGroup, log


def _interrupt(signum, _frame):
    """SIGINT, SIGTERM and SIGHUP end the run the same way, so the cleanup runs (SIGINT too when the
    shell started the benchmark with it ignored, as a background job)."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


class Session:
    """One benchmark run: its processes, the flag that halts its phases, its logs, and the clock and
    load average at its start."""

    def __init__(self, logs: Path):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _interrupt)
        shutil.rmtree(logs, ignore_errors=True)
        self.logs = logs
        self.group, self.halt = ProcessGroup(), threading.Event()
        self.started, self.load_before = time.monotonic(), os.getloadavg()

    def measure(self, body: Callable[[], object]) -> tuple[object, int | None]:
        """(what `body` measured, None); or (None, the exit status) when it was interrupted (130) or
        failed (1), said in a line. Every process is stopped either way."""
        try:
            return body(), None
        except KeyboardInterrupt:
            log("interrupted: stopping every process the benchmark started")
            return None, 130
        except (TimeoutError, RuntimeError, OSError) as error:
            log(f"error: {error} (logs in {self.logs})")
            return None, 1
        finally:
            self.halt.set()
            self.group.stop_all()

    def results(self, binary: str, **figures) -> dict:
        """The figures, with the date, the machine and its load, the binaries and the run's length."""
        return {
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_average_before": self.load_before, "load_average_after": os.getloadavg()},
            "binaries": str(Path(binary).parent),
            "runtime_seconds": time.monotonic() - self.started,
            **figures,
        }

    def write(self, results: dict, rendered: str, out: Path) -> int:
        """Prints the report, writes the figures to `out`; the exit status."""
        print(rendered, end="")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        log(f"figures written to {out}; logs in {self.logs}")
        return 0
