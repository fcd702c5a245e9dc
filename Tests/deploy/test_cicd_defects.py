"""cicd.sh against the behaviours of the real tools that once broke a run: vcluster skipping a command
when the kube-context already is the vcluster's, a rebuilt image that never rolled out, a new gist on
every deploy, REPLICAS with a leading zero, and a default vcluster driver other than helm."""

from __future__ import annotations

import base64
import re
import subprocess

import pytest

from .conftest import CLUSTERS, GIST_ID, REPO, TOKEN, Sandbox

IMAGE = "leader-election:0.1.0"


def seed_deployed(sandbox: Sandbox) -> None:
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    for name in CLUSTERS:
        (sandbox.state / f"replicas-{name}").write_text("1")


def connect_by_hand(sandbox: Sandbox, name: str) -> None:
    """What vcluster's docs suggest a user run: after it, the current context is the vcluster's."""
    result = sandbox.run_tool("vcluster", "connect", name, "-n", f"vcluster-{name}")
    assert result.returncode == 0, result.stderr
    assert sandbox.current_context() == f"vcluster_{name}_vcluster-{name}_kind-kind"


def ran_in(sandbox: Sandbox, name: str, tool: str) -> list[str]:
    return [c for c in sandbox.calls() if c.startswith(f"[{name}] {tool} ")]


# ---- a vcluster's own kube-context --------------------------------------------------------------

def test_deploy_reaches_a_vcluster_the_user_is_connected_to(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    connect_by_hand(sandbox, "napoleon")
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID)
    assert result.returncode == 0, result.stderr
    for name in CLUSTERS:
        assert len([c for c in ran_in(sandbox, name, "helm") if "upgrade" in c]) == 1, f"{name} was skipped"
    # The user's own kubeconfig is left as it was.
    assert sandbox.current_context() == "vcluster_napoleon_vcluster-napoleon_kind-kind"


def test_vcluster_reads_a_private_copy_of_the_host_context(sandbox):
    seed_deployed(sandbox)
    connect_by_hand(sandbox, "stalin")
    result = sandbox.run("check-leader")
    assert result.returncode == 0, result.stderr
    sections = dict(re.findall(r"^===== (\S+) =====\n(.*?)(?=^=====|\Z)", result.stdout, re.S | re.M))
    assert "All hail napoleon" in sections["stalin"], "check-leader showed stalin's section empty"
    reads = (sandbox.state / "vcluster-kubeconfigs").read_text().splitlines()
    used = [line for line in reads if not line.startswith(str(sandbox.kubeconfig))]
    assert used, "cicd.sh ran vcluster against the user's kubeconfig"
    assert all(line.endswith(" 600") for line in used), reads
    assert list(sandbox.tmp.iterdir()) == [], "the private kubeconfig must be removed"


def test_kill_leader_finds_the_holder_while_connected_to_a_vcluster(sandbox):
    seed_deployed(sandbox)
    connect_by_hand(sandbox, "napoleon")
    result = sandbox.run("kill-leader")
    assert result.returncode == 0, result.stderr
    assert "napoleon leads" in result.stderr and "stalin took over" in result.stderr
    assert "--context kind-kind" in result.stderr.splitlines()[-1], "the hint must work from the host"


def test_a_missing_host_context_is_named_with_the_fix(sandbox):
    seed_deployed(sandbox)
    sandbox.write_kubeconfig("other", ["other"])
    result = sandbox.run("check-leader")
    assert result.returncode != 0
    assert "kubeconfig has no context 'kind-kind'" in result.stderr
    assert "kind export kubeconfig --name kind" in result.stderr


# ---- a rebuilt image rolls out ------------------------------------------------------------------

def default_tag_run(sandbox: Sandbox, verb: str):
    env = dict(sandbox.env)
    env.pop("TAG", None)
    sandbox.env = env
    return sandbox.run(verb, LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, CLUSTERS="napoleon")


def last_build(sandbox: Sandbox) -> str:
    return [c for c in sandbox.calls() if c.startswith("docker build")][-1]


