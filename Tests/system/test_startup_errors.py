"""What the user sees when the app cannot start: one clear line, a non-zero exit, no token printed."""

import os
import subprocess

import pytest

from conftest import LEADER_ELECTION_BIN, wait_until


def run_app(args, env_extra, timeout=30):
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEADER_ELECTION_")}
    env.update(env_extra)
    return subprocess.run([LEADER_ELECTION_BIN, *args], env=env, capture_output=True, text=True, timeout=timeout)


def error_lines(result):
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("name, args, token, code, message", [
    ("wrong token", ["--id", "a"], "wrong-token-value", 1, "401"),
    ("missing gist", ["--id", "a", "--gist", "0000000000000000000000000000dead"], None, 1, "not found"),
    ("missing token", ["--id", "a"], "", 2, "no GitHub token"),
    ("missing id", [], None, 2, "no identity"),
    ("timings out of order", ["--id", "a", "--lease-duration", "10s", "--renew-deadline", "15s"], None, 2,
     "invalid timings"),
    ("retry too long for the deadline", ["--id", "a", "--renew-deadline", "5s", "--retry-period", "5s"], None, 2,
     "invalid timings"),
    ("bad HTTP address", ["--id", "a", "--http", "nowhere"], None, 2, "invalid HTTP address"),
    ("bad API URL", ["--id", "a", "--github-api-url", "ftp://example"], None, 2, "invalid GitHub API URL"),
    # Issue 15: refused before any network call.
    ("empty id", ["--id", ""], None, 2, "empty identity"),
    ("id that forges a log line", ["--id", "a\nI0101 00:00:00.000000 1 x.go:1] forged"], None, 2, "invalid identity"),
    ("id with terminal controls", ["--id", "a\x1b[2J\x07"], None, 2, "invalid identity"),
    ("lease beyond Go's range", ["--id", "a", "--lease-duration", "3000000h"], None, 2,
     "--lease-duration 3000000h is out of range"),
    ("timings that hammer the store", ["--id", "a", "--lease-duration", "2s", "--renew-deadline", "1s",
                                       "--retry-period", "1ns"], None, 2, "--retry-period 1ns is too short"),
    ("plain http off loopback", ["--id", "a", "--github-api-url", "http://10.255.255.1:9"], None, 2,
     "plain http on a host that is not loopback"),
    ("token that cannot be sent", ["--id", "a"], "ghp_a\x07b", 2, "cannot carry"),
])
def test_start_up_error_is_one_clear_line(server, name, args, token, code, message):
    if "--gist" not in args:
        args = [*args, "--gist", server.gist_id]
    if "--github-api-url" not in args:
        args = [*args, "--github-api-url", server.url]
    used_token = server.token if token is None else token
    result = run_app(["run", *args], {"LEADER_ELECTION_GITHUB_API_TOKEN": used_token})
    assert result.returncode == code, result.stderr
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert message in lines[0], lines[0]
    if used_token:
        assert used_token not in result.stderr + result.stdout


def test_malformed_duration_flag_names_the_flag(server):
    result = run_app(["run", "--id", "a", "--gist", server.gist_id, "--lease-duration", "thirty"],
                     {"LEADER_ELECTION_GITHUB_API_TOKEN": server.token})
    assert result.returncode != 0
    assert "--lease-duration" in result.stderr
    assert "thirty" in result.stderr


def test_malformed_duration_in_environment_names_the_variable(server):
    result = run_app(["run", "--id", "a", "--gist", server.gist_id, "--github-api-url", server.url],
                     {"LEADER_ELECTION_GITHUB_API_TOKEN": server.token, "LEADER_ELECTION_RETRY_PERIOD": "5"})
    assert result.returncode == 2
    assert "LEADER_ELECTION_RETRY_PERIOD" in result.stderr


def test_flags_win_over_environment(server, tmp_path):
    # The environment names a gist that does not exist and another identity; the flags name the real
    # gist and "from-flag", so start-up passes and "from-flag" leads: the flags won.
    env = {"LEADER_ELECTION_GITHUB_API_TOKEN": server.token, "LEADER_ELECTION_GIST_ID": "0000000000000000000000000000dead",
           "LEADER_ELECTION_GITHUB_API_URL": server.url, "LEADER_ELECTION_ID": "from-env"}
    log = tmp_path / "from-flag.log"
    process = subprocess.Popen(
        [LEADER_ELECTION_BIN, "run", "--gist", server.gist_id, "--id", "from-flag", "--retry-period", "0.5s",
         "--lease-duration", "4s", "--renew-deadline", "2s"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}, **env},
        stderr=log.open("w"))
    try:
        wait_until(lambda: "I am from-flag!" in log.read_text(), 20, what="the copy named by the flag to lead")
        assert server.holder() == "from-flag"
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert process.returncode == 0, log.read_text()


def test_a_duration_variable_beyond_gos_range_is_a_clear_error_not_a_crash(server):
    result = run_app(["run", "--id", "a", "--gist", server.gist_id, "--github-api-url", server.url],
                     {"LEADER_ELECTION_GITHUB_API_TOKEN": server.token, "LEADER_ELECTION_LEASE_DURATION": "3000000h"})
    assert result.returncode == 2, result.stderr
    assert error_lines(result) == [line for line in error_lines(result) if "out of range" in line], result.stderr


def test_a_refused_token_names_the_file_it_came_from(server, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("wrong-token-value\n")
    result = run_app(["run", "--id", "a", "--gist", server.gist_id, "--github-api-url", server.url,
                      "--token-file", str(token_file)], {})
    assert result.returncode == 1, result.stderr
    assert f"check the token file {token_file} (--token-file)" in result.stderr, result.stderr
    assert "wrong-token-value" not in result.stderr
