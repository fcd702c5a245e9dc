"""The chaos run: copies of leader-election and a gist-server on this machine, driven through faults."""
