"""cicd.sh deploy with LOCK=etcd, over the stand-ins: the etcd settings checked before anything is touched, the
members read from this machine with the app's own status, the Secrets made from the user's files, the chart's
etcd values; ETCD_IN_CLUSTER's members in the kind cluster; and the verbs after deploy on an etcd release."""

from __future__ import annotations

import base64
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import CLUSTERS, GIST_ID, RELEASE, REPO, TOKEN, Sandbox
from .test_chart import KUBE_VERSIONS, validate_all
from .test_cicd import IMAGE, creating, helm_values, seed_deployed

ENDPOINTS = ("https://etcd-a.example.net:2379", "https://etcd-b.example.net:2379")
PASSWORD = "s3cret-Etcd-Passw0rd-never-printed"
GIST_KEYS = ("gist", "candidates")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def etcd_files(sandbox: Sandbox) -> dict[str, str]:
    """A CA, a client certificate and key, a user and a password file, as the user keeps them."""
    files = sandbox.root / "etcd"
    files.mkdir()
    return {
        "ETCD_CA_FILE": str(write(files / "ca.pem", "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n")),
        "ETCD_CERT_FILE": str(write(files / "client.pem", "-----BEGIN CERTIFICATE-----\nME\n-----END CERTIFICATE-----\n")),
        "ETCD_KEY_FILE": str(write(files / "client-key.pem", "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n")),
        "ETCD_USERNAME": "leader-election",
        "ETCD_PASSWORD_FILE": str(write(files / "password", PASSWORD + "\n")),
    }


def members_up(sandbox: Sandbox, *urls: str, user: str = "", password: str = "") -> None:
    """The etcd members that answer this machine; with a password, authentication is on."""
    sandbox.state.mkdir(exist_ok=True)
    (sandbox.state / "etcd-up").write_text("".join(f"{u}\n" for u in urls))
    if password:
        (sandbox.state / "etcd-user").write_text(user)
        (sandbox.state / "etcd-password").write_text(password)


def etcd_env(**extra: str) -> dict[str, str]:
    return {"LOCK": "etcd", "ETCD_ENDPOINTS": ",".join(ENDPOINTS), **extra}


def chart_values(call: str) -> dict:
    """helm_values, with a {a,b} list as helm's strvals reads it."""
    values = helm_values(call)

    def lists(node):
        for key, value in node.items():
            if isinstance(value, dict):
                lists(value)
            elif isinstance(value, str) and value.startswith("{") and value.endswith("}"):
                node[key] = value[1:-1].split(",")
    lists(values)
    return values


def upgrades(sandbox: Sandbox) -> list[str]:
    return [c for c in sandbox.calls() if c.startswith("[") and "helm upgrade" in c]


def secret(sandbox: Sandbox, cluster: str, name: str) -> dict:
    return yaml.safe_load((sandbox.state / "applied" / cluster / f"Secret-{name}.yaml").read_text())


def assert_no_password(sandbox: Sandbox, *results) -> None:
    encoded = base64.b64encode(PASSWORD.encode()).decode()
    for result in results:
        for text in (result.stdout, result.stderr):
            assert PASSWORD not in text and encoded not in text
    assert PASSWORD not in "\n".join(sandbox.calls()), "the password showed up on a command line"


# ---- the values and the Secrets -----------------------------------------------------------------

