"""Run one command and write its wall time and its own peak RSS, as JSON, to REPORT.

    python -S benchmarks/measure_child.py REPORT -- COMMAND...

Why a separate, tiny process: a child's ru_maxrss also counts the memory it had before exec,
and a child forked straight from the benchmark runner starts as a copy of the runner (tens
of MB). Forked from this small process instead, the figure is the command's own.
"""

import json
import os
import sys
import time


def main() -> None:
    report = sys.argv[1]
    argv = sys.argv[sys.argv.index("--") + 1 :]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    with open(report, "w") as out:
        json.dump({"seconds": seconds, "peak_rss_kb": usage.ru_maxrss, "returncode": os.waitstatus_to_exitcode(status)}, out)


main()
