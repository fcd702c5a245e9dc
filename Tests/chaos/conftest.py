"""Puts Tests/ and Tests/chaos on the path, so the analysis's self-test imports chaoslib as the run does."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))
