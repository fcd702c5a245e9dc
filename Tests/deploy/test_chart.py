"""The Helm chart, rendered with Helm's own Go SDK and checked against Kubernetes' schemas."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import helm_python as helm
import pytest
import yaml
from kubernetes_validate import utils as kube_schemas
from packaging.version import Version

from .conftest import CHART, CLUSTERS, GIST_ID, NAMESPACE, RELEASE, TOKEN, Rendered, ci_values, merged

# kind v0.32 ships Kubernetes v1.36 nodes and vcluster v0.36 runs v1.36; check the newest three
# minor versions this kubernetes-validate knows, so the next release of each is covered too.
KUBE_VERSIONS = sorted(
    {".".join(v.split(".")[:2]) for v in kube_schemas.all_versions()}, key=Version
)[-3:]
# Kinds without a schema in kubernetes-validate (custom resources), checked by hand below.
CUSTOM_API_GROUPS = ("monitoring.coreos.com/",)

# The values cicd.sh deploy passes for each vcluster.
DEPLOYED = {
    "gist": {"id": GIST_ID, "existingSecret": {"name": f"{RELEASE}-token"}},
    "image": {"repository": "leader-election", "tag": "0.1.0"},
    "replicaCount": 1,
}
CI = ci_values()


def validate_all(rendered: Rendered, version: str) -> int:
    """Validates every object strictly (unknown fields fail); returns how many were checked."""
    checked = 0
    for obj in rendered.objects:
        if obj["apiVersion"].startswith(CUSTOM_API_GROUPS):
            continue
        problem = None
        try:
            kube_schemas.validate(obj, version, strict=True)
        except kube_schemas.ValidationError as error:
            problem = f"{error.message[:300]} at {'.'.join(map(str, error.path))}"
        if problem:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']} is invalid for Kubernetes {version}: {problem}")
        checked += 1
    return checked


def test_kubernetes_versions_cover_what_kind_and_vcluster_ship():
    assert "1.36" in KUBE_VERSIONS, f"kubernetes-validate knows {KUBE_VERSIONS}; kind v0.32 ships 1.36"


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("cluster", CLUSTERS)
def test_each_cluster_renders_valid_objects(render, cluster, version):
    rendered = render(merged(DEPLOYED, {"clusterName": cluster}))
    kinds = sorted(o["kind"] for o in rendered.objects)
    assert kinds == ["Deployment", "Pod", "Service", "ServiceAccount"]
    assert validate_all(rendered, version) == 4
    env = rendered.env()
    assert env["LEADER_ELECTION_ID"]["value"] == cluster
    assert env["CLUSTER_NAME"]["value"] == cluster
    assert env["LEADER_ELECTION_GIST_ID"]["value"] == GIST_ID
    assert rendered.container["image"] == "leader-election:0.1.0"


@pytest.mark.parametrize("version", KUBE_VERSIONS)
@pytest.mark.parametrize("values_file", sorted(CI))
def test_ci_values_render_valid_objects(render, values_file, version):
    rendered = render(CI[values_file])
    assert validate_all(rendered, version) >= 3


@pytest.mark.parametrize("values_file", sorted(CI))
def test_lint_strict_is_clean_with_ci_values(values_file):
    report = helm.lint(CHART, CI[values_file], strict=True, namespace=NAMESPACE)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert not problems and not report["errors"], report


def test_lint_strict_is_clean_with_defaults():
    report = helm.lint(CHART, strict=True)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert not problems and not report["errors"], report


def test_lint_reports_schema_errors():
    report = helm.lint(CHART, {"replicaCount": "three"}, strict=True)
    assert any("got string, want integer" in e for e in report["errors"]), report


@pytest.mark.parametrize("values_file", sorted(CI))
def test_pod_is_hardened(render, values_file):
    rendered = render(CI[values_file])
    pod = rendered.pod_spec
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    pod_security = pod["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert isinstance(pod_security["runAsUser"], int) and pod_security["runAsUser"] > 0
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
    security = rendered.container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["privileged"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["runAsNonRoot"] is True
    assert rendered.one("ServiceAccount")["automountServiceAccountToken"] is False
    # The test pod is hardened as well.
    for test_pod in rendered.of_kind("Pod"):
        assert test_pod["spec"]["automountServiceAccountToken"] is False
        assert test_pod["spec"]["securityContext"]["runAsNonRoot"] is True
        for container in test_pod["spec"]["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_image_user_matches_the_pod_user(render):
    """The Dockerfile's numeric USER is the one the chart runs as, so runAsNonRoot holds either way."""
    dockerfile = (CHART.parent / "Dockerfile").read_text()
    user = re.findall(r"^USER\s+(\d+)(?::(\d+))?\s*$", dockerfile, re.MULTILINE)
    assert user, "the Dockerfile must set a numeric USER"
    uid, gid = user[-1]
    pod_security = render(CI["default-values.yaml"]).pod_spec["securityContext"]
    assert pod_security["runAsUser"] == int(uid)
    assert pod_security["runAsGroup"] == int(gid or uid)


