"""`make run`: the platform (Django's development server), the reference SIP edge, the platform's clocks (the beat
schedule run in-process: queue tick, request deadlines, intake safety net...) and the built-in SMTP receiver for the
center's mailboxes, started and stopped together."""

import os
import signal
import subprocess
import sys
import time


def _start(*command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *command], env=os.environ.copy())  # noqa: S603


def main(address: str) -> int:
    edge = _start("-m", "telephony.edges.pjsip")
    server = _start("manage.py", "runserver", address)
    clock = _start("manage.py", "run_clocks")
    # Mail sent to INTAKE_SMTP_HOST:INTAKE_SMTP_PORT for one of the mailboxes is registered as an appeal.
    mail = _start("manage.py", "run_smtp_receiver")
    processes = (server, edge, clock, mail)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    for name, process in (("The SIP edge", edge), ("The SMTP receiver", mail)):
        if process.returncode not in (0, -signal.SIGTERM, None):
            print(f"{name} stopped with code {process.returncode}; see its log above.", file=sys.stderr)
    return server.returncode or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
