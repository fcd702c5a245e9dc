"""What the system tests, the chaos run and the benchmark share: the lock's names, waiting, the
failover bounds, reading the app's log lines, and running gist-server and copies of the app."""
