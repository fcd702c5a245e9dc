"""cicd.sh's cluster workflows, run against recording stand-ins for docker, kind, vcluster, helm,
kubectl and the app: the commands each workflow issues, in order, and what it tells the user."""

from __future__ import annotations

import base64
import re
import shlex

import pytest
import yaml

from .conftest import CLUSTERS, GIST_ID, RELEASE, REPO, TOKEN, Sandbox

STANDIN_GIST = "feedc0de"  # what the init stand-in prints
IMAGE = "leader-election:0.1.0"  # the chart's appVersion is the default tag


def seed_deployed(sandbox: Sandbox, replicas: dict[str, int] | None = None, released: int = 1) -> None:
    """Pretends provision, build and deploy ran: every vcluster runs one copy (replicas: copies running
    now), and its release was installed with `released` copies."""
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    for name, count in (replicas or {c: 1 for c in CLUSTERS}).items():
        (sandbox.state / f"replicas-{name}").write_text(str(count))
        seed_release(sandbox, name, released)


def seed_release(sandbox: Sandbox, name: str, replicas: int) -> None:
    """A release in vcluster NAME as deploy leaves it, in the helm stand-in's state."""
    (sandbox.state / f"values-{name}").write_text(f"gist.id={GIST_ID}\nreplicaCount={replicas}\n")


def creating(calls: list[str]) -> list[str]:
    """The calls that change something."""
    pattern = re.compile(r"\b(create cluster|vcluster create|create secret|delete|apply|replace|upgrade|scale|rollout|load"
                         r"|push|build)\b")
    return [c for c in calls if pattern.search(c) and "--dry-run=client" not in c
            and not c.startswith("vcluster connect")]


def assert_no_token(sandbox: Sandbox, *results) -> None:
    encoded = base64.b64encode(TOKEN.encode()).decode()
    for result in results:
        assert TOKEN not in result.stdout and TOKEN not in result.stderr
        assert encoded not in result.stdout and encoded not in result.stderr
    assert TOKEN not in "\n".join(sandbox.calls()), "the token showed up on a command line"


# ---- provision ----------------------------------------------------------------------------------

def test_provision_creates_kind_then_each_vcluster_and_waits(sandbox):
    result = sandbox.run("provision")
    assert result.returncode == 0, result.stderr
    assert creating(sandbox.calls()) == [
        "kind create cluster --name kind --wait 5s",
        "vcluster create napoleon --driver helm --namespace vcluster-napoleon --context kind-kind --connect=false",
        "vcluster create stalin --driver helm --namespace vcluster-stalin --context kind-kind --connect=false",
        "vcluster create cleopatra --driver helm --namespace vcluster-cleopatra --context kind-kind --connect=false",
    ]
    readiness = [c for c in sandbox.calls() if c.startswith("kubectl --context kind-kind get pods")]
    assert [shlex.split(c)[6] for c in readiness] == [f"vcluster-{c}" for c in CLUSTERS]
    assert "provisioned: kind cluster 'kind' with vclusters napoleon stalin cleopatra" in result.stderr


def test_provision_is_idempotent(sandbox):
    first = sandbox.run("provision")
    assert first.returncode == 0, first.stderr
    before = len(sandbox.calls())
    second = sandbox.run("provision")
    assert second.returncode == 0, second.stderr
    assert creating(sandbox.calls()[before:]) == [], "a second provision must create nothing"
    assert "kind cluster 'kind' exists" in second.stderr
    for name in CLUSTERS:
        assert f"vcluster '{name}' exists" in second.stderr
    assert (sandbox.state / "vclusters-helm").read_text().count("\n") == 3