def test_the_default_tag_names_the_commit_and_a_changed_tree(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",))
    sandbox.own_repo()
    sha = sandbox.git("rev-parse", "--short", "HEAD")
    built = default_tag_run(sandbox, "build")
    assert built.returncode == 0, built.stderr
    assert f"docker build --tag leader-election:0.1.0-{sha} --build-arg VERSION=0.1.0-{sha}" in last_build(sandbox)
    source = sandbox.repo / "Sources" / "LeaderElection" / "DurationText.swift"
    original = source.read_text()
    source.write_text(original + "// edited\n")
    dirty = default_tag_run(sandbox, "build")
    first_dirty = re.search(r"--tag leader-election:(\S+)", last_build(sandbox)).group(1)
    assert dirty.returncode == 0 and first_dirty.startswith(f"0.1.0-{sha}-dirty")
    source.write_text(original + "// edited again\n")
    default_tag_run(sandbox, "build")
    second_dirty = re.search(r"--tag leader-election:(\S+)", last_build(sandbox)).group(1)
    assert second_dirty.startswith(f"0.1.0-{sha}-dirty") and second_dirty != first_dirty


def built_tag(sandbox: Sandbox) -> str:
    result = default_tag_run(sandbox, "build")
    assert result.returncode == 0, result.stderr
    return re.search(r"--tag leader-election:(\S+)", last_build(sandbox)).group(1)


def test_the_tag_covers_only_what_docker_sends(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",))
    sandbox.own_repo()
    clean = built_tag(sandbox)
    assert clean == f"0.1.0-{sandbox.git('rev-parse', '--short', 'HEAD')}"
    # Stray files that .dockerignore keeps out of the build context, and files outside it.
    for stray in (".DS_Store", "Sources/.DS_Store", "Sources/LeaderElection/.ElectorState.swift.swp",
                  "Sources/LeaderElection/ElectorState.swift~", "my-values.yaml", "notes.txt", "chart/ci/mine.yaml"):
        (sandbox.repo / stray).write_text("stray\n")
    (sandbox.repo / "chart" / "README.md").write_text("a README edit\n")
    (sandbox.repo / "scripts" / "demo.sh").write_text("# an edit\n", encoding="utf-8")
    assert built_tag(sandbox) == clean, "a file docker does not send changed the image's tag"
    # What docker does send: a new source file, an edited one, the Dockerfile.
    new_file = sandbox.repo / "Sources" / "LeaderElection" / "New.swift"
    new_file.write_text("let x = 1\n")
    added = built_tag(sandbox)
    assert added.startswith(f"{clean}-dirty-")
    new_file.unlink()
    assert built_tag(sandbox) == clean
    dockerfile = sandbox.repo / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# changed\n")
    changed = built_tag(sandbox)
    assert changed.startswith(f"{clean}-dirty-") and changed != added


def test_git_ignores_ds_store_everywhere():
    for path in (".DS_Store", "Sources/LeaderElection/.DS_Store", "chart/.DS_Store"):
        assert subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", path]).returncode == 0, path


def test_build_then_deploy_after_a_code_change_rolls_the_pods(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",))
    sandbox.own_repo()
    for step in ("first", "second"):
        assert default_tag_run(sandbox, "build").returncode == 0
        deployed = default_tag_run(sandbox, "deploy")
        assert deployed.returncode == 0, deployed.stderr
        if step == "first":
            (sandbox.repo / "chart" / "README.md").write_text("a change\n")
            sandbox.commit("a change")
    rollouts = (sandbox.state / "rollouts-napoleon").read_text().splitlines()
    assert len(rollouts) == 2, f"the second deploy left the old image running: {rollouts}"
    assert rollouts[1] == f"leader-election:0.1.0-{sandbox.git('rev-parse', '--short', 'HEAD')}"


# ---- one gist across deploys --------------------------------------------------------------------

def inits(sandbox: Sandbox) -> int:
    return sum(1 for c in sandbox.calls() if c.startswith("leader-election init"))


def gists_deployed(sandbox: Sandbox) -> set[str]:
    return {line.split("=", 1)[1] for name in CLUSTERS
            for line in (sandbox.state / f"values-{name}").read_text().splitlines() if line.startswith("gist.id=")}


def test_deploy_again_reuses_the_gist_of_the_release(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    first = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, STANDIN_GIST_ID="aaaa1111")
    assert first.returncode == 0, first.stderr
    second = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, STANDIN_GIST_ID="bbbb2222")
    assert second.returncode == 0, second.stderr
    assert inits(sandbox) == 1, "the second deploy made another gist"
    assert gists_deployed(sandbox) == {"aaaa1111"}
    assert "reusing gist aaaa1111 of the release in napoleon" in second.stderr


def test_deploy_to_a_new_cluster_joins_the_existing_gist(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    assert sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, CLUSTERS="stalin",
                       STANDIN_GIST_ID="aaaa1111").returncode == 0
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, STANDIN_GIST_ID="bbbb2222")
    assert result.returncode == 0, result.stderr
    assert inits(sandbox) == 1
    assert gists_deployed(sandbox) == {"aaaa1111"}


def test_deploy_stops_when_the_clusters_use_different_gists(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    for name, gist in (("napoleon", "aaaa1111"), ("stalin", "bbbb2222")):
        assert sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, CLUSTERS=name,
                           GIST_ID=gist).returncode == 0
    before = len(sandbox.calls())
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN)
    assert result.returncode != 0
    assert "the releases use different gists (napoleon: aaaa1111, stalin: bbbb2222)" in result.stderr
    assert "set GIST_ID to the one to keep" in result.stderr
    assert not any("upgrade" in c for c in sandbox.calls()[before:])