def test_deploy_lock_etcd_makes_the_secrets_from_the_files_and_passes_the_etcd_values(sandbox, render):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    files = etcd_files(sandbox)
    members_up(sandbox, ENDPOINTS[1], user="leader-election", password=PASSWORD)
    result = sandbox.run("deploy", **etcd_env(**files))
    assert result.returncode == 0, result.stderr

    calls = upgrades(sandbox)
    assert len(calls) == 3
    for name, call in zip(CLUSTERS, calls):
        values = chart_values(call)
        assert values["lock"] == {"backend": "etcd"}
        assert values["etcd"] == {
            "endpoints": list(ENDPOINTS), "prefix": "/leader-election",
            "tls": {"secretName": f"{RELEASE}-etcd-tls"}, "auth": {"secretName": f"{RELEASE}-etcd-auth"},
        }
        assert values["clusterName"] == name and values["replicaCount"] == 1
        assert values["election"] == {"name": "multi-cluster-leader-election"}, "the GitHub rate warning is the gist's"
        assert "gist" not in values
        # What deploy sets is what the chart renders: the app gets the members, the files and the user.
        env = render(values).env()
        assert env["LEADER_ELECTION_LOCK"]["value"] == "etcd"
        assert env["LEADER_ELECTION_ETCD_ENDPOINTS"]["value"] == ",".join(ENDPOINTS)
        assert env["LEADER_ELECTION_ETCD_USERNAME"]["valueFrom"]["secretKeyRef"] == {
            "name": f"{RELEASE}-etcd-auth", "key": "username"}
        for variable in ("LEADER_ELECTION_ETCD_CA_FILE", "LEADER_ELECTION_ETCD_CERT_FILE",
                         "LEADER_ELECTION_ETCD_KEY_FILE", "LEADER_ELECTION_ETCD_PASSWORD_FILE"):
            assert variable in env

    for name in CLUSTERS:
        tls = secret(sandbox, name, f"{RELEASE}-etcd-tls")
        assert {k: base64.b64decode(v).decode() for k, v in tls["data"].items()} == {
            "ca.crt": Path(files["ETCD_CA_FILE"]).read_text(),
            "tls.crt": Path(files["ETCD_CERT_FILE"]).read_text(),
            "tls.key": Path(files["ETCD_KEY_FILE"]).read_text(),
        }
        auth = secret(sandbox, name, f"{RELEASE}-etcd-auth")
        assert {k: base64.b64decode(v).decode() for k, v in auth["data"].items()} == {
            "username": "leader-election", "password": PASSWORD + "\n"}
        assert auth["metadata"]["namespace"] == "leader-election"
        assert not list((sandbox.state / "applied" / name).glob("Secret-*.last-applied-configuration")), \
            "kubectl apply would keep the password in the last-applied-configuration annotation"
        assert not (sandbox.state / "applied" / name / f"Secret-{RELEASE}-token.yaml").exists()
    assert "secret/leader-election-etcd-tls created" in result.stderr
    assert "secret/leader-election-etcd-auth created" in result.stderr
    assert list(sandbox.tmp.iterdir()) == [], "the user name's file must be removed"
    assert_no_password(sandbox, result)


