"""A full gist scenario at both REST versions gist-server answers, 2022-11-28 and 2026-03-10.

Every answer's status must be one the operation declares at that version, and its body must validate
against that version's schema: Tests/system/github-gist-api/ (the six operation files and
2022-11-28/gist-api.json) for 2022-11-28, and Tests/system/github-gist-api/2026-03-10/gist-api.json for
2026-03-10, all read from GitHub's official description. `/rate_limit`, `/user` and (at 2026-03-10)
`/users/{username}` are checked field by field instead: their schemas are not in the extract.
"""

import json
import re
import tempfile
from pathlib import Path

import jsonschema
import pytest

import test_gist_server_schema as base

API_DIR = Path(__file__).resolve().parent / "github-gist-api"
VERSIONS = ["2022-11-28", "2026-03-10"]
# The 2022-11-28 operations that the parent folder holds one file each for.
OLD_FILES = {"POST /gists": "create-gist", "GET /gists/{gist_id}": "get-gist", "PATCH /gists/{gist_id}": "update-gist",
             "DELETE /gists/{gist_id}": "delete-gist", "GET /gists/{gist_id}/commits": "list-gist-commits",
             "GET /gists/{gist_id}/{sha}": "get-gist-revision"}


def extract(version):
    return json.loads((API_DIR / version / "gist-api.json").read_text())