def token_positions(rendered: Rendered, token: str) -> list[str]:
    """Where the token or its base64 form shows up, as kind/name of each object."""
    encoded = base64.b64encode(token.encode()).decode()
    hits = []
    for obj in rendered.objects:
        text = json.dumps(obj)
        if token in text or encoded in text:
            hits.append(f"{obj['kind']}/{obj['metadata']['name']}")
    return hits


def assert_token_from_secret(rendered: Rendered, secret: str, key: str) -> None:
    env = rendered.env()
    token_env = env["LEADER_ELECTION_GITHUB_API_TOKEN"]
    assert "value" not in token_env
    assert token_env["valueFrom"] == {"secretKeyRef": {"name": secret, "key": key}}
    for entry in rendered.container["env"]:
        assert "TOKEN" not in entry["name"] or "valueFrom" in entry, entry
    assert not any("token" in arg.lower() for arg in rendered.container.get("args", []))


def test_token_value_lives_only_in_the_chart_secret(render):
    rendered = render(merged(DEPLOYED, {"clusterName": "napoleon",
                                        "gist": {"token": TOKEN, "existingSecret": {"name": ""}}}))
    secret = rendered.one("Secret")
    assert secret["metadata"]["name"] == RELEASE
    assert base64.b64decode(secret["data"]["token"]).decode() == TOKEN
    assert token_positions(rendered, TOKEN) == [f"Secret/{RELEASE}"]
    assert TOKEN not in rendered.notes
    assert_token_from_secret(rendered, RELEASE, "token")


def test_existing_secret_is_referenced_and_no_secret_is_made(render):
    rendered = render(CI["existing-secret-values.yaml"])
    assert rendered.of_kind("Secret") == []
    assert_token_from_secret(rendered, "leader-election-token", "github-token")


