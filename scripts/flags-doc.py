#!/usr/bin/env python3
"""Render the command-line reference in docs/ from the binaries themselves, so that it cannot drift.

Every docs/*.md file may hold blocks like

    <!-- flags-doc: leader-election -->
    ...
    <!-- /flags-doc -->

and this script replaces what is between the markers with a table per command of that binary (flag,
environment variable, default, description), one table per option group, under the group's own heading.
It reads `BINARY --experimental-dump-help`, swift-argument-parser's machine-readable form of the same
definitions `--help` prints (subcommands, option groups with their titles, defaults, allowed values), so new
flags, groups and subcommands appear without a change here. The app writes its environment variable and
most defaults into each flag's help text (`[env: NAME]`, `(default: ...)`); both are taken out into
their columns.

  scripts/flags-doc.py [--bin-dir DIR]            rewrite the blocks in place (make docs)
  scripts/flags-doc.py --check [--bin-dir DIR]    exit 1 with a diff when a block differs from what the
                                                  binaries print (Tests/system/test_docs.py)
"""

import argparse
import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(<!-- flags-doc: (?P<binary>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /flags-doc -->)", re.S)
ENV = re.compile(r"\s*\[env: (?P<env>[^\]]+)\]")
NOTICE = ("<!-- Rendered by `make docs` (scripts/flags-doc.py) from the binary's help; edit the help text "
          "in Sources/, not here. -->\n")


def dump_help(binary: Path) -> dict:
    result = subprocess.run([str(binary), "--experimental-dump-help"], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        sys.exit(f"error: {binary} --experimental-dump-help failed ({result.returncode}): {result.stderr.strip()}\n"
                 "build the binaries first: ./cicd.sh build-local")
    return json.loads(result.stdout)["command"]


def take_default(text: str) -> tuple[str, str | None]:
    """Cut a trailing `(default: ...)` out of a help text, with nested parentheses kept whole."""
    start = text.rfind("(default: ")
    if start < 0:
        return text, None
    depth = 0
    for end in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return (text[:start] + text[end + 1:]).strip(), text[start + len("(default: "):end]
    return text, None


def cell(text: str) -> str:
    """One table cell: pipes escaped, and angle brackets, which Markdown would take for HTML tags."""
    text = re.sub(r"\s+([.,;])", r"\1", " ".join(text.split()))
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str) -> str:
    return f"`{text}`" if text else ""


def row(argument: dict) -> str:
    names = sorted(argument.get("names", []), key=lambda n: n["kind"] != "short")
    spelled = ", ".join(("-" if n["kind"] == "short" else "--") + n["name"] for n in names)
    if argument["kind"] == "option":
        spelled += f" <{argument.get('valueName', 'value')}>"
    elif argument["kind"] == "positional":
        spelled = f"<{argument.get('valueName', 'value')}>"
    text = argument.get("abstract", "")
    envs = [m.group("env") for m in ENV.finditer(text)]
    text = ENV.sub("", text)
    text, stated = take_default(text)
    default = argument.get("defaultValue") or stated or ""
    if argument.get("allValues") and "(values:" not in text:
        text += " Values: " + ", ".join(f"`{v}`" for v in argument["allValues"]) + "."
    if argument.get("discussion"):
        text += " " + argument["discussion"]
    # A default that is a value goes in code; one that is a sentence ("15s when ...") stays text.
    default = code(default) if default and " " not in default else cell(default)
    return f"| {code(spelled)} | {', '.join(code(e) for e in envs)} | {default} | {cell(text)} |"


def shown(argument: dict) -> bool:
    names = {n["name"] for n in argument.get("names", [])}
    return argument.get("shouldDisplay", True) and not names & {"help", "version"}


def command_section(command: dict, path: list[str]) -> list[str]:
    lines = [f"### `{' '.join(path)}`", ""]
    if command.get("abstract"):
        lines += [command["abstract"], ""]
    arguments = [a for a in command.get("arguments", []) if shown(a)]
    groups: dict[str | None, list[dict]] = {}
    for argument in arguments:
        groups.setdefault(argument.get("sectionTitle"), []).append(argument)
    subcommands = [s for s in command.get("subcommands", []) if s.get("shouldDisplay", True) and s["commandName"] != "help"]
    if not arguments:
        lines += ["No options." if not subcommands else
                  "Subcommands: " + ", ".join(f"`{s['commandName']}`" for s in subcommands) +
                  (f" (`{command['defaultSubcommand']}` when none is named)." if command.get("defaultSubcommand") else "."),
                  ""]
    for title, members in groups.items():
        if title is not None:
            lines += [f"#### {title}", ""]
        lines += ["| flag | environment | default | description |", "|---|---|---|---|"]
        lines += [row(a) for a in members]
        lines.append("")
    for sub in subcommands:
        lines += command_section(sub, path + [sub["commandName"]])
    return lines


def render(tool: dict) -> str:
    """The block for one binary: its root command (from `--experimental-dump-help`) and every subcommand."""
    return NOTICE + "\n" + "\n".join(command_section(tool, [tool["commandName"]]))


def rewrite(text: str, bin_dir: Path, cache: dict) -> str:
    def fill(match: re.Match) -> str:
        name = match.group("binary")
        if name not in cache:
            cache[name] = render(dump_help(bin_dir / name))
        return match.group(1) + cache[name] + match.group(4)
    return BLOCK.sub(fill, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", type=Path, default=REPO / ".build" / "debug")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 with a diff on any difference")
    parser.add_argument("files", nargs="*", type=Path, help="default: docs/*.md")
    args = parser.parse_args()
    files = args.files or sorted((REPO / "docs").glob("*.md"))
    cache: dict[str, str] = {}
    stale = []
    for path in files:
        text = path.read_text()
        if not BLOCK.search(text):
            continue
        rendered = rewrite(text, args.bin_dir, cache)
        if rendered == text:
            continue
        stale.append(path)
        if args.check:
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), rendered.splitlines(True),
                                                       f"{path} (committed)", f"{path} (from --help)"))
        else:
            path.write_text(rendered)
            print(f"rendered the flag tables in {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    if args.check and stale:
        print("\nthe flag tables differ from the binaries' help: run `make docs` and commit the result", file=sys.stderr)
        return 1
    if not cache:
        print("no <!-- flags-doc: BINARY --> block found", file=sys.stderr)
        return 1
    if not stale:
        print("the flag tables in docs/ are what the binaries print")
    return 0


if __name__ == "__main__":
    sys.exit(main())
