"""The documentation against the code: the README stays short, the flag tables in docs/ are what the
binaries' help says (scripts/flags-doc.py renders them; `make docs` writes them), and every relative link
in the README and docs/ reaches a file and, when it names one, a heading."""

import importlib.util
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from conftest import BIN_DIR, REPO_ROOT

README_LIMIT = 12 * 1024
GENERATOR = REPO_ROOT / "scripts" / "flags-doc.py"
# Pages another branch adds (docs/etcd.md and its figures): a link to them may point nowhere until that
# branch is merged; once they exist they are checked like every other page. Remove them here after the merge.
def generator():
    spec = importlib.util.spec_from_file_location("flags_doc", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pages() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def test_the_readme_is_at_most_12_kb():
    size = len((REPO_ROOT / "README.md").read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes, over {README_LIMIT}: move a section into docs/"


def test_the_flag_tables_are_what_the_binaries_print():
    result = subprocess.run([sys.executable, str(GENERATOR), "--check", "--bin-dir", str(BIN_DIR)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    for page, binary in (("configuration.md", "leader-election"), ("gist-server.md", "gist-server")):
        assert f"<!-- flags-doc: {binary} -->" in (REPO_ROOT / "docs" / page).read_text(), page


def test_the_generator_renders_option_groups_and_new_subcommands():
    """What other branches add (a titled OptionGroup, a new subcommand) appears with no change to the
    generator: shaped as swift-argument-parser's --experimental-dump-help gives it."""
    tool = {"commandName": "app", "abstract": "An app.", "defaultSubcommand": "run", "subcommands": [
        {"commandName": "run", "abstract": "Run.", "arguments": [
            {"kind": "option", "names": [{"kind": "long", "name": "lock"}], "valueName": "lock",
             "abstract": "Which store holds the lock. [env: APP_LOCK] (default: gist)", "allValues": ["gist", "etcd"]},
            {"kind": "option", "names": [{"kind": "long", "name": "etcd-endpoints"}], "valueName": "urls",
             "sectionTitle": "etcd options", "abstract": "Members' client URLs. [env: APP_ETCD_ENDPOINTS]"},
            {"kind": "flag", "names": [{"kind": "short", "name": "v"}, {"kind": "long", "name": "verbose"}],
             "abstract": "More (a | b)."},
            {"kind": "flag", "names": [{"kind": "long", "name": "help"}], "abstract": "Show help information."},
        ]},
        {"commandName": "handover", "abstract": "Hand the lease over.", "subcommands": [], "arguments": [
            {"kind": "option", "names": [{"kind": "long", "name": "to"}], "valueName": "id",
             "abstract": "The copy to hand over to. (default: the next one (by name))"}]},
        {"commandName": "help", "abstract": "Show subcommand help information.", "arguments": []},
    ]}
    text = generator().render(tool)
    assert "Subcommands: `run`, `handover` (`run` when none is named)." in text
    run = text[text.index("### `app run`"):text.index("### `app handover`")]
    assert "| `--lock <lock>` | `APP_LOCK` | `gist` | Which store holds the lock. Values: `gist`, `etcd`. |" in run
    group = run.index("#### etcd options")
    assert run.index("`--lock <lock>`") < group < run.index("`--etcd-endpoints <urls>`")
    assert "| `-v, --verbose` |  |  | More (a \\| b). |" in run
    assert "--help" not in text and "### `app help`" not in text
    assert "| `--to <id>` |  | the next one (by name) | The copy to hand over to. |" in text


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lower case, without punctuation, blanks as '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "").strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found, seen, fenced = set(), {}, False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"#{1,6} (.+?)\s*#*$", line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path):
    fenced = False
    for number, line in enumerate(page.read_text().splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        if fenced:
            continue
        for target in re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line)):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):
                yield number, target


def broken_links(pages: list[Path], root: Path) -> list[str]:
    broken = []
    for page in pages:
        for number, target in links(page):
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            name = f"{page.relative_to(root)}:{number}: {target}"
            if not file.exists():
                broken.append(f"{name} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file):
                broken.append(f"{name} (no heading with that anchor in {file.relative_to(root)})")
    return broken


def test_every_relative_link_reaches_a_file_and_its_heading():
    broken = broken_links(pages(), REPO_ROOT)
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A page\n\n## How fast (the bound)\n\n```\n## not a heading\n```\n")
    (tmp_path / "README.md").write_text(
        "[fine](docs/a.md#how-fast-the-bound) [gone](docs/b.md) [no anchor](docs/a.md#not-a-heading)\n"
        "`[in code](docs/c.md)` [web](https://example.com/x.md) [gone too](docs/etcd.md)\n")
    broken = broken_links([tmp_path / "README.md"], tmp_path)
    assert broken == ["README.md:1: docs/b.md (no such file)",
                      "README.md:1: docs/a.md#not-a-heading (no heading with that anchor in docs/a.md)",
                      "README.md:2: docs/etcd.md (no such file)"]
    assert slug("`leader-election run`") == "leader-election-run"