def test_provision_creates_only_what_is_missing(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",))
    result = sandbox.run("provision", CLUSTERS="napoleon stalin")
    assert result.returncode == 0, result.stderr
    assert creating(sandbox.calls()) == [
        "vcluster create stalin --driver helm --namespace vcluster-stalin --context kind-kind --connect=false",
    ]


def test_provision_gives_up_on_a_vcluster_that_never_gets_ready(sandbox):
    result = sandbox.run("provision", STANDIN_VCLUSTER_READY="false", CLUSTER_TIMEOUT="0")
    assert result.returncode != 0
    assert "waiting for vcluster napoleon to be ready (0s of 0s)" in result.stderr
    assert "gave up waiting for vcluster napoleon to be ready after 0s" in result.stderr


# ---- build --------------------------------------------------------------------------------------

def test_build_loads_the_image_into_kind_without_a_registry(sandbox):
    sandbox.seed(kind=True)
    result = sandbox.run("build")
    assert result.returncode == 0, result.stderr
    calls = creating(sandbox.calls())
    assert calls[0].startswith(f"docker build --tag {IMAGE} --build-arg VERSION=0.1.0 --build-arg REVISION=")
    assert calls[0].endswith(f" {REPO}"), "the build context is the repository"
    assert calls[1:] == [f"kind load docker-image {IMAGE} --name kind"]


def test_build_pushes_to_a_registry_and_leaves_kind_alone(sandbox):
    result = sandbox.run("build", REGISTRY="registry.example:5000/team/", TAG="1.2.3", PLATFORMS="linux/arm64")
    assert result.returncode == 0, result.stderr
    calls = creating(sandbox.calls())
    assert calls[0].startswith("docker build --platform linux/arm64 --tag registry.example:5000/team/leader-election:1.2.3 ")
    assert calls[1:] == ["docker push registry.example:5000/team/leader-election:1.2.3"]
    assert not any(c.startswith("kind") for c in sandbox.calls())


def test_build_pushes_for_amd64_and_arm64_through_a_builder_of_its_own(sandbox):
    result = sandbox.run("build", REGISTRY="ghcr.io/you", TAG="1.2.3")
    assert result.returncode == 0, result.stderr
    builds = [c for c in sandbox.calls() if c.startswith("docker buildx") and c != "docker buildx version"]
    assert builds[:2] == [
        "docker buildx inspect leader-election",
        "docker buildx create --name leader-election --driver docker-container",
    ]
    assert builds[2].startswith("docker buildx build --builder leader-election --platform linux/amd64,linux/arm64 "
                                "--tag ghcr.io/you/leader-election:1.2.3 --build-arg VERSION=1.2.3 ")
    assert builds[2].endswith(f" --push {REPO}")
    assert "pushed ghcr.io/you/leader-election:1.2.3 for linux/amd64,linux/arm64" in result.stdout
    again = sandbox.run("build", REGISTRY="ghcr.io/you", TAG="1.2.4")
    assert again.returncode == 0, again.stderr
    assert len([c for c in sandbox.calls() if c.startswith("docker buildx create")]) == 1


def test_a_multi_platform_push_without_buildx_names_the_way_out(sandbox):
    sandbox.state.mkdir(exist_ok=True)
    (sandbox.state / "no-buildx").write_text("")
    result = sandbox.run("build", REGISTRY="ghcr.io/you", STANDIN_DOCKER_CLIENT="20.10.24")
    assert result.returncode == 1
    assert "needs docker's buildx plugin: install it, or set PLATFORMS to your cluster's one platform" in result.stderr
    single = sandbox.run("build", REGISTRY="ghcr.io/you", PLATFORMS="linux/amd64", STANDIN_DOCKER_CLIENT="20.10.24")
    assert single.returncode == 0, single.stderr


# ---- BuildKit -----------------------------------------------------------------------------------

def test_build_asks_for_buildkit_so_docker_20_10_without_buildx_builds(sandbox):
    # Debian's docker.io 20.10: BuildKit built in, used only with DOCKER_BUILDKIT=1.
    sandbox.state.mkdir(exist_ok=True)
    (sandbox.state / "no-buildx").write_text("")
    result = sandbox.run("build", STANDIN_DOCKER_CLIENT="20.10.24")
    assert result.returncode == 0, result.stderr
    assert "DOCKER_BUILDKIT=1" in result.stderr
    assert any(c.startswith("docker build --tag leader-election:0.1.0 ") for c in sandbox.calls())


def test_build_without_buildkit_says_what_to_install(sandbox):
    # docker 28 without the buildx plugin would fall back to the legacy builder, which refuses RUN --mount.
    sandbox.state.mkdir(exist_ok=True)
    (sandbox.state / "no-buildx").write_text("")
    result = sandbox.run("build")
    assert result.returncode == 1
    assert "the image needs BuildKit (the Dockerfile's RUN --mount) and docker 28.5.1 has no buildx plugin: " \
           "install it" in result.stderr
    assert not any(c.startswith("docker build ") for c in sandbox.calls())


def test_the_dockerfile_asks_for_its_frontend_first():
    # BuildKit reads a `# syntax=` directive only on the first line.
    assert (REPO / "Dockerfile").read_text().splitlines()[0] == "# syntax=docker/dockerfile:1"


def test_build_before_provision_says_deploy_loads_the_image(sandbox):
    result = sandbox.run("build")
    assert result.returncode == 0, result.stderr
    assert "deploy loads leader-election:0.1.0 into it after ./cicd.sh provision" in result.stderr


# ---- deploy -------------------------------------------------------------------------------------

def helm_values(call: str) -> dict:
    """The values a logged `helm upgrade --install` call sets, as Helm would merge them."""
    args = shlex.split(call.split("] ", 1)[1])
    values: dict = {}
    for flag, setting in zip(args, args[1:]):
        if flag in ("--set", "--set-string"):
            path, value = setting.split("=", 1)
            node = values
            *parents, leaf = path.split(".")
            for key in parents:
                node = node.setdefault(key, {})
            # helm's --set keeps a number with a leading zero (08) a string.
            node[leaf] = int(value) if flag == "--set" and re.fullmatch(r"0|[1-9][0-9]*", value) else value
    return values


def test_deploy_creates_a_gist_then_the_secret_and_release_in_each_cluster(sandbox, render):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    # Asking Docker whether it runs, reading the kubeconfig and the releases' gists change nothing.
    calls = [c for c in sandbox.calls()
             if not c.startswith("kubectl config view") and c != "docker version --format {{.Server.Version}}"
             and "helm get values" not in c and "kubectl get secret" not in c]
    # The provision deploy runs finds everything there.
    assert calls[:6] == [
        f"docker image inspect {IMAGE}",
        "kind get clusters",
        "vcluster list --driver helm --context kind-kind --output json",
        *(f"kubectl --context kind-kind get pods --namespace vcluster-{c} --selector app=vcluster,release={c} "
          "--output jsonpath={.items[*].status.containerStatuses[*].ready}" for c in CLUSTERS),
    ]
    calls = calls[4:]
    assert calls[2] == (f"docker run --rm -e LEADER_ELECTION_GITHUB_API_TOKEN -e LEADER_ELECTION_GITHUB_API_URL "
                        f"{IMAGE} init --election multi-cluster-leader-election")
    assert calls[3] == "leader-election init --election multi-cluster-leader-election"
    assert f"created gist {STANDIN_GIST}; reuse it with: export GIST_ID={STANDIN_GIST}" in result.stderr
    # The token is tried against the new gist, as the pods will use it, before any cluster changes.
    assert calls[4] == (f"docker run --rm -e LEADER_ELECTION_GITHUB_API_TOKEN -e LEADER_ELECTION_GITHUB_API_URL "
                        f"{IMAGE} status --gist {STANDIN_GIST} --election multi-cluster-leader-election "
                        "--write-mode auto --output json")
    calls = calls[2:]
    assert calls[4] == f"kind load docker-image {IMAGE} --name kind"

    changes = [c for c in creating(calls) if c.startswith("[")]
    # The namespace in every cluster first, then each cluster's Secret and release.
    expected = [f"[{name}] kubectl apply -f -" for name in CLUSTERS]
    for name in CLUSTERS:
        expected += [f"[{name}] kubectl create secret", f"[{name}] helm upgrade"]
    assert [" ".join(c.split()[:4 if "secret" in c else 3]) if "helm" in c or "secret" in c else c
            for c in changes] == expected

    upgrades = [c for c in calls if c.startswith("[") and "helm upgrade" in c]
    for name, call in zip(CLUSTERS, upgrades):
        values = helm_values(call)
        assert values["clusterName"] == name
        # The notes the release prints work from the host.
        assert f"notes.commandPrefix=vcluster connect {name} -n vcluster-{name} --context kind-kind --" in call
        assert values["gist"] == {"id": STANDIN_GIST, "existingSecret": {"name": f"{RELEASE}-token"}}
        assert values["image"] == {"repository": "leader-election", "tag": "0.1.0"}
        assert "--wait --timeout 5s" in call and "--namespace leader-election" in call
        # Three clusters of one copy each share the token.
        assert values["election"] == {"name": "multi-cluster-leader-election", "candidates": 3}
        # What deploy sets is what the chart accepts.
        env = render(values).env()
        assert env["LEADER_ELECTION_ID"]["value"] == name
        assert env["LEADER_ELECTION_CANDIDATES"]["value"] == "3"

    for name in CLUSTERS:
        assert not (sandbox.state / "applied" / name / f"Secret-{RELEASE}-token.last-applied-configuration").exists(), \
            "kubectl apply would keep the token in the last-applied-configuration annotation"
        secret = yaml.safe_load((sandbox.state / "applied" / name / f"Secret-{RELEASE}-token.yaml").read_text())
        assert base64.b64decode(secret["data"]["token"]).decode() == TOKEN
        assert secret["metadata"]["namespace"] == "leader-election"
        namespace = yaml.safe_load((sandbox.state / "applied" / name / "Namespace-leader-election.yaml").read_text())
        assert namespace["metadata"]["name"] == "leader-election"
    assert list(sandbox.tmp.iterdir()) == [], "the token file must be removed"
    assert_no_token(sandbox, result)


def test_deploy_with_a_gist_id_and_a_local_binary(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",), images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, CLUSTERS="napoleon",
                         REPLICAS="2", LEADER_ELECTION_GITHUB_API_URL="http://127.0.0.1:9999")
    assert result.returncode == 0, result.stderr
    calls = sandbox.calls()
    assert not any(" init" in c for c in calls), "a given GIST_ID needs no new gist"
    upgrade = next(c for c in calls if c.startswith("[") and "helm upgrade" in c)
    values = helm_values(upgrade)
    assert values["gist"]["id"] == GIST_ID and values["replicaCount"] == 2
    assert values["gist"]["apiUrl"] == "http://127.0.0.1:9999"
    assert_no_token(sandbox, result)


def test_deploy_can_run_init_with_a_local_binary(sandbox, tmp_path):
    sandbox.seed(kind=True, vclusters=("stalin",), images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, CLUSTERS="stalin",
                         LEADER_ELECTION_BIN=str(sandbox.root / "bin" / "leader-election"))
    assert result.returncode == 0, result.stderr
    calls = sandbox.calls()
    assert "leader-election init --election multi-cluster-leader-election" in calls
    assert not any(c.startswith("docker run") for c in calls)
    assert_no_token(sandbox, result)


def test_redeploy_leaves_the_secret_alone_and_a_new_token_restarts_the_pods(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",), images=(IMAGE,))
    env = {"GIST_ID": GIST_ID, "CLUSTERS": "napoleon"}
    first = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, **env)
    assert first.returncode == 0, first.stderr
    assert f"secret/{RELEASE}-token created" in first.stderr
    same = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, **env)
    assert f"secret/{RELEASE}-token unchanged" in same.stderr
    assert not any("rollout restart" in c for c in sandbox.calls())
    rotated = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN[::-1], **env)
    assert rotated.returncode == 0, rotated.stderr
    assert f"secret/{RELEASE}-token replaced" in rotated.stderr
    assert [c for c in sandbox.calls() if c.startswith("[")][-2:] == [
        f"[napoleon] kubectl rollout restart --namespace leader-election deployment/{RELEASE}",
        f"[napoleon] kubectl rollout status --namespace leader-election deployment/{RELEASE} --timeout 5s",
    ]
    assert_no_token(sandbox, first, same)


