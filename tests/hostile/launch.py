"""Start one command under an address-space cap and report its own peak RSS.

Run as `python -I -S launch.py RSSFILE LIMIT COMMAND…` by runner.py. It exists because
ru_maxrss survives exec: a child spawned straight from pytest would report pytest's
resident size, not its own. This tiny process forks the command, so the high-water
mark the kernel keeps is the command's alone (or this launcher's few MB); it writes
that number (KiB) to RSSFILE and exits with the command's status.
"""

import os
import resource
import signal
import sys


def main() -> None:
    rss_file, limit, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    pid = os.fork()
    if pid == 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    with open(rss_file, "w") as out:
        out.write(str(usage.ru_maxrss))
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


if __name__ == "__main__":
    main()
