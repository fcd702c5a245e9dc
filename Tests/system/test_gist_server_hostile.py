"""gist-server against hostile and careless input, with the built binary: file names git cannot hold,
kills during start-up, ambiguous git queries, oversized pushes, repeated flags and the admin routes on
an address other than loopback."""

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest

from conftest import GIST_SERVER_BIN, GistServer, wait_until
from harness.gist_server import require_binary, stored_revisions

GIT_ENV = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               GIT_AUTHOR_NAME="Tester", GIT_AUTHOR_EMAIL="tester@example.com",
               GIT_COMMITTER_NAME="Tester", GIT_COMMITTER_EMAIL="tester@example.com")


def git(*args, cwd=None, check=True, data=None):
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, check=check,
                          input=data)


def http(server, method, path, body=None, *, raw=None, headers=None, timeout=30):
    """(status, body bytes) of one request; errors are answers too."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    fields = {"User-Agent": "system-tests", "Accept": "application/vnd.github+json",
              "Authorization": f"Bearer {server.token}", **(headers or {})}
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=fields)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def gist_server(tmp_path):
    require_binary(GIST_SERVER_BIN)
    server = GistServer(GIST_SERVER_BIN, tmp_path, ["test-" + secrets.token_hex(8)], user_agent="system-tests").start()
    yield server
    server.stop()


def head_of(server):
    repository = Path(str(server.state) + ".repositories") / f"{server.gist_id}.git"
    return git("-C", str(repository), "rev-parse", "main").stdout.decode().strip(), repository


# ---- file names ------------------------------------------------------------------------------------

REFUSED_NAMES = ["", "../x", ".git/config", "a/b", ".", "..", ".git", ".Git", "n" * 300, "a\u0000b", "new\nline"]


@pytest.mark.parametrize("name", REFUSED_NAMES, ids=repr)
def test_a_file_name_git_cannot_hold_is_422_and_the_gist_stays_writable(gist_server, tmp_path, name):
    before, repository = head_of(gist_server)
    for body in ({"files": {name: {"content": "x"}}}, {"files": {"README.md": {"filename": name}}}):
        status, text = http(gist_server, "PATCH", f"/gists/{gist_server.gist_id}", body)
        assert status == 422, text
        answer = json.loads(text)
        assert answer["message"] == "Validation Failed"
        assert answer["errors"][0]["resource"] == "Gist" and answer["errors"][0]["field"] == "files"
        assert answer["errors"][0]["code"] == "invalid"
    status, _ = http(gist_server, "POST", "/gists", {"files": {name: {"content": "x"}}})
    assert status == 422
    assert head_of(gist_server)[0] == before
    status, _ = http(gist_server, "PATCH", f"/gists/{gist_server.gist_id}", {"files": {"lock.lock": {"content": "1"}}})
    assert status == 200
    git("-C", str(repository), "fsck", "--strict")
    git("clone", "--quiet", gist_server.request("GET", f"/gists/{gist_server.gist_id}")["git_pull_url"],
        str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "lock.lock").read_text() == "1"


@pytest.mark.parametrize("name", [".git", "..", "x%2Fy"])
def test_the_admin_put_refuses_such_a_name(gist_server, name):
    before, _ = head_of(gist_server)
    encoded = name if "%" in name else urllib.request.quote(name, safe="")
    status, text = http(gist_server, "PUT", f"/_gist-server/gists/{gist_server.gist_id}/files/{encoded}", raw=b"x")
    assert status == 422, text
    assert head_of(gist_server)[0] == before


@pytest.mark.parametrize("name", [".git", ".", "..", ""], ids=repr)
def test_a_push_whose_tree_holds_such_a_name_is_refused(gist_server, tmp_path, name):
    before, _ = head_of(gist_server)
    url = gist_server.request("GET", f"/gists/{gist_server.gist_id}")["git_pull_url"]
    work = tmp_path / "work"
    git("clone", "--quiet", url.replace("http://", f"http://x:{gist_server.token}@", 1), str(work))
    blob = git("hash-object", "-w", "--stdin", cwd=work, data=b"x\n").stdout.decode().strip()
    tree = git("mktree", "-z", cwd=work, data=f"100644 blob {blob}\t{name}\0".encode()).stdout.decode().strip()
    commit = git("commit-tree", tree, "-p", "HEAD", "-m", "hostile", cwd=work).stdout.decode().strip()
    pushed = git("push", "origin", f"{commit}:refs/heads/main", cwd=work, check=False)
    assert pushed.returncode != 0
    assert head_of(gist_server)[0] == before
    status, _ = http(gist_server, "PATCH", f"/gists/{gist_server.gist_id}", {"files": {"lock.lock": {"content": "1"}}})
    assert status == 200


# ---- git's smart HTTP ----------------------------------------------------------------------------------

def test_service_given_twice_is_refused_without_serving_the_push_advertisement(gist_server):
    path = f"/{gist_server.gist_id}.git/info/refs?service=git-upload-pack&service=git-receive-pack"
    request = urllib.request.Request(gist_server.url + path, headers={"User-Agent": "git/2.39"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    assert b"git-receive-pack" not in body
    assert status == 400, body


def test_a_push_body_over_the_limit_is_413(gist_server, tmp_path):
    # curl, as a client that reads the answer while it still sends: the server answers before the body ends.
    body = tmp_path / "body"
    with body.open("wb") as out:
        out.truncate(100 << 20)  # the server's limit is 32 MiB
    basic = b64encode(f"x:{gist_server.token}".encode()).decode()
    result = subprocess.run(
        ["curl", "-s", "-m", "120", "-o", str(tmp_path / "answer"), "-w", "%{http_code}", "--config", "-",
         "-H", "Content-Type: application/x-git-receive-pack-request", "--data-binary", f"@{body}",
         f"{gist_server.url}/{gist_server.gist_id}.git/git-receive-pack"],
        input=f'header = "Authorization: Basic {basic}"\n', capture_output=True, text=True, timeout=180)
    assert result.stdout == "413", (tmp_path / "answer").read_text()
    assert "limit" in (tmp_path / "answer").read_text()


# ---- flags and the admin routes ---------------------------------------------------------------------

def test_a_second_token_file_is_an_error(tmp_path):
    require_binary(GIST_SERVER_BIN)
    for name in ("a", "b"):
        (tmp_path / name).write_text(f"token-{name}\n")
    result = subprocess.run([GIST_SERVER_BIN, "--port", "0", "--token-file", str(tmp_path / "a"),
                             "--token-file", str(tmp_path / "b")], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--token-file was given 2 times" in result.stderr
    assert "token-a" not in result.stderr and "token-b" not in result.stderr


@pytest.mark.parametrize("expose", [False, True])
def test_admin_routes_on_an_address_other_than_loopback_need_the_flag(tmp_path, expose):
    require_binary(GIST_SERVER_BIN)
    server = GistServer(GIST_SERVER_BIN, tmp_path, ["test-" + secrets.token_hex(8)], host="0.0.0.0",
                        extra_args=("--expose-admin-routes",) if expose else (), user_agent="system-tests").start()
    try:
        server.url = f"http://127.0.0.1:{server.port}"
        assert http(server, "GET", "/_gist-server/health")[0] == 200
        status, _ = http(server, "POST", "/_gist-server/faults", {"status": 503})
        assert status == (201 if expose else 404)
        status, _ = http(server, "PUT", f"/_gist-server/gists/{server.gist_id}/files/lock.lock", raw=b"x")
        assert status == (200 if expose else 404)
        log = server.log.read_text()
        if expose:
            assert "without authentication" in log and "overwrite any gist's files" in log
        else:
            assert "--expose-admin-routes" in log
    finally:
        server.stop()


# ---- start-up ---------------------------------------------------------------------------------------

GISTS, REVISIONS, FILE_BYTES = 30, 24, 24_000


def write_state(directory: Path) -> dict[str, list[str]]:
    """A version 2 state of GISTS gists with REVISIONS revisions each, every revision rewriting a file of
    FILE_BYTES (some 17 MB of journals), three journals ending in lines never committed. The lock
    file's content per revision, by gist."""
    journals = directory / "state.json.revisions"
    journals.mkdir(parents=True)
    entries, expected = [], {}
    for index in range(GISTS):
        gist_id = f"{index:032x}"
        lines, locks = [], []
        for revision in range(REVISIONS):
            lock = f"{index}-{revision}"
            locks.append(lock)
            lines.append(json.dumps({
                "version": f"{index:08x}{revision:032x}", "committedAt": f"2026-01-01T00:{revision:02d}:00Z",
                "committerLogin": "me", "additions": 1, "deletions": 1 if revision else 0,
                "files": {"lock.lock": lock, "big.txt": f"{revision}" * FILE_BYTES}}, sort_keys=True))
        text = "".join(line + "\n" for line in lines)
        if index % 10 == 0:
            text += lines[0] + "\n" + '{"version":"cut'
        (journals / f"{gist_id}.jsonl").write_text(text)
        entries.append({"id": gist_id, "ownerLogin": "me", "isPublic": False, "createdAt": "2026-01-01T00:00:00Z",
                        "updatedAt": f"2026-01-01T00:{REVISIONS - 1:02d}:00Z", "revisionCount": REVISIONS})
        expected[gist_id] = locks
    (directory / "state.json").write_text(json.dumps({"format": "gist-server-state", "version": 2, "gists": entries}))
    return expected


