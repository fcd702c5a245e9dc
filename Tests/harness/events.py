"""The app's log lines, klog text or JSON, read into the lifecycle events the suites count: the
elector's stable `event` metadata key names each one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# The lifecycle events, by the `event` key the app puts on their lines.
EVENTS = ("acquiring", "acquired", "acquired_too_late", "renewed", "renew_failed", "lost", "stopping", "released",
          "new_leader", "started_leading", "stopped_leading")

_KLOG = re.compile(r"^(?P<level>[IWEFD])(?P<ts>\d{4} \d\d:\d\d:\d\d\.\d+)\s+\d+ (?P<caller>[^\]\s]+)\] (?P<rest>.*)$")
_KLOG_PAIR = re.compile(r' (?P<key>[A-Za-z_][\w.-]*)="(?P<value>(?:[^"\\]|\\.)*)"$')
_KLOG_LEVELS = {"I": "info", "W": "warning", "E": "error", "F": "critical", "D": "debug"}


@dataclass(frozen=True)
class LogLine:
    """One line of a copy's log. `event` is None for lines that are no lifecycle event, and for lines
    that are not the app's log format at all (`raw` keeps the text)."""

    raw: str
    message: str = ""
    level: str = ""
    ts: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    event: str | None = None

    @property
    def term(self) -> int | None:
        term = self.metadata.get("term")
        return int(term) if term is not None and term.lstrip("-").isdigit() else None

    @property
    def leader(self) -> str | None:
        return self.metadata.get("leader")


def _klog(line: str) -> tuple[str, str, str, dict[str, str]] | None:
    match = _KLOG.match(line)
    if not match:
        return None
    rest, pairs = match.group("rest"), {}
    while (pair := _KLOG_PAIR.search(rest)):
        try:
            pairs[pair.group("key")] = json.loads(f'"{pair.group("value")}"')
        except ValueError:
            pairs[pair.group("key")] = pair.group("value")
        rest = rest[:pair.start()]
    return rest, _KLOG_LEVELS.get(match.group("level"), match.group("level")), match.group("ts"), pairs


def _json(line: str) -> tuple[str, str, str, dict[str, str]] | None:
    if not line.startswith("{"):
        return None
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    metadata = {k: v if isinstance(v, str) else json.dumps(v) for k, v in entry.items()
                if k not in ("msg", "level", "ts", "caller")}
    return str(entry.get("msg", "")), str(entry.get("level", "")), str(entry.get("ts", "")), metadata


def parse(line: str) -> LogLine:
    """Reads one log line in either of the app's formats; the `event` key says which event it is."""
    line = line.rstrip("\n")
    parsed = _json(line) or _klog(line)
    if parsed is None:
        return LogLine(raw=line)
    message, level, ts, metadata = parsed
    return LogLine(raw=line, message=message, level=level, ts=ts, metadata=metadata, event=metadata.get("event"))
