"""Shared fixtures of the deployment checks: the chart rendered with Helm's SDK, and a sandbox
that runs cicd.sh with recording stand-ins for docker, kind, vcluster, helm, kubectl and the app."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "chart"
STANDINS = Path(__file__).resolve().parent / "standins"
CLUSTERS = ("napoleon", "stalin", "cleopatra")
RELEASE = "leader-election"
NAMESPACE = "leader-election"
# What a real token looks like, so a leak anywhere is easy to spot.
TOKEN = "ghp_Sx9TOKENnever4print0Q2w8e7r6t5y4u3"
GIST_ID = "0123456789abcdef0123456789abcdef"

# The real tools cicd.sh and the stand-ins may use; everything else is absent from the sandbox's PATH.
SYSTEM_TOOLS = (
    "bash", "env", "sed", "grep", "awk", "mktemp", "rm", "cat", "head", "tail", "tr", "sleep",
    "dirname", "git", "chmod", "cp", "mv", "mkdir", "wc", "base64", "cmp", "id", "date", "stat", "sort",
    "cut",
)
# What cicd.sh needs of the repository to run the cluster workflows.
DEPLOY_FILES = ("cicd.sh", "scripts", "chart", "Dockerfile", ".dockerignore", "Package.swift", "Sources")
STANDIN_TOOLS = ("docker", "kind", "vcluster", "helm", "kubectl", "leader-election")
# The bash that runs cicd.sh: CICD_BASH=/path/to/bash-3.2 runs every workflow check under macOS's bash.
CICD_BASH = os.environ.get("CICD_BASH", "bash")


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of base with extra merged in, the way Helm coalesces -f files."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass
class Rendered:
    """One render of the chart: the Kubernetes objects and the NOTES text."""

    objects: list[dict[str, Any]]
    notes: str
    text: str

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["kind"] == kind]

    def one(self, kind: str) -> dict[str, Any]:
        found = self.of_kind(kind)
        assert len(found) == 1, f"expected one {kind}, got {len(found)}"
        return found[0]

    @property
    def pod_spec(self) -> dict[str, Any]:
        return self.one("Deployment")["spec"]["template"]["spec"]

    @property
    def container(self) -> dict[str, Any]:
        containers = self.pod_spec["containers"]
        assert len(containers) == 1
        return containers[0]

    def env(self) -> dict[str, dict[str, Any]]:
        return {e["name"]: e for e in self.container["env"]}


@pytest.fixture(scope="session")
def chart():
    with helm.Chart.load(CHART) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def render(chart):
    def _render(values: dict[str, Any], *, name: str = RELEASE, namespace: str = NAMESPACE) -> Rendered:
        manifests = chart.render(values, name=name, namespace=namespace, is_install=True)
        objects: list[dict[str, Any]] = []
        notes = ""
        texts = []
        for path, text in sorted(manifests.items()):
            if path.endswith("NOTES.txt"):
                notes = text
                continue
            texts.append(text)
            objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
        return Rendered(objects, notes, "\n---\n".join(texts))

    return _render


def ci_values() -> dict[str, dict[str, Any]]:
    """chart/ci/*-values.yaml by file name."""
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted((CHART / "ci").glob("*-values.yaml"))}


@dataclass
class Sandbox:
    """cicd.sh run with only the stand-ins and a few basic tools on PATH."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    repo: Path = REPO

    @property
    def log_path(self) -> Path:
        return self.root / "calls.log"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def calls(self) -> list[str]:
        return self.log_path.read_text().splitlines() if self.log_path.exists() else []

    @property
    def kubeconfig(self) -> Path:
        return self.root / ".kube" / "config"

    def write_kubeconfig(self, current: str, contexts: list[str]) -> None:
        """The user's kubeconfig as the stand-ins write it: each context with a client key."""
        users = "".join(f"- user: {c}\n  client-key-data: c2VjcmV0\n" for c in contexts)
        body = "".join(f"- name: {c}\n  context:\n    cluster: {c}\n    user: {c}\n" for c in contexts)
        self.kubeconfig.parent.mkdir(exist_ok=True)
        self.kubeconfig.write_text(f"apiVersion: v1\nkind: Config\ncontexts:\n{body}users:\n{users}"
                                   f"current-context: {current}\n")

    def current_context(self) -> str:
        for line in self.kubeconfig.read_text().splitlines():
            if line.startswith("current-context:"):
                return line.split(":", 1)[1].strip()
        return ""

    def own_repo(self) -> Path:
        """Runs cicd.sh from a git repository of its own holding the scripts and the chart, one commit."""
        repo = self.root / "repo"
        repo.mkdir()
        for item in DEPLOY_FILES:
            source = REPO / item
            if source.is_dir():
                shutil.copytree(source, repo / item)
            else:
                shutil.copy2(source, repo / item)
        self.git("init", "--quiet")
        self.commit("first")
        self.repo = repo
        return repo

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.root / "repo"), "-c", "user.name=t", "-c", "user.email=t@t",
                               *args], check=True, capture_output=True, text=True).stdout.strip()

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)

    def remove_tool(self, name: str) -> None:
        (self.root / "bin" / name).unlink()

    def run(self, verb: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CICD_BASH, str(self.repo / "cicd.sh"), verb, *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    def run_tool(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        """One stand-in run by hand, as the user would."""
        return subprocess.run([str(self.root / "bin" / tool), *args], env=self.env, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def seed(self, *, kind: bool = False, vclusters: tuple[str, ...] = (), images: tuple[str, ...] = ()) -> None:
        """Pretends provision (and build) already ran."""
        self.state.mkdir(exist_ok=True)
        if kind:
            (self.state / "kind-clusters").write_text("kind\n")
            self.write_kubeconfig("kind-kind", ["kind-kind"])
        if vclusters:
            (self.state / "vclusters-helm").write_text("".join(f"{v} vcluster-{v}\n" for v in vclusters))
        if images:
            (self.state / "images").write_text("".join(f"{i}\n" for i in images))


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in SYSTEM_TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is needed on this machine to run the stand-in checks"
        (bin_dir / tool).symlink_to(found)
    for tool in STANDIN_TOOLS:
        (bin_dir / tool).symlink_to(STANDINS / tool)
    (tmp_path / "tmp").mkdir()
    env = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),
        "LANG": "C.UTF-8",
        "STANDIN_DIR": str(STANDINS),
        "STANDIN_LOG": str(tmp_path / "calls.log"),
        "STANDIN_STATE": str(tmp_path / "state"),
        "POLL_INTERVAL": "0",
        "CLUSTER_TIMEOUT": "5",
        # A fixed tag keeps the image name of these checks stable; test_cicd_defects.py checks the default
        # (test_the_default_tag_names_the_commit_and_a_changed_tree).
        "TAG": "0.1.0",
    }
    return Sandbox(tmp_path, env)