@pytest.mark.parametrize(("clusters", "replicas", "candidates"), [
    ("napoleon stalin cleopatra", "2", 6),
    ("napoleon  stalin", "3", 6),
    ("napoleon", "1", 1),
    ("napoleon", "08", 8),
    ("napoleon stalin", "0", 1),
])
def test_deploy_tells_every_copy_how_many_share_the_token(sandbox, render, clusters, replicas, candidates):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, CLUSTERS=clusters,
                         REPLICAS=replicas)
    assert result.returncode == 0, result.stderr
    upgrades = [c for c in sandbox.calls() if c.startswith("[") and "helm upgrade" in c]
    assert len(upgrades) == len(clusters.split())
    for call in upgrades:
        values = helm_values(call)
        assert values["election"]["candidates"] == candidates
        assert render(values).env()["LEADER_ELECTION_CANDIDATES"]["value"] == str(candidates)
    assert_no_token(sandbox, result)


@pytest.mark.parametrize(("env", "message"), [
    ({}, "LEADER_ELECTION_GITHUB_API_TOKEN is not set: export a GitHub token with only the gist scope"),
    ({"LEADER_ELECTION_GITHUB_API_TOKEN": TOKEN, "GIST_ID": "../etc"}, "GIST_ID '../etc' is not a gist id"),
    ({"LEADER_ELECTION_GITHUB_API_TOKEN": TOKEN, "REPLICAS": "two"}, "REPLICAS must be a whole number"),
    ({"LEADER_ELECTION_GITHUB_API_TOKEN": TOKEN, "TAG": "9.9.9"}, "image leader-election:9.9.9 is not built"),
])
def test_deploy_stops_before_changing_anything_when_something_is_missing(sandbox, env, message):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", **env)
    assert result.returncode != 0
    assert message in result.stderr
    assert creating(sandbox.calls()) == []
    assert_no_token(sandbox, result)


