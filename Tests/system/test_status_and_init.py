"""`leader-election status` and `init` against the local gist server."""

import json
import os
import subprocess

from conftest import LEADER_ELECTION_BIN, wait_until


def app(server, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    env["LEADER_ELECTION_GITHUB_API_TOKEN"] = server.token
    return subprocess.run([LEADER_ELECTION_BIN, *args, "--github-api-url", server.url], env=env,
                          capture_output=True, text=True, timeout=30)


def test_status_of_a_gist_without_lock_says_so(server):
    result = app(server, "status", "--gist", server.gist_id, "--output", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["exists"] is False
    assert report["file"] == "multi-cluster-leader-election.lock"


def test_status_reports_the_holder_and_term(server, candidates):
    candidates("napoleon")
    wait_until(lambda: server.holder() == "napoleon", 20, what="napoleon to lead")
    report = json.loads(app(server, "status", "--gist", server.gist_id, "--output", "json").stdout)
    assert report["holderIdentity"] == "napoleon"
    assert report["leaderTransitions"] == server.lock_record()["leaderTransitions"]
    assert report["looksExpired"] is False
    text = app(server, "status", "--gist", server.gist_id).stdout
    assert "holder:   napoleon" in text


def test_init_creates_a_private_gist_holding_a_free_lock(server):
    result = app(server, "init")
    assert result.returncode == 0, result.stderr
    gist_id = result.stdout.strip()
    gist = server.request("GET", f"/gists/{gist_id}")
    assert gist["public"] is False
    record = json.loads(gist["files"]["multi-cluster-leader-election.lock"]["content"])
    assert record["holderIdentity"] == ""
    status = json.loads(app(server, "status", "--gist", gist_id, "--output", "json").stdout)
    assert status["looksExpired"] is True


def test_init_with_a_rejected_token_fails_clearly(server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    env["LEADER_ELECTION_GITHUB_API_TOKEN"] = "not-a-valid-token"
    result = subprocess.run([LEADER_ELECTION_BIN, "init", "--github-api-url", server.url], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "401" in result.stderr
    assert "not-a-valid-token" not in result.stderr