# ---- REPLICAS with a leading zero ---------------------------------------------------------------

def test_replicas_with_a_leading_zero_deploy_and_check(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, REPLICAS="08")
    assert result.returncode == 0, result.stderr
    assert (sandbox.state / "replicas-napoleon").read_text() == "8"
    checked = sandbox.run("check-leader", REPLICAS="08")
    assert checked.returncode == 0, checked.stderr
    assert any(c.endswith("--prefix") for c in sandbox.calls())


# ---- vcluster's driver --------------------------------------------------------------------------

def test_provision_puts_the_vclusters_in_kind_whatever_the_default_driver(sandbox):
    sandbox.state.mkdir(exist_ok=True)
    (sandbox.state / "vcluster-driver").write_text("docker")
    result = sandbox.run("provision")
    assert result.returncode == 0, result.stderr
    assert (sandbox.state / "vclusters-helm").read_text().count("\n") == 3
    assert not (sandbox.state / "vclusters-docker").exists()


# ---- a release helm cannot read is not "no release" ---------------------------------------------

def test_deploy_stops_when_helm_cannot_read_a_release(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    first = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, STANDIN_GIST_ID="aaaa1111")
    assert first.returncode == 0, first.stderr
    before = len(sandbox.calls())
    # stalin's API server restarts while napoleon's release still answers: no new gist, no change anywhere.
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, STANDIN_GIST_ID="bbbb2222",
                         STANDIN_HELM_UNREACHABLE="stalin")
    assert result.returncode != 0
    assert "Kubernetes cluster unreachable" in result.stderr
    assert "could not read the release leader-election in stalin (helm get values failed, see above)" in result.stderr
    later = sandbox.calls()[before:]
    assert not any(" init" in c for c in later), "a release helm could not read was taken for none: a second gist"
    assert not any("upgrade" in c or "create secret" in c or "kind load" in c for c in later)
    assert gists_deployed(sandbox) == {"aaaa1111"}


def test_only_release_not_found_means_no_release(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, STANDIN_GIST_ID="aaaa1111")
    assert result.returncode == 0, result.stderr
    assert inits(sandbox) == 1
    assert all(f"[{c}] helm get values leader-election --namespace leader-election --output yaml" in sandbox.calls()
               for c in CLUSTERS)


# ---- Docker stopped -----------------------------------------------------------------------------

@pytest.mark.parametrize("verb", ["build", "provision", "deploy", "check-leader", "kill-leader", "status", "teardown"])
def test_every_cluster_verb_says_when_docker_does_not_answer(sandbox, verb):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    (sandbox.state / "docker-down").write_text("")
    result = sandbox.run(verb, LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID)
    assert result.returncode == 1, result.stderr
    assert "Docker does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock." in result.stderr
    assert "start Docker Desktop, or on Linux: sudo systemctl start docker" in result.stderr
    assert "nothing to delete" not in result.stderr and "run ./cicd.sh provision" not in result.stderr
    assert [c for c in sandbox.calls() if not c.startswith("docker version")] == [], "nothing runs before the check"


def test_a_kind_failure_is_not_read_as_no_cluster(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS)
    # Docker stops between the check and kind's call: kind says "failed to list clusters".
    real = sandbox.root / "bin" / "docker"
    real.unlink()
    real.write_text("#!/usr/bin/env bash\n[[ \"$1\" == version ]] && { echo 28.5.1; exit 0; }\nexit 1\n")
    real.chmod(0o755)
    (sandbox.state / "docker-down").write_text("")
    result = sandbox.run("teardown")
    assert result.returncode == 1
    assert "kind could not list its clusters: ERROR: failed to list clusters" in result.stderr
    assert "nothing to delete" not in result.stderr


# ---- a token that no longer works ---------------------------------------------------------------

BAD_TOKEN = "ghp_" + "0" * 36


def deployed_with_the_gists_token(sandbox: Sandbox, clusters: str = "napoleon stalin cleopatra") -> None:
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    (sandbox.state / "gist-token").write_text(TOKEN)
    first = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, CLUSTERS=clusters)
    assert first.returncode == 0, first.stderr


def changes(calls: list[str]) -> list[str]:
    return [c for c in calls if re.search(r"create secret|replace|upgrade|rollout restart|kind load|uninstall|rollback", c)]