def test_deploy_passes_the_pull_secret_to_the_chart(sandbox, render):
    sandbox.seed(kind=True, vclusters=CLUSTERS)
    assert sandbox.run("build", REGISTRY="ghcr.io/you").returncode == 0
    for name in CLUSTERS:
        secret = sandbox.state / "applied" / name / "Secret-ghcr-pull.yaml"
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ghcr-pull\n")
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, REGISTRY="ghcr.io/you",
                         IMAGE_PULL_SECRET="ghcr-pull")
    assert result.returncode == 0, result.stderr
    upgrades = [c for c in sandbox.calls() if c.startswith("[") and "helm upgrade" in c]
    assert len(upgrades) == 3
    for call in upgrades:
        values = helm_values(call)
        assert values["imagePullSecrets[0]"] == {"name": "ghcr-pull"}
    # What the chart makes of it (--set's list index, as helm reads it).
    rendered = render({"clusterName": "napoleon", "gist": {"id": GIST_ID, "existingSecret": {"name": "t"}},
                       "imagePullSecrets": [{"name": "ghcr-pull"}]})
    assert rendered.pod_spec["imagePullSecrets"] == [{"name": "ghcr-pull"}]
    assert not any("kind load" in c for c in sandbox.calls())


def test_deploy_stops_when_the_pull_secret_is_missing(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS)
    assert sandbox.run("build", REGISTRY="ghcr.io/you").returncode == 0
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, REGISTRY="ghcr.io/you",
                         IMAGE_PULL_SECRET="ghcr-pull")
    assert result.returncode == 1
    assert "IMAGE_PULL_SECRET ghcr-pull is missing in napoleon stalin cleopatra" in result.stderr
    assert "vcluster connect stalin -n vcluster-stalin --context kind-kind -- kubectl create secret docker-registry " \
           "ghcr-pull -n leader-election --docker-server=ghcr.io" in result.stderr
    assert not any("helm upgrade" in c or "create secret" in c for c in sandbox.calls())


