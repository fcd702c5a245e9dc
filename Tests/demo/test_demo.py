"""make demo as a user runs it on a fresh clone: the gist demo's own build (without the etcd lock, in
.build-demo), then the demo. The check `demo` of make test runs it beside the system tests; the etcd
demo, which runs the full build, is in Tests/system/test_failover.py."""

import re
import subprocess

import pytest

from harness.demo import REPO_ROOT, assert_nothing_left, run_demo

DEMO_BIN = REPO_ROOT / ".build-demo/debug"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's output and the folder below which it ran, once for this file: its build makes the
    binaries the other test asks."""
    directory = tmp_path_factory.mktemp("demo")
    # A first build of the clone can take several minutes on a loaded 2-core machine.
    return run_demo(directory, build=True, timeout=900), directory


def test_make_demo_builds_the_gist_demo_without_the_etcd_lock_and_shows_two_failovers_and_a_handover(demo):
    output, directory = demo
    build = re.search(r"building leader-election and gist-server \(swift build ([^)]*)\)", output).group(1).split()
    assert "--disable-default-traits" in build and build[-2:] == ["--scratch-path", str(REPO_ROOT / ".build-demo")], build
    assert f"built {DEMO_BIN}/leader-election and {DEMO_BIN}/gist-server" in output, output
    assert output.count("lock writes: git pushes to") == 1, output
    assert "writing the lock through REST" not in output
    assert "expected GitHub request rate too high" not in output
    gist = re.search(r"gist (\S+) on http", output).group(1)
    assert_nothing_left(str(directory), f"--gist {gist}")


def test_the_demos_build_says_it_has_no_etcd_lock_and_names_the_build_that_has(demo):
    binary = str(DEMO_BIN / "leader-election")
    for args in (["status", "--lock", "etcd"], ["run", "--id", "x", "--lock", "etcd"]):
        result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 64, result.stderr
        assert "this leader-election was built without the etcd lock" in result.stderr, result.stderr
        assert "Etcd package trait" in result.stderr, result.stderr
    env = {"LEADER_ELECTION_LOCK": "etcd", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([binary, "status"], capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 64 and 'LEADER_ELECTION_LOCK="etcd": this leader-election was built without' in result.stderr
    usage = subprocess.run([binary, "run", "--help"], capture_output=True, text=True, timeout=30).stdout
    assert "--gist " in usage and "--etcd-endpoints" not in usage and "etcd lock" not in usage, usage