def check(version, answer, operation, status):
    """Asserts the status, and validates the body against `operation`'s schema at `version`."""
    if version == "2022-11-28" and operation in OLD_FILES:
        return base.check(answer, OLD_FILES[operation], status)
    document = extract(version)
    responses = document["operations"][operation]
    assert answer.status == status, f"{operation}: expected {status}, got {answer.status}: {answer.body[:300]!r}"
    assert str(status) in responses, f"{operation} at {version} does not declare {status} ({sorted(responses)})"
    response = responses[str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    content = (response.get("content") or {}).get("application/json")
    if content is None:
        assert answer.body == b"", f"{operation} {status} must have no body, got {answer.body[:200]!r}"
        return None
    schema = {"allOf": [base.to_json_schema(content["schema"])],
              "components": {"schemas": {name: base.to_json_schema(value)
                                         for name, value in document["components"]["schemas"].items()}}}
    body = answer.json()
    validator = jsonschema.Draft7Validator(schema, format_checker=base.FORMATS)
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    assert not errors, f"{operation} {status} at {version} does not match the schema:\n" + "\n".join(
        f"  at {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors[:20])
    return body


class VersionedServer:
    """Calls the shared server with one X-GitHub-Api-Version."""

    def __init__(self, server, version):
        self.server = server
        self.version = version

    def call(self, method, path, body=None, token="scoped", headers=None):
        merged = {"X-GitHub-Api-Version": self.version}
        merged.update(headers or {})
        answer = self.server.call(method, path, body, token=token, headers=merged)
        if answer.status != 400:
            assert answer.headers["X-GitHub-Api-Version-Selected"] == self.version
        assert re.fullmatch(r"[0-9A-F]+(:[0-9A-F]+){4}", answer.headers["X-GitHub-Request-Id"] or "")
        assert "Authorization" in (answer.headers["Vary"] or "")
        return answer


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory(prefix="gist-server-versions-") as workdir:
        running = base.Server(workdir)
        try:
            yield running
        finally:
            running.stop()


@pytest.mark.parametrize("version", VERSIONS)
def test_full_gist_scenario(server, version):
    api = VersionedServer(server, version)

    budget = api.call("GET", "/rate_limit")
    assert budget.status == 200
    before = budget.json()
    core = before["resources"]["core"]
    assert {"limit", "used", "remaining", "reset"} <= set(core) and core["limit"] == core["used"] + core["remaining"]
    assert ("rate" in before) == (version == "2022-11-28"), "2026-03-10 dropped the top-level rate"
    assert api.call("GET", "/rate_limit").json()["resources"]["core"]["used"] == core["used"], "rate_limit is free"

    me = api.call("GET", "/user")
    assert me.status == 200 and me.headers["ETag"].startswith('W/"')
    login = me.json()["login"]
    assert {"private_gists", "two_factor_authentication", "public_gists"} <= set(me.json())
    user = api.call("GET", f"/users/{login}")
    if version == "2022-11-28":
        check(version, user, "GET /users/{username}", 200)
    assert user.status == 200 and user.json()["login"] == login and "private_gists" not in user.json()

    created_answer = api.call("POST", "/gists", {"description": f"scenario {version}", "public": True,
                                                 "files": {"a.txt": {"content": "one\n"}, "b.txt": {"content": "two\n"}}})
    created = check(version, created_answer, "POST /gists", 201)
    gist_id = created["id"]
    assert created_answer.headers["Location"].endswith(f"/gists/{gist_id}")

    got_answer = api.call("GET", f"/gists/{gist_id}")
    got = check(version, got_answer, "GET /gists/{gist_id}", 200)
    assert got_answer.headers["ETag"].startswith('W/"') and "private" in got_answer.headers["Cache-Control"]
    assert ("history" in got) == ("forks" in got) == (version == "2022-11-28")

    updated = check(version, api.call("PATCH", f"/gists/{gist_id}", {"files": {"a.txt": {"content": "one more\n"}}}),
                    "PATCH /gists/{gist_id}", 200)
    assert updated["files"]["a.txt"]["content"] == "one more\n"
    renamed = check(version, api.call("PATCH", f"/gists/{gist_id}", {"files": {"a.txt": {"filename": "c.txt"}}}),
                    "PATCH /gists/{gist_id}", 200)
    assert sorted(renamed["files"]) == ["b.txt", "c.txt"]
    trimmed = check(version, api.call("PATCH", f"/gists/{gist_id}", {"files": {"b.txt": None}}),
                    "PATCH /gists/{gist_id}", 200)
    assert sorted(trimmed["files"]) == ["c.txt"]

    commits_answer = api.call("GET", f"/gists/{gist_id}/commits?per_page=1")
    commits = check(version, commits_answer, "GET /gists/{gist_id}/commits", 200)
    assert len(commits) == 1 and 'rel="next"' in commits_answer.headers["Link"]
    first = check(version, api.call("GET", f"/gists/{gist_id}/commits?per_page=10"), "GET /gists/{gist_id}/commits", 200)
    assert len(first) == 4  # create, update, rename, delete a file
    revision = check(version, api.call("GET", f"/gists/{gist_id}/{first[-1]['version']}"), "GET /gists/{gist_id}/{sha}", 200)
    assert sorted(revision["files"]) == ["a.txt", "b.txt"] and revision["files"]["a.txt"]["content"] == "one\n"

    mine = check(version, api.call("GET", "/gists"), "GET /gists", 200)
    assert gist_id in [item["id"] for item in mine] and all("content" not in f for f in mine[0]["files"].values())
    paged = api.call("GET", "/gists?per_page=1")
    check(version, paged, "GET /gists", 200)
    assert 'rel="last"' in paged.headers["Link"]
    since = check(version, api.call("GET", "/gists?since=2999-01-01T00:00:00Z"), "GET /gists", 200)
    assert since == []
    check(version, api.call("GET", "/gists/public?since=not-a-time"), "GET /gists/public", 422)
    public = check(version, api.call("GET", "/gists/public"), "GET /gists/public", 200)
    assert gist_id in [item["id"] for item in public]
    theirs = check(version, api.call("GET", f"/users/{login}/gists"), "GET /users/{username}/gists", 200)
    assert [item["id"] for item in theirs].count(gist_id) == 1

    star = f"/gists/{gist_id}/star"
    check(version, api.call("GET", star), "GET /gists/{gist_id}/star", 404)
    check(version, api.call("PUT", star), "PUT /gists/{gist_id}/star", 204)
    check(version, api.call("GET", star), "GET /gists/{gist_id}/star", 204)
    starred = check(version, api.call("GET", "/gists/starred"), "GET /gists/starred", 200)
    assert [item["id"] for item in starred] == [gist_id]
    check(version, api.call("DELETE", star), "DELETE /gists/{gist_id}/star", 204)
    check(version, api.call("GET", "/gists/starred", token=None), "GET /gists/starred", 401)

    fork_answer = api.call("POST", f"/gists/{gist_id}/forks")
    fork = check(version, fork_answer, "POST /gists/{gist_id}/forks", 201)
    forks = check(version, api.call("GET", f"/gists/{gist_id}/forks"), "GET /gists/{gist_id}/forks", 200)
    assert [item["id"] for item in forks] == [fork["id"]]
    assert check(version, api.call("GET", f"/gists/{fork['id']}"), "GET /gists/{gist_id}", 200)["fork_of"]["id"] == gist_id

    comments = f"/gists/{gist_id}/comments"
    comment_answer = api.call("POST", comments, {"body": "first"})
    comment = check(version, comment_answer, "POST /gists/{gist_id}/comments", 201)
    assert comment_answer.headers["Location"] == comment["url"]
    listed = check(version, api.call("GET", comments), "GET /gists/{gist_id}/comments", 200)
    assert [item["id"] for item in listed] == [comment["id"]]
    one = f"{comments}/{comment['id']}"
    assert check(version, api.call("GET", one), "GET /gists/{gist_id}/comments/{comment_id}", 200)["body"] == "first"
    edited = check(version, api.call("PATCH", one, {"body": "edited"}), "PATCH /gists/{gist_id}/comments/{comment_id}", 200)
    assert edited["body"] == "edited"
    check(version, api.call("DELETE", one), "DELETE /gists/{gist_id}/comments/{comment_id}", 204)
    check(version, api.call("GET", one), "GET /gists/{gist_id}/comments/{comment_id}", 404)

    check(version, api.call("DELETE", f"/gists/{fork['id']}"), "DELETE /gists/{gist_id}", 204)
    check(version, api.call("DELETE", f"/gists/{gist_id}"), "DELETE /gists/{gist_id}", 204)
    check(version, api.call("GET", f"/gists/{gist_id}"), "GET /gists/{gist_id}", 404)

    after = api.call("GET", "/rate_limit").json()["resources"]["core"]
    assert after["used"] > core["used"] and after["remaining"] == after["limit"] - after["used"]


def test_unknown_version_is_400_with_github_error_shape(server):
    answer = server.call("GET", "/gists", headers={"X-GitHub-Api-Version": "2027-01-01"})
    assert answer.status == 400
    assert answer.json()["message"] == "API version 2027-01-01 is not supported."
