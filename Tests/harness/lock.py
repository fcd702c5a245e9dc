"""The lock every suite elects through: the gist file `<election>.lock`."""

ELECTION = "multi-cluster-leader-election"
LOCK_FILE = f"{ELECTION}.lock"
