"""GitHub's rate limits, enforced by the local gist server: the app honours a refusal exactly, says so
once, shows it in /metrics, /leader and /healthz with the time it sends again, sends nothing while it
waits, and warns at start when its timings would not fit."""

import json
import re
import subprocess
import urllib.request

from conftest import GIST_SERVER_BIN, LEADER_ELECTION_BIN, wait_until
from test_bad_input import clean_env


def start_server(tmp_path, *limits):
    (tmp_path / "token").write_text("rate-token\n")
    ready = tmp_path / "ready"
    process = subprocess.Popen([GIST_SERVER_BIN, "--port", "0", "--ready-file", str(ready), "--token-file",
                                str(tmp_path / "token"), "--create-gist", *limits],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    gist = process.stdout.readline().strip()
    url = wait_until(lambda: ready.exists() and ready.read_text().strip(), 20, what="gist-server")
    return process, url, gist


def stats(url):
    with urllib.request.urlopen(url + "/_gist-server/stats", timeout=10) as response:
        return json.loads(response.read())


def held_requests(metrics_url):
    """The app's count of requests it held back instead of sending (github_held_requests_total)."""
    with urllib.request.urlopen(metrics_url, timeout=10) as response:
        found = re.search(r"^github_held_requests_total (\S+)", response.read().decode(), re.M)
    return float(found.group(1)) if found else 0.0


def refusals(url):
    return sum(entry["count"] for entry in stats(url)["entries"] if entry["status"] in (403, 429))


def test_a_write_limit_is_honoured_logged_once_and_shown_in_metrics(tmp_path):
    # Five writes a minute: the leader (renewing every second here) runs into the secondary limit.
    server, url, gist = start_server(tmp_path, "--secondary-limit-per-minute", "5")
    log = tmp_path / "app.log"
    app = subprocess.Popen(
        [LEADER_ELECTION_BIN, "run", "--id", "napoleon", "--gist", gist, "--github-api-url", url,
         "--lease-duration", "6s", "--renew-deadline", "4s", "--retry-period", "1s", "--renew-interval", "1s",
         "--http", "127.0.0.1:0", "--write-mode", "rest"],
        env=clean_env(LEADER_ELECTION_GITHUB_API_TOKEN="rate-token"), stderr=log.open("w"))
    try:
        wait_until(lambda: "rate limit reached" in log.read_text(), 30, what="the app to meet the write limit")
        seen = refusals(url)
        # The hold lasts the retry-after GitHub gave (about a minute here): the leader gives up at its renew
        # deadline, nothing more is sent meanwhile, and the refusal is not logged again at every attempt.
        wait_until(lambda: "failed to renew" in log.read_text(), 15,
                   what="the leader to give up once its renewals are held past the renew deadline")
        # Three more attempts the client held back instead of sending, as its metrics count them.
        text = log.read_text()
        metrics_url = "http://{}:{}/metrics".format(
            *re.search(r'serving HTTP address="[^"]*?(\d+\.\d+\.\d+\.\d+):(\d+)"', text).groups())
        held = held_requests(metrics_url)
        wait_until(lambda: held_requests(metrics_url) >= held + 3, 30, what="three attempts held back")
        text = log.read_text()
        assert refusals(url) == seen, "requests were sent while the rate limit was in force"
        limited = [line for line in text.splitlines() if "rate limit reached" in line]
        warning = [line for line in limited if line.startswith("W")]
        assert len(warning) == 1, "the refusal is announced once, with the time requests resume"
        assert re.search(r"until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(UTC\)", warning[0]), warning[0]
        assert len(limited) <= 3, "the same refusal must not be logged at every attempt:\n" + "\n".join(limited)
        assert "rate-token" not in text
        address = re.search(r'serving HTTP address="[^"]*?(\d+\.\d+\.\d+\.\d+):(\d+)"', text)
        with urllib.request.urlopen(f"http://{address.group(1)}:{address.group(2)}/metrics", timeout=10) as r:
            metrics = r.read().decode()
        assert re.search(r"^github_rate_limited_answers_total [1-9]", metrics, re.M), metrics
        assert re.search(r"^github_rate_limited_until_timestamp_seconds [1-9]", metrics, re.M), metrics
        assert re.search(r'^github_requests_total\{method="PATCH",status="403"\} [1-9]', metrics, re.M), metrics
        # The status says it is throttled and until when; /healthz says so too and stays a passing probe.
        base = f"http://{address.group(1)}:{address.group(2)}"
        with urllib.request.urlopen(base + "/leader", timeout=10) as r:
            leader = json.loads(r.read())
        until = re.compile(r"no requests until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(UTC\)")
        assert leader["lastLockError"].startswith("throttled: GitHub rate limit reached"), leader
        assert until.search(leader["lastLockError"]), leader
        assert leader["lastStandDown"].startswith("cut off: "), leader
        with urllib.request.urlopen(base + "/healthz", timeout=10) as r:
            assert r.status == 200
            health = r.read().decode()
        assert health.startswith("ok: not leading election"), health
        assert "last lock call failed (throttled: GitHub rate limit reached" in health and until.search(health), health
        assert "last stood down: cut off: " in health, health
        stand_down = [line for line in text.splitlines() if 'event="lost"' in line]
        assert stand_down and 'cause="cut_off"' in stand_down[0] and "rate limit reached" in stand_down[0], stand_down
    finally:
        app.terminate()
        app.wait(timeout=30)
        server.terminate()
        server.wait()


def test_start_warns_when_the_timings_would_not_fit_the_limits(tmp_path):
    server, url, gist = start_server(tmp_path)
    try:
        def first_lines(*args):
            log = tmp_path / "warn.log"
            app = subprocess.Popen([LEADER_ELECTION_BIN, "run", "--id", "a", "--gist", gist, "--github-api-url", url,
                                    *args], env=clean_env(LEADER_ELECTION_GITHUB_API_TOKEN="rate-token"),
                                   stderr=log.open("w"))
            wait_until(lambda: "attempting to acquire" in log.read_text(), 20, what="the election to start")
            app.terminate()
            app.wait(timeout=30)
            return log.read_text()

        # The defaults fit GitHub's limits in both write modes; against gist-server nothing is checked
        # unless asked for, so even a renew interval GitHub would throttle passes without a word.
        assert "expected GitHub request rate too high" not in first_lines("--renew-interval", "2s")
        github = ("--check-limits", "github")
        git_defaults = first_lines(*github)
        assert "writing the lock through git" in git_defaults
        assert "expected GitHub request rate too high" not in git_defaults
        rest = (*github, "--write-mode", "rest")
        assert "expected GitHub request rate too high" not in first_lines(*rest)
        # Pushes every 5s are 13 in the busiest 60 s to one gist, over twice GitHub's recommendation; 14s
        # and 15s fit on average but hold 5 in their busiest 60 s, so 16s is the one suggested.
        pushing = first_lines(*github, "--renew-interval", "5s")
        assert "expected GitHub request rate too high: pushes to one gist" in pushing
        assert "13/min expected, 216.7% of GitHub's 6/min" in pushing
        assert "fits with --renew-interval 16s" in pushing
        renewing_every_retry = first_lines(*rest, "--renew-interval", "5s")
        assert "expected GitHub request rate too high: content-creation limit" in renewing_every_retry
        assert "720/h expected, 144% of GitHub's 500/h" in renewing_every_retry
        assert "fits with --renew-interval 10s" in renewing_every_retry
        two_elections = first_lines(*rest, "--elections", "2")
        assert "content-creation limit (the leaders' writes, 2 elections): 450/h expected" in two_elections
        crowded = first_lines(*rest, "--candidates", "20")
        assert "expected GitHub request rate too high: primary rate limit" in crowded
    finally:
        server.terminate()
        server.wait()