def test_deploy_provisions_what_is_missing_first(sandbox):
    sandbox.seed(images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID)
    assert result.returncode == 0, result.stderr
    made = creating(sandbox.calls())
    assert made[:4] == [
        "kind create cluster --name kind --wait 5s",
        *(f"vcluster create {c} --driver helm --namespace vcluster-{c} --context kind-kind --connect=false"
          for c in CLUSTERS),
    ]
    assert len([c for c in made if "helm upgrade" in c]) == 3
    again = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID)
    assert again.returncode == 0, again.stderr
    assert "kind cluster 'kind' exists" in again.stderr
    assert (sandbox.state / "kind-clusters").read_text() == "kind\n"


def test_deploy_says_when_init_cannot_make_a_gist(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, STANDIN_GIST_ID="")
    assert result.returncode != 0
    assert "init printed no gist id" in result.stderr
    assert creating(sandbox.calls()) == []


# ---- check-leader, kill-leader, status ----------------------------------------------------------

def test_check_leader_shows_each_clusters_logs_and_the_lock(sandbox):
    seed_deployed(sandbox)
    result = sandbox.run("check-leader")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    sections = re.split(r"^===== (\S+) =====$", out, flags=re.MULTILINE)[1:]
    assert sections[0::2] == ["napoleon", "stalin", "cleopatra", "lock"]
    logs = dict(zip(sections[0::2], sections[1::2]))
    assert "I am napoleon! I will lead you to greatness!" in logs["napoleon"]
    assert "All hail napoleon" in logs["stalin"] and "All hail napoleon" in logs["cleopatra"]
    assert "holder:   napoleon" in logs["lock"]
    assert "[napoleon] kubectl logs --namespace leader-election --selector " \
           f"app.kubernetes.io/name=leader-election,app.kubernetes.io/instance={RELEASE} --tail 15" in sandbox.calls()
    assert creating(sandbox.calls()) == []


