"""The built gist-server answers as GitHub's published API description says.

Starts the real binary on a free port and calls every gist endpoint it serves. Each answer's status
code must be one the operation declares, and its body must validate against the operation's
`dereferenced` response schema for that status (Tests/system/github-gist-api/, copied from GitHub's
OpenAPI description). The binary comes from GIST_SERVER_BIN (default .build/debug/gist-server).
"""

import json
import os
import re
import secrets
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import jsonschema
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GIST_SERVER_BIN = os.environ.get("GIST_SERVER_BIN", str(REPO_ROOT / ".build/debug/gist-server"))
API_DIR = Path(__file__).resolve().parent / "github-gist-api"

# OpenAPI 3.0 keywords that JSON Schema does not have (nullable is turned into a "null" type).
OPENAPI_ONLY = {"example", "examples", "nullable", "readOnly", "writeOnly", "deprecated", "externalDocs", "xml",
                "discriminator"}


def to_json_schema(node, in_properties=False):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a "null" alternative."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:  # keys are property names here, not keywords
        return {name: to_json_schema(value) for name, value in node.items()}
    out = {key: to_json_schema(value, in_properties=(key == "properties"))
           for key, value in node.items() if key not in OPENAPI_ONLY}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    return True


@FORMATS.checks("uri", raises=ValueError)
def is_uri(value):
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute URI")
    return True


def operation(name):
    return json.loads((API_DIR / f"{name}.json").read_text())


