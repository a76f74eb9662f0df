"""`make run`: the platform (Django's development server), the reference SIP edge and the platform's clocks
(the beat schedule run in-process: queue tick, request deadlines, intake safety net...), started and stopped
together."""

import os
import signal
import subprocess
import sys
import time


def main(address: str) -> int:
    python = sys.executable
    edge = subprocess.Popen([python, "-m", "telephony.edges.pjsip"], env=os.environ.copy())  # noqa: S603
    server = subprocess.Popen([python, "manage.py", "runserver", address], env=os.environ.copy())  # noqa: S603
    clock = subprocess.Popen([python, "manage.py", "run_clocks"], env=os.environ.copy())  # noqa: S603
    try:
        while edge.poll() is None and server.poll() is None and clock.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in (server, edge, clock):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (server, edge, clock):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    if edge.returncode not in (0, -signal.SIGTERM, None):
        print(f"The SIP edge stopped with code {edge.returncode}; see its log above.", file=sys.stderr)
    return server.returncode or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