def test_check_leader_prefixes_pod_names_with_several_replicas(sandbox):
    seed_deployed(sandbox)
    seed_release(sandbox, "stalin", 3)
    result = sandbox.run("check-leader", LOG_LINES="5")
    assert result.returncode == 0, result.stderr
    assert any(c.endswith("--tail 5 --prefix") for c in sandbox.calls())


def test_check_leader_and_kill_leader_take_replicas_from_the_release_not_the_environment(sandbox):
    seed_deployed(sandbox, released=3)
    result = sandbox.run("check-leader", REPLICAS="1")
    assert result.returncode == 0, result.stderr
    assert any(c.endswith("--tail 15 --prefix") for c in sandbox.calls()), "3 copies need pod names"
    killed = sandbox.run("kill-leader")
    assert killed.returncode == 0, killed.stderr
    assert killed.stderr.splitlines()[-1].endswith("deployment/leader-election --replicas=3"), \
        "the way back must restore the release's 3 copies, not REPLICAS' default of 1"


def test_one_copy_per_release_needs_no_pod_names(sandbox):
    seed_deployed(sandbox)
    result = sandbox.run("check-leader", REPLICAS="3")
    assert result.returncode == 0, result.stderr
    assert not any(c.endswith("--prefix") for c in sandbox.calls())


def test_no_vcluster_call_asks_github_for_a_newer_cli(sandbox):
    env = {"LEADER_ELECTION_GITHUB_API_TOKEN": TOKEN}
    for verb in ("provision", "build", "deploy", "check-leader", "kill-leader", "status", "teardown"):
        result = sandbox.run(verb, **env)
        assert result.returncode == 0, f"{verb}: {result.stderr}"
    assert any(c.startswith("vcluster ") for c in sandbox.calls())
    assert not (sandbox.state / "vcluster-version-checks").exists(), \
        (sandbox.state / "vcluster-version-checks").read_text()


