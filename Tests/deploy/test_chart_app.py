"""The chart's environment given to the app (the release binary the image ships when
LEADER_ELECTION_RELEASE_BIN names it, as in make test-release; else the debug build make test made):
each backend's variables are the ones the app reads, and none is one the app refuses for that backend
(it refuses the other lock's options as usage errors)."""

from __future__ import annotations

import os
import socket
import subprocess

import helm_python as helm
import pytest
import yaml

from .conftest import CHART, REPO

# What the kubelet would fill in from the downward API and the Secrets.
FROM_SECRETS = {"LEADER_ELECTION_GITHUB_API_TOKEN": "ghp_chart0env0token", "LEADER_ELECTION_ETCD_USERNAME": "le"}


def refused_url() -> str:
    """A loopback URL that nothing listens on, so the app's first request fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def container_env(values: dict) -> dict[str, str]:
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values, name="le", namespace="le", is_install=True)
    deployment = next(doc for path, text in manifests.items() if path.endswith("deployment.yaml")
                      for doc in yaml.safe_load_all(text) if doc)
    env = {}
    for entry in deployment["spec"]["template"]["spec"]["containers"][0]["env"]:
        if "value" in entry:
            env[entry["name"]] = entry["value"]
        elif "fieldRef" in entry["valueFrom"]:
            env[entry["name"]] = "le-0"
        else:
            env[entry["name"]] = FROM_SECRETS[entry["name"]]
    return env


def app_binary() -> str:
    """The release binary when one is named, else the build's own (BIN_DIR, as the other checks use it)."""
    if os.environ.get("LEADER_ELECTION_RELEASE_BIN"):
        return os.environ["LEADER_ELECTION_RELEASE_BIN"]
    binary = os.path.join(os.environ.get("BIN_DIR") or str(REPO / ".build" / "debug"), "leader-election")
    if not os.access(binary, os.X_OK):
        pytest.skip(f"no leader-election binary at {binary}: run make build-local, or set LEADER_ELECTION_RELEASE_BIN")
    return binary


def status(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    return subprocess.run([app_binary(), "status"], env={**clean, **env}, capture_output=True, text=True,
                          timeout=60)


def etcd_values(**etcd) -> dict:
    return {"clusterName": "napoleon", "lock": {"backend": "etcd"}, "etcd": {"endpoints": [refused_url()], **etcd}}


def test_the_etcd_environment_is_accepted_and_reaches_the_members():
    values = etcd_values()
    result = status(container_env(values))
    # 1: the settings were taken and the member was asked; a usage error would be 64, bad settings 2.
    assert result.returncode == 1, result.stderr
    assert f"{values['etcd']['endpoints'][0]}" in result.stderr and "no etcd member answered" in result.stderr


def test_the_gist_environment_is_accepted_and_reaches_the_api():
    url = refused_url()
    values = {"clusterName": "napoleon", "gist": {"id": "abc123", "apiUrl": url, "token": "x"}}
    result = status(container_env(values))
    assert result.returncode == 1, result.stderr
    assert url.split("//")[1] in result.stderr, result.stderr


@pytest.mark.parametrize(("etcd", "message"), [
    ({"tls": {"secretName": "tls"}}, "the etcd CA file /etc/leader-election/etcd-tls/ca.crt"),
    ({"auth": {"secretName": "auth"}}, "the etcd password file /etc/leader-election/etcd-auth/password"),
], ids=["ca-file", "password-file"])
def test_the_mounted_files_are_the_ones_the_app_reads(etcd, message):
    values = etcd_values(**etcd)
    if "tls" in etcd:
        values["etcd"]["endpoints"] = [values["etcd"]["endpoints"][0].replace("http:", "https:")]
    result = status(container_env(values))
    # Outside a pod the files are missing: the app names the very path the chart mounts (status says
    # so with 1, run with 2; a variable it did not know or refused would be a usage error, 64).
    assert result.returncode in (1, 2), result.stderr
    assert message in result.stderr, result.stderr
