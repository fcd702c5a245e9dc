"""Election timings of a chaos run: the harness's, with a request timeout short enough to meet in faults."""

from functools import partial

from harness.bounds import Timings as _Timings

Timings = partial(_Timings, lease=4.0, renew_deadline=2.5, retry=0.5, settle=0.5, request_timeout=1.0)
