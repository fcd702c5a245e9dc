"""What a server restart must keep: the gist's whole git history (every commit and every file in it, the
lock included), read with git from the bare repository gist-server keeps for the gist, and every
revision of the server's own journal. The API's `history` is no measure: gist-server caps it."""

import subprocess
from pathlib import Path

from harness.gist_server import stored_revisions


def repository(state_file, gist_id):
    """The gist's bare repository: gist-server keeps them beside its state file unless told otherwise."""
    return Path(str(state_file) + ".repositories") / f"{gist_id}.git"


def git_history(repo):
    """Every commit of the repository's HEAD along its first parents, oldest first, with every file it
    holds: [(commit id, {path: blob id})]. One `git log --raw` replays each commit's changes onto the last."""
    out = subprocess.run(["git", "--git-dir", str(repo), "log", "--first-parent", "--reverse", "--root", "--raw",
                          "--no-abbrev", "--no-renames", "--format=@%H", "HEAD"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    commits, files = [], {}
    for line in out.splitlines():
        if line.startswith("@"):
            files = dict(files)
            commits.append((line[1:], files))
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            status, new_blob = meta.split()[4], meta.split()[3]
            if status.startswith("D"):
                files.pop(path, None)
            else:
                files[path] = new_blob
    return commits


def snapshot(state_file, gist_id):
    """The gist as a restart must keep it: its git history and the server's journal of revisions."""
    return {"commits": git_history(repository(state_file, gist_id)),
            "revisions": [(r["version"], r["files"]) for r in stored_revisions(state_file, gist_id)]}


def lost(before, after):
    """What `after` lost of `before`: every commit and revision of `before` must still be there, in the same
    place, with the same files (later ones may follow). A list of problems, empty when nothing was lost."""
    problems = []
    for what, label in (("commits", "commit"), ("revisions", "revision")):
        old, new = before[what], after[what]
        for index, (key, files) in enumerate(old):
            if index >= len(new):
                problems.append(f"{len(old) - index} of {len(old)} {label}s gone after the restart "
                                f"(the first: {key}); {len(new)} left")
                break
            new_key, new_files = new[index]
            if new_key != key:
                problems.append(f"{label} {index + 1} was {key}, is {new_key} after the restart")
                break
            if new_files != files:
                changed = sorted(n for n in set(files) | set(new_files) if files.get(n) != new_files.get(n))
                problems.append(f"{label} {key} holds other files after the restart: {changed}")
                break
    return problems