def test_check_leader_reads_the_lock_from_a_cluster_that_still_runs(sandbox):
    seed_deployed(sandbox, {"napoleon": 0, "stalin": 1, "cleopatra": 1})
    result = sandbox.run("check-leader")
    assert result.returncode == 0, result.stderr
    assert "holder:   stalin" in result.stdout
    assert "No resources found" in result.stderr


def test_kill_leader_scales_the_leaders_deployment_to_zero_and_waits_for_the_next(sandbox):
    seed_deployed(sandbox)
    result = sandbox.run("kill-leader")
    assert result.returncode == 0, result.stderr
    assert creating(sandbox.calls()) == [
        f"[napoleon] kubectl scale --namespace leader-election deployment/{RELEASE} --replicas=0",
    ]
    assert "napoleon leads: scaling deployment/leader-election in napoleon to 0" in result.stderr
    assert "stalin took over" in result.stderr
    assert (sandbox.state / "replicas-napoleon").read_text() == "0"


def test_kill_leader_maps_a_pod_named_identity_to_its_cluster(sandbox):
    # With replicas the identity is <cluster>-<pod>; "cleo-patra-..." belongs to cleo-patra, not to cleo.
    sandbox.seed(kind=True, vclusters=("cleo-patra", "cleo"))
    for name in ("cleo-patra", "cleo"):
        (sandbox.state / f"replicas-{name}").write_text("2")
        seed_release(sandbox, name, 2)
    result = sandbox.run("kill-leader", CLUSTERS="cleo-patra cleo",
                         STANDIN_POD_SUFFIX="leader-election-5d9f8-x2x7q")
    assert result.returncode == 0, result.stderr
    assert creating(sandbox.calls()) == [
        f"[cleo-patra] kubectl scale --namespace leader-election deployment/{RELEASE} --replicas=0",
    ]
    assert "cleo-leader-election-5d9f8-x2x7q took over" in result.stderr


def test_kill_leader_gives_up_when_nobody_takes_over(sandbox):
    seed_deployed(sandbox, {"napoleon": 1, "stalin": 0, "cleopatra": 0})
    result = sandbox.run("kill-leader", CLUSTER_TIMEOUT="1", POLL_INTERVAL="0.2")
    assert result.returncode != 0
    assert "no new leader after 1s" in result.stderr
    assert "waiting for a new leader, holder now 'none'" in result.stderr


def test_kill_leader_with_nobody_leading(sandbox):
    seed_deployed(sandbox, {"napoleon": 0, "stalin": 0, "cleopatra": 0})
    result = sandbox.run("kill-leader")
    assert result.returncode != 0
    assert "nobody holds the lock right now" in result.stderr
    assert creating(sandbox.calls()) == []


def test_status_shows_clusters_vclusters_and_releases(sandbox):
    seed_deployed(sandbox)
    result = sandbox.run("status", CLUSTERS="napoleon ghost")
    assert result.returncode == 0, result.stderr
    assert "===== vclusters =====" in result.stdout
    assert "(no vcluster ghost: run ./cicd.sh provision)" in result.stdout
    assert "[napoleon] helm list --namespace leader-election" in sandbox.calls()
    assert creating(sandbox.calls()) == []


def test_status_without_a_kind_cluster(sandbox):
    result = sandbox.run("status")
    assert result.returncode == 0, result.stderr
    assert "(no kind cluster kind: run ./cicd.sh provision)" in result.stdout


# ---- teardown -----------------------------------------------------------------------------------

def test_teardown_deletes_the_vclusters_then_kind_and_is_idempotent(sandbox):
    assert sandbox.run("provision").returncode == 0
    seed_deployed(sandbox)
    provisioned = len(sandbox.calls())
    result = sandbox.run("teardown")
    assert result.returncode == 0, result.stderr
    assert creating(sandbox.calls()[provisioned:]) == [
        f"vcluster delete {c} --driver helm --namespace vcluster-{c} --context kind-kind" for c in CLUSTERS
    ] + ["kind delete cluster --name kind"]
    before = len(sandbox.calls())
    again = sandbox.run("teardown")
    assert again.returncode == 0
    assert "nothing to delete" in again.stderr
    assert creating(sandbox.calls()[before:]) == []