def check_state(state: Path, expected: dict[str, list[str]]) -> None:
    for gist_id, locks in expected.items():
        revisions = stored_revisions(state, gist_id)
        assert [r["files"]["lock.lock"] for r in revisions] == locks, gist_id


TOKEN = "test-" + secrets.token_hex(8)


def start(state: Path, ready: Path, log: Path) -> subprocess.Popen:
    ready.unlink(missing_ok=True)
    with log.open("a") as err:
        return subprocess.Popen([GIST_SERVER_BIN, "--port", "0", "--no-git", "--state-file", str(state),
                                 "--ready-file", str(ready), "--token", TOKEN],
                                stdout=subprocess.DEVNULL, stderr=err)


def test_a_kill_at_any_point_of_start_up_loses_no_gist_or_revision(tmp_path):
    require_binary(GIST_SERVER_BIN)
    expected = write_state(tmp_path)
    state, ready, log = tmp_path / "state.json", tmp_path / "ready", tmp_path / "gist-server.log"
    check_state(state, expected)

    began = time.monotonic()
    process = start(state, ready, log)
    wait_until(lambda: ready.exists() or process.poll() is not None, 120, "the first start")
    full = time.monotonic() - began
    assert process.poll() is None, log.read_text()
    process.kill()
    process.wait()
    check_state(state, expected)

    # Kills spread over the whole start-up, from the first instant to past the ready file.
    for step in range(16):
        delay = full * step / 12
        process = start(state, ready, log)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        check_state(state, expected)

    process = start(state, ready, log)
    try:
        url = wait_until(lambda: (ready.read_text().strip() if ready.exists() else "")
                         or (process.poll() is not None and "exited"), 120, "the last start")
        assert url != "exited", log.read_text()
        for gist_id, locks in expected.items():
            request = urllib.request.Request(f"{url}/gists/{gist_id}/commits?per_page=100",
                                             headers={"User-Agent": "system-tests", "Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert len(json.loads(response.read())) == len(locks)
            headers = {"User-Agent": "system-tests", "Authorization": f"Bearer {TOKEN}"}
            request = urllib.request.Request(f"{url}/gists/{gist_id}", headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                assert json.loads(response.read())["files"]["lock.lock"]["content"] == locks[-1]
    finally:
        process.kill()
        process.wait()
