"""The release binary, built with the Dockerfile's flags, runs here, and everything it loads at run time
comes from the runtime image: ubuntu:noble plus the packages the Dockerfile installs.

`make test-release` builds it (swift build -c release --static-swift-stdlib --product leader-election)
and sets LEADER_ELECTION_RELEASE_BIN; without that variable the checks are skipped with the reason.
A variable that names no executable fails."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

# Which package ships each library in ubuntu:noble (several were renamed for 64-bit time_t there).
NOBLE_PACKAGE_OF = {
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libpthread.so.0": "libc6",
    "libdl.so.2": "libc6",
    "librt.so.1": "libc6",
    "libutil.so.1": "libc6",
    "libresolv.so.2": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "ld-linux-aarch64.so.1": "libc6",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libz.so.1": "zlib1g",
    "libcurl.so.4": "libcurl4t64",
    "libxml2.so.2": "libxml2",
    "libssl.so.3": "libssl3t64",
    "libcrypto.so.3": "libssl3t64",
    "libjemalloc.so.2": "libjemalloc2",
    "libuuid.so.1": "libuuid1",
}
# Packages every ubuntu:noble image has (Priority: required, pulled in by dpkg and apt).
NOBLE_BASE = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
# What apt installs with a runtime package because noble's package Depends on it: libcurl4t64 needs
# libssl3t64, whose libcrypto.so.3 the app also loads itself (the git client's SHA-1).
NOBLE_DEPENDS = {"libcurl4t64": {"libssl3t64"}}


def release_binary() -> Path:
    path = os.environ.get("LEADER_ELECTION_RELEASE_BIN", "")
    if not path:
        reason = ("LEADER_ELECTION_RELEASE_BIN is not set: build with `swift build -c release "
                  "--static-swift-stdlib --product leader-election` and point it at the binary")
        pytest.skip(reason)
    binary = Path(path)
    assert binary.is_file() and os.access(binary, os.X_OK), f"{binary} is not an executable file"
    return binary


def runtime_packages() -> set[str]:
    """The base image's libraries plus every package the Dockerfile's last stage installs, with what they
    depend on."""
    runtime = re.split(r"^FROM ", (REPO / "Dockerfile").read_text(), flags=re.MULTILINE)[-1]
    installs = re.findall(r"apt-get\s+(?:-\S+\s+)*install\s+((?:[^&\\\n]|\\\n)+)", runtime)
    assert installs, "the runtime stage installs no packages"
    packages = {word for line in installs for word in line.replace("\\\n", " ").split() if not word.startswith("-")}
    return NOBLE_BASE | packages | {dep for package in packages for dep in NOBLE_DEPENDS.get(package, set())}


def needed(binary: Path) -> list[str]:
    """The binary's own DT_NEEDED entries."""
    out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def ldd(binary: Path) -> dict[str, str]:
    """Every library the loader maps, by soname, with where it was found here."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libraries = {}
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith("linux-vdso") or line.startswith("statically linked"):
            continue
        name = line.split()[0]
        libraries[Path(name).name] = line
    return libraries


def test_runs_here_and_knows_its_subcommands():
    binary = release_binary()
    result = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    for subcommand in ("run", "status", "init"):
        assert re.search(rf"^\s+{subcommand}\b", result.stdout, re.MULTILINE), result.stdout
    # The image's binary has both locks: it is built with the package's default traits, Etcd among them.
    usage = subprocess.run([str(binary), "run", "--help"], capture_output=True, text=True, timeout=30).stdout
    assert "--gist " in usage and "--etcd-endpoints" in usage, usage


def test_swift_runtime_is_linked_in():
    """The runtime image has no Swift runtime, so none of it may be loaded dynamically."""
    libraries = ldd(release_binary())
    swift = [name for name in libraries if re.match(r"lib(swift|Foundation|dispatch|BlocksRuntime|_)", name)]
    assert not swift, f"built without --static-swift-stdlib? it loads {swift}"


def test_every_library_it_loads_is_in_the_runtime_image():
    binary = release_binary()
    libraries = ldd(binary)
    missing_here = [line for line in libraries.values() if "not found" in line]
    assert not missing_here, f"libraries missing on this machine too: {missing_here}"

    packages = runtime_packages()
    report = []
    for soname in needed(binary):
        package = NOBLE_PACKAGE_OF.get(soname)
        assert package, f"{soname} is loaded but its ubuntu:noble package is unknown: add it to NOBLE_PACKAGE_OF"
        covered = package in packages
        report.append(f"{soname} -> {package} ({'installed' if covered else 'MISSING from the runtime image'})")
        assert covered, (f"{soname} comes from {package}, which the runtime image lacks: add it to the "
                         f"Dockerfile's apt-get install line\n" + "\n".join(report))
    # The rest are what those libraries load themselves; apt installs them as their packages' dependencies.
    direct = set(needed(binary))
    print("\n".join(report), f"\n{len(libraries) - len(direct)} more loaded through these libraries' own dependencies")
