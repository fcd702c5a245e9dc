"""Linters on the deployment files: shellcheck, hadolint and yamllint, and the Dockerfile's promises."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CHART, REPO, STANDINS

VENV_BIN = Path(sys.executable).parent
DOCKERFILE = (REPO / "Dockerfile").read_text()


def tool(name: str) -> str:
    found = shutil.which(name, path=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    if not found:
        # ./cicd.sh installs the Python tools into the venv, and shellcheck with apt where there is apt.
        pytest.fail(f"{name} is missing: run ./cicd.sh test-deploy, which installs it with apt or pip "
                    f"(without apt, e.g. on macOS: brew install {name})")
    return found


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_shellcheck_cicd_sh():
    result = run(tool("shellcheck"), "-x", "cicd.sh")
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_the_parts_of_cicd_sh():
    parts = sorted(str(p.relative_to(REPO)) for p in (REPO / "scripts").glob("*.sh"))
    assert parts == ["scripts/checks.sh", "scripts/clusters.sh", "scripts/demo.sh", "scripts/etcd-deploy.sh", "scripts/lib.sh"]
    result = run(tool("shellcheck"), "-x", *parts)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_standins():
    scripts = sorted(str(p) for p in STANDINS.iterdir() if p.is_file())
    assert len(scripts) == 8
    result = run(tool("shellcheck"), "-x", "-P", "SCRIPTDIR", *scripts)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_dockerfile():
    result = run(tool("hadolint"), "--config", ".hadolint.yaml", "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM ubuntu:latest\nRUN cd /tmp && apt-get install -y curl\nUSER root\n")
    result = run(tool("hadolint"), "--config", str(REPO / ".hadolint.yaml"), str(bad))
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # the latest tag


def test_yamllint_values_and_chart_metadata():
    files = ["chart/values.yaml", "chart/Chart.yaml", *sorted(str(p.relative_to(REPO)) for p in (CHART / "ci").glob("*.yaml"))]
    result = run(tool("yamllint"), "--strict", "-c", ".yamllint.yaml", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_catches_bad_yaml(tmp_path):
    bad = tmp_path / "values.yaml"
    bad.write_text("a: 1\na: 2\nb:   [1,2]\n")
    result = run(tool("yamllint"), "--strict", "-c", str(REPO / ".yamllint.yaml"), str(bad))
    assert result.returncode != 0 and "duplication of key" in result.stdout


def stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)[1:]


def test_dockerfile_builds_static_release_in_the_swift_image():
    build, runtime = stages()
    assert build.startswith("${SWIFT_IMAGE} AS build")
    assert re.search(r"^ARG SWIFT_IMAGE=swift:6\.\d+-noble$", DOCKERFILE, re.MULTILINE)
    assert "libcurl4-openssl-dev" in build
    assert "swift build -c release --static-swift-stdlib" in build
    assert "swift-backtrace-static" in build


def test_dockerfile_runtime_is_small_non_root_and_readable_when_it_crashes():
    _, runtime = stages()
    assert re.search(r"^ARG RUNTIME_IMAGE=ubuntu:noble$", DOCKERFILE, re.MULTILINE)
    for package in ("ca-certificates", "libcurl4t64", "tzdata"):
        assert package in runtime
    assert re.search(r"^USER \d+:\d+$", runtime, re.MULTILINE), "USER must be numeric"
    assert 'ENTRYPOINT ["/usr/local/bin/leader-election"]' in runtime
    backtrace = re.search(r"^ENV SWIFT_BACKTRACE=(\S+)$", runtime, re.MULTILINE)
    assert backtrace, "crash backtraces must be on"
    settings = dict(item.split("=", 1) for item in backtrace.group(1).split(","))
    assert settings["enable"] == "yes" and settings["interactive"] == "no" and settings["threads"] == "all"
    assert settings["swift-backtrace"] == "/usr/local/libexec/swift-backtrace-static"
    assert "COPY --from=build /staging/swift-backtrace-static /usr/local/libexec/swift-backtrace-static" in runtime
    for label in ("title", "description", "version", "revision"):
        assert f"org.opencontainers.image.{label}=" in runtime


def dockerignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as docker reads it: (exclude?, pattern) in order; `*` stays within a path segment."""
    patterns = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        glob = line.lstrip("!").strip("/")
        text = re.escape(glob).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        patterns.append((not negated, re.compile(text.replace(r"\?", "[^/]") + "$")))
    return patterns


def in_build_context(path: str, patterns) -> bool:
    """Whether docker sends PATH: the last pattern that matches it or a folder above it decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    included = True
    for exclude, pattern in patterns:
        if any(pattern.match(prefix) for prefix in prefixes):
            included = not exclude
    return included


def test_dockerignore_sends_only_what_the_image_is_built_from():
    patterns = dockerignore_patterns()
    files = subprocess.run(["git", "-C", str(REPO), "ls-files"], capture_output=True, text=True,
                           check=True).stdout.split()
    sent = {f for f in files if in_build_context(f, patterns)}
    assert "Package.swift" in sent
    assert any(f.startswith("Sources/LeaderElection/") for f in sent)
    # SwiftPM checks every target's folder, so the Swift test targets stay in the context.
    for target in ("LeaderElectionTests", "GistLockTests", "GistServerTests", "LeaderElectionAppTests"):
        assert any(f.startswith(f"Tests/{target}/") for f in sent), target
    # Editing a script, the chart, a Python suite or a doc must not rebuild the image.
    for path in ("cicd.sh", "scripts/clusters.sh", "Makefile", "Dockerfile", "README.md", "docs/configuration.md",
                 "chart/values.yaml", ".ci/run", "pyproject.toml", ".swift-format"):
        assert path not in sent, path
    for folder in ("Tests/chaos/", "Tests/bench/", "Tests/system/", "Tests/deploy/", "chart/"):
        assert not any(f.startswith(folder) for f in sent), folder
    for local in (".build/debug/leader-election", "Sources/.build/x", ".venv/bin/python", "Package.resolved"):
        assert not in_build_context(local, patterns), local


def test_dockerfile_keeps_build_in_a_cache_mount():
    build, _ = stages()
    cache = r"^RUN --mount=type=cache,id=[\w.-]+,sharing=locked,target=/src/\.build "
    assert re.search(cache + r"swift build -c release", build, re.MULTILINE)
    assert re.search(cache + r"swift package resolve", build, re.MULTILINE)


def test_cicd_reads_dockerignore_as_docker_does():
    """The image tag hashes the files cicd.sh's .dockerignore reading keeps: the same as docker's rules above."""
    patterns = dockerignore_patterns()
    files = subprocess.run(["git", "-C", str(REPO), "ls-files"], capture_output=True, text=True,
                           check=True).stdout.split()
    paths = files + ["Sources/A/.DS_Store", "Sources/A/.B.swift.swp", "Sources/A/B.swift~", "Tests/FooTests/x.swift",
                     "Tests/Foo/x.swift", ".build/debug/x", "Sources/A/.build/x", "Package.resolved", "my-values.yaml"]
    script = 'REPO_ROOT="$1"; source scripts/lib.sh; source scripts/clusters.sh; in_build_context'
    result = subprocess.run(["bash", "-c", script, "bash", str(REPO)], input="\n".join(paths) + "\n",
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    expected = {p for p in paths if in_build_context(p, patterns)} | {"Dockerfile", ".dockerignore"}
    assert set(result.stdout.split()) == expected