def test_teardown_can_keep_the_kind_cluster(sandbox):
    assert sandbox.run("provision").returncode == 0
    result = sandbox.run("teardown", KEEP_KIND="true")
    assert result.returncode == 0, result.stderr
    assert not any("kind delete" in c for c in sandbox.calls())


def test_provision_marks_the_kind_cluster_it_creates(sandbox):
    assert sandbox.run("provision").returncode == 0
    assert "kubectl --context kind-kind create configmap leader-election-provisioned --namespace kube-system " \
           "--from-literal=created-by=cicd.sh" in sandbox.calls()


def test_teardown_keeps_a_kind_cluster_provision_did_not_create(sandbox):
    # The user's own cluster named kind, which provision found and reused.
    sandbox.seed(kind=True)
    provisioned = sandbox.run("provision")
    assert provisioned.returncode == 0, provisioned.stderr
    assert "kind cluster 'kind' exists" in provisioned.stderr
    result = sandbox.run("teardown")
    assert result.returncode == 0, result.stderr
    assert not any(c.startswith("kind delete") for c in sandbox.calls()), "teardown deleted the user's cluster"
    assert [c for c in creating(sandbox.calls()) if c.startswith("vcluster delete")] == [
        f"vcluster delete {c} --driver helm --namespace vcluster-{c} --context kind-kind" for c in CLUSTERS]
    assert "keeping kind cluster 'kind': ./cicd.sh provision did not create it" in result.stderr
    assert "delete it yourself with: kind delete cluster --name kind" in result.stderr
    assert (sandbox.state / "kind-clusters").read_text() == "kind\n"


# ---- missing tools, the whole journey ----------------------------------------------------------

@pytest.mark.parametrize(("verb", "tool", "hint"), [
    ("build", "docker", "install Docker Engine 28"),
    ("provision", "kind", "install kind v0.32"),
    ("provision", "vcluster", "install the vcluster CLI v0.36"),
    ("deploy", "helm", "install helm v3.18+ or v4"),
    ("check-leader", "kubectl", "install kubectl v1.34+"),
    ("kill-leader", "vcluster", "install the vcluster CLI"),
    ("status", "helm", "install helm"),
    ("teardown", "kind", "install kind"),
])
def test_a_missing_tool_is_named_with_a_hint(sandbox, verb, tool, hint):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    sandbox.remove_tool(tool)
    result = sandbox.run(verb, LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN)
    assert result.returncode == 1
    assert f"error: {tool} is not installed: {hint}" in result.stderr
    assert sandbox.calls() == [], "nothing runs before the tools are checked"


def test_unknown_verb_fails_with_usage(sandbox):
    result = sandbox.run("deploy-everything")
    assert result.returncode != 0
    assert "unknown verb 'deploy-everything'" in result.stderr


def test_the_demo_names_its_two_locks_for_any_other(sandbox):
    result = sandbox.run("demo", LOCK="consul", SKIP_BUILD="true")
    assert result.returncode == 1
    assert "LOCK=consul: the demo's lock is gist (the default) or etcd, e.g. make demo LOCK=etcd" in result.stderr
    assert sandbox.calls() == [] and not any(sandbox.tmp.iterdir()), "nothing starts for an unknown lock"


def test_the_whole_journey_never_shows_the_token(sandbox):
    env = {"LEADER_ELECTION_GITHUB_API_TOKEN": TOKEN}
    results = []
    for verb in ("provision", "build", "deploy", "check-leader", "kill-leader", "status", "teardown"):
        result = sandbox.run(verb, **env)
        assert result.returncode == 0, f"{verb}: {result.stderr}"
        results.append(result)
    assert_no_token(sandbox, *results)
    assert "All hail napoleon" in results[3].stdout
    assert (sandbox.state / "kind-clusters").read_text() == ""
