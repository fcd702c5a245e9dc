"""Gists as git repositories: real git against gist-server, and the app writing its lock by push."""

import os
import secrets
import subprocess
import urllib.error
import urllib.request
from base64 import b64encode

import pytest

from conftest import GIST_SERVER_BIN, GistServer, wait_until

GIT_ENV = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               GIT_AUTHOR_NAME="Tester", GIT_AUTHOR_EMAIL="tester@example.com",
               GIT_COMMITTER_NAME="Tester", GIT_COMMITTER_EMAIL="tester@example.com")
HISTORY_VERSION = {"X-GitHub-Api-Version": "2022-11-28"}


def git(*args, cwd=None, check=True):
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=check)


def authenticated(url, token):
    return url.replace("http://", f"http://x:{token}@", 1)


def pull_url(server):
    return server.request("GET", f"/gists/{server.gist_id}")["git_pull_url"]


def newest_version(server):
    request = urllib.request.Request(f"{server.url}/gists/{server.gist_id}", headers={
        "User-Agent": "system-tests", "Authorization": f"Bearer {server.token}", **HISTORY_VERSION})
    with urllib.request.urlopen(request, timeout=10) as response:
        import json
        return json.loads(response.read())["history"][0]["version"]


def clone(server, tmp_path, name="work"):
    target = tmp_path / name
    git("clone", "--quiet", authenticated(pull_url(server), server.token), str(target))
    return target


def advertisement_status(url, authorization=None):
    request = urllib.request.Request(url + "/info/refs?service=git-receive-pack", headers={"User-Agent": "git/2.39"})
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def pushes_and_patches(server):
    routes = server.stats()["byRoute"]
    return routes.get("POST /{gist_id}.git/git-receive-pack", 0), routes.get("PATCH /gists/{gist_id}", 0)


def test_real_git_clones_a_gist_anonymously_and_its_head_is_the_rest_version(server, tmp_path):
    target = tmp_path / "anonymous"
    git("clone", "--quiet", pull_url(server), str(target))
    assert (target / "README.md").exists()
    assert git("rev-parse", "HEAD", cwd=target).stdout.strip() == newest_version(server)


def test_a_push_by_real_git_shows_in_rest_and_a_rest_write_is_a_commit_on_it(server, tmp_path):
    work = clone(server, tmp_path)
    (work / "notes.txt").write_text("pushed by git\n")
    git("add", "notes.txt", cwd=work)
    git("commit", "--quiet", "-m", "notes", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    pushed = git("rev-parse", "HEAD", cwd=work).stdout.strip()
    assert server.files()["notes.txt"] == "pushed by git\n"
    assert newest_version(server) == pushed

    server.request("PATCH", f"/gists/{server.gist_id}", {"files": {"notes.txt": {"content": "edited by REST\n"}}})
    git("pull", "--quiet", "--ff-only", "origin", "main", cwd=work)
    assert (work / "notes.txt").read_text() == "edited by REST\n"
    assert git("rev-parse", "HEAD~1", cwd=work).stdout.strip() == pushed
    assert git("rev-parse", "HEAD", cwd=work).stdout.strip() == newest_version(server)


def test_a_push_built_on_a_stale_commit_is_refused_by_the_server(server, tmp_path):
    first, second = clone(server, tmp_path, "first"), clone(server, tmp_path, "second")
    (first / "a.txt").write_text("first\n")
    git("add", ".", cwd=first)
    git("commit", "--quiet", "-m", "first", cwd=first)
    git("push", "--quiet", "origin", "HEAD:main", cwd=first)
    (second / "b.txt").write_text("second\n")
    git("add", ".", cwd=second)
    git("commit", "--quiet", "-m", "second", cwd=second)
    # --force skips git's own check, so the refusal is the server's.
    refused = git("push", "--force", "origin", "HEAD:main", cwd=second, check=False)
    assert refused.returncode != 0
    assert "rejected" in refused.stderr, refused.stderr
    assert "a.txt" in server.files() and "b.txt" not in server.files()


@pytest.fixture
def scoped_server(tmp_path):
    token, unscoped = "test-" + secrets.token_hex(8), "noscope-" + secrets.token_hex(8)
    gist_server = GistServer(GIST_SERVER_BIN, tmp_path, [token],
                             extra_args=("--token-without-gist-scope", unscoped)).start()
    gist_server.unscoped = unscoped
    yield gist_server
    gist_server.stop()


def test_pushing_asks_for_a_token_and_refuses_one_without_the_gist_scope(scoped_server):
    url = pull_url(scoped_server)
    status, headers = advertisement_status(url)
    assert status == 401
    assert headers.get("WWW-Authenticate", "").startswith("Basic")
    basic = lambda token: "Basic " + b64encode(f"x:{token}".encode()).decode()  # noqa: E731
    assert advertisement_status(url, basic("not-a-token"))[0] == 401
    assert advertisement_status(url, basic(scoped_server.unscoped))[0] == 403
    assert advertisement_status(url, basic(scoped_server.token))[0] == 200
    routes = scoped_server.stats()["byRoute"]
    assert routes["GET /{gist_id}.git/info/refs"] == 4


def test_the_app_writes_by_pushes_only_and_keeps_other_files_byte_for_byte(server, candidates, timings, tmp_path):
    work = clone(server, tmp_path)
    binary = bytes((i * 7919 + 13) % 256 for i in range(70_000))
    large = b"a line of a file over one megabyte\n" * 40_000
    (work / "logo.bin").write_bytes(binary)
    (work / "big.txt").write_bytes(large)
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "files beside the lock", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    server.reset_stats()

    (napoleon,) = candidates("napoleon")
    wait_until(lambda: server.holder() == "napoleon", 30, what="napoleon to hold the lock")
    wait_until(lambda: pushes_and_patches(server)[0] >= 3, timings.lease * 5, what="three pushes: renewals")
    pushes, patches = pushes_and_patches(server)
    assert patches == 0
    assert "writing the lock through git" in napoleon.output()

    git("pull", "--quiet", "--ff-only", "origin", "main", cwd=work)
    assert (work / "logo.bin").read_bytes() == binary
    assert (work / "big.txt").read_bytes() == large
    assert (work / "README.md").exists()


def test_when_git_refuses_the_token_the_app_writes_through_rest_and_says_why(server, candidates):
    server.fault(path=f"/{server.gist_id}.git", status=403, message="Permission denied")
    (napoleon,) = candidates("napoleon")
    wait_until(lambda: server.holder() == "napoleon", 30, what="napoleon to hold the lock through REST")
    server.clear_faults()
    pushes, patches = pushes_and_patches(server)
    assert patches >= 1 and pushes == 0
    warning = [line for line in napoleon.output().splitlines() if "writing the lock through REST" in line]
    assert len(warning) == 1, napoleon.output()
    assert "403" in warning[0] and "--write-mode rest" in warning[0]
    assert server.token not in napoleon.output()


def test_write_mode_git_stops_at_start_when_git_refuses(server, candidates):
    server.fault(path=f"/{server.gist_id}.git", status=403, message="Permission denied")
    (napoleon,) = candidates("napoleon", extra_args=("--write-mode", "git"))
    assert napoleon.process.wait(timeout=30) != 0
    assert "--write-mode git, but git cannot write gist" in napoleon.output()
