"""`./cicd.sh demo` run as `make demo` runs it, with the assertions every demo's output must pass."""

import os
import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NAMES = ("napoleon", "stalin", "cleopatra")


def run_demo(tmp_path, build=False, timeout=170, **extra_env):
    """The demo's output (stdout and stderr), after checking what every demo shows. Its files go below
    tmp_path. Without `build`, it runs the binaries in BIN_DIR (SKIP_BUILD); with it, it builds as a
    user's `make demo` does."""
    env = dict(os.environ, DEMO_LOG_LINES="40", TMPDIR=str(tmp_path), **extra_env)
    if build:
        for name in ("SKIP_BUILD", "BIN_DIR", "BUILD_LOG"):
            env.pop(name, None)
    else:
        env["SKIP_BUILD"] = "true"
    result = subprocess.run(["./cicd.sh", "demo"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("took over after") == 2, output
    assert re.search(r"\S+ leads after the handover, in \d+ ms", output), output
    for name in NAMES:
        assert f"===== {name} =====" in output
    assert "I will lead you to greatness!" in output
    assert "All hail" in output
    assert "demo done" in output
    # Nothing was injected: every warning or error line of a copy is noise or a defect.
    noise = [line for line in output.splitlines() if re.match(r"[WEF]\d{4} ", line)]
    assert noise == [], "\n".join(noise)
    return output


def assert_nothing_left(*patterns):
    """No process whose command line holds one of `patterns` is still running."""
    for pattern in patterns:
        leftovers = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
        assert leftovers.stdout == "", f"the demo left processes running: {pattern}"
