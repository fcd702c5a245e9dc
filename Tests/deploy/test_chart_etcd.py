"""The chart with lock.backend=etcd: the members, prefix, TLS files and password reach the app, the gist's
settings do not, and the schema and templates refuse what cannot work."""

from __future__ import annotations

from typing import Any

import helm_python as helm
import pytest

from .conftest import CHART, NAMESPACE, RELEASE, TOKEN, Rendered, ci_values, merged
from .test_chart import KUBE_VERSIONS, validate_all

CI = ci_values()
ETCD = CI["etcd-values.yaml"]
ENDPOINTS = ETCD["etcd"]["endpoints"]
# The minimal etcd release: members and nothing else.
PLAIN = {"clusterName": "napoleon", "lock": {"backend": "etcd"},
         "etcd": {"endpoints": ["http://10.0.0.1:2379", "http://10.0.0.2:2379"]}}
# The gist's settings, none of which means anything to an etcd lock.
GIST_ONLY = ("LEADER_ELECTION_GIST_ID", "LEADER_ELECTION_GITHUB_API_URL", "LEADER_ELECTION_WRITE_MODE",
             "LEADER_ELECTION_GITHUB_API_TOKEN", "LEADER_ELECTION_TAKEOVER_SETTLE", "LEADER_ELECTION_CANDIDATES",
             "LEADER_ELECTION_ELECTIONS")


def volume(rendered: Rendered, name: str) -> dict[str, Any]:
    found = [v for v in rendered.pod_spec["volumes"] if v["name"] == name]
    assert len(found) == 1, f"expected one volume {name}, got {rendered.pod_spec['volumes']}"
    return found[0]


def file_source(rendered: Rendered, path: str) -> tuple[str, str]:
    """The Secret and key that a file path in the container comes from, through its mount and the volume."""
    for mount in rendered.container["volumeMounts"]:
        prefix = mount["mountPath"].rstrip("/") + "/"
        if path.startswith(prefix):
            assert mount.get("readOnly") is True, mount
            secret = volume(rendered, mount["name"])["secret"]
            key = next(i["key"] for i in secret["items"] if i["path"] == path[len(prefix):])
            return secret["secretName"], key
    raise AssertionError(f"{path} is in no mounted volume")


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("values", [ETCD, PLAIN], ids=["tls-and-auth", "plain"])
def test_etcd_releases_render_valid_objects(render, values, version):
    rendered = render(values)
    assert sorted(o["kind"] for o in rendered.objects) == ["Deployment", "Pod", "Service", "ServiceAccount"]
    assert validate_all(rendered, version) == 4


def test_the_members_and_prefix_reach_the_app_and_no_gist_setting_does(render):
    rendered = render(merged(ETCD, {"gist": {"id": "abc", "token": TOKEN}}))
    env = rendered.env()
    assert env["LEADER_ELECTION_LOCK"]["value"] == "etcd"
    assert env["LEADER_ELECTION_ETCD_ENDPOINTS"]["value"] == ",".join(ENDPOINTS)
    assert env["LEADER_ELECTION_ETCD_PREFIX"]["value"] == "/elections"
    assert env["LEADER_ELECTION_ELECTION"]["value"] == "multi-cluster-leader-election"
    # The general settings stay.
    for name in ("LEADER_ELECTION_ID", "LEADER_ELECTION_LEASE_DURATION", "LEADER_ELECTION_RENEW_DEADLINE",
                 "LEADER_ELECTION_RETRY_PERIOD", "LEADER_ELECTION_RENEW_INTERVAL",
                 "LEADER_ELECTION_REQUEST_TIMEOUT", "LEADER_ELECTION_HTTP"):
        assert name in env, name
    present = [name for name in GIST_ONLY if name in env]
    assert present == [], f"gist settings rendered for an etcd lock: {present}"
    # A token left in the gist block is not turned into a Secret, nor found anywhere else.
    assert rendered.of_kind("Secret") == []
    assert TOKEN not in rendered.text and TOKEN not in rendered.notes
    assert "/elections/multi-cluster-leader-election" in rendered.notes
    assert "gist" not in rendered.notes


def test_the_gist_backend_renders_no_etcd_setting(render):
    rendered = render(merged(CI["existing-secret-values.yaml"], {"etcd": ETCD["etcd"]}))
    env = rendered.env()
    assert env["LEADER_ELECTION_LOCK"]["value"] == "gist"
    assert [name for name in env if "ETCD" in name] == []
    assert [v["name"] for v in rendered.pod_spec["volumes"]] == ["tmp"]
    assert all(name in env for name in GIST_ONLY)


def test_tls_files_come_from_the_secret_mounted_read_only(render):
    rendered = render(ETCD)
    env = rendered.env()
    sources = {name: file_source(rendered, env[f"LEADER_ELECTION_ETCD_{name}_FILE"]["value"])
               for name in ("CA", "CERT", "KEY")}
    assert sources == {"CA": ("etcd-client-tls", "ca.crt"), "CERT": ("etcd-client-tls", "tls.crt"),
                       "KEY": ("etcd-client-tls", "tls.key")}
    # Group-readable only: the pod's fsGroup is the app's group.
    assert volume(rendered, "etcd-tls")["secret"]["defaultMode"] == 0o440
    assert rendered.pod_spec["securityContext"]["fsGroup"] == rendered.container["securityContext"]["runAsGroup"]