def response_schema(name, status):
    """The JSON Schema of operation `name`'s answer with `status`, or None when it has no body."""
    responses = operation(name)["dereferenced"]["responses"]
    assert str(status) in responses, f"{name} does not declare status {status} (it declares {sorted(responses)})"
    content = responses[str(status)].get("content") or {}
    if "application/json" not in content:
        return None
    return to_json_schema(content["application/json"]["schema"])


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def check(answer, name, status):
    """Asserts the status and validates the body against the operation's schema for it."""
    assert answer.status == status, f"{name}: expected {status}, got {answer.status}: {answer.body[:500]!r}"
    schema = response_schema(name, status)
    if schema is None:
        assert answer.body == b"", f"{name} {status} must have no body, got {answer.body[:200]!r}"
        return None
    document = answer.json()
    validator = jsonschema.Draft7Validator(schema, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, f"{name} {status} body does not match the schema:\n" + "\n".join(
        f"  at {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors[:20])
    return document


class Server:
    """A gist-server on a free loopback port, with a scoped token, an unscoped one and a startup gist."""

    def __init__(self, workdir, state_file=None):
        if not os.access(GIST_SERVER_BIN, os.X_OK):
            pytest.fail(f"{GIST_SERVER_BIN} is missing or not executable: build it first "
                        "(swift build), or point GIST_SERVER_BIN at it", pytrace=False)
        self.workdir = Path(workdir)
        self.token = "scoped-" + secrets.token_hex(12)
        self.unscoped = "unscoped-" + secrets.token_hex(12)
        token_file = self.workdir / "tokens"
        token_file.write_text(f"# system test token\n{self.token}\n")
        self.ready = self.workdir / "ready"
        self.ready.unlink(missing_ok=True)
        self.log = self.workdir / "gist-server.log"
        self.state_file = state_file or self.workdir / "state.json"
        self.process = subprocess.Popen(
            [GIST_SERVER_BIN, "--port", "0", "--ready-file", str(self.ready), "--token-file", str(token_file),
             "--token-without-gist-scope", self.unscoped, "--state-file", str(self.state_file), "--create-gist"],
            stdout=subprocess.PIPE, stderr=self.log.open("a"), text=True)
        self.startup_gist = self.process.stdout.readline().strip()
        assert re.fullmatch(r"[0-9a-f]{32}", self.startup_gist), \
            f"gist-server printed {self.startup_gist!r} instead of a gist id; log:\n{self.log.read_text()}"
        deadline = time.monotonic() + 20
        while not (self.ready.exists() and self.ready.read_text().strip()):
            assert time.monotonic() < deadline, f"no ready file after 20 s; log:\n{self.log.read_text()}"
            time.sleep(0.05)
        self.url = self.ready.read_text().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", self.url), self.url

    def call(self, method, path, body=None, token="scoped", headers=None, raw=None):
        """Sends a request like a well-behaved GitHub client; token is "scoped", "unscoped", None or a string."""
        values = {"User-Agent": "gist-server-system-tests", "Accept": "application/vnd.github+json",
                  "X-GitHub-Api-Version": "2022-11-28"}
        secret = {"scoped": self.token, "unscoped": self.unscoped}.get(token, token)
        if secret:
            values["Authorization"] = f"Bearer {secret}"
        values.update(headers or {})
        values = {name: value for name, value in values.items() if value is not None}
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=values)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())

    def stop(self):
        """SIGTERM, as a supervisor would; the server must exit cleanly."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=10) == 0, f"gist-server did not exit 0 on SIGTERM; log:\n{self.log.read_text()}"


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory(prefix="gist-server-schema-") as workdir:
        running = Server(workdir)
        try:
            yield running
        finally:
            running.stop()


def create(server, files, description="system test"):
    answer = server.call("POST", "/gists", {"description": description, "public": False,
                                            "files": {name: {"content": text} for name, text in files.items()}})
    return check(answer, "create-gist", 201), answer


def test_startup_gist_is_a_secret_gist_with_a_readme(server):
    gist = check(server.call("GET", f"/gists/{server.startup_gist}"), "get-gist", 200)
    assert gist["public"] is False
    assert list(gist["files"]) == ["README.md"]
    assert gist["owner"]["login"]


def test_create_answers_201_with_location(server):
    gist, answer = create(server, {"a.lock": "{}", "notes.md": "# notes\n"})
    assert answer.headers["Location"] == f"{server.url}/gists/{gist['id']}"
    assert gist["url"] == answer.headers["Location"]
    assert len(gist["history"]) == 1 and re.fullmatch(r"[0-9a-f]{40}", gist["history"][0]["version"])


def test_get_answers_200_then_304_for_its_etag(server):
    gist, _ = create(server, {"a.lock": "{}"})
    first = server.call("GET", f"/gists/{gist['id']}")
    check(first, "get-gist", 200)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "private, max-age=60, s-maxage=60"
    assert first.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset",
                   "X-RateLimit-Resource"):
        assert header in first.headers, header
    cached = server.call("GET", f"/gists/{gist['id']}", headers={"If-None-Match": etag})
    check(cached, "get-gist", 304)
    assert cached.headers["X-RateLimit-Used"] == first.headers["X-RateLimit-Used"]
    anonymous = server.call("GET", f"/gists/{gist['id']}", token=None)
    check(anonymous, "get-gist", 200)


def test_update_keeps_untouched_files_and_adds_a_version(server):
    gist, _ = create(server, {"a.lock": "{}", "keep.md": "stay\n"})
    updated = check(server.call("PATCH", f"/gists/{gist['id']}", {"files": {"a.lock": {"content": '{"x":1}'},
                                                                           "new.txt": {"content": "n"}}}),
                    "update-gist", 200)
    assert {name: file["content"] for name, file in updated["files"].items()} == \
        {"a.lock": '{"x":1}', "keep.md": "stay\n", "new.txt": "n"}
    assert [entry["version"] for entry in updated["history"]][1:] == [gist["history"][0]["version"]]
    renamed = check(server.call("PATCH", f"/gists/{gist['id']}", {"files": {"new.txt": {"filename": "n.txt"},
                                                                           "keep.md": None}}),
                    "update-gist", 200)
    assert sorted(renamed["files"]) == ["a.lock", "n.txt"]
    same = check(server.call("PATCH", f"/gists/{gist['id']}", {"files": {"a.lock": {"content": '{"x":1}'}}}),
                 "update-gist", 200)
    assert len(same["history"]) == len(renamed["history"]) == 3


def test_commits_and_revisions(server):
    gist, _ = create(server, {"a.lock": "1"})
    for content in ("2", "3"):
        server.call("PATCH", f"/gists/{gist['id']}", {"files": {"a.lock": {"content": content}}})
    listing = server.call("GET", f"/gists/{gist['id']}/commits")
    commits = check(listing, "list-gist-commits", 200)
    assert len(commits) == 3
    check(server.call("GET", f"/gists/{gist['id']}/commits", headers={"If-None-Match": listing.headers["ETag"]}),
          "list-gist-commits", 304)
    page = server.call("GET", f"/gists/{gist['id']}/commits?per_page=1&page=1")
    assert len(check(page, "list-gist-commits", 200)) == 1
    assert 'rel="next"' in page.headers["Link"]
    oldest = check(server.call("GET", f"/gists/{gist['id']}/{commits[-1]['version']}"), "get-gist-revision", 200)
    assert oldest["files"]["a.lock"]["content"] == "1"
    check(server.call("GET", f"/gists/{gist['id']}/not-a-sha"), "get-gist-revision", 422)
    check(server.call("GET", f"/gists/{gist['id']}/{'0' * 40}"), "get-gist-revision", 404)


def test_delete_answers_204_then_404(server):
    gist, _ = create(server, {"a.lock": "{}"})
    check(server.call("DELETE", f"/gists/{gist['id']}"), "delete-gist", 204)
    check(server.call("GET", f"/gists/{gist['id']}"), "get-gist", 404)
    check(server.call("DELETE", f"/gists/{gist['id']}"), "delete-gist", 404)
    check(server.call("GET", f"/gists/{gist['id']}/commits"), "list-gist-commits", 404)


def test_validation_failures_answer_422(server):
    check(server.call("POST", "/gists", {"files": {}}), "create-gist", 422)
    check(server.call("POST", "/gists", {"files": {"a": {"content": ""}}}), "create-gist", 422)
    gist, _ = create(server, {"a.lock": "{}"})
    check(server.call("PATCH", f"/gists/{gist['id']}", {"files": {"a.lock": None}}), "update-gist", 422)
    check(server.call("PATCH", f"/gists/{gist['id']}", {}), "update-gist", 422)


def test_unknown_gists_and_unscoped_writes_answer_404(server):
    check(server.call("GET", "/gists/0123456789abcdef0123456789abcdef"), "get-gist", 404)
    check(server.call("PATCH", "/gists/0123456789abcdef0123456789abcdef", {"description": "x"}), "update-gist", 404)
    gist, _ = create(server, {"a.lock": "{}"})
    check(server.call("PATCH", f"/gists/{gist['id']}", {"description": "x"}, token="unscoped"), "update-gist", 404)
    check(server.call("DELETE", f"/gists/{gist['id']}", token="unscoped"), "delete-gist", 404)
    check(server.call("POST", "/gists", {"files": {"a": {"content": "x"}}}, token="unscoped"), "create-gist", 404)


def test_bad_credentials_answer_401_with_githubs_body(server):
    for authorization in ("Bearer wrong-token", "token wrong-token"):
        answer = server.call("GET", f"/gists/{server.startup_gist}", token=None,
                             headers={"Authorization": authorization})
        assert answer.status == 401
        assert answer.json() == {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest",
                                 "status": "401"}


def test_missing_user_agent_answers_403(server):
    # urllib always sends its own User-Agent unless one is given; an empty value counts as missing.
    answer = server.call("GET", f"/gists/{server.startup_gist}", headers={"User-Agent": ""})
    check(answer, "get-gist", 403)
    check(server.call("POST", "/gists", {"files": {"a": {"content": "x"}}}, headers={"User-Agent": ""}),
          "create-gist", 403)


def test_conditional_patch_and_unknown_api_version_answer_400(server):
    answer = server.call("PATCH", f"/gists/{server.startup_gist}", {"description": "x"},
                         headers={"If-Match": '"abc"'})
    assert answer.status == 400
    assert answer.json()["message"] == \
        "Conditional request headers are not allowed in unsafe requests unless supported by the endpoint"
    assert server.call("GET", f"/gists/{server.startup_gist}",
                       headers={"X-GitHub-Api-Version": "1999-01-01"}).status == 400


def test_injected_faults_are_github_shaped(server):
    gist, _ = create(server, {"a.lock": "{}"})
    admin = urllib.request.Request(server.url + "/_gist-server/faults", method="POST",
                                   data=json.dumps({"status": 403, "count": 1, "methods": ["PATCH"],
                                                    "retryAfter": 7}).encode())
    with urllib.request.urlopen(admin, timeout=10) as response:
        assert response.status == 201
    refused = server.call("PATCH", f"/gists/{gist['id']}", {"description": "x"})
    assert refused.status == 403 and refused.headers["Retry-After"] == "7"
    check(server.call("PATCH", f"/gists/{gist['id']}", {"description": "x"}), "update-gist", 200)


def test_stats_and_logs_never_show_a_token(server):
    with urllib.request.urlopen(server.url + "/_gist-server/stats", timeout=10) as response:
        stats = response.read().decode()
    assert json.loads(stats)["total"] > 0
    assert server.token not in stats and server.unscoped not in stats
    log = server.log.read_text()
    assert server.token not in log and server.unscoped not in log


def test_a_restart_on_the_state_file_loses_nothing():
    with tempfile.TemporaryDirectory(prefix="gist-server-restart-") as workdir:
        first = Server(workdir)
        gist, _ = create(first, {"a.lock": "1"})
        updated = check(first.call("PATCH", f"/gists/{gist['id']}", {"files": {"a.lock": {"content": "2"}}}),
                        "update-gist", 200)
        first.stop()
        second = Server(workdir, state_file=first.state_file)
        try:
            again = check(second.call("GET", f"/gists/{gist['id']}", token=None), "get-gist", 200)
            assert again["files"]["a.lock"]["content"] == "2"
            assert [entry["version"] for entry in again["history"]] == \
                [entry["version"] for entry in updated["history"]]
        finally:
            second.stop()