def test_one_replica_is_hailed_by_its_cluster_name(render):
    rendered = render(CI["default-values.yaml"])
    deployment = rendered.one("Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert rendered.env()["LEADER_ELECTION_ID"]["value"] == "napoleon"
    # The new pod of an update has the same identity, so the old one must be gone first.
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_several_replicas_get_unique_identities(render):
    rendered = render(CI["replicas-values.yaml"])
    assert rendered.one("Deployment")["spec"]["replicas"] == 3
    names = [e["name"] for e in rendered.container["env"]]
    env = rendered.env()
    assert env["LEADER_ELECTION_ID"]["value"] == "cleopatra-$(POD_NAME)"
    assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    # The kubelet expands $(POD_NAME) only from variables defined earlier in the list.
    assert names.index("POD_NAME") < names.index("LEADER_ELECTION_ID")
    assert "cleopatra-<pod name>" in rendered.notes


def test_timings_and_election_reach_the_app(render):
    rendered = render(CI["custom-timings-values.yaml"])
    env = rendered.env()
    assert env["LEADER_ELECTION_LEASE_DURATION"]["value"] == "1m30s"
    assert env["LEADER_ELECTION_RENEW_DEADLINE"]["value"] == "10s"
    assert env["LEADER_ELECTION_RETRY_PERIOD"]["value"] == "500ms"
    assert env["LEADER_ELECTION_ELECTION"]["value"] == "demo"
    assert rendered.container["args"] == ["run", "--log-format=json", "--log-level=debug"]


def test_write_mode_reaches_the_app(render):
    assert render(CI["existing-secret-values.yaml"]).env()["LEADER_ELECTION_WRITE_MODE"]["value"] == "auto"
    chosen = render(merged(CI["existing-secret-values.yaml"], {"gist": {"writeMode": "git"}}))
    assert chosen.env()["LEADER_ELECTION_WRITE_MODE"]["value"] == "git"


def test_http_endpoint_probes_and_service(render):
    rendered = render(CI["local-gist-server-values.yaml"])
    container = rendered.container
    assert container["ports"] == [{"name": "http", "containerPort": 9090, "protocol": "TCP"}]
    assert rendered.env()["LEADER_ELECTION_HTTP"]["value"] == "0.0.0.0:9090"
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    service = rendered.one("Service")
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"] == [{"port": 80, "targetPort": "http", "protocol": "TCP", "name": "http"}]
    assert service["spec"]["selector"] == rendered.one("Deployment")["spec"]["selector"]["matchLabels"]
    assert rendered.env()["LEADER_ELECTION_GITHUB_API_URL"]["value"] == \
        "http://gist-server.gist-server.svc.cluster.local:8080"
    test_pod = rendered.one("Pod")
    assert test_pod["spec"]["containers"][0]["args"][-1] == f"http://{RELEASE}:80/readyz"


def test_metrics_annotations_and_service_monitor(render):
    annotated = render(CI["default-values.yaml"])
    annotations = annotated.one("Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": "8080",
                           "prometheus.io/path": "/metrics"}
    assert annotated.of_kind("ServiceMonitor") == []

    monitored = render(CI["custom-timings-values.yaml"])
    assert "annotations" not in monitored.one("Deployment")["spec"]["template"]["metadata"]
    monitor = monitored.one("ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "15s"}]
    assert monitor["spec"]["selector"]["matchLabels"] == \
        monitored.one("Service")["spec"]["selector"]
    assert monitored.of_kind("Pod") == [], "tests.enabled=false drops the test pod"


def test_labels_follow_helm_create(render):
    rendered = render(CI["default-values.yaml"])
    for obj in rendered.objects:
        labels = obj["metadata"]["labels"]
        # The test pod is named apart, so the app's selector does not pick it up.
        test_pod = "helm.sh/hook" in obj["metadata"].get("annotations", {})
        assert labels["app.kubernetes.io/name"] == ("leader-election-test" if test_pod else "leader-election")
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert test_pod or labels["app.kubernetes.io/version"] == "0.1.0"
        assert labels["helm.sh/chart"] == "leader-election-0.1.0"
    selector = rendered.one("Deployment")["spec"]["selector"]["matchLabels"]
    assert selector == {"app.kubernetes.io/name": "leader-election", "app.kubernetes.io/instance": RELEASE}


def test_names_are_cut_to_63_characters(render):
    rendered = render(CI["default-values.yaml"], name="a-very-long-release-name-that-goes-on-and-on-and-on-x")
    name = rendered.one("Deployment")["metadata"]["name"]
    assert len(name) <= 63 and not name.endswith("-")


def test_notes_tell_how_to_see_who_leads(render):
    notes = render(CI["default-values.yaml"]).notes
    assert f"kubectl --namespace {NAMESPACE} logs deployment/{RELEASE}" in notes
    assert f"exec deployment/{RELEASE} -- leader-election status" in notes
    assert f"port-forward service/{RELEASE} 8080:8080" in notes
    assert "All hail" in notes and "I will lead you to greatness" in notes


BAD_VALUES = [
    pytest.param({"gist": {"id": ""}}, helm.HelmRenderError, "gist.id is required", id="missing-gist-id"),
    pytest.param({"clusterName": ""}, helm.HelmRenderError, "clusterName is required", id="missing-cluster"),
    pytest.param({"gist": {"existingSecret": {"name": ""}}}, helm.HelmRenderError, "no GitHub token",
                 id="missing-token"),
    pytest.param({"gist": {"token": TOKEN}}, helm.HelmRenderError, "keep only one", id="token-and-secret"),
    pytest.param({"replicas": 2}, helm.HelmValuesError, "additional properties 'replicas' not allowed",
                 id="unknown-key"),
    pytest.param({"image": {"colour": "red"}}, helm.HelmValuesError,
                 "at '/image': additional properties 'colour' not allowed", id="unknown-nested-key"),
    pytest.param({"replicaCount": "three"}, helm.HelmValuesError,
                 "at '/replicaCount': got string, want integer", id="wrong-type"),
    pytest.param({"replicaCount": -1}, helm.HelmValuesError, "minimum: got -1, want 0", id="below-minimum"),
    pytest.param({"image": {"pullPolicy": "Sometimes"}}, helm.HelmValuesError, "value must be one of",
                 id="bad-enum"),
    pytest.param({"clusterName": "Napoleon I"}, helm.HelmValuesError, "at '/clusterName'", id="bad-cluster-name"),
    pytest.param({"gist": {"apiUrl": "api.github.com"}}, helm.HelmValuesError, "at '/gist/apiUrl'",
                 id="url-without-scheme"),
    pytest.param({"gist": {"writeMode": "push"}}, helm.HelmValuesError, "at '/gist/writeMode'", id="bad-write-mode"),
    pytest.param({"election": {"leaseDuration": "30 seconds"}}, helm.HelmValuesError,
                 "at '/election/leaseDuration'", id="bad-duration"),
    pytest.param({"election": {"leaseDuration": "15s"}}, helm.HelmRenderError,
                 "election.leaseDuration (15s) must be greater than election.renewDeadline (35s)",
                 id="lease-not-above-renew"),
    pytest.param({"election": {"renewDeadline": "6s"}}, helm.HelmRenderError,
                 "election.renewDeadline (6s) must be greater than 1.2 x election.retryPeriod (5s)",
                 id="renew-not-above-jittered-retry"),
    pytest.param({"election": {"leaseDuration": "1m", "renewDeadline": "1m30s"}}, helm.HelmRenderError,
                 "must be greater than election.renewDeadline (1m30s)", id="minutes-are-parsed"),
    pytest.param({"election": {"retryPeriod": "0s"}}, helm.HelmRenderError,
                 "election.retryPeriod (0s) must be greater than 0", id="zero-retry"),
]


@pytest.mark.parametrize(("extra", "error", "message"), BAD_VALUES)
def test_bad_values_fail_with_helms_message(chart, extra, error, message):
    values = merged(CI["existing-secret-values.yaml"], extra)
    with pytest.raises(error) as raised:
        chart.render(values, name=RELEASE, namespace=NAMESPACE)
    assert message in str(raised.value)


@pytest.mark.parametrize(("lease", "renew", "retry"), [("30s", "15s", "5s"), ("1h", "59m59s", "49m59s"),
                                                        ("1s", "700ms", "500ms"), ("2m", "1m1s", "50s")])
def test_valid_timings_render(render, lease, renew, retry):
    # Timings of one's own come with the app's renew interval for them (the chart's 10s fits only longer ones).
    values = merged(CI["existing-secret-values.yaml"],
                    {"election": {"leaseDuration": lease, "renewDeadline": renew, "retryPeriod": retry,
                                  "renewInterval": ""}})
    assert render(values).env()["LEADER_ELECTION_RENEW_DEADLINE"]["value"] == renew


def schema_node(schema: dict[str, Any], path: list[str]) -> dict[str, Any] | None:
    node: dict[str, Any] | None = schema
    for key in path:
        if node is None or "properties" not in node:
            return None
        node = node["properties"].get(key)
    return node


def test_schema_is_closed_and_documented():
    schema = json.loads((CHART / "values.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"

    def walk(node: dict[str, Any], where: str) -> None:
        if "properties" in node:
            assert node.get("additionalProperties") is False, f"{where} must reject unknown keys"
            for key, child in node["properties"].items():
                assert child.get("description"), f"{where}.{key} has no description"
                assert "type" in child, f"{where}.{key} has no type"
                walk(child, f"{where}.{key}")

    walk(schema, "values")


def test_values_match_the_schema_and_every_value_is_commented():
    text = (CHART / "values.yaml").read_text()
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=values.schema.json"
    schema = json.loads((CHART / "values.schema.json").read_text())
    defaults = yaml.safe_load(text)

    def keys(node: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
        found = set()
        for key, value in node.items():
            found.add(prefix + (key,))
            if isinstance(value, dict) and schema_node(schema, list(prefix + (key,))) and \
                    "properties" in schema_node(schema, list(prefix + (key,))):
                found |= keys(value, prefix + (key,))
        return found

    in_values = keys(defaults)
    for path in in_values:
        assert schema_node(schema, list(path)) is not None, f"{'.'.join(path)} is not in the schema"
    top_level = set(schema["properties"]) - {"global"}
    assert top_level == {p[0] for p in in_values}, "values.yaml and the schema list different keys"

    stack: list[tuple[int, str]] = []
    for number, line in enumerate(lines):
        match = re.match(r"^( *)([A-Za-z][\w.-]*):", line)
        if not match:
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = [k for _, k in stack] + [match.group(2)]
        stack.append((indent, match.group(2)))
        if schema_node(schema, path) is None:
            continue  # inside a Kubernetes object (a probe, a security context), documented by its key
        assert lines[number - 1].lstrip().startswith("#"), f"values.yaml:{number + 1} {'.'.join(path)} has no comment"


def test_chart_metadata_and_helpers():
    metadata = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert metadata["apiVersion"] == "v2"
    assert metadata["type"] == "application"
    assert metadata["name"] == "leader-election"
    assert metadata["appVersion"] and metadata["version"]
    helpers = (CHART / "templates" / "_helpers.tpl").read_text()
    defines = re.findall(r'define "([^"]+)"', helpers)
    assert defines and all(d.startswith("leader-election.") for d in defines), defines
    for template in (CHART / "templates").rglob("*.yaml"):
        for used in re.findall(r'include "([^"]+)"', template.read_text()):
            assert used in defines, f"{template.name} includes unknown helper {used}"


def test_chart_readme_lists_every_value():
    readme = (CHART / "README.md").read_text()
    schema = json.loads((CHART / "values.schema.json").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())

    def leaves(node: dict[str, Any], sch: dict[str, Any], prefix: str) -> list[str]:
        found = []
        for key, value in node.items():
            child = sch["properties"][key]
            if isinstance(value, dict) and "properties" in child:
                found += leaves(value, child, f"{prefix}{key}.")
            else:
                found.append(f"{prefix}{key}")
        return found

    missing = [key for key in leaves(defaults, schema, "") if f"| `{key}` |" not in readme]
    assert not missing, f"chart/README.md does not document {missing}"


def test_notes_commands_run_from_the_host_with_a_prefix(render):
    prefix = "vcluster connect napoleon -n vcluster-napoleon --context kind-kind --"
    notes = render(merged(CI["default-values.yaml"], {"notes": {"commandPrefix": prefix}})).notes
    commands = [line.strip() for line in notes.splitlines() if "kubectl " in line or "helm test" in line]
    assert len(commands) == 4
    for command in commands:
        assert f"{prefix} kubectl --namespace" in command or f"{prefix} helm test" in command, command
    plain = render(CI["default-values.yaml"]).notes
    assert f"     kubectl --namespace {NAMESPACE} logs" in plain, "without a prefix the commands stand alone"


def test_the_test_pod_is_not_one_of_the_apps_pods(render):
    rendered = render(CI["default-values.yaml"])
    selector = rendered.one("Deployment")["spec"]["selector"]["matchLabels"]
    service = rendered.one("Service")["spec"]["selector"]
    test_pod = next(p for p in rendered.of_kind("Pod") if "helm.sh/hook" in p["metadata"].get("annotations", {}))
    labels = test_pod["metadata"]["labels"]
    for wanted in (selector, service):
        assert not all(labels.get(k) == v for k, v in wanted.items()), "the app's selector picks up the test pod"
    # check-leader's selector, from cicd.sh.
    assert labels.get("app.kubernetes.io/name") != "leader-election"


def test_the_memory_request_is_above_the_measured_resident_memory(render):
    requested = render(CI["default-values.yaml"]).container["resources"]["requests"]["memory"]
    assert requested.endswith("Mi") and int(requested[:-2]) > 41, "the app's RSS measured 35-41 MiB"