def test_other_secret_keys_and_a_ca_alone(render):
    tls = {"secretName": "etcd-ca", "caKey": "root.pem", "certKey": "", "keyKey": ""}
    rendered = render(merged(ETCD, {"etcd": {"tls": tls}}))
    env = rendered.env()
    assert file_source(rendered, env["LEADER_ELECTION_ETCD_CA_FILE"]["value"]) == ("etcd-ca", "root.pem")
    assert "LEADER_ELECTION_ETCD_CERT_FILE" not in env and "LEADER_ELECTION_ETCD_KEY_FILE" not in env
    assert [i["path"] for i in volume(rendered, "etcd-tls")["secret"]["items"]] == ["ca.crt"]


def test_the_password_reaches_the_app_only_as_a_file_from_the_secret(render):
    auth = {"secretName": "etcd-login", "usernameKey": "user", "passwordKey": "pass"}
    rendered = render(merged(ETCD, {"etcd": {"auth": auth}}))
    env = rendered.env()
    assert env["LEADER_ELECTION_ETCD_USERNAME"]["valueFrom"] == {"secretKeyRef": {"name": "etcd-login", "key": "user"}}
    assert file_source(rendered, env["LEADER_ELECTION_ETCD_PASSWORD_FILE"]["value"]) == ("etcd-login", "pass")
    assert "LEADER_ELECTION_ETCD_PASSWORD" not in env
    for entry in rendered.container["env"]:
        assert "PASSWORD" not in entry["name"] or entry["value"].startswith("/etc/"), entry
    assert volume(rendered, "etcd-auth")["secret"]["defaultMode"] == 0o440
    assert not any("password" in arg.lower() for arg in rendered.container["args"])


def test_no_tls_and_no_auth_mount_nothing(render):
    rendered = render(PLAIN)
    env = rendered.env()
    assert [name for name in env if name.startswith("LEADER_ELECTION_ETCD_")] == \
        ["LEADER_ELECTION_ETCD_ENDPOINTS", "LEADER_ELECTION_ETCD_PREFIX"]
    assert env["LEADER_ELECTION_ETCD_PREFIX"]["value"] == "/leader-election"
    assert [v["name"] for v in rendered.pod_spec["volumes"]] == ["tmp"]
    assert [m["name"] for m in rendered.container["volumeMounts"]] == ["tmp"]


BAD_VALUES = [
    pytest.param({"etcd": {"endpoints": []}}, helm.HelmValuesError, "at '/etcd/endpoints': minItems: got 0, want 1",
                 id="no-endpoints"),
    pytest.param({"lock": {"backend": "consul"}}, helm.HelmValuesError, "at '/lock/backend': value must be one of",
                 id="unknown-backend"),
    pytest.param({"etcd": {"endpoints": ["etcd-0:2379"]}}, helm.HelmValuesError, "at '/etcd/endpoints/0'",
                 id="endpoint-without-scheme"),
    pytest.param({"etcd": {"endpoints": ["https://a:2379,https://b:2379"]}}, helm.HelmValuesError,
                 "at '/etcd/endpoints/0'", id="endpoints-in-one-string"),
    pytest.param({"etcd": {"endpoints": "https://a:2379"}}, helm.HelmValuesError,
                 "at '/etcd/endpoints': got string, want array", id="endpoints-not-a-list"),
    pytest.param({"etcd": {"prefix": "elections"}}, helm.HelmValuesError, "at '/etcd/prefix'", id="relative-prefix"),
    pytest.param({"etcd": {"prefix": "/elections/"}}, helm.HelmValuesError, "at '/etcd/prefix'",
                 id="prefix-ending-in-slash"),
    pytest.param({"etcd": {"auth": {"password": "hunter2"}}}, helm.HelmValuesError,
                 "at '/etcd/auth': additional properties 'password' not allowed", id="password-as-a-value"),
    pytest.param({"etcd": {"endpoints": ["http://etcd-0:2379"]}}, helm.HelmRenderError,
                 "etcd.endpoints has the plain http URL http://etcd-0:2379 but etcd.tls.secretName is set",
                 id="tls-with-http"),
    pytest.param({"etcd": {"tls": {"keyKey": ""}}}, helm.HelmRenderError,
                 "etcd.tls.certKey is set but etcd.tls.keyKey is empty", id="certificate-without-key"),
    pytest.param({"etcd": {"tls": {"certKey": ""}}}, helm.HelmRenderError,
                 "etcd.tls.keyKey is set but etcd.tls.certKey is empty", id="key-without-certificate"),
    pytest.param({"etcd": {"tls": {"caKey": "", "certKey": "", "keyKey": ""}}}, helm.HelmRenderError,
                 "etcd.tls.secretName is set but names no file", id="tls-secret-without-files"),
]


@pytest.mark.parametrize(("extra", "error", "message"), BAD_VALUES)
def test_bad_etcd_values_fail_with_the_value_named(chart, extra, error, message):
    with pytest.raises(error) as raised:
        chart.render(merged(ETCD, extra), name=RELEASE, namespace=NAMESPACE)
    assert message in str(raised.value)


def test_the_gist_backend_does_not_need_etcd_endpoints_nor_etcd_a_gist(render):
    # The defaults (gist) leave etcd.endpoints empty, and an etcd release has no gist id nor token.
    assert render(CI["existing-secret-values.yaml"]).env()["LEADER_ELECTION_GIST_ID"]["value"]
    assert "LEADER_ELECTION_GIST_ID" not in render(PLAIN).env()


def test_lint_strict_is_clean_with_a_plain_etcd_release():
    report = helm.lint(CHART, PLAIN, strict=True, namespace=NAMESPACE)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert not problems and not report["errors"], report