def test_a_refused_token_stops_a_redeploy_before_any_cluster_is_touched(sandbox):
    deployed_with_the_gists_token(sandbox)
    before = len(sandbox.calls())
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=BAD_TOKEN, GIST_ID=GIST_ID)
    assert result.returncode == 1
    assert "the token was rejected (401 Bad credentials)" in result.stderr
    assert f"the token cannot read gist {GIST_ID} (see above); no cluster was changed" in result.stderr
    assert "deployed to" not in result.stderr
    assert changes(sandbox.calls()[before:]) == [], "the clusters' Secret or pods were touched"
    for name in CLUSTERS:
        secret = (sandbox.state / "applied" / name / "Secret-leader-election-token.yaml").read_text()
        assert base64.b64encode(TOKEN.encode()).decode() in secret
    assert BAD_TOKEN not in result.stderr + result.stdout and BAD_TOKEN not in "\n".join(sandbox.calls())


def test_a_token_git_refuses_stops_deploy_when_the_chart_writes_through_git(sandbox, tmp_path):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    (sandbox.state / "git-refuses").write_text("")
    values = tmp_path / "git.yaml"
    values.write_text("gist:\n  writeMode: git\n")
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, VALUES_FILE=str(values))
    assert result.returncode == 1
    assert "--write-mode git" in "\n".join(sandbox.calls())
    assert f"the token may not write gist {GIST_ID} through git (none (--write-mode git, but git cannot" in result.stderr
    assert changes(sandbox.calls()) == []
    # In auto mode (the chart's default) the pods fall back to REST: deploy goes on and says so.
    auto = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID)
    assert auto.returncode == 0, auto.stderr
    assert "refuses this token's pushes: the pods will write the lock through REST" in auto.stderr


def test_restarted_pods_that_do_not_get_ready_fail_deploy_with_their_logs(sandbox):
    deployed_with_the_gists_token(sandbox)
    before = len(sandbox.calls())
    # A new token GitHub takes (the check passes) that the pods still cannot start with: napoleon's crash.
    (sandbox.state / "gist-token").unlink()
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN[::-1], GIST_ID=GIST_ID,
                         STANDIN_POD_CRASH="napoleon")
    assert result.returncode == 1
    assert "error: timed out waiting for the condition" in result.stderr
    assert "deploying to napoleon failed: the restarted pods did not get ready within 5s" in result.stderr
    assert "===== napoleon: before their last restart (--previous) =====" in result.stderr
    assert "the token was rejected (401 Bad credentials)" in result.stderr, "the crashed copy's own words"
    assert "more: vcluster connect napoleon -n vcluster-napoleon --context kind-kind -- kubectl logs -n " \
           "leader-election --selector app.kubernetes.io/name=leader-election,app.kubernetes.io/instance=" \
           "leader-election --prefix --previous --tail 200" in result.stderr
    assert "deployed to" not in result.stderr
    assert not any(c.startswith(("[stalin]", "[cleopatra]")) for c in changes(sandbox.calls()[before:])), \
        "deploy went on to the next clusters after napoleon's pods failed"


def test_a_first_install_that_never_gets_ready_shows_the_logs(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, CLUSTERS="stalin",
                         STANDIN_POD_CRASH="stalin")
    assert result.returncode == 1
    assert "Error: INSTALLATION FAILED: context deadline exceeded" in result.stderr
    assert "deploying to stalin failed: helm upgrade --install failed" in result.stderr
    assert "ElectionApp.swift:61] the token was rejected" in result.stderr
    assert "kubectl describe pods -n leader-election" in result.stderr


@pytest.mark.parametrize(("pending", "recovery"), [
    ("pending-upgrade", "helm rollback leader-election --namespace leader-election --wait --timeout 5s"),
    ("pending-rollback", "helm rollback leader-election --namespace leader-election --wait --timeout 5s"),
    ("pending-install", "helm uninstall leader-election --namespace leader-election --wait --timeout 5s"),
])
def test_deploy_recovers_a_release_an_interrupted_deploy_left_pending(sandbox, pending, recovery):
    deployed_with_the_gists_token(sandbox)
    # A Ctrl-C during stalin's helm --wait: helm refuses the next upgrade with "another operation ... in progress".
    (sandbox.state / "pending-stalin").write_text(pending)
    stuck = sandbox.run_tool("vcluster", "connect", "stalin", "-n", "vcluster-stalin", "--",
                             "helm", "upgrade", "--install", "leader-election", "chart")
    assert stuck.returncode == 1 and "another operation (install/upgrade/rollback) is in progress" in stuck.stderr
    before = len(sandbox.calls())
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID)
    assert result.returncode == 0, result.stderr
    assert f"the release in stalin is {pending}" in result.stderr
    stalin = [c for c in sandbox.calls()[before:] if c.startswith("[stalin] helm ")]
    assert f"[stalin] {recovery}" in stalin
    assert stalin.index(f"[stalin] {recovery}") < next(i for i, c in enumerate(stalin) if " upgrade " in c)
    assert not (sandbox.state / "pending-stalin").exists()
    others = [c for c in sandbox.calls()[before:] if c.startswith(("[napoleon]", "[cleopatra]"))]
    assert not any("rollback" in c or "uninstall" in c for c in others)
