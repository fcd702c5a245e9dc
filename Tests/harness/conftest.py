"""Puts Tests/ on the path, so the harness's own tests import it as the suites do."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