def test_redeploy_keeps_the_etcd_secrets_and_a_new_password_restarts_the_pods(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",), images=(IMAGE,))
    files = etcd_files(sandbox)
    env = etcd_env(CLUSTERS="napoleon", ETCD_CHECK="false", **files)
    first = sandbox.run("deploy", **env)
    assert first.returncode == 0, first.stderr
    same = sandbox.run("deploy", **env)
    assert same.returncode == 0, same.stderr
    assert "secret/leader-election-etcd-tls unchanged" in same.stderr
    assert "secret/leader-election-etcd-auth unchanged" in same.stderr
    assert not any("rollout restart" in c for c in sandbox.calls())
    write(Path(files["ETCD_PASSWORD_FILE"]), "another-password\n")
    rotated = sandbox.run("deploy", **env)
    assert rotated.returncode == 0, rotated.stderr
    assert "secret/leader-election-etcd-auth replaced" in rotated.stderr
    assert "secret/leader-election-etcd-tls unchanged" in rotated.stderr
    assert [c for c in sandbox.calls() if c.startswith("[")][-2:] == [
        f"[napoleon] kubectl rollout restart --namespace leader-election deployment/{RELEASE}",
        f"[napoleon] kubectl rollout status --namespace leader-election deployment/{RELEASE} --timeout 5s",
    ]
    auth = secret(sandbox, "napoleon", f"{RELEASE}-etcd-auth")
    assert base64.b64decode(auth["data"]["password"]).decode() == "another-password\n"


def test_a_ca_alone_mounts_only_the_ca(sandbox, render):
    sandbox.seed(kind=True, vclusters=("stalin",), images=(IMAGE,))
    files = etcd_files(sandbox)
    members_up(sandbox, ENDPOINTS[0])
    result = sandbox.run("deploy", **etcd_env(CLUSTERS="stalin", ETCD_CA_FILE=files["ETCD_CA_FILE"]))
    assert result.returncode == 0, result.stderr
    values = chart_values(upgrades(sandbox)[0])
    assert values["etcd"]["tls"] == {"secretName": f"{RELEASE}-etcd-tls", "certKey": "", "keyKey": ""}
    assert "auth" not in values["etcd"]
    rendered = render(values)
    volume = next(v for v in rendered.pod_spec["volumes"] if v["name"] == "etcd-tls")
    assert volume["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}]
    assert "LEADER_ELECTION_ETCD_CERT_FILE" not in rendered.env()
    assert set(secret(sandbox, "stalin", f"{RELEASE}-etcd-tls")["data"]) == {"ca.crt"}
    assert not (sandbox.state / "applied" / "stalin" / f"Secret-{RELEASE}-etcd-auth.yaml").exists()


def test_plain_members_need_no_secret(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",), images=(IMAGE,))
    plain = "http://10.1.2.3:2379"
    members_up(sandbox, plain)
    result = sandbox.run("deploy", LOCK="etcd", ETCD_ENDPOINTS=f" {plain} ,", CLUSTERS="napoleon",
                         ETCD_PREFIX="/elections")
    assert result.returncode == 0, result.stderr
    values = chart_values(upgrades(sandbox)[0])
    assert values["etcd"] == {"endpoints": [plain], "prefix": "/elections"}
    assert not any("create secret" in c for c in sandbox.calls())


# ---- refused before anything is touched ---------------------------------------------------------

@pytest.mark.parametrize(("extra", "message"), [
    ({"ETCD_ENDPOINTS": ""}, "ETCD_ENDPOINTS is not set: LOCK=etcd needs the client URLs of your etcd members as "
                             "the pods in the clusters reach them, comma-separated"),
    ({"ETCD_ENDPOINTS": "etcd-a:2379"}, "entry 1 of ETCD_ENDPOINTS is not an http:// or https:// URL of a host"),
    ({"ETCD_ENDPOINTS": "https://a:2379,https://b:2379/v3"}, "entry 2 of ETCD_ENDPOINTS is not an http://"),
    ({"ETCD_ENDPOINTS": "https://a:2379,https://a:2379/"}, "ETCD_ENDPOINTS names https://a:2379 twice"),
    ({"ETCD_ENDPOINTS": "https://a:2379,https://root:pw@b:2379"}, "entry 2 of ETCD_ENDPOINTS is not an http://"),
    ({"ETCD_ENDPOINTS": "http://127.0.0.1:2379"}, "ETCD_ENDPOINTS names http://127.0.0.1:2379, this machine's "
                                                  "loopback: inside kind a pod's loopback is its own"),
    ({"ETCD_ENDPOINTS": "http://etcd-a:2379", "ETCD_CA_FILE": "ca"}, "has the plain http URL http://etcd-a:2379 but "
                                                                      "TLS files are given"),
    ({"ETCD_CERT_FILE": "client.pem"}, "ETCD_CERT_FILE and ETCD_KEY_FILE go together"),
    ({"ETCD_USERNAME": "me"}, "ETCD_USERNAME and ETCD_PASSWORD_FILE go together"),
    ({"ETCD_CA_FILE": "no-such-ca.pem"}, "ETCD_CA_FILE 'no-such-ca.pem' is not a file this user can read"),
    ({"ETCD_USERNAME": "me", "ETCD_PASSWORD_FILE": "empty"}, "the etcd password file"),
    ({"ETCD_PASSWORD": PASSWORD}, "deploy takes the etcd password from a file only"),
    ({"ETCD_PREFIX": "elections"}, "ETCD_PREFIX 'elections' is not a key prefix such as /leader-election"),
    ({"ETCD_PREFIX": "/a,b"}, "ETCD_PREFIX '/a,b' is not a key prefix"),
    ({"ETCD_IN_CLUSTER": "true"}, "ETCD_ENDPOINTS and ETCD_IN_CLUSTER=true are both set"),
    ({"LOCK": "consul"}, "LOCK=consul: the releases' lock is gist (the default) or etcd"),
])
def test_deploy_lock_etcd_stops_before_touching_anything(sandbox, extra, message):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    members_up(sandbox, *ENDPOINTS)
    (sandbox.root / "empty").write_text("\n")
    env = etcd_env(**extra)
    for name in ("ETCD_CA_FILE", "ETCD_CERT_FILE", "ETCD_PASSWORD_FILE"):
        if name in extra and extra[name] in ("ca", "client.pem", "empty"):
            env[name] = str(sandbox.root / extra[name]) if extra[name] == "empty" else extra[name]
    result = sandbox.run("deploy", **env)
    assert result.returncode == 1
    assert message in result.stderr
    assert sandbox.calls() == [], "nothing runs before the settings are checked"
    assert PASSWORD not in result.stderr


def test_a_relative_file_is_read_from_where_cicd_sh_was_started(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",), images=(IMAGE,))
    files = etcd_files(sandbox)
    members_up(sandbox, ENDPOINTS[0])
    result = subprocess.run(["bash", str(REPO / "cicd.sh"), "deploy"], cwd=sandbox.root / "etcd",
                            env={**sandbox.env, **etcd_env(CLUSTERS="napoleon", ETCD_CA_FILE="ca.pem")},
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert f"-v {files['ETCD_CA_FILE']}:/etc/leader-election/etcd-check/ca.crt:ro" in "\n".join(sandbox.calls())


# ---- the check from this machine ----------------------------------------------------------------

def test_the_members_are_read_with_the_apps_status_before_any_cluster_changes(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    files = etcd_files(sandbox)
    members_up(sandbox, ENDPOINTS[0], user="leader-election", password=PASSWORD)
    result = sandbox.run("deploy", **etcd_env(**files))
    assert result.returncode == 0, result.stderr
    uid = subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip()
    gid = subprocess.run(["id", "-g"], capture_output=True, text=True).stdout.strip()
    check = next(c for c in sandbox.calls() if c.startswith("docker run"))
    there = "/etc/leader-election/etcd-check"
    assert shlex.split(check) == [
        "docker", "run", "--rm", "--network", "host", "--user", f"{uid}:{gid}",
        "-v", f"{files['ETCD_CA_FILE']}:{there}/ca.crt:ro", "-v", f"{files['ETCD_CERT_FILE']}:{there}/client.crt:ro",
        "-v", f"{files['ETCD_KEY_FILE']}:{there}/client.key:ro", "-v", f"{files['ETCD_PASSWORD_FILE']}:{there}/password:ro",
        IMAGE, "status", "--lock", "etcd", "--etcd-endpoints", ",".join(ENDPOINTS), "--etcd-prefix", "/leader-election",
        "--election", "multi-cluster-leader-election", "--output", "json",
        "--etcd-ca-file", f"{there}/ca.crt", "--etcd-cert-file", f"{there}/client.crt",
        "--etcd-key-file", f"{there}/client.key", "--etcd-password-file", f"{there}/password",
        "--etcd-username", "leader-election",
    ]
    # The check comes before the image is loaded and before any vcluster changes.
    calls = sandbox.calls()
    assert calls.index(check) < calls.index(f"kind load docker-image {IMAGE} --name kind")
    assert "etcd answers; the key /leader-election/multi-cluster-leader-election does not exist yet" in result.stderr
    assert_no_password(sandbox, result)


def test_members_that_do_not_answer_stop_deploy_with_the_reason_and_the_way_to_skip(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", **etcd_env())
    assert result.returncode == 1
    assert "no etcd member answered /v3/kv/range (https://etcd-a.example.net:2379: connection refused; " \
           "https://etcd-b.example.net:2379: connection refused)" in result.stderr
    assert f"etcd at {','.join(ENDPOINTS)} cannot be read from this machine (the app's reason is above); no cluster " \
           "was changed: start the members or correct ETCD_ENDPOINTS" in result.stderr
    assert "if only the pods can reach the members, skip this check with ETCD_CHECK=false" in result.stderr
    assert creating(sandbox.calls()) == []
    assert not any("kind load" in c or c.startswith("[") and "apply" in c for c in sandbox.calls())

    skipped = sandbox.run("deploy", **etcd_env(ETCD_CHECK="false"))
    assert skipped.returncode == 0, skipped.stderr
    assert "ETCD_CHECK=false: not reading etcd" in skipped.stderr
    assert len(upgrades(sandbox)) == 3


def test_a_refused_password_stops_deploy_and_is_never_shown(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    files = etcd_files(sandbox)
    members_up(sandbox, *ENDPOINTS, user="leader-election", password="the-right-one")
    result = sandbox.run("deploy", **etcd_env(**files))
    assert result.returncode == 1
    assert "etcd refused user leader-election (etcdserver: authentication failed" in result.stderr
    assert "the user (ETCD_USERNAME, ETCD_PASSWORD_FILE)" in result.stderr
    assert creating(sandbox.calls()) == []
    assert_no_password(sandbox, result)


def test_a_user_who_may_only_read_stops_deploy_before_any_cluster_changes(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    files = etcd_files(sandbox)
    members_up(sandbox, *ENDPOINTS, user="leader-election", password=PASSWORD)
    (sandbox.state / "etcd-read-only").write_text("")
    result = sandbox.run("deploy", **etcd_env(**files))
    assert result.returncode == 1
    assert "answers, but the user may not write /leader-election/multi-cluster-leader-election: refused (etcd " \
           "denied user leader-election (etcdserver: permission denied)" in result.stderr
    assert "grant ETCD_USERNAME's role readwrite on the prefix" in result.stderr
    assert creating(sandbox.calls()) == []
    assert_no_password(sandbox, result)


def test_a_local_binary_checks_without_the_gist_variables_the_app_would_refuse(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",), images=(IMAGE,))
    members_up(sandbox, ENDPOINTS[0])
    result = sandbox.run("deploy", **etcd_env(CLUSTERS="napoleon"),
                         LEADER_ELECTION_BIN=str(sandbox.root / "bin" / "leader-election"),
                         LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, LEADER_ELECTION_GITHUB_API_URL="https://api.github.com")
    assert result.returncode == 0, result.stderr
    assert f"leader-election status --lock etcd --etcd-endpoints {','.join(ENDPOINTS)} --etcd-prefix /leader-election " \
           "--election multi-cluster-leader-election --output json" in sandbox.calls()
    assert not any(c.startswith("docker run") for c in sandbox.calls())


# ---- one lock at a time -------------------------------------------------------------------------

def test_deploy_lock_etcd_over_gist_releases_stops_with_the_way_out(sandbox):
    seed_deployed(sandbox)
    members_up(sandbox, *ENDPOINTS)
    result = sandbox.run("deploy", **etcd_env())
    assert result.returncode == 1
    assert "the releases in napoleon stalin cleopatra elect through another lock than LOCK=etcd" in result.stderr
    assert "vcluster connect stalin -n vcluster-stalin --context kind-kind -- helm uninstall leader-election " \
           "-n leader-election --wait" in result.stderr
    assert creating(sandbox.calls()) == []


def test_deploy_without_lock_over_etcd_releases_does_not_switch_them_to_a_gist(sandbox):
    sandbox.seed(kind=True, vclusters=("napoleon",), images=(IMAGE,))
    members_up(sandbox, *ENDPOINTS)
    assert sandbox.run("deploy", **etcd_env(CLUSTERS="napoleon")).returncode == 0
    before = len(sandbox.calls())
    result = sandbox.run("deploy", CLUSTERS="napoleon", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN)
    assert result.returncode == 1
    assert "the releases in napoleon elect through another lock than LOCK=gist" in result.stderr
    assert creating(sandbox.calls()[before:]) == []
    assert not any(" init" in c for c in sandbox.calls()[before:]), "no gist is made for a switch that stops"


def test_gist_stays_the_default_and_ignores_the_etcd_settings(sandbox):
    """A regression guard: deploy without LOCK is the gist deploy it was, whatever ETCD_* says."""
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    files = etcd_files(sandbox)
    result = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID,
                         ETCD_ENDPOINTS=",".join(ENDPOINTS), **files)
    assert result.returncode == 0, result.stderr
    calls = upgrades(sandbox)
    assert len(calls) == 3
    for name, call in zip(CLUSTERS, calls):
        # The stand-ins log each argv joined by blanks.
        assert call.split("] ", 1)[1].split(" ") == " ".join([
            "helm", "upgrade", "--install", RELEASE, str(REPO / "chart"), "--namespace", "leader-election",
            "--set-string", f"gist.id={GIST_ID}", "--set-string", f"gist.existingSecret.name={RELEASE}-token",
            "--set-string", "election.name=multi-cluster-leader-election",
            "--set-string", "image.repository=leader-election", "--set-string", "image.tag=0.1.0",
            "--set", "replicaCount=1", "--set", "election.candidates=3", "--wait", "--timeout", "5s",
            "--set-string", f"clusterName={name}",
            "--set-string", f"notes.commandPrefix=vcluster connect {name} -n vcluster-{name} --context kind-kind --",
        ]).split(" ")
    # The checkout's own path may hold the word.
    assert not any("etcd" in c.replace(str(REPO), "") for c in sandbox.calls())
    assert f"docker run --rm -e LEADER_ELECTION_GITHUB_API_TOKEN -e LEADER_ELECTION_GITHUB_API_URL {IMAGE} status " \
           f"--gist {GIST_ID} --election multi-cluster-leader-election --write-mode auto --output json" in sandbox.calls()
    assert f"secret/{RELEASE}-token created" in result.stderr
    explicit = sandbox.run("deploy", LEADER_ELECTION_GITHUB_API_TOKEN=TOKEN, GIST_ID=GIST_ID, LOCK="gist")
    assert explicit.returncode == 0, explicit.stderr
    assert upgrades(sandbox)[3:] == calls


# ---- after deploy: check-leader, kill-leader, handover ------------------------------------------

def test_check_kill_and_handover_work_on_etcd_releases(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    members_up(sandbox, *ENDPOINTS)
    assert sandbox.run("deploy", **etcd_env()).returncode == 0
    checked = sandbox.run("check-leader")
    assert checked.returncode == 0, checked.stderr
    assert "lock:     etcd key /leader-election/multi-cluster-leader-election\nholder:   napoleon" in checked.stdout
    handover = sandbox.run("handover", "cleopatra")
    assert handover.returncode == 0, handover.stderr
    assert "[napoleon] kubectl exec --namespace leader-election deployment/leader-election -- leader-election " \
           "handover --to cleopatra" in sandbox.calls()
    assert "cleopatra took over" in handover.stderr
    killed = sandbox.run("kill-leader")
    assert killed.returncode == 0, killed.stderr
    assert "cleopatra leads: scaling deployment/leader-election in cleopatra to 0" in killed.stderr
    assert re.search(r"napoleon took over after about \d+s", killed.stderr)


# ---- ETCD_IN_CLUSTER: three members in the kind cluster -----------------------------------------

def etcd_manifest(**env: str) -> list[dict]:
    script = 'source scripts/lib.sh; source scripts/etcd-deploy.sh; etcd_manifest'
    result = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", **env})
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_the_in_cluster_etcd_renders_valid_objects(version):
    from .conftest import Rendered
    objects = etcd_manifest()
    assert sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects) == [
        "Namespace/leader-election-etcd", "Service/etcd", "Service/etcd-0", "Service/etcd-1", "Service/etcd-2",
        "StatefulSet/etcd"]
    assert validate_all(Rendered(objects, "", ""), version) == 6


def test_the_in_cluster_members_find_each_other_and_each_has_a_service():
    objects = {f"{o['kind']}/{o['metadata']['name']}": o for o in etcd_manifest(ETCD_NAMESPACE="demo-etcd")}
    statefulset = objects["StatefulSet/etcd"]
    spec = statefulset["spec"]
    assert spec["replicas"] == 3 and spec["podManagementPolicy"] == "Parallel"
    assert spec["serviceName"] == "etcd"
    headless = objects["Service/etcd"]["spec"]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"] is True
    labels = spec["template"]["metadata"]["labels"]
    assert headless["selector"].items() <= labels.items()
    args = spec["template"]["spec"]["containers"][0]["args"]
    assert "--initial-cluster=" + ",".join(f"etcd-{i}=http://etcd-{i}.etcd.demo-etcd.svc:2380" for i in range(3)) in args
    assert "--initial-advertise-peer-urls=http://$(POD_NAME).etcd.demo-etcd.svc:2380" in args
    for i in range(3):
        service = objects[f"Service/etcd-{i}"]
        assert service["metadata"]["namespace"] == "demo-etcd"
        assert service["spec"]["selector"] == {"statefulset.kubernetes.io/pod-name": f"etcd-{i}"}
        assert service["spec"]["ports"][0]["port"] == 2379
    assert spec["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "1Gi"


def test_deploy_with_etcd_in_cluster_runs_the_members_and_gives_the_copies_their_services(sandbox, render):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LOCK="etcd", ETCD_IN_CLUSTER="true")
    assert result.returncode == 0, result.stderr
    host = [c for c in sandbox.calls() if c.startswith("kubectl --context kind-kind") and "get pods" not in c
            and "config view" not in c]
    assert host == [
        "kubectl --context kind-kind apply -f -",
        "kubectl --context kind-kind rollout status statefulset/etcd --namespace leader-election-etcd --timeout 5s",
        "kubectl --context kind-kind get services etcd-0 etcd-1 etcd-2 --namespace leader-election-etcd "
        "--output jsonpath={.items[*].spec.clusterIP}",
    ]
    applied = sandbox.state / "applied" / "host"
    assert sorted(p.name for p in applied.glob("*.yaml")) == [
        "Namespace-leader-election-etcd.yaml", "Service-etcd-0.yaml", "Service-etcd-1.yaml", "Service-etcd-2.yaml",
        "Service-etcd.yaml", "StatefulSet-etcd.yaml"]
    endpoints = ["http://10.96.0.100:2379", "http://10.96.0.101:2379", "http://10.96.0.102:2379"]
    for call in upgrades(sandbox):
        values = chart_values(call)
        assert values["etcd"] == {"endpoints": endpoints, "prefix": "/leader-election"}
        assert render(values).env()["LEADER_ELECTION_ETCD_ENDPOINTS"]["value"] == ",".join(endpoints)
    assert not any("status --lock" in c for c in sandbox.calls()), "this machine cannot reach the cluster IPs"
    assert "the etcd members are ready; the copies reach them at " + ",".join(endpoints) in result.stderr


def test_etcd_in_cluster_that_never_gets_ready_stops_before_the_vclusters(sandbox):
    sandbox.seed(kind=True, vclusters=CLUSTERS, images=(IMAGE,))
    result = sandbox.run("deploy", LOCK="etcd", ETCD_IN_CLUSTER="true", STANDIN_ETCD_NOT_READY="1")
    assert result.returncode == 1
    assert "the etcd members in leader-election-etcd did not get ready within 5s; no vcluster was changed: see " \
           "kubectl --context kind-kind -n leader-election-etcd get pods" in result.stderr
    assert not any(c.startswith("[") and ("apply" in c or "helm upgrade" in c) for c in sandbox.calls())


def test_teardown_removes_the_in_cluster_etcd_when_the_kind_cluster_stays(sandbox):
    assert sandbox.run("provision").returncode == 0
    assert sandbox.run("build").returncode == 0
    assert sandbox.run("deploy", LOCK="etcd", ETCD_IN_CLUSTER="true").returncode == 0
    kept = sandbox.run("teardown", KEEP_KIND="true")
    assert kept.returncode == 0, kept.stderr
    assert "kubectl --context kind-kind delete namespace leader-election-etcd --wait=false" in sandbox.calls()
    assert not list((sandbox.state / "applied" / "host").glob("*.yaml"))
    again = sandbox.run("teardown", KEEP_KIND="true")
    assert again.returncode == 0, again.stderr
    assert sandbox.calls().count("kubectl --context kind-kind delete namespace leader-election-etcd --wait=false") == 1


def test_teardown_leaves_a_namespace_deploy_did_not_make(sandbox):
    sandbox.seed(kind=True)
    own = sandbox.state / "applied" / "host" / "Namespace-leader-election-etcd.yaml"
    own.parent.mkdir(parents=True)
    own.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: leader-election-etcd\n")
    result = sandbox.run("teardown")
    assert result.returncode == 0, result.stderr
    assert not any("delete namespace" in c for c in sandbox.calls())
    assert own.exists()
